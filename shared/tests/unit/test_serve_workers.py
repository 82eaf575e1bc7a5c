"""OCOP_WORKERS processes each listen on the port with a socket of their own (SO_REUSEPORT), so
the kernel spreads a client's connections across them. uvicorn's workers shared one socket and
the first to wake took every pending connection: a client keeping its connections had one
process serve it all while the other idled (issue 16's bench: 4.8 s of CPU against 0.2 s)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

APP = """
import os
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def pid(_request):
    return PlainTextResponse(str(os.getpid()))


def factory():
    return Starlette(routes=[Route("/", pid)])
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening(port: int) -> int:
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(
        1 for r in rows if r.split()[3] == "0A" and int(r.split()[1].rsplit(":", 1)[1], 16) == port
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT spreading: Linux")
def test_each_worker_listens_and_a_clients_connections_reach_both(tmp_path: Path) -> None:
    (tmp_path / "tiny_app.py").write_text(textwrap.dedent(APP))
    port = free_port()
    code = (
        "from ocop_shared.cli import SERVER_OPTIONS, serve_workers\n"
        f"serve_workers('tiny_app:factory', 2, {{**SERVER_OPTIONS, 'host': '127.0.0.1', 'port': {port}}})"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    parent = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        deadline = time.monotonic() + 60
        while listening(port) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert listening(port) == 2  # a socket per worker
        pids = set()
        for _ in range(40):  # each request on a connection of its own
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as answer:
                pids.add(answer.read().decode())
        assert len(pids) == 2
    finally:
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(timeout=30) == 0  # passed on to the workers, which stop gracefully
    assert listening(port) == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG: Linux")
def test_the_workers_die_with_a_killed_service(tmp_path: Path) -> None:
    """SIGKILLed (no signal to pass on), the service's workers must not stay serving the port
    beside the service started again."""
    (tmp_path / "tiny_app.py").write_text(textwrap.dedent(APP))
    port = free_port()
    code = (
        "from ocop_shared.cli import SERVER_OPTIONS, serve_workers\n"
        f"serve_workers('tiny_app:factory', 2, {{**SERVER_OPTIONS, 'host': '127.0.0.1', 'port': {port}}})"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    parent = subprocess.Popen([sys.executable, "-c", code], env=env)
    deadline = time.monotonic() + 60
    while listening(port) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert listening(port) == 2
    parent.kill()
    parent.wait(timeout=30)
    deadline = time.monotonic() + 30
    while listening(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert listening(port) == 0  # no orphaned worker left listening
