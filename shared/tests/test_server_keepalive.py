"""The HTTP server keeps an idle connection open longer than its clients keep theirs, so a
client never sends on a connection the server is closing (uvicorn's default closes at 5 s,
exactly httpx's pool expiry: a race that ends in a connection reset)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any

import uvicorn

from ocop_shared.cli import SERVER_OPTIONS
from ocop_testkit import wait_for


async def hello(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
    )
    await send({"type": "http.response.body", "body": b"ok"})


async def ask(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    writer.write(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
    await writer.drain()
    return await asyncio.wait_for(reader.readuntil(b"ok"), timeout=5)


async def test_an_idle_connection_outlives_a_clients_five_second_pool_expiry() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # a free port the system picks: no fixed port to collide on
    options = {k: v for k, v in SERVER_OPTIONS.items() if k != "loop"}
    server = uvicorn.Server(uvicorn.Config(hello, loop="none", lifespan="off", **options))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await wait_for(lambda: server.started, timeout=10, interval=0.01)
        reader, writer = await asyncio.open_connection(*sock.getsockname())
        assert (await ask(reader, writer)).startswith(b"HTTP/1.1 200")
        await asyncio.sleep(6)  # idle past uvicorn's default keep-alive and httpx's expiry
        assert (await ask(reader, writer)).startswith(b"HTTP/1.1 200")
        writer.close()
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await serving
        sock.close()
