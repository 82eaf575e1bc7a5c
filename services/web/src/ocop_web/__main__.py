"""``python -m ocop_web [serve]``: the web app on OCOP_HTTP_HOST:OCOP_HTTP_PORT (8000)."""

from __future__ import annotations

import os
import sys

import uvicorn

from ocop_shared.cli import SERVER_OPTIONS
from ocop_shared.ratelimit import forwarded_allow_ips
from ocop_web.app import build
from ocop_web.settings import WebSettings


def main(argv: list[str]) -> None:
    command = argv[0] if argv else "serve"
    if command != "serve":
        print("usage: python -m ocop_web serve", file=sys.stderr)
        sys.exit(2)
    settings = WebSettings()
    workers = int(os.environ.get("OCOP_WORKERS", "1"))
    options = {
        "host": settings.http_host,
        "port": settings.http_port,
        **SERVER_OPTIONS,
        # X-Forwarded-For and -Proto believed only from OCOP_TRUSTED_PROXIES (an ingress).
        "forwarded_allow_ips": forwarded_allow_ips(),
    }
    if workers > 1:
        uvicorn.run("ocop_web.app:asgi", factory=True, workers=workers, **options)
    else:
        uvicorn.run(build(settings), **options)


if __name__ == "__main__":
    main(sys.argv[1:])
