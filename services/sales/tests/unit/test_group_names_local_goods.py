"""Issue 15, without I/O: an approved application's products go on sale with their group's
name and taxonomy, local goods (``ocop`` False) with no star; a sale's lines and its event
carry them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from ocop_sales.domain.catalog import admit
from ocop_shared.contracts.registration import (
    AdmittedProduct,
    ApplicationSnapshot,
    BoothRequest,
    CertificateSnapshot,
    ProductSnapshot,
)

from .test_sales_domain import HONEY, NOW, POLICY, TEA, item, judge_sales, line, sale, till


def _product(star: int | None, group: int, name: str | None) -> ProductSnapshot:
    cert = None
    if star is not None:
        cert = CertificateSnapshot(
            certificate_id=uuid.uuid4(), number="C-1", star=star, issuing_level="province",
            issuing_body="UBND", decision_number="1/QĐ", decision_date=date(2025, 1, 1),
            valid_from=date(2025, 1, 1), valid_to=date(2027, 12, 31), status="valid",
        )  # fmt: skip
    return ProductSnapshot(
        product_id=uuid.uuid4(), holder_id=uuid.uuid4(), name="Sản phẩm", group=group,
        taxonomy="2023", gtin=None, unit="hũ", list_price_vnd=100_000, certificate=cert,
        ocop_until=cert.valid_to if cert else None, product_group_name=name,
    )  # fmt: skip


def test_local_goods_go_on_sale_without_a_star_and_every_entry_keeps_its_group_name() -> None:
    ocop = _product(4, 1, "Thực phẩm")
    local = _product(2, 4, "Hàng thủ công mỹ nghệ")  # a 2-star "certificate": not OCOP
    application = ApplicationSnapshot(
        application_id=uuid.uuid4(), fair_id=uuid.uuid4(), exhibitor_id=uuid.uuid4(),
        exhibitor_name="Đoàn huyện", exhibitor_kind="delegation", province="Hà Giang",
        products=[ocop, local], booth_request=BoothRequest(count=1), status="approved",
        submitted_at=datetime.now(UTC), best_star=4,
        admitted=[
            AdmittedProduct(product_id=ocop.product_id, until=date(2027, 12, 31)),
            AdmittedProduct(product_id=local.product_id, until=date(2026, 3, 15), ocop=False),
        ],
    )  # fmt: skip
    entries = admit(application, datetime.now(UTC)).entries
    assert [(e.star, e.ocop, e.taxonomy, e.product_group_name, e.ocop_until) for e in entries] == [
        (4, True, "2023", "Thực phẩm", date(2027, 12, 31)),
        (0, False, "2023", "Hàng thủ công mỹ nghệ", date(2026, 3, 15)),
    ]


def test_a_sales_lines_and_its_event_carry_the_group_name_taxonomy_and_ocop() -> None:
    honey = item(HONEY, 250_000, taxonomy="2023", product_group_name="Thực phẩm")
    basket = item(
        TEA, 90_000, product_group=4, star=0, taxonomy="2023",
        product_group_name="Hàng thủ công mỹ nghệ", ocop=False,
    )  # fmt: skip
    the_sale = sale(line(HONEY, 1, 250_000), line(TEA, 2, 90_000))
    decision = judge_sales(till(honey, basket), [the_sale], POLICY, now=NOW, offline=False)
    [event] = decision.events
    assert [
        (x.product_group, x.product_group_name, x.taxonomy, x.ocop, x.star) for x in event.lines
    ] == [
        (1, "Thực phẩm", "2023", True, 4),
        (4, "Hàng thủ công mỹ nghệ", "2023", False, 0),
    ]
    [new] = decision.new_sales
    assert [x.ocop for x in new.priced.lines] == [True, False]
