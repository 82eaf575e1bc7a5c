"""The topic catalog: every topic, what its key is, and how many partitions it gets.

Services name topics by their logical name; ``physical()`` adds the deployment's prefix so
that test runs can share one broker without seeing each other's messages.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    key: str
    partitions: int
    producer: str

    def physical(self, prefix: str = "") -> str:
        return f"{prefix}{self.name}"


REGISTRATION_FAIRS = Topic("registration.fairs", "fair id", 3, "registration")
REGISTRATION_EXHIBITORS = Topic("registration.exhibitors", "exhibitor id", 3, "registration")
REGISTRATION_PRODUCTS = Topic("registration.products", "product id", 6, "registration")
REGISTRATION_APPLICATIONS = Topic("registration.applications", "fair id", 3, "registration")
BOOTHS_FLOORPLANS = Topic("booths.floorplans", "fair id", 3, "booths")
BOOTHS_ASSIGNMENTS = Topic("booths.assignments", "fair id", 3, "booths")
SALES_SALES = Topic("sales.sales", "terminal id", 12, "sales")
SALES_SESSIONS = Topic("sales.sessions", "terminal id", 6, "sales")
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
        PLATFORM_PROBES,
    )
}

# Credentials issued by registration (the identity provider), installed by the other services.
REGISTRATION_CREDENTIALS = Topic("registration.credentials", "subject", 3, "registration")
CATALOG[REGISTRATION_CREDENTIALS.name] = REGISTRATION_CREDENTIALS
