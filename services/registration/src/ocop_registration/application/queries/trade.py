"""Reading trade, visitors and series (issue 15): a fair's organizer (and the admin) reads all
of its fair; an exhibitor its own meetings and contracts at the fairs it exhibits at. Out of
reach answers 404."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from ocop_registration.application.ports import Repositories
from ocop_registration.domain import series, trade, visitors
from ocop_registration.domain.fairs import Fair
from ocop_registration.domain.series import FairYear, Series
from ocop_registration.domain.trade import Meeting, Recorder, TradeContract, TradeReport
from ocop_shared.errors import NotFound


@dataclass(frozen=True, slots=True)
class FairTrade:
    fair: Fair
    meetings: list[Meeting]
    contracts: list[TradeContract]


async def fair_trade(repos: Repositories, reader: Recorder, fair_id: UUID) -> FairTrade:
    fair = await repos.fairs.get(fair_id)
    shown = await repos.trade.shown(fair_id) if fair else []
    fair = trade.check_reaches(reader, fair, shown)
    meetings = await repos.trade.meetings(fair_id)
    contracts = await repos.trade.contracts(fair_id)
    mine = trade.seen_by(reader, fair, {s.exhibitor_id for s in shown})
    if mine is not None:
        meetings = [m for m in meetings if m.exhibitor_id in mine]
        contracts = [c for c in contracts if c.exhibitor_id in mine]
    return FairTrade(fair, meetings, contracts)


async def trade_report(
    repos: Repositories, reader: Recorder, fair_id: UUID
) -> tuple[Fair, TradeReport]:
    """The fair's organizer (the admin): the trade report of its fair."""
    fair = await repos.fairs.get(fair_id)
    if fair is None or not (reader.role == "admin" or fair.organizer_id == reader.organization_id):
        raise NotFound("no such fair", field="fair_id")
    shown = await repos.trade.shown(fair_id)
    found = trade.report(
        await repos.trade.meetings(fair_id), await repos.trade.contracts(fair_id), shown
    )
    return fair, found


async def visitor_days(
    repos: Repositories, reader: Recorder, fair_id: UUID
) -> tuple[Fair, list[visitors.Day]]:
    fair = visitors.check_reaches(reader, await repos.fairs.get(fair_id))
    return fair, visitors.per_day(await repos.visitors.of_fair(fair_id))


@dataclass(frozen=True, slots=True)
class SeriesWithFairs:
    series: Series
    fairs: list[Fair]  # oldest first


async def _fairs(repos: Repositories, series_id: UUID) -> list[Fair]:
    found = [await repos.fairs.get(f) for f in await repos.series.fair_ids(series_id)]
    return sorted((f for f in found if f is not None), key=lambda f: f.starts_at)


async def my_series(repos: Repositories, reader: Recorder) -> list[SeriesWithFairs]:
    owner = None if reader.role == "admin" else reader.organization_id
    return [
        SeriesWithFairs(s, await _fairs(repos, s.series_id))
        for s in await repos.series.of_organizer(owner)
    ]


async def series_report(
    repos: Repositories, reader: Recorder, series_id: UUID
) -> tuple[Series, list[FairYear]]:
    """Each fair of the series counted (exhibitors, products, contracts; by group and the
    exhibitors' province), oldest first. Revenue is sales': the web app puts it beside."""
    found = series.check_owner(reader, await repos.series.get(series_id))
    years = [
        series.fair_year(
            f, await repos.trade.shown(f.fair_id), await repos.trade.contracts(f.fair_id)
        )
        for f in await _fairs(repos, series_id)
    ]
    return found, years
