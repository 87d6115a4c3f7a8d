"""Live course pages: app notebooks that a room uses at the same time, served by Voilà.

:mod:`safercare.live.server` is the one place that serves them (the priority-setting pages
now; team and game pages later): nothing fetched from the internet, idle pages closed, a bound
on how many pages one server holds, and a secret on every facilitator page.

Nothing here is imported by the app notebooks themselves, so a page's kernel does not load the
web server.
"""
