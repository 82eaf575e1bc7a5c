"""Each service's command line: ``python -m ocop_<service> serve | migrate | asyncapi``."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

import uvicorn
from fastapi import FastAPI

from ocop_shared import asyncapi, ratelimit
from ocop_shared.service import Service

USAGE = "usage: python -m ocop_<service> serve | migrate | asyncapi"


SERVER_OPTIONS: dict[str, Any] = {
    "log_config": None,
    "access_log": False,
    "loop": "uvloop",
    "http": "httptools",
    # Keep idle connections open longer than clients and proxies keep theirs (httpx 5 s,
    # aiohttp 15 s, load balancers 60 s): a server that closes first races a client sending
    # on the same connection, which then sees a reset (uvicorn's default is 5 s).
    "timeout_keep_alive": 75,
}


def main(
    service: Service, app: FastAPI, argv: list[str] | None = None, *, factory: str | None = None
) -> None:
    """``factory`` ("module:function" building the app) lets ``serve`` run several worker
    processes (OCOP_WORKERS); they share the database, and one outbox relay leads at a time."""
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "serve"
    if command == "serve":
        s = service.settings
        workers = int(os.environ.get("OCOP_WORKERS", "1"))
        options = {
            "host": s.http_host,
            "port": s.http_port,
            **SERVER_OPTIONS,
            # X-Forwarded-For and -Proto only from OCOP_TRUSTED_PROXIES (uvicorn's own default
            # trusts 127.0.0.1 even in production): the rate limits' client is the same.
            "forwarded_allow_ips": ratelimit.forwarded_allow_ips(),
        }
        if factory and workers > 1:
            uvicorn.run(factory, factory=True, workers=workers, **options)
        else:
            uvicorn.run(app, **options)
    elif command == "migrate":
        applied = asyncio.run(service.migrate())
        print(json.dumps({"service": service.name, "applied": applied}))
    elif command == "asyncapi":
        # Built from the contracts (ocop_shared.asyncapi): what it sends and receives.
        sys.stdout.write(asyncapi.render(asyncapi.document(service)))
    else:
        print(USAGE, file=sys.stderr)
        sys.exit(2)
