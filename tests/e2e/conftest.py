"""The three services as real processes, two replicas of each, against a Kafka broker of the
test's own (it is stopped mid-fair, and the shared broker must never stop under other test
runs) and the shared PostgreSQL. Every port is picked when the test runs."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from ocop_cli.client import Endpoints
from ocop_shared.settings import CommonSettings
from ocop_testkit import TEST_DATABASE, new_prefix
from ocop_testkit.broker import PrivateKafka as Kafka
from ocop_testkit.broker import free_port

REPO = Path(__file__).resolve().parents[2]
DATABASE = f"{TEST_DATABASE}_e2e"
SERVICES = ("registration", "booths", "sales")
REPLICAS = 2
# Below Linux's ephemeral range (32768+): no client socket is given one of these ports, so a
# broker or service restarted on its port finds it free.


class Processes:
    """Starts, kills (SIGKILL) and restarts the replicas ("sales-1", "sales-2"...), each on a
    port of its own and logging to its own file, and keeps the rotation a load balancer would:
    the replicas that answered ready and were not killed since."""

    def __init__(self, logs: Path, prefix: str, kafka: Kafka) -> None:
        self.logs = logs
        self.prefix = prefix
        self.kafka = kafka
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}
        self.in_rotation: dict[str, list[str]] = {s: [] for s in SERVICES}
        self._turn = {s: itertools.count() for s in SERVICES}

    @staticmethod
    def replicas(service: str) -> list[str]:
        return [f"{service}-{i}" for i in range(1, REPLICAS + 1)]

    @staticmethod
    def service_of(replica: str) -> str:
        return replica.rsplit("-", 1)[0]

    def url(self, replica: str) -> str:
        return f"http://127.0.0.1:{self.ports[replica]}"

    def next_url(self, service: str) -> str:
        """Round robin over the replicas in rotation, one request at a time."""
        live = self.in_rotation[service]
        assert live, f"no replica of {service} in rotation"
        return self.url(live[next(self._turn[service]) % len(live)])

    def pid(self, replica: str) -> int:
        return self.running[replica].pid

    def env(self, replica: str) -> dict[str, str]:
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith("OCOP_KAFKA_")},
            # This broker's users: each service connects as itself (ServiceSettings).
            **self.kafka.secrets,
            "OCOP_ENV": "test",
            "OCOP_PG_DATABASE": DATABASE,
            "OCOP_KAFKA_BOOTSTRAP": self.kafka.bootstrap,
            "OCOP_TOPIC_PREFIX": self.prefix,
            "OCOP_HTTP_PORT": str(self.ports[replica]),
            "OCOP_LOG_LEVEL": "WARNING",
            "OCOP_LOG_FORMAT": "json",
        }

    def start(self, replica: str) -> None:
        """Starts a replica (on its former port after a kill); it joins the rotation once
        ``wait_ready`` has seen it ready."""
        self.ports.setdefault(replica, free_port())
        log = (self.logs / f"{replica}.log").open("ab")
        self.running[replica] = subprocess.Popen(
            [sys.executable, "-m", f"ocop_{self.service_of(replica)}", "serve"],
            env=self.env(replica),
            stdout=log,
            stderr=log,
            cwd=REPO,
        )

    def wait_ready(self, replica: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=5) as http:
            while True:
                process = self.running[replica]
                if process.poll() is not None:
                    log = (self.logs / f"{replica}.log").read_text(errors="replace")
                    if "address already in use" in log.lower():
                        # Someone took the port since it was picked: another one.
                        self.ports[replica] = free_port()
                        self.start(replica)
                        continue
                    raise RuntimeError(f"{replica} exited ({process.returncode}):\n{log[-3000:]}")
                try:
                    if http.get(self.url(replica) + "/health/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{replica} not ready within {timeout} s")
                time.sleep(0.3)
        service = self.service_of(replica)
        if replica not in self.in_rotation[service]:
            self.in_rotation[service].append(replica)

    def kill(self, replica: str) -> None:
        """SIGKILL; the load balancer stops sending it requests (those in flight are lost)."""
        self.in_rotation[self.service_of(replica)].remove(replica)
        process = self.running.pop(replica)
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


class Spread(Endpoints):
    """The services' addresses as a load balancer gives them: each read of ``.sales`` (and
    the others) is the next replica in rotation, so the CLI client, the demo loader and the
    tills spread their requests over the replicas, one request at a time."""

    def __init__(self, processes: Processes) -> None:
        super().__init__()
        object.__setattr__(self, "_processes", processes)

    def __getattribute__(self, name: str) -> Any:
        if name in SERVICES:
            processes: Processes = object.__getattribute__(self, "_processes")
            return processes.next_url(name)
        return object.__getattribute__(self, name)


async def relay_leader(conn: asyncpg.Connection, schema: str, processes: Processes) -> str | None:
    """The replica whose outbox relay holds the schema's lease now (the lease's holder names
    its process id), or None."""
    holder = await conn.fetchval(
        f"select holder from {schema}.outbox_relay_state where expires_at > now()"
    )
    if holder is None:
        return None
    pid = int(holder.split(":")[1])
    return next((r for r in processes.running if processes.pid(r) == pid), None)


@pytest.fixture(scope="module")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kafka]:
    broker = Kafka(tmp_path_factory.mktemp("e2e-kafka"))
    broker("start")
    try:
        yield broker
    finally:
        broker("stop")


@pytest.fixture(scope="module")
def services(
    stack_settings: CommonSettings, kafka: Kafka, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Processes]:
    async def fresh_database() -> None:
        conn = await asyncpg.connect(stack_settings.admin_dsn("postgres"))
        try:
            await conn.execute(f'drop database if exists "{DATABASE}" with (force)')
            await conn.execute(f'create database "{DATABASE}"')
        finally:
            await conn.close()

    asyncio.run(fresh_database())
    processes = Processes(tmp_path_factory.mktemp("e2e-logs"), new_prefix(), kafka)
    kafka.grant(processes.prefix)
    replicas = [r for s in SERVICES for r in processes.replicas(s)]
    try:
        # One at a time, a moment apart: start-up is light on two cores that way (replicas
        # of one service take turns at the migrations anyway).
        for replica in replicas:
            processes.start(replica)
            time.sleep(0.5)
        for replica in replicas:
            processes.wait_ready(replica)
        yield processes
    finally:
        processes.stop_all()
        print(processes.tail())


@pytest.fixture(scope="module")
def endpoints(services: Processes) -> Endpoints:
    return Spread(services)
