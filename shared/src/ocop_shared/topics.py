"""The topic catalog: every topic, what its key is, and how many partitions it gets.

Services name topics by their logical name; ``physical()`` adds the deployment's prefix so
that test runs can share one broker without seeing each other's messages.

Partitions: each topic's count is the catalog's unless ``OCOP_TOPIC_PARTITIONS`` says
otherwise, as one number for every topic (``24``) or per topic
(``sales.sales=24,registration.products=12``; the others keep the catalog's). Every topic is
created through ``ocop_shared.kafka.ensure_topics`` (the broker creates none by itself), which
reads ``Topic.partitions``, so the setting holds wherever a topic is created: the services at
start, the test kit, the benchmarks. Events are keyed by their aggregate (the ``key`` below),
so one aggregate's events stay in one partition, in order, whatever the count; the count
caps how many replicas of a consuming service share the work. It applies when a topic is
created: an existing topic keeps its partitions (adding some moves keys to other partitions,
so a key's later events could overtake its earlier ones; grow a topic only once it is
drained).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

PARTITIONS_VARIABLE = "OCOP_TOPIC_PARTITIONS"


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    key: str
    default_partitions: int  # the catalog's count
    producer: str

    @property
    def partitions(self) -> int:
        """How many partitions the topic is created with: ``OCOP_TOPIC_PARTITIONS``'s count
        for it, else the catalog's."""
        every, per_topic = configured_partitions(os.environ.get(PARTITIONS_VARIABLE, ""))
        return per_topic.get(self.name) or every or self.default_partitions

    def physical(self, prefix: str = "") -> str:
        return f"{prefix}{self.name}"


@functools.cache
def configured_partitions(value: str) -> tuple[int | None, dict[str, int]]:
    """``OCOP_TOPIC_PARTITIONS`` read: (a count for every topic or None, counts per topic).
    A value that is not a positive count, or names no topic of the catalog, is refused
    (``ValueError``, naming the variable): a service does not start with it."""
    value = value.strip()
    if not value:
        return None, {}
    if "=" not in value:
        return _count(value, "every topic"), {}
    per_topic: dict[str, int] = {}
    for part in value.split(","):
        name, _, count = part.strip().partition("=")
        name = name.strip()
        if name not in CATALOG:
            raise ValueError(f"{PARTITIONS_VARIABLE}: no topic named {name!r} in the catalog")
        per_topic[name] = _count(count, name)
    return None, per_topic


def _count(text: str, what: str) -> int:
    try:
        count = int(text.strip())
    except ValueError:
        count = 0
    if not 1 <= count <= 10_000:
        raise ValueError(
            f"{PARTITIONS_VARIABLE}: {text.strip()!r} for {what} is not a partition count (1-10000)"
        )
    return count


REGISTRATION_FAIRS = Topic("registration.fairs", "fair id", 3, "registration")
REGISTRATION_EXHIBITORS = Topic("registration.exhibitors", "exhibitor id", 3, "registration")
REGISTRATION_PRODUCTS = Topic("registration.products", "product id", 6, "registration")
REGISTRATION_APPLICATIONS = Topic("registration.applications", "fair id", 3, "registration")
BOOTHS_FLOORPLANS = Topic("booths.floorplans", "fair id", 3, "booths")
BOOTHS_ASSIGNMENTS = Topic("booths.assignments", "fair id", 3, "booths")
SALES_SALES = Topic("sales.sales", "terminal id", 12, "sales")
SALES_SESSIONS = Topic("sales.sessions", "terminal id", 6, "sales")
# Stock moved at a booth (issue 15): received, returned, adjusted; imported retailer sales.
SALES_STOCK = Topic("sales.stock", "booth id", 6, "sales")
# Used by the foundation's own tests and benchmarks only.
PLATFORM_PROBES = Topic("platform.probes", "probe key", 6, "platform")

CATALOG: dict[str, Topic] = {
    t.name: t
    for t in (
        REGISTRATION_FAIRS,
        REGISTRATION_EXHIBITORS,
        REGISTRATION_PRODUCTS,
        REGISTRATION_APPLICATIONS,
        BOOTHS_FLOORPLANS,
        BOOTHS_ASSIGNMENTS,
        SALES_SALES,
        SALES_SESSIONS,
        SALES_STOCK,
        PLATFORM_PROBES,
    )
}

# Credentials issued by registration (the identity provider), installed by the other services.
REGISTRATION_CREDENTIALS = Topic("registration.credentials", "subject", 3, "registration")
CATALOG[REGISTRATION_CREDENTIALS.name] = REGISTRATION_CREDENTIALS
