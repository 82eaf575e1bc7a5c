"""Kafka clients configured so that nothing is lost or reordered silently."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from ocop_shared.topics import CATALOG, Topic


def reliable_producer(bootstrap: str, client_id: str, *, linger_ms: int = 5) -> AIOKafkaProducer:
    # Idempotence implies acks=all and keeps per-partition order across retries; aiokafka
    # also keeps one in-flight batch per partition.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=linger_ms,
        max_batch_size=256 * 1024,
        request_timeout_ms=30_000,
        retry_backoff_ms=200,
    )


async def ensure_topics(
    bootstrap: str, prefix: str = "", topics: Iterable[Topic] | None = None
) -> None:
    """Creates the catalog's topics that do not exist yet (the broker does not auto-create)."""
    wanted = list(topics if topics is not None else CATALOG.values())
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="ocop-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name=t.physical(prefix), num_partitions=t.partitions, replication_factor=1)
            for t in wanted
            if t.physical(prefix) not in existing
        ]
        if missing:
            # Another service may create it first.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
    finally:
        await admin.close()
