"""Live figures without reload: a small Kafka consumer on sales' ``sales.sales`` topic that
only says *which fair changed*, and the server-sent events that pass that on to open pages.

The web app owns no business data, so an event's content is never shown: a page that hears
"fair X changed" fetches its figures again through the sales API with the viewer's own
session (every rule stays in sales; a viewer who may not see the fair sees nothing more).

The consumer reads as the ``web`` Kafka principal (``OCOP_KAFKA_USERNAME``, default ``web``;
its password ``OCOP_KAFKA_PASSWORD`` or ``OCOP_KAFKA_PASSWORD_WEB``, from the environment or
the local stack's secrets file), which needs READ on ``sales.sales`` only: it ``assign()``s
itself every partition from the latest offset, with no consumer group (nothing to commit,
no group to join, every replica of the web app hears every change). When Kafka cannot be
reached or refuses the principal, it tries again with a backoff and the pages keep working:
they show the figures at load time with a refresh link.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import orjson
from pydantic import Field

from ocop_shared.logging import get_logger
from ocop_shared.settings import CommonSettings
from ocop_shared.topics import SALES_SALES

log = get_logger(__name__)

# A page that heard nothing for this long gets a comment line: proxies keep the stream open.
KEEPALIVE_SECONDS = 15.0
# Changes of one fair closer together than this reach a page as one signal.
COALESCE_SECONDS = 0.25


class LiveSettings(CommonSettings):
    """Kafka as the web app's own principal (``web``); ``OCOP_LIVE_UPDATES=false`` turns the
    consumer off (the pages then show figures as of their loading, with a refresh link)."""

    live_updates: bool = True
    live_backoff_max_seconds: float = Field(default=30.0, gt=0)

    def _default_kafka_username(self) -> str | None:
        return "web"

    def insecure(self) -> dict[str, str]:
        """Only the Kafka principal's secrets: the web app reaches no database, so it is given
        no PostgreSQL password (the compose file's ``web`` has none)."""
        problems = super().insecure()
        problems.pop("OCOP_PG_ADMIN_PASSWORD", None)
        return problems


class Hub:
    """Who listens for which fair: each open page's queue; ``changed(fair_id)`` wakes them."""

    def __init__(self) -> None:
        self._listeners: dict[str, set[asyncio.Queue[str]]] = {}
        self.connected = False  # the consumer is assigned and reading

    def changed(self, fair_id: str) -> None:
        for queue in list(self._listeners.get(fair_id, ())):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(fair_id)

    @contextlib.asynccontextmanager
    async def listen(self, fair_id: str) -> AsyncIterator[asyncio.Queue[str]]:
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=1)  # one pending signal is enough
        self._listeners.setdefault(fair_id, set()).add(queue)
        try:
            yield queue
        finally:
            listeners = self._listeners.get(fair_id)
            if listeners is not None:
                listeners.discard(queue)
                if not listeners:
                    del self._listeners[fair_id]

    def listening(self, fair_id: str) -> int:
        return len(self._listeners.get(fair_id, ()))


def fair_of(value: bytes | None) -> str | None:
    """The fair a record of ``sales.sales`` is about (its envelope's payload ``fair_id``), or
    None for anything else. Only the producer that owns the topic is believed."""
    if not value:
        return None
    try:
        envelope: Any = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(envelope, dict) or envelope.get("producer") != SALES_SALES.producer:
        return None
    payload = envelope.get("payload")
    fair_id = payload.get("fair_id") if isinstance(payload, dict) else None
    return fair_id if isinstance(fair_id, str) else None


async def consume(hub: Hub, settings: LiveSettings) -> None:
    """Reads ``sales.sales`` from its end for as long as the app runs; on any failure waits
    (1 s, doubling up to ``live_backoff_max_seconds``) and starts again from the end."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    from ocop_shared.kafka import client_options

    topic = SALES_SALES.physical(settings.topic_prefix)
    wait = 1.0
    while True:
        consumer: AIOKafkaConsumer | None = None
        try:
            consumer = AIOKafkaConsumer(
                **client_options(settings),
                client_id="ocop-web-live",
                group_id=None,
                enable_auto_commit=False,
                auto_offset_reset="latest",
            )
            await consumer.start()
            partitions = await _partitions(consumer, topic)
            consumer.assign([TopicPartition(topic, p) for p in partitions])
            await consumer.seek_to_end()
            hub.connected = True
            wait = 1.0
            log.info("live updates: reading", topic=topic, partitions=len(partitions))
            while True:
                batches = await consumer.getmany(timeout_ms=1000, max_records=500)
                fairs = {
                    fair
                    for records in batches.values()
                    for record in records
                    if (fair := fair_of(record.value)) is not None
                }
                for fair in fairs:
                    hub.changed(fair)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the broker away, the principal refused, the topic missing
            hub.connected = False
            log.warning(
                "live updates: Kafka not readable; trying again", error=repr(exc), wait=wait
            )
        finally:
            hub.connected = False
            if consumer is not None:
                with contextlib.suppress(Exception):
                    await consumer.stop()
        await asyncio.sleep(wait)
        wait = min(wait * 2, settings.live_backoff_max_seconds)


async def _partitions(consumer: Any, topic: str) -> list[int]:
    """The topic's partitions (sales creates it; until then, waits for it)."""
    for _ in range(30):
        # Fresh metadata from the broker (what consumer.topics() reads; it keeps no copy).
        cluster = await consumer._client.fetch_all_metadata()
        found = cluster.partitions_for_topic(topic)
        if found:
            return sorted(found)
        await asyncio.sleep(1.0)
    raise LookupError(f"topic {topic} has no partitions (not created yet?)")


@contextlib.asynccontextmanager
async def running(hub: Hub) -> AsyncIterator[None]:
    """The consumer for the app's lifetime, when live updates are on and Kafka is set up."""
    try:
        settings = LiveSettings()
    except Exception as exc:  # e.g. production without the web principal's password
        log.warning("live updates off: no usable Kafka settings", error=str(exc)[:300])
        yield
        return
    if not settings.live_updates:
        yield
        return
    task = asyncio.create_task(consume(hub, settings), name="live-updates")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def events(
    hub: Hub, fair_id: str, *, keepalive: float = KEEPALIVE_SECONDS
) -> AsyncGenerator[str, None]:
    """The server-sent events for one open page: ``event: changed`` when the fair's sales
    changed (a page re-fetches its figures), a comment line now and then to keep the
    connection open. Starts with ``retry:`` so a browser reconnects after 3 s."""
    async with hub.listen(fair_id) as queue:
        yield "retry: 3000\n\n"
        while True:
            try:
                await asyncio.wait_for(queue.get(), timeout=keepalive)
            except TimeoutError:
                yield ": still here\n\n"
                continue
            await asyncio.sleep(COALESCE_SECONDS)  # a burst of sales: one re-fetch
            with contextlib.suppress(asyncio.QueueEmpty):
                queue.get_nowait()
            yield f"event: changed\ndata: {fair_id}\n\n"
