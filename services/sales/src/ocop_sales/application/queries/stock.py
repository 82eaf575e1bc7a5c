"""The stock at a fair's booths, the end-of-fair stock report and the consignment settlement
(issue 15)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ocop_sales.application.ports import Repositories
from ocop_sales.domain.access import Viewer
from ocop_sales.domain.sales import VN
from ocop_sales.domain.settlement import Settlement, month_bounds, settle, stock_reach
from ocop_sales.domain.stock import StockLevel


@dataclass(frozen=True, slots=True)
class ProductStock:
    """A product's stock at the fair, its booths added up."""

    product_id: UUID
    product_name: str | None
    producer_id: UUID
    producer_name: str | None
    received: int
    sold: int
    returned: int
    adjusted: int
    on_hand: int
    oversold: int


@dataclass(frozen=True, slots=True)
class ProducerStock:
    producer_id: UUID
    producer_name: str | None
    received: int
    sold: int
    returned: int
    adjusted: int
    on_hand: int
    oversold: int


@dataclass(frozen=True, slots=True)
class StockReport:
    fair_id: UUID
    booths: list[StockLevel]  # per booth and product
    products: list[ProductStock]
    producers: list[ProducerStock]
    oversold: int
    generated_at: datetime


async def _reach(repos: Repositories, viewer: Viewer, fair_id: UUID) -> UUID | None:
    stock = repos.stock
    fair = await stock.fair(fair_id)
    exhibits = viewer.role == "exhibitor" and await stock.exhibits(fair_id, UUID(viewer.subject))
    return stock_reach(viewer, fair, exhibits=exhibits)


async def stock_report(repos: Repositories, *, fair_id: UUID, viewer: Viewer) -> StockReport:
    """Per product and per producer (and per booth): received, sold (net of refunds), returned,
    adjusted, on hand, oversold. The organizer, the host retailer: the fair's; an exhibitor:
    its own booths'."""
    own = await _reach(repos, viewer, fair_id)
    levels = await repos.stock.levels(fair_id, own)
    products: dict[UUID, ProductStock] = {}
    producers: dict[UUID, ProducerStock] = {}
    for lv in levels:
        p = products.get(lv.product_id)
        products[lv.product_id] = ProductStock(
            lv.product_id,
            lv.product_name,
            lv.producer_id,
            lv.producer_name,
            *_add(p, lv),
        )
        q = producers.get(lv.producer_id)
        producers[lv.producer_id] = ProducerStock(lv.producer_id, lv.producer_name, *_add(q, lv))
    return StockReport(
        fair_id=fair_id,
        booths=levels,
        products=list(products.values()),
        producers=list(producers.values()),
        oversold=sum(lv.oversold for lv in levels),
        generated_at=datetime.now(VN),
    )


def _add(total: ProductStock | ProducerStock | None, lv: StockLevel) -> tuple[int, ...]:
    mine = (lv.received, lv.sold, lv.returned, lv.adjusted, lv.on_hand, lv.oversold)
    if total is None:
        return mine
    before = (
        total.received,
        total.sold,
        total.returned,
        total.adjusted,
        total.on_hand,
        total.oversold,
    )
    return tuple(a + b for a, b in zip(before, mine, strict=True))


async def settlement(
    repos: Repositories, *, fair_id: UUID, month: str | None, viewer: Viewer
) -> Settlement:
    """The consignment settlement per producer, over the whole fair or one month (a showroom):
    the organizer, the host retailer: every producer; an exhibitor: its own producers."""
    start, end = month_bounds(month)  # 422 naming month before anything is read
    own = await _reach(repos, viewer, fair_id)
    fair = await repos.stock.fair(fair_id)
    assert fair is not None  # _reach answered 404 otherwise
    figures = await repos.stock.settlement(fair_id, start, end, own)
    return settle(fair, figures, month)
