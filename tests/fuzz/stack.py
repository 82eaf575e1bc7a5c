"""The three services as processes for the fuzz run: one replica each, on ports picked when the
run starts, against the shared PostgreSQL (a fresh database of the run's own) and a Kafka
broker of the run's own (deploy/local/stack.sh with its own state folder and ports, as
tests/e2e does), so that the fuzz run neither depends on nor loads the shared broker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from ocop_testkit.broker import PrivateKafka as Kafka
from ocop_testkit.broker import free_port

SERVICES = ("registration", "booths", "sales")
REPO = Path(__file__).resolve().parents[2]
# Below Linux's ephemeral range, as tests/e2e does: no client socket takes one of these.


class Services:
    """Starts the three services, waits until they answer ready, stops them; each logs (JSON)
    to ``logs/<service>.log``, which the findings report reads for the 5xx tracebacks."""

    def __init__(self, logs: Path, *, database: str, kafka: Kafka, prefix: str) -> None:
        self.logs = logs
        self.database = database
        self.kafka = kafka
        self.prefix = prefix
        self.ports: dict[str, int] = {}
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def log(self, service: str) -> Path:
        return self.logs / f"{service}.log"

    def _start(self, service: str) -> None:
        self.ports[service] = free_port(set(self.ports.values()))
        env = {
            # The run's broker's security settings and users, not the shared stack's (the
            # secrets file's OCOP_KAFKA_* come second to these): each service as itself.
            **{k: v for k, v in os.environ.items() if not k.startswith("OCOP_KAFKA_")},
            **self.kafka.secrets,
            "OCOP_ENV": "test",
            "OCOP_PG_DATABASE": self.database,
            "OCOP_KAFKA_BOOTSTRAP": self.kafka.bootstrap,
            "OCOP_TOPIC_PREFIX": self.prefix,
            "OCOP_HTTP_PORT": str(self.ports[service]),
            "OCOP_LOG_LEVEL": "WARNING",
            "OCOP_LOG_FORMAT": "json",
        }
        out = self.log(service).open("ab")
        self.running[service] = subprocess.Popen(
            [sys.executable, "-m", f"ocop_{service}", "serve"],
            env=env,
            stdout=out,
            stderr=out,
            cwd=REPO,
        )

    def start(self, timeout: float = 180) -> None:
        for service in SERVICES:
            self._start(service)
            time.sleep(0.3)
        for service in SERVICES:
            self._wait_ready(service, timeout)

    def _wait_ready(self, service: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=5) as http:
            while True:
                process = self.running[service]
                if process.poll() is not None:
                    log = self.log(service).read_text(errors="replace")
                    if "address already in use" in log.lower():
                        self._start(service)  # someone took the port since it was picked
                        continue
                    raise RuntimeError(f"{service} exited ({process.returncode}):\n{log[-3000:]}")
                try:
                    if http.get(self.url(service) + "/health/ready").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{service} not ready within {timeout} s")
                time.sleep(0.3)

    def alive(self, service: str) -> bool:
        return self.running[service].poll() is None

    def stop(self) -> None:
        for process in self.running.values():
            process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running.clear()
