"""GET /metrics of a running service (the probe service of test_health, with a real consumer
on the real broker): every family, requests under their route template, handled events,
dead letters and consumer lag read at scrape time."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml
from aiokafka import AIOKafkaProducer
from fastapi import APIRouter
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from ocop_shared.contracts.platform import ProbeHappened
from ocop_shared.events import encode_event
from ocop_shared.inbox import InboxConsumer
from ocop_shared.kafka import client_options, ensure_topics
from ocop_shared.metrics import exposed_names
from ocop_shared.service import Service, Subscription, create_app
from ocop_shared.settings import ServiceSettings
from ocop_shared.topics import PLATFORM_PROBES
from ocop_testkit import new_prefix, running_app, wait_for

from .conftest import record_probe

FAMILIES = {
    "ocop_http_request_duration_seconds": "histogram",
    "ocop_event_handler_duration_seconds": "histogram",
    "ocop_outbox_unpublished_events": "gauge",
    "ocop_outbox_oldest_unpublished_age_seconds": "gauge",
    "ocop_relay_published_events": "counter",
    "ocop_consumer_lag_messages": "gauge",
    "ocop_dead_letters": "gauge",
    "ocop_sales": "counter",
    "ocop_revocation_block_lag_seconds": "histogram",
    "ocop_metrics_reading_ok": "gauge",
}

probe_routes = APIRouter()


@probe_routes.get("/probes/{probe_id}/things/{thing}")
async def probe_thing(probe_id: int, thing: str) -> dict[str, str]:
    return {"thing": f"{probe_id}:{thing}"}


@dataclass
class Probe:
    service: Service
    client: httpx.AsyncClient
    consumer: str  # its consumer's name (unique per test: the counts are this test's own)

    @property
    def group(self) -> str:
        return self.service.settings.topic_prefix + self.consumer

    @property
    def topic(self) -> str:
        return PLATFORM_PROBES.physical(self.service.settings.topic_prefix)

    async def scrape(self) -> list[Sample]:
        answer = await self.client.get("/metrics")
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("text/plain")
        return [s for f in text_string_to_metric_families(answer.text) for s in f.samples]

    async def value(self, name: str, **labels: str) -> float:
        """The sum of the samples of ``name`` whose labels include ``labels``."""
        samples = await self.scrape()
        return sum(
            s.value
            for s in samples
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
        )

    async def publish(self, *probes: ProbeHappened) -> None:
        producer = AIOKafkaProducer(
            **client_options(self.service.settings), enable_idempotence=True
        )
        await producer.start()
        try:
            for p in probes:
                value = encode_event(p, producer="platform", correlation_id="c")[1]
                await producer.send_and_wait(self.topic, value=value, key=p.key.encode())
        finally:
            await producer.stop()


@pytest.fixture
async def probe(probe_schema: ServiceSettings) -> AsyncIterator[Probe]:
    settings = probe_schema.model_copy(update={"topic_prefix": new_prefix()})
    await ensure_topics(settings, settings.topic_prefix, [PLATFORM_PROBES])
    consumer = f"probe-metrics-{uuid.uuid4().hex[:8]}"

    def consumers(service: Service) -> list[Subscription]:
        inbox = InboxConsumer(lambda: service.pool, consumer, {ProbeHappened: record_probe})
        return [Subscription(inbox, [PLATFORM_PROBES])]

    service = Service(
        settings=settings,
        migrations=Path(__file__).parent / "probe_migrations",
        consumers=consumers,
        run_relay=False,  # the probe schema's outbox belongs to the relay tests
    )
    app = create_app(service, title="probe", description="probe", routers=[probe_routes])
    async with running_app(app) as client:
        yield Probe(service, client, consumer)


async def test_every_family_is_exposed_with_the_service_label(probe: Probe) -> None:
    answer = await probe.client.get("/metrics")
    families = {f.name: f for f in text_string_to_metric_families(answer.text)}
    assert {name: families[name].type for name in FAMILIES if name in families} == FAMILIES
    ours = [s for f in families.values() if f.name.startswith("ocop_") for s in f.samples]
    assert ours and all("service" in s.labels for s in ours)
    # (Requests carry the service that served them: other apps of this test process show
    # theirs. Everything else is this service's.)
    assert {
        s.labels["service"]
        for s in ours
        if not s.name.startswith("ocop_http_request_duration_seconds")
    } == {"probe"}
    readings = {s.labels["reading"]: s.value for s in families["ocop_metrics_reading_ok"].samples}
    assert readings == {"outbox": 1.0, "dead_letters": 1.0, "consumer_lag": 1.0}
    assert "/metrics" not in (await probe.client.get("/openapi.json")).json()["paths"]


async def test_a_request_is_counted_under_its_route_template(probe: Probe) -> None:
    template = "/probes/{probe_id}/things/{thing}"
    labels = {"route": template, "method": "GET", "status": "200"}
    before = await probe.value("ocop_http_request_duration_seconds_count", **labels)

    assert (await probe.client.get("/probes/7/things/tea")).status_code == 200
    assert (await probe.client.get("/probes/8/things/honey")).status_code == 200
    assert (await probe.client.get("/probes/x/things/honey")).status_code == 422
    assert (await probe.client.get("/no/such/path")).status_code == 404

    samples = await probe.scrape()
    requests = [s for s in samples if s.name == "ocop_http_request_duration_seconds_count"]
    assert await probe.value("ocop_http_request_duration_seconds_count", **labels) == before + 2
    assert any(s.labels["route"] == template and s.labels["status"] == "422" for s in requests)
    routes = {s.labels["route"] for s in requests}
    assert "unmatched" in routes  # a 404 is one series, not one per path tried
    assert not any("tea" in r or "honey" in r or "/no/such" in r for r in routes), routes
    slowest = [
        s
        for s in samples
        if s.name == "ocop_http_request_duration_seconds_bucket"
        and s.labels["route"] == template
        and s.labels["status"] == "200"
        and s.labels["le"] == "+Inf"
    ]
    assert [s.value for s in slowest] == [before + 2]


async def test_handled_events_dead_letters_and_lag_show_at_scrape_time(probe: Probe) -> None:
    handled = {"consumer": probe.consumer, "event_type": ProbeHappened.event_type}
    assert await probe.value("ocop_dead_letters", consumer=probe.consumer) == 0
    assert any(  # a consumer without dead letters shows 0, not nothing
        s.name == "ocop_dead_letters" and s.labels["consumer"] == probe.consumer
        for s in await probe.scrape()
    )
    assert await probe.value("ocop_event_handler_duration_seconds_count", **handled) == 0

    await probe.publish(ProbeHappened(key="fair-1", seq=1), ProbeHappened(key="explode", seq=2))

    async def dead_lettered() -> bool:
        return await probe.value("ocop_dead_letters", consumer=probe.consumer) == 1

    await wait_for(dead_lettered, timeout=60)
    await wait_for(
        lambda: probe.value("ocop_event_handler_duration_seconds_count", **handled), timeout=30
    )
    assert await probe.value("ocop_event_handler_duration_seconds_count", **handled) == 1

    # A letter someone discarded (or replayed) needs nobody any more.
    await probe.service.pool.execute(
        "update dead_letters set status = 'discarded' where consumer = $1", probe.consumer
    )
    assert await probe.value("ocop_dead_letters", consumer=probe.consumer) == 0

    async def lag_is(expected: int) -> bool:
        samples = await probe.scrape()
        mine = [
            s
            for s in samples
            if s.name == "ocop_consumer_lag_messages" and s.labels["group"] == probe.group
        ]
        assert {s.labels["topic"] for s in mine} == {probe.topic}
        assert len(mine) == PLATFORM_PROBES.partitions
        return sum(s.value for s in mine) == expected

    await wait_for(lambda: lag_is(0), timeout=30)  # both consumed and committed

    # The consumer stops; what arrives now waits, and the lag says how much.
    assert probe.service.broker is not None
    await probe.service.broker.stop()
    await probe.publish(*(ProbeHappened(key=f"fair-{i}", seq=i) for i in range(3)))
    await wait_for(lambda: lag_is(3), timeout=30)


OBSERVABILITY = Path(__file__).resolve().parents[2] / "deploy" / "observability"


def queried_names(text: str) -> set[str]:
    return set(re.findall(r"\bocop_[a-z0-9_]+\b", text))


async def test_the_dashboard_and_the_alerts_query_only_what_a_service_exposes(
    probe: Probe,
) -> None:
    answer = await probe.client.get("/metrics")
    exposed = exposed_names(text_string_to_metric_families(answer.text))

    dashboard = json.loads((OBSERVABILITY / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    variables = [v["definition"] for v in dashboard["templating"]["list"] if "definition" in v]
    used = queried_names("\n".join(exprs + variables))
    assert used - exposed == set(), "the dashboard queries metrics no service exposes"
    # ...and it shows each of them.
    assert {n for n in FAMILIES} <= {_family(n) for n in used}

    alerts = yaml.safe_load((OBSERVABILITY / "alerts.yml").read_text())
    alert_exprs = [r["expr"] for g in alerts["groups"] for r in g["rules"]]
    assert queried_names("\n".join(alert_exprs)) - exposed == set()


def _family(sample_name: str) -> str:
    for suffix in ("_bucket", "_count", "_sum", "_total"):
        if sample_name.endswith(suffix):
            return sample_name.removesuffix(suffix)
    return sample_name
