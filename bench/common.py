"""What every benchmark shares: the machine it ran on, and where results go."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import subprocess
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ocop_shared.settings import CommonSettings

RESULTS = Path(__file__).parent / "results"


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip(),
    }


def save(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    result = {
        "benchmark": name,
        "at": datetime.now(UTC).isoformat(),
        "machine": machine(),
        **result,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"saved {path}")
    return path


@dataclass(frozen=True)
class BenchBroker:
    """The broker of a benchmark run: client settings as any principal, and the variables a
    service process started by the benchmark needs to reach it as itself."""

    prefix: str
    admin: CommonSettings
    env: dict[str, str]  # OCOP_KAFKA_BOOTSTRAP, the protocol and the users' passwords

    def settings(self, user: str = "admin") -> CommonSettings:
        return self.admin if user == "admin" else self.admin.kafka_as(user)


@contextlib.asynccontextmanager
async def bench_broker(prefix: str) -> AsyncIterator[BenchBroker]:
    """The broker a benchmark runs against, with the ACLs for ``prefix`` granted.

    By default a private single-node broker (``ocop_testkit.broker.PrivateKafka``, the local
    stack's script with its own state folder and ports, stopped at the end): a benchmark
    never loads or restarts the shared broker other runs use, and its figures do not carry
    their traffic. ``OCOP_BENCH_KAFKA=shared`` uses the running stack's broker instead."""
    from ocop_shared import kafka_acl

    if os.environ.get("OCOP_BENCH_KAFKA", "private") == "shared":
        admin = CommonSettings(kafka_username=kafka_acl.ADMIN, topic_prefix=prefix)
        secured = admin.kafka_security_protocol != "PLAINTEXT"
        if secured:
            await kafka_acl.apply(admin, prefix)
        try:
            yield BenchBroker(prefix, admin, {"OCOP_KAFKA_BOOTSTRAP": admin.kafka_bootstrap})
        finally:
            if secured:
                with contextlib.suppress(Exception):
                    await kafka_acl.remove(admin, prefix)
        return
    from ocop_testkit.broker import PrivateKafka

    with tempfile.TemporaryDirectory(prefix="ocop-bench-kafka-") as state:
        broker = PrivateKafka(Path(state))
        await asyncio.to_thread(broker, "start")
        try:
            admin = broker.settings(prefix)
            if admin.kafka_security_protocol != "PLAINTEXT":
                await kafka_acl.apply(admin, prefix)
            # The private broker's users: each service connects as itself.
            env = {**broker.secrets, "OCOP_KAFKA_BOOTSTRAP": broker.bootstrap}
            yield BenchBroker(prefix, admin, env)
        finally:
            await asyncio.to_thread(broker, "stop")


@contextlib.asynccontextmanager
async def bench_kafka(prefix: str, user: str = "admin") -> AsyncIterator[CommonSettings]:
    """``bench_broker``'s client settings as ``user``."""
    async with bench_broker(prefix) as broker:
        yield broker.settings(user)
