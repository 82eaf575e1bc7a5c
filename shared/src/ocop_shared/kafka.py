"""Kafka clients configured so that nothing is lost or reordered silently, and authenticated
as the settings say (SASL/SCRAM-SHA-512 over PLAINTEXT or TLS: ``ocop_shared.settings``).

Every client of the project is built here or takes ``client_options(settings)``: the
services' consumers (``kafka_broker``), the outbox relay's producer, the topic admin, the
metrics' lag reader, the test kit and the benchmarks.
"""

from __future__ import annotations

import contextlib
import os
import ssl
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker

from ocop_shared.settings import CommonSettings
from ocop_shared.topics import CATALOG, Topic


def ssl_context(settings: CommonSettings) -> ssl.SSLContext:
    """TLS that checks the broker's certificate and name (the system's CAs, or the file)."""
    cafile = str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile else None
    return ssl.create_default_context(cafile=cafile)


def client_options(settings: CommonSettings) -> dict[str, Any]:
    """aiokafka's keyword arguments for the settings' broker, protocol and principal."""
    protocol = settings.kafka_security_protocol or "PLAINTEXT"
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap,
        "security_protocol": protocol,
    }
    if protocol.startswith("SASL_"):
        if not settings.kafka_username or settings.kafka_password is None:
            raise ValueError(
                f"Kafka {protocol} needs OCOP_KAFKA_USERNAME and its password "
                f"(OCOP_KAFKA_PASSWORD, or OCOP_KAFKA_PASSWORD_<USER> or the secrets file); "
                f"user: {settings.kafka_username!r}"
            )
        options |= {
            "sasl_mechanism": settings.kafka_sasl_mechanism,
            "sasl_plain_username": settings.kafka_username,
            "sasl_plain_password": settings.kafka_password.get_secret_value(),
        }
    if protocol.endswith("SSL"):
        options["ssl_context"] = ssl_context(settings)
    return options


def kafka_broker(settings: CommonSettings, **kwargs: Any) -> KafkaBroker:
    """A faststream broker with the settings' security (SCRAM-SHA-512, TLS if SASL_SSL)."""
    from faststream.security import BaseSecurity, SASLScram512

    protocol = settings.kafka_security_protocol or "PLAINTEXT"
    security: BaseSecurity | None = None
    if protocol.startswith("SASL_"):
        options = client_options(settings)
        tls = protocol == "SASL_SSL"
        security = SASLScram512(
            username=options["sasl_plain_username"],
            password=options["sasl_plain_password"],
            ssl_context=options.get("ssl_context"),
            use_ssl=tls,
        )
    return KafkaBroker(settings.kafka_bootstrap, security=security, **kwargs)


def reliable_producer(
    kafka: CommonSettings | str, client_id: str, *, linger_ms: int = 5
) -> AIOKafkaProducer:
    # Idempotence implies acks=all and keeps per-partition order across retries; aiokafka
    # also keeps one in-flight batch per partition. (Idempotent writes need only WRITE on
    # the topic since Kafka 3.0: no IDEMPOTENT_WRITE grant on the cluster.)
    options = client_options(kafka) if isinstance(kafka, CommonSettings) else {
        "bootstrap_servers": kafka
    }  # fmt: skip
    return AIOKafkaProducer(
        **options,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=linger_ms,
        max_batch_size=256 * 1024,
        request_timeout_ms=30_000,
        retry_backoff_ms=200,
    )


REPLICATION_VARIABLE = "OCOP_TOPIC_REPLICATION_FACTOR"


def replication_factor() -> int:
    """How many replicas a topic this process creates gets: ``OCOP_TOPIC_REPLICATION_FACTOR``
    (1 by default: the local single broker). A cluster sets its brokers' count (3), so a
    service that starts before the operator's KafkaTopic exists never creates a topic with
    a single replica."""
    raw = os.environ.get(REPLICATION_VARIABLE, "").strip()
    if not raw:
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= 16:
        raise ValueError(f"{REPLICATION_VARIABLE} must be a whole number from 1 to 16, not {raw!r}")
    return int(raw)


async def ensure_topics(
    kafka: CommonSettings | str, prefix: str = "", topics: Iterable[Topic] | None = None
) -> None:
    """Creates the topics (the catalog's by default) that do not exist yet (the broker does
    not auto-create). A principal lists only the topics it may see and creates only those
    it may create (a service: the ones it writes or reads, ``ocop_shared.kafka_acl``)."""
    wanted = list(topics if topics is not None else CATALOG.values())
    options = client_options(kafka) if isinstance(kafka, CommonSettings) else {
        "bootstrap_servers": kafka
    }  # fmt: skip
    admin = AIOKafkaAdminClient(**options, client_id="ocop-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name=t.physical(prefix),
                num_partitions=t.partitions,
                replication_factor=replication_factor(),
            )
            for t in wanted
            if t.physical(prefix) not in existing
        ]
        if missing:
            # Another service may create it first.
            with contextlib.suppress(TopicAlreadyExistsError):
                response = await admin.create_topics(missing)
                refused = [
                    (name, code, message)
                    for name, code, message in _topic_errors(response)
                    if code not in (0, TopicAlreadyExistsError.errno)
                ]
                if refused:
                    raise RuntimeError(f"could not create topics: {refused}")
    finally:
        await admin.close()


def _topic_errors(response: Any) -> list[tuple[str, int, str | None]]:
    found = []
    for entry in response.topic_errors:
        name, code = entry[0], entry[1]
        message = entry[2] if len(entry) > 2 and isinstance(entry[2], str) else None
        found.append((name, code, message))
    return found
