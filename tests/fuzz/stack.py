"""The three services as processes for the fuzz run: one replica each, on ports picked when the
run starts, against the shared PostgreSQL (a fresh database of the run's own) and a Kafka
broker of the run's own (deploy/local/stack.sh with its own state folder and ports, as
tests/e2e does), so that the fuzz run neither depends on nor loads the shared broker."""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from ocop_shared import kafka_acl
from ocop_shared.settings import CommonSettings, read_secrets_file

SERVICES = ("registration", "booths", "sales")
REPO = Path(__file__).resolve().parents[2]
STACK = REPO / "deploy" / "local" / "stack.sh"
# Below Linux's ephemeral range, as tests/e2e does: no client socket takes one of these.
PORT_RANGE = (20000, 32767)


def free_port(taken: set[int]) -> int:
    for _ in range(1000):
        port = random.randint(*PORT_RANGE)
        if port in taken:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        taken.add(port)
        return port
    raise RuntimeError("no free port found")


class Kafka:
    """A single-node broker of the run's own, its jars shared with the local stack's cache.

    It authenticates as the local stack's does (SASL/SCRAM, ACLs; stack.sh writes its users'
    random passwords to its own state folder), whatever the shared broker does: the services
    and the run's own clients take this broker's security settings, never the shared stack's
    (``OCOP_KAFKA_*`` from the environment or ``OCOP_SECRETS_FILE``)."""

    def __init__(self, state: Path) -> None:
        self.state = state
        taken: set[int] = set()
        self.port = free_port(taken)
        self.controller_port = free_port(taken)
        libs = Path(os.environ.get("OCOP_STATE_DIR", REPO / ".local")) / "kafka" / "libs"
        (state / "kafka").mkdir(parents=True, exist_ok=True)
        if libs.is_dir():
            (state / "kafka" / "libs").symlink_to(libs.resolve(), target_is_directory=True)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def secrets(self) -> dict[str, str]:
        """Its security protocol and users' passwords, as ``OCOP_KAFKA_*`` variables."""
        found = read_secrets_file(self.state / "secrets.env")
        return {k: v for k, v in found.items() if k.startswith("OCOP_KAFKA_")}

    def settings(self, prefix: str, user: str = kafka_acl.ADMIN) -> CommonSettings:
        """Client settings for this broker as ``user`` (the admin by default)."""
        secrets = self.secrets
        protocol = secrets.get("OCOP_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
        password = secrets.get(f"OCOP_KAFKA_PASSWORD_{user.upper()}")
        return CommonSettings.model_validate({
            "env": "test", "kafka_bootstrap": self.bootstrap,
            "kafka_security_protocol": protocol, "kafka_username": user,
            "kafka_password": password, "topic_prefix": prefix,
        })  # fmt: skip

    def grant(self, prefix: str) -> None:
        """The ACL table (``ocop_shared.kafka_acl``) for the run's topic prefix."""
        admin = self.settings(prefix)
        if admin.kafka_security_protocol != "PLAINTEXT":
            asyncio.run(kafka_acl.apply(admin, prefix))

    def __call__(self, command: str) -> None:
        """``start`` (returns when the broker answers) or ``stop``."""
        env = {
            **os.environ,
            "OCOP_STATE_DIR": str(self.state),
            "OCOP_KAFKA_PORT": str(self.port),
            "OCOP_KAFKA_CONTROLLER_PORT": str(self.controller_port),
        }
        subprocess.run(["bash", str(STACK), command, "kafka"], env=env, check=True)


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
