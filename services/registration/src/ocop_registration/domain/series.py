"""Fair series (issue 15): the fairs an organizer holds year after year under one name (the
annual Xuân and Hè fairs of a province), compared year by year. A fair belongs to one series
at most, its organizer's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from ocop_registration.domain.fairs import Fair
from ocop_registration.domain.timezone import local_date
from ocop_registration.domain.trade import (
    GroupKey,
    Recorder,
    RecordIdTaken,
    Shown,
    Tally,
    TradeContract,
    split,
)
from ocop_shared.errors import NotFound


@dataclass(frozen=True, slots=True)
class Series:
    series_id: UUID
    organizer_id: str
    name: str
    created_at: datetime


def check_owner(recorder: Recorder, series: Series | None, field: str = "series_id") -> Series:
    if series is None or not (
        recorder.role == "admin" or series.organizer_id == recorder.organization_id
    ):
        raise NotFound("no such series", field=field)
    return series


def replay(name: str, recorder: Recorder, stored: Series) -> Series:
    if stored.organizer_id != recorder.organization_id or stored.name != name:
        raise RecordIdTaken("this series_id was recorded with other content", field="series_id")
    return stored


@dataclass
class Counted:
    """Exhibitors, products and contracts of a fair, in one slice (a group, a province)."""

    exhibitors: set[UUID] = field(default_factory=set)
    products: set[UUID] = field(default_factory=set)
    trade: Tally = field(default_factory=Tally)


@dataclass(frozen=True, slots=True)
class FairYear:
    fair: Fair
    year: int
    total: Counted
    by_group: dict[GroupKey, Counted]
    by_province: dict[str, Counted]


def fair_year(fair: Fair, shown: Sequence[Shown], contracts: Sequence[TradeContract]) -> FairYear:
    """One fair of the series counted: the exhibitors and products its approved applications
    show, by product group and by the exhibitor's province, and its contracts (a contract's
    value shared between its products' groups as in the trade report)."""
    total = Counted()
    by_group: dict[GroupKey, Counted] = {}
    by_province: dict[str, Counted] = {}
    for s in shown:
        for slot in (
            total,
            by_group.setdefault(GroupKey(s.taxonomy, s.product_group), Counted()),
            by_province.setdefault(s.exhibitor_province, Counted()),
        ):
            slot.exhibitors.add(s.exhibitor_id)
            slot.products.add(s.product_id)
    products = {s.product_id: s for s in shown}
    provinces = {s.exhibitor_id: s.exhibitor_province for s in shown}
    for c in contracts:
        total.trade.add(c.kind, c.value_vnd)
        by_province.setdefault(provinces.get(c.exhibitor_id, ""), Counted()).trade.add(
            c.kind, c.value_vnd
        )
        groups = sorted(
            {
                GroupKey(p.taxonomy, p.product_group)
                for i in c.product_ids
                if (p := products.get(i))
            },
            key=lambda g: (g.taxonomy, g.group),
        )
        for key, share in zip(groups, split(c.value_vnd, len(groups) or 1), strict=False):
            by_group.setdefault(key, Counted()).trade.add(c.kind, share)
    return FairYear(fair, local_date(fair.starts_at).year, total, by_group, by_province)
