"""Prometheus metrics of every service: ``GET /metrics`` (text exposition, no auth, not in
the OpenAPI schema).

Two kinds of metric live here:

- **instruments** updated where things happen, module-level in prometheus-client's default
  registry: request duration (an ASGI middleware), event handler duration (the inbox), and
  the sales service's sales by outcome and revocation-to-block lag;
- **readings** taken at scrape time by the service's own collector, each bounded by a
  timeout: the outbox backlog and its oldest row, dead letters per consumer, the relay's
  publish counter, and consumer lag per group and partition (cached a few seconds).

Every ``ocop_*`` series carries a ``service`` label: set by the instrument where it knows
the service (requests, readings), otherwise added at exposition with the name of the service
that answers the scrape (one service per process). Names and labels are documented in
deploy/observability/README.md; the alert rules and the Grafana dashboard there use them.

How the sales service records its two (it owns the call sites)::

    from ocop_shared import metrics
    metrics.SALES.labels(outcome="recorded").inc()      # replayed | conflict | refused
    metrics.REVOCATION_BLOCK_LAG.observe(seconds)       # revocation issued -> product blocked
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from ocop_shared import outbox
from ocop_shared.kafka import client_options
from ocop_shared.logging import get_logger

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ocop_shared.service import Service

log = get_logger(__name__)

# Requests: fast sales answer in a few ms, reports and allocation take seconds.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_DURATION = Histogram(
    "ocop_http_request_duration_seconds",
    "HTTP requests by route template (never the raw path), method and status code.",
    ["service", "method", "route", "status"],
    buckets=_LATENCY_BUCKETS,
)
HANDLER_DURATION = Histogram(
    "ocop_event_handler_duration_seconds",
    "Event handlers that completed, by consumer and event type (inside the inbox transaction).",
    ["consumer", "event_type"],
    buckets=_LATENCY_BUCKETS,
)
# Recorded by the sales service (see the module's docstring).
SALES = Counter(
    "ocop_sales_total",
    "Sales requests by outcome: recorded, replayed (same sale id and content), conflict "
    "(same sale id, other content), refused (a domain rule said no).",
    ["outcome"],
)
REVOCATION_BLOCK_LAG = Histogram(
    "ocop_revocation_block_lag_seconds",
    "From a certificate's revocation (its event's time) to the product blocked in sales.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
)

SALE_OUTCOMES = ("recorded", "replayed", "conflict", "refused")

# Scrape-time readings: each bounded, so a slow database or broker never hangs a scrape.
READING_TIMEOUT_SECONDS = 2.0
LAG_CACHE_SECONDS = 5.0

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"  # 404s: one series, whatever paths clients try


def observe_handler(consumer: str, event_type: str, seconds: float) -> None:
    """Called by the inbox for each handled event."""
    HANDLER_DURATION.labels(consumer, event_type).observe(seconds)


def install(app: FastAPI, service: Service) -> None:
    """Measures every request and serves ``GET /metrics`` for this service."""
    readings = ServiceReadings(service)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_WithServiceLabel(REGISTRY, service.name))
    registry.register(readings)

    async def metrics(_request: Request) -> Response:
        await readings.refresh()
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)
    app.add_middleware(RequestMetricsMiddleware, service=service.name)

    # The lag reader's Kafka clients live as long as the app.
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        try:
            async with inner(a) as state:
                yield state
        finally:
            await readings.close()

    app.router.lifespan_context = lifespan


class RequestMetricsMiddleware:
    """Request duration by route template, method and status. Plain ASGI, on the hot path of
    every till: a perf_counter pair and one cached histogram child per request."""

    def __init__(self, app: Any, service: str) -> None:
        self.app = app
        self.service = service
        self._children: dict[tuple[str, str, int], Any] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception before the response started ends as a 500

        async def send_and_see(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_see)
        finally:
            # The router left the matched route in the scope: its template bounds cardinality.
            route = scope.get("route")
            template = getattr(route, "path_format", None) or UNMATCHED_ROUTE
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            key = (method, template, status)
            child = self._children.get(key)
            if child is None:
                child = HTTP_DURATION.labels(self.service, method, template, str(status))
                self._children[key] = child
            child.observe(time.perf_counter() - started)


class _WithServiceLabel(Collector):
    """The process's instruments, each sample labelled with the service that answers."""

    def __init__(self, source: CollectorRegistry, service: str) -> None:
        self.source = source
        self.service = service

    def collect(self) -> Iterable[Metric]:
        for family in self.source.collect():
            labelled = Metric(family.name, family.documentation, family.type, family.unit)
            labelled.samples = [
                s
                if "service" in s.labels
                else s._replace(labels={**s.labels, "service": self.service})
                for s in family.samples
            ]
            yield labelled


@dataclass
class _Snapshot:
    outbox: tuple[int, float] | None = None  # unpublished rows, age of the oldest (s)
    dead_letters: dict[str, int] | None = None  # per consumer
    lag: dict[tuple[str, str, int], int] | None = None  # (group, topic, partition) -> messages
    lag_read_at: float = field(default=-1e9)


class ServiceReadings(Collector):
    """What a service reads at scrape time. ``refresh`` (async, bounded) takes the readings;
    ``collect`` (what prometheus-client calls) only reports the last ones."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.snapshot = _Snapshot()
        self._lag = _LagReader(service)
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        async with self._lock:
            outbox, dead, lag = await asyncio.gather(
                _bounded(self._read_outbox()),
                _bounded(self._read_dead_letters()),
                self._read_lag(),
            )
            self.snapshot.outbox, self.snapshot.dead_letters, self.snapshot.lag = outbox, dead, lag

    async def close(self) -> None:
        await self._lag.close()

    def groups(self) -> dict[str, list[str]]:
        """The service's consumer groups and the topics each reads."""
        broker = self.service.broker
        found: dict[str, list[str]] = {}
        for subscriber in broker.subscribers if broker is not None else ():
            group = getattr(subscriber, "group_id", None)
            if group:
                found[group] = list(getattr(subscriber, "topic_names", ()))
        return found

    async def _read_outbox(self) -> tuple[int, float]:
        found = await outbox.backlog(self.service.pool)
        return found.rows, found.oldest_seconds

    async def _read_dead_letters(self) -> dict[str, int]:
        rows = await self.service.pool.fetch(
            "select consumer, count(*) as n from dead_letters where status = 'open' group by consumer"
        )
        prefix = self.service.settings.topic_prefix  # a consumer's name is its group's
        counts = {group.removeprefix(prefix): 0 for group in self.groups()}
        counts.update({r["consumer"]: int(r["n"]) for r in rows})
        return counts

    async def _read_lag(self) -> dict[tuple[str, str, int], int] | None:
        if time.monotonic() - self.snapshot.lag_read_at < LAG_CACHE_SECONDS:
            return self.snapshot.lag
        self.snapshot.lag_read_at = time.monotonic()
        lag: dict[tuple[str, str, int], int] | None = await _bounded(
            self._lag.read(self.groups()), timeout=2 * READING_TIMEOUT_SECONDS
        )
        return lag

    def collect(self) -> Iterable[Metric]:
        name = self.service.name
        snap = self.snapshot
        ok = GaugeMetricFamily(
            "ocop_metrics_reading_ok",
            "1 if the scrape-time reading succeeded (within its timeout), else 0.",
            labels=["service", "reading"],
        )
        for reading, value in (
            ("outbox", snap.outbox),
            ("dead_letters", snap.dead_letters),
            ("consumer_lag", snap.lag),
        ):
            ok.add_metric([name, reading], 0.0 if value is None else 1.0)
        yield ok

        backlog = GaugeMetricFamily(
            "ocop_outbox_unpublished_events",
            "Events in the outbox not yet on their topic.",
            labels=["service"],
        )
        oldest = GaugeMetricFamily(
            "ocop_outbox_oldest_unpublished_age_seconds",
            "Age of the oldest event not yet on its topic (0 when none waits).",
            labels=["service"],
        )
        if snap.outbox is not None:
            backlog.add_metric([name], snap.outbox[0])
            oldest.add_metric([name], snap.outbox[1])
        yield backlog
        yield oldest

        relay = self.service.relay
        published = CounterMetricFamily(
            "ocop_relay_published_events",
            "Events the outbox relay of this process has published (0 when it is not the leader "
            "or runs elsewhere).",
            labels=["service"],
        )
        published.add_metric([name], float(relay.published if relay is not None else 0))
        yield published

        dead = GaugeMetricFamily(
            "ocop_dead_letters",
            "Open dead letters (set aside, neither replayed nor discarded yet), per consumer.",
            labels=["service", "consumer"],
        )
        for consumer, count in sorted((snap.dead_letters or {}).items()):
            dead.add_metric([name, consumer], count)
        yield dead

        lag = GaugeMetricFamily(
            "ocop_consumer_lag_messages",
            "Messages on a partition after the group's committed offset (end offset - committed).",
            labels=["service", "group", "topic", "partition"],
        )
        for (group, topic, partition), behind in sorted((snap.lag or {}).items()):
            lag.add_metric([name, group, topic, str(partition)], behind)
        yield lag


async def _bounded(reading: Any, timeout: float = READING_TIMEOUT_SECONDS) -> Any:
    try:
        return await asyncio.wait_for(reading, timeout=timeout)
    except Exception as exc:
        log.warning("metrics reading failed", error=repr(exc))
        return None


class _LagReader:
    """Committed offsets (admin client) against end offsets (a group-less consumer), for the
    groups of this service. The clients start on first use and are reused."""

    def __init__(self, service: Service) -> None:
        self._settings = service.settings
        self._client_id = f"{service.name}-metrics"
        self._admin: AIOKafkaAdminClient | None = None
        self._offsets: AIOKafkaConsumer | None = None

    async def read(self, groups: Mapping[str, list[str]]) -> dict[tuple[str, str, int], int]:
        if not groups:
            return {}
        try:
            admin, offsets = await self._clients()
            topics = sorted({t for ts in groups.values() for t in ts})
            described = await admin.describe_topics(topics)
            partitions = {
                d["topic"]: [TopicPartition(d["topic"], p["partition"]) for p in d["partitions"]]
                for d in described
                if not d["error_code"]
            }
            every = [tp for tps in partitions.values() for tp in tps]
            ends, starts = await asyncio.gather(
                offsets.end_offsets(every), offsets.beginning_offsets(every)
            )
            lag: dict[tuple[str, str, int], int] = {}
            for group, group_topics in groups.items():
                mine = [tp for t in group_topics for tp in partitions.get(t, [])]
                committed = await admin.list_consumer_group_offsets(group, partitions=mine)
                for tp in mine:
                    at = committed.get(tp)
                    # No commit yet: the group starts from the earliest offset.
                    position = at.offset if at is not None and at.offset >= 0 else starts[tp]
                    lag[(group, tp.topic, tp.partition)] = max(0, ends[tp] - position)
            return lag
        except BaseException:
            await self.close()  # a fresh session next time
            raise

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._offsets is None:
            kafka = client_options(self._settings)  # the service's own principal
            admin = AIOKafkaAdminClient(**kafka, client_id=self._client_id)
            offsets = AIOKafkaConsumer(
                **kafka,
                client_id=self._client_id,
                enable_auto_commit=False,
            )
            self._admin, self._offsets = admin, offsets
            await admin.start()
            await offsets.start()
        return self._admin, self._offsets

    async def close(self) -> None:
        admin, offsets = self._admin, self._offsets
        self._admin = self._offsets = None
        if offsets is not None:
            with contextlib.suppress(Exception):
                await offsets.stop()
        if admin is not None:
            with contextlib.suppress(Exception):
                await admin.close()


def exposed_names(families: Iterable[Any]) -> set[str]:
    """The sample names a scrape can hold for these parsed families (a histogram's _bucket,
    _sum and _count, a counter's _total...), whether or not they have samples yet."""
    suffixes: Mapping[str, tuple[str, ...]] = {
        "histogram": ("_bucket", "_sum", "_count", "_created"),
        "counter": ("_total", "_created"),
        "summary": ("_sum", "_count", "_created"),
        "gauge": ("",),
    }
    names: set[str] = set()
    for family in families:
        names.update(family.name + s for s in suffixes.get(family.type, ("",)))
        names.update(s.name for s in family.samples)
    return names
