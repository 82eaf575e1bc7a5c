"""Each service's command line: ``python -m ocop_<service> serve | migrate | asyncapi``."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import socket
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
            serve_workers(factory, workers, options)
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


def serve_workers(factory: str, workers: int, options: dict[str, Any]) -> None:
    """``workers`` processes, each listening on the port with a socket of its own
    (SO_REUSEPORT): the kernel spreads new connections across them. uvicorn's own workers share
    one socket, and the first to wake accepted every pending connection: a client keeping its
    connections (the web app's proxy, a load generator) had all its requests served by one
    process while the other idled. A worker that stops stops them all (the process supervisor,
    Kubernetes, restarts the service); SIGTERM or SIGINT is passed on to each (uvicorn's
    graceful shutdown)."""
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_worker, args=(factory, options, os.getpid()), name=f"worker-{n}")
        for n in range(workers)
    ]
    for process in processes:
        process.start()

    asked: list[int] = []  # the signal the service was stopped with, if any

    def stop(signum: int, _frame: object) -> None:
        if _frame is not None:
            asked.append(signum)
        for process in processes:
            if process.pid is not None and process.is_alive():
                os.kill(process.pid, signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    from multiprocessing.connection import wait

    wait([p.sentinel for p in processes])  # the first to stop
    stop(signal.SIGTERM, None)
    for process in processes:
        process.join()
    # A worker stopped by the signal passed on exits with it (uvicorn raises it again after
    # its graceful shutdown): that is a clean stop. Anything else is the service failing.
    clean = {0, *(-signum for signum in asked)}
    sys.exit(0 if all(p.exitcode in clean for p in processes) else 1)


def _die_with(parent: int) -> None:
    """The worker is killed when the service's process dies, however it dies (SIGKILL, the
    OOM killer): orphaned workers would keep serving on the port (SO_REUSEPORT) beside a
    restarted service. Linux's PR_SET_PDEATHSIG; elsewhere nothing."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(1)


def _worker(factory: str, options: dict[str, Any], parent: int | None = None) -> None:
    if parent is not None:
        _die_with(parent)
    host, port = options["host"], options["port"]
    family, kind, proto, _name, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.set_inheritable(True)
    config = uvicorn.Config(factory, factory=True, **options)
    uvicorn.Server(config).run(sockets=[sock])
