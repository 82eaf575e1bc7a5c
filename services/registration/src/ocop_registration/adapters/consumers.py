"""What registration learns from the other services: each holder's results at each fair,
from the sales service's events, shown to reviewers when the holder applies again."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from ocop_shared.contracts.sales import SaleRecorded, SaleRefunded
from ocop_shared.inbox import Delivery, InboxConsumer
from ocop_shared.service import Service, Subscription
from ocop_shared.topics import SALES_SALES


async def on_sale(conn: asyncpg.Connection, event: SaleRecorded, _d: Delivery) -> None:
    # Attributed to the producer of each line, also at a delegation's shared booth.
    gross: dict[UUID, int] = defaultdict(int)
    for line in event.lines:
        gross[line.producer_id] += line.total_vnd
    await conn.executemany(
        """insert into holder_results (fair_id, holder_id, sales, gross_vnd) values ($1, $2, 1, $3)
           on conflict (fair_id, holder_id) do update
           set sales = holder_results.sales + 1, gross_vnd = holder_results.gross_vnd + excluded.gross_vnd""",
        [(event.fair_id, holder, amount) for holder, amount in sorted(gross.items())],
    )


async def on_refund(conn: asyncpg.Connection, event: SaleRefunded, _d: Delivery) -> None:
    refunded: dict[UUID, int] = defaultdict(int)
    for line in event.lines:
        refunded[line.producer_id] += line.total_vnd
    await conn.executemany(
        """insert into holder_results (fair_id, holder_id, refunded_vnd) values ($1, $2, $3)
           on conflict (fair_id, holder_id) do update set refunded_vnd = holder_results.refunded_vnd + excluded.refunded_vnd""",
        [(event.fair_id, holder, amount) for holder, amount in sorted(refunded.items())],
    )


def subscriptions(service: Service) -> Sequence[Subscription]:
    def pool() -> asyncpg.Pool:
        return service.pool

    return [
        Subscription(
            InboxConsumer(
                pool, "registration.sales-history", {SaleRecorded: on_sale, SaleRefunded: on_refund}
            ),
            [SALES_SALES],
        )
    ]
