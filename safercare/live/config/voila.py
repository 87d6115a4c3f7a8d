# Voilà configuration for Safer Care's live pages. safercare.live.server's command points Voilà
# here (--Voila.config_file_paths), so a stray voila.py in the folder the command is run from is
# never loaded. Everything that can be said on the command line is said there; this file holds
# only what cannot: the prelaunch hook that gives each page its XSRF cookie, without which
# Voilà refuses (403) the page's own "shut my kernel down" call when the tab closes.
from safercare.live.server import give_page_its_xsrf_cookie

c.VoilaConfiguration.prelaunch_hook = give_page_its_xsrf_cookie  # noqa: F821 - traitlets' config
