"""Stock at the booth (issue 15). Pure Python.

Per fair, booth and product, stock moves four ways: ``received`` (the exhibitor declares what
it brings, or the retailer or showroom receives consignment), ``sold`` (each sale line, in the
sale's own write), ``returned`` (to the producer at the end) and ``adjusted`` (a count
corrected, with its reason). A product is *tracked* at a booth once stock was received there;
an untracked product sells as before and costs the sale nothing.

Online, nothing may take a tracked product below zero: a sale (``take_stock``) or a return or
adjustment (``decide_movement``) that would is refused, 409 ``out_of_stock`` naming the line's
``quantity``. A sale made offline already happened: it is accepted and stock may go below
zero; the units sold while none was on hand are counted as ``oversold`` in the stock report,
never lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from ocop_shared.contracts.sales import StockLine, StockMoved
from ocop_shared.errors import Conflict, InvalidField, NotFound

MovementKind = Literal["received", "returned", "adjusted"]
MAX_MOVEMENT_QUANTITY = 1_000_000  # per line; an int4 column holds it with room


class OutOfStock(Conflict):
    """A tracked product would go below zero at the booth."""

    code = "out_of_stock"


def out_of_stock(field: str, on_hand: int, asked: int) -> OutOfStock:
    return OutOfStock(
        f"only {max(on_hand, 0)} left at this booth, {asked} asked: not enough stock",
        field=field,
    )


def take_stock(
    lines: Iterable[tuple[UUID, int]], stock: Mapping[UUID, int], taken: dict[UUID, int]
) -> None:
    """An online sale's lines (product, quantity) against the booth's tracked stock, less what
    earlier sales of the same request ``taken`` (updated when the sale passes). A product not
    in ``stock`` is not tracked: never refused."""
    wanted: dict[UUID, int] = {}
    for i, (product_id, quantity) in enumerate(lines):
        on_hand = stock.get(product_id)
        if on_hand is None:
            continue
        wanted[product_id] = wanted.get(product_id, 0) + quantity
        left = on_hand - taken.get(product_id, 0)
        if wanted[product_id] > left:
            raise out_of_stock(f"lines.{i}.quantity", left, wanted[product_id])
    for product_id, quantity in wanted.items():
        taken[product_id] = taken.get(product_id, 0) + quantity


def stock_moves(
    lines: Iterable[tuple[UUID, int]], stock: Mapping[UUID, int]
) -> list[tuple[UUID, int]]:
    """What the new sales take from the booth's tracked products, one entry per product (the
    write updates each row once), in product order (rows locked in one order)."""
    moves: dict[UUID, int] = {}
    for product_id, quantity in lines:
        if product_id in stock:
            moves[product_id] = moves.get(product_id, 0) + quantity
    return sorted(moves.items(), key=lambda m: m[0].bytes)


@dataclass(frozen=True, slots=True)
class MovementLineIn:
    product_id: UUID
    quantity: int


@dataclass(frozen=True, slots=True)
class MovementIn:
    """A movement as its sender asks for it; ``movement_id`` is its idempotency key."""

    movement_id: UUID
    fair_id: UUID
    booth_id: UUID
    kind: MovementKind
    lines: Sequence[MovementLineIn]
    reason: str | None
    payload_hash: bytes


@dataclass(frozen=True, slots=True)
class StoredMovement:
    movement_id: UUID
    fair_id: UUID
    kind: str
    payload_hash: bytes
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class BoothStock:
    """What a movement is judged against: the booth's holder at the fair, the products it was
    admitted to sell there (product -> producer), and their levels at the booth (tracked)."""

    fair_id: UUID
    booth_id: UUID
    exhibitor_id: UUID | None  # None: nobody holds the booth
    admitted: Mapping[UUID, UUID]
    on_hand: Mapping[UUID, int]


@dataclass(frozen=True, slots=True)
class MovedLine:
    product_id: UUID
    producer_id: UUID
    quantity: int  # signed: positive in, negative out
    on_hand: int  # after the movement


@dataclass(frozen=True, slots=True)
class MovementDecision:
    status: Literal["recorded", "replayed"]
    movement_id: UUID
    kind: str
    lines: list[MovedLine]
    event: StockMoved | None
    recorded_at: datetime


def decide_movement(
    movement: MovementIn,
    booth: BoothStock | None,
    prior: StoredMovement | None,
    *,
    now: datetime,
) -> MovementDecision:
    """Receives, returns or adjusts stock at a booth. The same movement id with the same
    content is a replay (nothing moves again), with another content a conflict naming
    ``movement_id``. A booth nobody holds at this fair answers 404 naming ``booth_id``; a
    product its holder was not admitted to sell there is 422 naming ``lines.N.product_id``;
    a return or an adjustment taking a product below zero is 409 ``out_of_stock`` naming
    ``lines.N.quantity``; a return or adjustment needs its ``reason``."""
    if prior is not None:
        if prior.payload_hash != movement.payload_hash or prior.fair_id != movement.fair_id:
            raise Conflict(
                f"movement {movement.movement_id} was already recorded with a different content",
                field="movement_id",
            )
        return MovementDecision(
            "replayed", movement.movement_id, prior.kind, [], None, prior.recorded_at
        )
    if booth is None or booth.exhibitor_id is None:
        raise NotFound("no booth held at this fair by this id", field="booth_id")
    if not movement.lines:
        raise InvalidField("lines", "a movement has at least one line")
    if movement.kind != "received" and not (movement.reason and movement.reason.strip()):
        raise InvalidField("reason", f"a stock {movement.kind[:-2]} needs its reason")
    seen: set[UUID] = set()
    moved: list[MovedLine] = []
    for i, line in enumerate(movement.lines):
        if line.product_id in seen:
            raise InvalidField(f"lines.{i}.product_id", "this product is on an earlier line")
        seen.add(line.product_id)
        producer = booth.admitted.get(line.product_id)
        if producer is None:
            raise InvalidField(
                f"lines.{i}.product_id",
                "this product is not admitted for sale at this booth's exhibitor at this fair",
            )
        q = line.quantity
        if movement.kind == "adjusted":
            if q == 0 or abs(q) > MAX_MOVEMENT_QUANTITY:
                raise InvalidField(
                    f"lines.{i}.quantity",
                    f"a correction, not 0, between -{MAX_MOVEMENT_QUANTITY} and {MAX_MOVEMENT_QUANTITY}",
                )
        elif not 1 <= q <= MAX_MOVEMENT_QUANTITY:
            raise InvalidField(f"lines.{i}.quantity", f"between 1 and {MAX_MOVEMENT_QUANTITY}")
        delta = -q if movement.kind == "returned" else q
        on_hand = booth.on_hand.get(line.product_id, 0)
        if delta < 0 and on_hand + delta < 0:
            raise out_of_stock(f"lines.{i}.quantity", on_hand, -delta)
        moved.append(MovedLine(line.product_id, producer, delta, on_hand + delta))
    event = StockMoved(
        movement_id=movement.movement_id,
        fair_id=movement.fair_id,
        booth_id=movement.booth_id,
        exhibitor_id=booth.exhibitor_id,
        kind=movement.kind,
        reason=movement.reason,
        lines=[StockLine(**_line(m)) for m in moved],
        moved_at=now,
    )
    return MovementDecision("recorded", movement.movement_id, movement.kind, moved, event, now)


def _line(m: MovedLine) -> dict[str, object]:
    return {
        "product_id": m.product_id,
        "producer_id": m.producer_id,
        "quantity": m.quantity,
        "on_hand": m.on_hand,
    }


@dataclass(frozen=True, slots=True)
class StockLevel:
    """A product's stock at one booth: what its movements add up to."""

    booth_id: UUID
    booth_code: str | None
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


def check_levels(level: StockLevel) -> bool:
    """A level adds up: on hand is what came in less what went out."""
    return level.on_hand == level.received - level.sold - level.returned + level.adjusted
