"""A fair's floor plan: its zones and booths (``zones``, ``booths``)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from ocop_booths.domain.floorplan import PlannedBooth, Zone

INSERT_ZONE = """
insert into zones (fair_id, code, name, kind, product_groups) values ($1, $2, $3, $4, $5)"""

INSERT_BOOTH = """
insert into booths (booth_id, fair_id, code, zone, booth_type, width_m, depth_m, price_vnd, x, y, open_sides,
                    kind, store_code)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"""


class PostgresFloorPlans:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def replace(
        self, fair_id: UUID, zones: Sequence[Zone], booths: Sequence[PlannedBooth]
    ) -> None:
        await self.conn.execute("delete from booths where fair_id = $1", fair_id)
        await self.conn.execute("delete from zones where fair_id = $1", fair_id)
        await self.conn.executemany(
            INSERT_ZONE, [(fair_id, z.code, z.name, z.kind, list(z.product_groups)) for z in zones]
        )
        await self.conn.executemany(
            INSERT_BOOTH,
            [
                (
                    b.booth_id,
                    fair_id,
                    b.code,
                    b.zone,
                    b.booth_type,
                    b.width_m,
                    b.depth_m,
                    b.price_vnd,
                    b.x,
                    b.y,
                    b.open_sides,
                    b.kind,
                    b.store_code,
                )
                for b in booths
            ],
        )

    async def zones(self, fair_id: UUID) -> list[Zone]:
        rows = await self.conn.fetch(
            "select code, name, kind, product_groups from zones where fair_id = $1 order by code",
            fair_id,
        )
        return [
            Zone(r["code"], r["name"], r["kind"], tuple(r["product_groups"] or ())) for r in rows
        ]

    async def booths(self, fair_id: UUID) -> list[PlannedBooth]:
        rows = await self.conn.fetch(
            """select booth_id, code, zone, booth_type, width_m, depth_m, price_vnd, x, y, open_sides, blocked,
                      kind, store_code
                 from booths where fair_id = $1 order by code""",
            fair_id,
        )
        return [
            PlannedBooth(
                booth_id=r["booth_id"],
                code=r["code"],
                zone=r["zone"],
                booth_type=r["booth_type"],
                width_m=float(r["width_m"]),
                depth_m=float(r["depth_m"]),
                price_vnd=r["price_vnd"],
                x=float(r["x"]),
                y=float(r["y"]),
                open_sides=r["open_sides"],
                blocked=r["blocked"],
                kind=r["kind"],
                store_code=r["store_code"],
            )
            for r in rows
        ]
