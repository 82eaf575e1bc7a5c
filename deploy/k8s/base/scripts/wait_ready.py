"""A service pod's init container: waits until the service's schema has every migration its
image carries (the migration Job ran) and every topic it writes or reads exists (Strimzi's
topic operator created the KafkaTopics), then exits 0. Without it a pod started before the
Job would serve on missing tables, and one started before the topic operator would create
its topics itself with one replica (``ocop_shared.kafka.ensure_topics``).

    python wait_ready.py SERVICE      # OCOP_* settings as the service reads them

Gives up after OCOP_WAIT_TIMEOUT_SECONDS (600) with exit 1: the kubelet starts it again.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
import time
from pathlib import Path

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

from ocop_shared.kafka import client_options
from ocop_shared.kafka_acl import topics_of
from ocop_shared.migrations import SHARED_SQL
from ocop_shared.settings import ServiceSettings


def expected_migrations(service: str) -> set[str]:
    """The names ``ocop_shared.migrations`` records for the image's files."""
    folder = Path(importlib.import_module(f"ocop_{service}.app").MIGRATIONS)
    names = {f"shared/{f.name}" for f in SHARED_SQL.iterdir() if f.name.endswith(".sql")}
    return names | {f"{service}/{p.name}" for p in folder.glob("*.sql")}


async def missing_migrations(settings: ServiceSettings, wanted: set[str]) -> set[str]:
    conn = await asyncpg.connect(settings.dsn(), timeout=5)
    try:
        table = f'"{settings.service}".schema_migrations'
        exists = await conn.fetchval("select to_regclass($1)", table)
        if exists is None:
            return wanted
        return wanted - {r["name"] for r in await conn.fetch(f"select name from {table}")}
    finally:
        await conn.close()


async def missing_topics(settings: ServiceSettings, wanted: set[str]) -> set[str]:
    admin = AIOKafkaAdminClient(**client_options(settings), client_id=f"{settings.service}-wait")
    await admin.start()
    try:
        return wanted - set(await admin.list_topics())
    finally:
        await admin.close()


async def wait(service: str, timeout: float, interval: float = 2.0) -> bool:
    settings = ServiceSettings(service=service)
    migrations = expected_migrations(service)
    topics = {t.physical(settings.topic_prefix) for t in topics_of(service)}
    deadline = time.monotonic() + timeout
    said = ""
    while True:
        problems: list[str] = []
        try:
            left = await missing_migrations(settings, migrations)
            if left:
                problems.append(f"migrations not applied: {', '.join(sorted(left))}")
        except Exception as exc:
            problems.append(f"database: {type(exc).__name__}: {exc}"[:300])
        try:
            left = await missing_topics(settings, topics)
            if left:
                problems.append(f"topics missing: {', '.join(sorted(left))}")
        except Exception as exc:
            problems.append(f"kafka: {type(exc).__name__}: {exc}"[:300])
        if not problems:
            print(f"{service}: schema migrated, topics present", file=sys.stderr)
            return True
        if "; ".join(problems) != said:
            said = "; ".join(problems)
            print(f"{service}: waiting: {said}", file=sys.stderr)
        if time.monotonic() > deadline:
            print(f"{service}: gave up after {timeout:.0f} s", file=sys.stderr)
            return False
        await asyncio.sleep(interval)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python wait_ready.py SERVICE", file=sys.stderr)
        sys.exit(2)
    limit = float(os.environ.get("OCOP_WAIT_TIMEOUT_SECONDS", "600"))
    sys.exit(0 if asyncio.run(wait(sys.argv[1], limit)) else 1)
