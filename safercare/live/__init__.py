"""Live course pages: what a room types into, and the server that serves the pages.

* :mod:`safercare.live.store` — the one live-capture store: an append-only SQLite file (WAL,
  retries, one transaction per change, an audit log, receipts, formula-safe CSV) that every
  page's store builds on (the priority workshop's, the PDSA team game's).
* :mod:`safercare.live.server` — the one place that serves app notebooks with Voilà: nothing
  fetched from the internet, idle pages closed, a bound on how many pages one server holds,
  and a secret on every facilitator page.

The app notebooks import stores, never the server, so a page's kernel does not load the web
server.
"""
