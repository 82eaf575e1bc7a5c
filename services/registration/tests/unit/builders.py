"""Registration's entities for the pure tests (no I/O)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ocop_registration.domain.exhibitors import Exhibitor
from ocop_registration.domain.fairs import Fair, Rules
from ocop_registration.domain.products import Certificate, Product, ocop_until

TODAY = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


def fair(status: str = "open", **rules: Any) -> Fair:
    return Fair(
        fair_id=uuid.uuid4(), organizer_id="org", name="Hội chợ OCOP", kind="fair", venue="Hạ Long",
        province="Quảng Ninh", starts_at=NOW + timedelta(days=20), ends_at=NOW + timedelta(days=25),
        applications_open_at=NOW - timedelta(days=1), applications_close_at=NOW + timedelta(days=10),
        rules=Rules(**rules), status=status,  # type: ignore[arg-type]
    )  # fmt: skip


def certificate(
    *,
    number: str = "QN-1",
    star: int = 4,
    valid_from: date = date(2025, 1, 1),
    valid_to: date = date(2027, 12, 31),
    status: str = "valid",
) -> Certificate:
    return Certificate(
        certificate_id=uuid.uuid4(), number=number, star=star, issuing_level="province",
        issuing_body="UBND tỉnh", decision_number="1/QĐ", decision_date=valid_from,
        valid_from=valid_from, valid_to=valid_to, status=status,  # type: ignore[arg-type]
    )  # fmt: skip


def product(
    holder_id: uuid.UUID | None = None,
    cert: Certificate | None = None,
    *,
    name: str = "Mật ong rừng",
    group: int = 1,
) -> Product:
    return Product(
        product_id=uuid.uuid4(), holder_id=holder_id or uuid.uuid4(), name=name, group=group,
        taxonomy="2023", gtin=None, unit="chai", list_price_vnd=250_000, certificate=cert,
        ocop_until=ocop_until(cert, TODAY),
    )  # fmt: skip


def holder(kind: str = "cooperative", members: list[uuid.UUID] | None = None) -> Exhibitor:
    return Exhibitor(
        exhibitor_id=uuid.uuid4(), kind=kind, name="HTX Bạch Đằng", tax_code=None,  # type: ignore[arg-type]
        province="Quảng Ninh", commune=None, phone=None, member_ids=members or [],
    )  # fmt: skip
