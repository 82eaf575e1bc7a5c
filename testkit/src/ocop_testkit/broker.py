"""A Kafka broker of a test run's own (the e2e and the fuzzing start one), and free ports.

The broker is deploy/local/stack.sh with its own state folder and ports, its jars shared with
the local stack's cache. It authenticates as the local stack's does (SASL/SCRAM, ACLs; stack.sh
writes its users' random passwords to its own state folder), whatever the shared broker does:
processes and clients of the run take this broker's security settings, never the shared
stack's.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
from pathlib import Path

from ocop_shared import kafka_acl
from ocop_shared.settings import CommonSettings, read_secrets_file
from ocop_testkit import REPO, STACK

# Below the ephemeral range (32768+), so no client socket takes a port between pick and bind.
PORT_RANGE = (20000, 32767)
_handed_out: set[int] = set()


def free_port(taken: set[int] | None = None) -> int:
    """A port nothing listens on now, chosen at random when the test runs; never one already
    handed out (this process's, or ``taken``)."""
    taken = _handed_out if taken is None else taken
    for _ in range(1000):
        port = random.randint(*PORT_RANGE)
        if port in taken or port in _handed_out:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        taken.add(port)
        _handed_out.add(port)
        return port
    raise RuntimeError("no free port found")


class PrivateKafka:
    """A single-node broker of the run's own; ``broker("start")`` / ``broker("stop")``."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.port = free_port()
        self.controller_port = free_port()
        libs = Path(os.environ.get("OCOP_STATE_DIR", REPO / ".local")) / "kafka" / "libs"
        (state / "kafka").mkdir(parents=True, exist_ok=True)
        if libs.is_dir():
            (state / "kafka" / "libs").symlink_to(libs.resolve(), target_is_directory=True)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def secrets(self) -> dict[str, str]:
        """Its security protocol and users' passwords, as ``OCOP_KAFKA_*`` variables (stack.sh
        writes them when it formats the broker's storage)."""
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
