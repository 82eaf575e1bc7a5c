"""What sales learns from registration's and booths' events, decided without I/O: which
products a booth's exhibitor may sell, until when, and from when a product stops selling.

Registration decides whether a product counts as OCOP and which of an application's
products are admitted (``ApplicationSnapshot.admitted``, ``ProductSnapshot.ocop_until``);
sales applies those decisions and never re-reads certificate statuses.

Decisions about one product come from two topics (its certificate on registration.products,
its admission on registration.applications) and may arrive in any order: each carries its
event time (``decided_at``), and the newest decision per product wins, whatever the arrival
order. A block follows the product's newest certificate decision; the last day it may sell
and its star follow the newest of its admission and its certificates.

The functions taking a registration snapshot are translators: each turns a consumed event
into sales' own ``Fair``, ``Exhibitor``, ``ProductDetails``, ``Admission``, ``ProductBlock``
or ``Reinstatement``; nothing sales keeps is a snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from uuid import UUID

from ocop_shared.contracts.registration import (
    ApplicationSnapshot,
    CertificateExpired,
    CertificateRevoked,
    ExhibitorSnapshot,
    FairSnapshot,
    ProductSnapshot,
)


@dataclass(frozen=True, slots=True)
class Fair:
    """A fair as sales needs it: who organizes it, its status and selling hours."""

    fair_id: UUID
    organizer_id: str
    name: str
    province: str
    status: str
    starts_at: datetime
    ends_at: datetime
    # Issue 15: its kind, the commission on consignment sales (a whole percent), and for a
    # promotion week the host retailer and its stores taking part (code -> name).
    kind: str = "fair"
    commission_percent: int = 0
    host_retailer_id: UUID | None = None
    stores: tuple[tuple[str, str], ...] = ()
    # Registration's rules for tills: an exhibition is display-only (no till is enrolled);
    # a showroom sells within its weekly hours (weekday 0 = Monday, opens, closes; Viet Nam).
    selling: bool = True
    opening_hours: tuple[tuple[int, time, time], ...] = ()


@dataclass(frozen=True, slots=True)
class Exhibitor:
    """An exhibitor as the reports show it, and its receiving bank account (its tills'
    VietQR transfers; registration's, all three parts or none)."""

    exhibitor_id: UUID
    name: str
    kind: str
    province: str
    bank_bin: str | None = None
    bank_account: str | None = None
    bank_account_name: str | None = None


@dataclass(frozen=True, slots=True)
class ProductDetails:
    """What the catalog shows of a product besides its admission: name, GTIN, list price."""

    product_id: UUID
    name: str
    gtin: str | None
    list_price_vnd: int
    # Issue 15: its group in its taxonomy, with the group's Vietnamese name (None: the
    # message carried none), kept per taxonomy so reports answer names.
    product_group: int | None = None
    taxonomy: str | None = None
    product_group_name: str | None = None


def fair_of(f: FairSnapshot) -> Fair:
    return Fair(
        f.fair_id,
        f.organizer_id,
        f.name,
        f.province,
        f.status,
        f.starts_at,
        f.ends_at,
        kind=f.kind,
        commission_percent=f.rules.commission_percent,
        host_retailer_id=f.host_retailer_id,
        stores=tuple((s.store_code, s.name) for s in f.stores),
        selling=f.rules.selling,
        opening_hours=tuple(
            (h.weekday, time.fromisoformat(h.opens), time.fromisoformat(h.closes))
            for h in f.opening_hours
        ),
    )


def exhibitor_of(e: ExhibitorSnapshot) -> Exhibitor:
    return Exhibitor(
        e.exhibitor_id,
        e.name,
        e.kind,
        e.province,
        e.bank_bin,
        e.bank_account,
        e.bank_account_name,
    )


def details_of(p: ProductSnapshot) -> ProductDetails:
    return ProductDetails(
        p.product_id, p.name, p.gtin, p.list_price_vnd, p.group, p.taxonomy, p.product_group_name
    )


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One product an exhibitor may sell at a fair's booths."""

    product_id: UUID
    producer_id: UUID
    name: str
    gtin: str | None
    product_group: int
    star: int
    list_price_vnd: int
    ocop_until: date  # the last day (Viet Nam time) it may be sold as OCOP
    # Issue 15: the group's taxonomy and Vietnamese name; ``ocop`` False for ordinary local
    # goods (star 0, sold until the fair's last day, no certificate decision applies).
    taxonomy: str | None = None
    product_group_name: str | None = None
    ocop: bool = True


@dataclass(frozen=True, slots=True)
class Admission:
    """An approved application's effect on the catalog."""

    fair_id: UUID
    exhibitor_id: UUID
    entries: list[CatalogEntry]  # admitted: on sale (again)
    not_admitted: list[UUID]  # shown in the application, but not admitted: off sale
    decided_at: datetime  # the approval's event time


@dataclass(frozen=True, slots=True)
class ProductBlock:
    """A product stops selling, at every fair, from ``blocked_at`` (the event's time: a
    decision older than the product's newest certificate decision changes nothing; of two
    blocks, the earliest wins)."""

    product_id: UUID
    blocked_at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class Reinstatement:
    """A certificate in force again: the product sells again, with its new star."""

    product_id: UUID
    star: int | None  # None: keep the star the catalog has
    ocop_until: date
    decided_at: datetime  # the certificate event's time


def admit(application: ApplicationSnapshot, decided_at: datetime) -> Admission:
    """The products of an approved application that registration admitted, until when; the
    ones admitted as local goods (``ocop`` False) with no star."""
    until = {a.product_id: a.until for a in application.admitted}
    ocop = {a.product_id: a.ocop for a in application.admitted}
    entries = [
        CatalogEntry(
            product_id=p.product_id,
            producer_id=p.holder_id,
            name=p.name,
            gtin=p.gtin,
            product_group=p.group,
            star=p.certificate.star if p.certificate and ocop[p.product_id] else 0,
            list_price_vnd=p.list_price_vnd,
            ocop_until=until[p.product_id],
            taxonomy=p.taxonomy,
            product_group_name=p.product_group_name,
            ocop=ocop[p.product_id],
        )
        for p in application.products
        if p.product_id in until
    ]
    not_admitted = [p.product_id for p in application.products if p.product_id not in until]
    return Admission(
        application.fair_id, application.exhibitor_id, entries, not_admitted, decided_at
    )


def block(event: CertificateRevoked | CertificateExpired, occurred_at: datetime) -> ProductBlock:
    """A revoked or expired certificate stops the product's sale from the moment the event
    happened: an offline sale made before it still counts, one made after it does not."""
    reason = (
        f"certificate revoked by {event.decision_number}: {event.reason}"
        if isinstance(event, CertificateRevoked)
        else "certificate expired"
    )
    return ProductBlock(event.product.product_id, occurred_at, reason)


def reinstate(product: ProductSnapshot, decided_at: datetime) -> Reinstatement | None:
    """A newly issued certificate admits the product again if registration says it counts
    as OCOP (``ocop_until``) and no newer decision about it is known; otherwise nothing
    changes."""
    if product.ocop_until is None:
        return None
    star = product.certificate.star if product.certificate else None
    return Reinstatement(product.product_id, star, product.ocop_until, decided_at)
