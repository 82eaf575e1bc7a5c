"""The till (issue 13): a progressive web app at ``/till`` and its thin proxy to sales.

- ``GET /till``, ``/till/pair``, ``/till/sale/{sale_id}``: one shell page (no session, no
  CSRF token, no per-person data, so the service worker may keep it); the views are switched
  in the browser by ``static/till/app.js`` (plain ES modules, no build step).
- ``GET /till/sw.js``: the service worker (scope ``/till/``, ``Service-Worker-Allowed``),
  precaching the shell and every file it needs, named in ``PRECACHE``; its version is a hash
  of those files, so any change installs a new worker.
- ``GET /till/manifest.webmanifest``: the web app manifest.
- ``/till/api/<path>``: an allow-list of sales routes (``ALLOWED``) forwarded with the
  browser's own ``Authorization: Bearer <device token>`` (never a cookie: no CSRF there),
  status, body, ``ETag``/``If-None-Match`` passed through; sales unreachable, slow (8 s) or
  answering 5xx: ``503 {"code": "sales_unavailable"}`` so the till keeps the sale queued.
"""

from ocop_web.till.routes import ALLOWED, PRECACHE, router

__all__ = ["ALLOWED", "PRECACHE", "router"]
