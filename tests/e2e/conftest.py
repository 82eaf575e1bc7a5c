"""The three services as real processes against the real Kafka and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from ocop_cli.client import Endpoints
from ocop_shared.settings import CommonSettings
from ocop_testkit import new_prefix

REPO = Path(__file__).resolve().parents[2]
DATABASE = "ocop_e2e"
PORTS = {"registration": 18101, "booths": 18102, "sales": 18103}


class Processes:
    """Starts, kills (SIGKILL) and restarts the services, each logging to its own file."""

    def __init__(self, logs: Path, prefix: str) -> None:
        self.logs = logs
        self.prefix = prefix
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def env(self, name: str) -> dict[str, str]:
        return {
            **os.environ,
            "OCOP_ENV": "test",
            "OCOP_PG_DATABASE": DATABASE,
            "OCOP_TOPIC_PREFIX": self.prefix,
            "OCOP_HTTP_PORT": str(PORTS[name]),
            "OCOP_LOG_LEVEL": "WARNING",
            "OCOP_LOG_FORMAT": "json",
        }

    def start(self, name: str) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.running[name] = subprocess.Popen(
            [sys.executable, "-m", f"ocop_{name}", "serve"],
            env=self.env(name),
            stdout=log,
            stderr=log,
            cwd=REPO,
        )

    def kill(self, name: str) -> None:
        process = self.running.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in self.running.values():
            process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.running.clear()

    def tail(self) -> str:
        return "\n".join(
            f"--- {p.name}\n" + "\n".join(p.read_text(errors="replace").splitlines()[-15:])
            for p in sorted(self.logs.glob("*.log"))
        )


@pytest.fixture(scope="module")
def services(
    stack_settings: CommonSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Processes]:
    import asyncio

    async def fresh_database() -> None:
        conn = await asyncpg.connect(stack_settings.admin_dsn("postgres"))
        try:
            await conn.execute(f'drop database if exists "{DATABASE}" with (force)')
            await conn.execute(f'create database "{DATABASE}"')
        finally:
            await conn.close()

    asyncio.run(fresh_database())
    processes = Processes(tmp_path_factory.mktemp("e2e-logs"), new_prefix())
    # Registration first: the others' migrations and consumers do not depend on it, but
    # starting one at a time keeps start-up light on two cores.
    for name in PORTS:
        processes.start(name)
        time.sleep(0.5)
    try:
        yield processes
    finally:
        processes.stop_all()
        print(processes.tail())


@pytest.fixture(scope="module")
def endpoints() -> Endpoints:
    return Endpoints(**{name: f"http://127.0.0.1:{port}" for name, port in PORTS.items()})
