"""Health that means something: ready means "can serve" (its database answers); Kafka trouble
shows as degraded with the outbox backlog, never as unready; with the database away, requests
answer 503 with Retry-After instead of 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, Request

from ocop_shared.service import Service, create_app, get_service
from ocop_shared.settings import ServiceSettings
from ocop_testkit import new_prefix, running_app

probe_routes = APIRouter()


@probe_routes.get("/effects")
async def count_effects(request: Request) -> dict[str, int]:
    n: int = await get_service(request).pool.fetchval("select count(*) from probe_effects")
    return {"effects": n}


@pytest.fixture
async def probe_service(
    probe_schema: ServiceSettings,
) -> AsyncIterator[tuple[Service, httpx.AsyncClient]]:
    settings = probe_schema.model_copy(update={"topic_prefix": new_prefix()})
    service = Service(
        settings=settings,
        migrations=Path(__file__).parent / "probe_migrations",
        run_relay=False,
    )
    app = create_app(service, title="probe", description="probe", routers=[probe_routes])
    async with running_app(app) as client:
        yield service, client


async def test_with_everything_up_the_service_is_ready_and_ok(
    probe_service: tuple[Service, httpx.AsyncClient],
) -> None:
    _, client = probe_service
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    health = (await client.get("/health")).json()
    assert health["status"] == "ok" and health["database"] and health["kafka"]
    assert isinstance(health["outbox_backlog"], int)


async def test_kafka_away_degrades_but_keeps_the_service_ready(
    probe_service: tuple[Service, httpx.AsyncClient],
) -> None:
    service, client = probe_service
    assert service.broker is not None
    await service.broker.stop()  # the service can no longer reach Kafka
    ready = await client.get("/health/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "degraded" and ready.json()["kafka"] is False
    assert (await client.get("/effects")).status_code == 200  # and it keeps serving


async def test_database_away_answers_503_with_retry_after(
    probe_service: tuple[Service, httpx.AsyncClient],
) -> None:
    service, client = probe_service
    await service.pool.close()  # every query now fails as with the database gone
    ready = await client.get("/health/ready")
    assert ready.status_code == 503 and ready.headers["Retry-After"] == "5"
    assert ready.json()["status"] == "unavailable"
    answer = await client.get("/effects")
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "5" and answer.json()["code"] == "unavailable"
