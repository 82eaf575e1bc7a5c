"""Each service's command line: ``python -m ocop_<service> serve | migrate | asyncapi``."""

from __future__ import annotations

import asyncio
import json
import sys

import uvicorn
from fastapi import FastAPI
from faststream.specification import AsyncAPI

from ocop_shared.service import Service

USAGE = "usage: python -m ocop_<service> serve | migrate | asyncapi"


def main(service: Service, app: FastAPI, argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "serve"
    if command == "serve":
        s = service.settings
        uvicorn.run(
            app,
            host=s.http_host,
            port=s.http_port,
            log_config=None,
            access_log=False,
            loop="uvloop",
            http="httptools",
        )
    elif command == "migrate":
        applied = asyncio.run(service.migrate())
        print(json.dumps({"service": service.name, "applied": applied}))
    elif command == "asyncapi":
        spec = AsyncAPI(
            service.build_broker(), title=f"ocop-fairs {service.name}", version="1"
        ).to_specification()
        print(spec.to_json())
    else:
        print(USAGE, file=sys.stderr)
        sys.exit(2)
