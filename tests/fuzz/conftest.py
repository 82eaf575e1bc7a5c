"""Fixtures of the fuzz run: the three services as processes (a database and a topic prefix of
the run's own), the seeded records and a credential of each role.

The fuzz tests are marked ``fuzz`` and left out of a plain ``pytest`` run; ``pytest -m fuzz
tests/fuzz`` runs them. ``OCOP_FUZZ_SECONDS`` (60), ``OCOP_FUZZ_EXAMPLES`` (30) and
``OCOP_FUZZ_SEED`` tune them; the findings report is written to ``OCOP_FUZZ_REPORT``
(default ``.local/fuzz/findings.md``, with one JSON file per service beside it).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from ocop_cli.client import Endpoints
from ocop_shared.settings import CommonSettings
from ocop_testkit import TEST_DATABASE, new_prefix

from .harness import Settings
from .seed import Seed, seed
from .stack import REPO, Kafka, Services

DATABASE = f"{TEST_DATABASE}_fuzz"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselects the fuzz tests unless the marker expression asks for them."""
    if "fuzz" in (config.option.markexpr or ""):
        return
    kept = [i for i in items if i.get_closest_marker("fuzz") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.fixture(scope="session")
def fuzz_settings() -> Settings:
    return Settings(
        budget_s=int(os.environ.get("OCOP_FUZZ_SECONDS", "60")),
        max_examples=int(os.environ.get("OCOP_FUZZ_EXAMPLES", "30")),
        seed=int(os.environ.get("OCOP_FUZZ_SEED", str(Settings.seed))),
    )


@pytest.fixture(scope="session")
def fuzz_report() -> Path:
    path = Path(os.environ.get("OCOP_FUZZ_REPORT", str(REPO / ".local" / "fuzz" / "findings.md")))
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def fuzz_kafka(
    stack_settings: CommonSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Kafka]:
    broker = Kafka(tmp_path_factory.mktemp("fuzz-kafka"))
    broker("start")
    try:
        yield broker
    finally:
        broker("stop")


@pytest.fixture(scope="module")
def fuzz_services(
    stack_settings: CommonSettings, fuzz_kafka: Kafka, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    async def fresh_database() -> None:
        conn = await asyncpg.connect(stack_settings.admin_dsn("postgres"))
        try:
            await conn.execute(f'drop database if exists "{DATABASE}" with (force)')
            await conn.execute(f'create database "{DATABASE}"')
        finally:
            await conn.close()

    asyncio.run(fresh_database())
    services = Services(
        tmp_path_factory.mktemp("fuzz-logs"),
        database=DATABASE,
        kafka=fuzz_kafka,
        prefix=new_prefix(),
    )
    fuzz_kafka.grant(services.prefix)
    try:
        services.start()
        yield services
    finally:
        services.stop()


@pytest.fixture(scope="module")
def fuzz_seed(fuzz_services: Services, stack_settings: CommonSettings) -> Seed:
    endpoints = Endpoints(*(fuzz_services.url(s) for s in ("registration", "booths", "sales")))
    return asyncio.run(
        seed(endpoints, stack_settings.admin_dsn(DATABASE), salt=uuid.uuid4().hex[:6])
    )
