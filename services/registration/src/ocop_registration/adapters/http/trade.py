"""Trade matching, visitors and fair series (issue 15): meetings with buyers and the contracts
and memoranda signed at a fair (its organizer; an exhibitor its own), the visitors counted
per day at its gates (its organizer, or a device with the organizer's API key), and the
series a fair belongs to, compared year by year. Request and answer models of their own."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Self
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from ocop_registration.adapters.http.deps import Cause, Uow
from ocop_registration.adapters.http.schemas import FairTime, LongText, Text, checks
from ocop_registration.application.commands import series as series_commands
from ocop_registration.application.commands import trade as commands
from ocop_registration.application.commands import visitors as visitor_commands
from ocop_registration.application.queries import trade as queries
from ocop_registration.domain.fairs import Fair
from ocop_registration.domain.series import Counted, FairYear, Series
from ocop_registration.domain.timezone import as_utc
from ocop_registration.domain.trade import (
    Buyer,
    ContractDraft,
    GroupKey,
    Meeting,
    MeetingDraft,
    Recorder,
    Shown,
    Tally,
    TradeContract,
)
from ocop_registration.domain.visitors import CountDraft, VisitorCount
from ocop_shared.answers import replay_of
from ocop_shared.auth import Principal
from ocop_shared.authz import Caller
from ocop_shared.errors import Forbidden
from ocop_shared.inputs import Day, Vnd, text

router = APIRouter(tags=["trade"])

Country = Annotated[
    str,
    Field(pattern=r"^[A-Z]{2}$", min_length=2, max_length=2, description="ISO 3166-1 alpha-2: VN"),
]
Gate = Annotated[str, *checks(text(40))]
Increment = Annotated[StrictInt, Field(ge=-1_000_000, le=1_000_000)]


def recorder_of(principal: Principal) -> Recorder:
    if principal.role not in ("organizer", "exhibitor", "admin"):
        raise Forbidden("organizers and exhibitors record trade")
    person = UUID(principal.user_id) if principal.user_id else None
    return Recorder(principal.subject, principal.role, person)


# --- bodies and answers ------------------------------------------------------------------


class BuyerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    organization: Text
    country: Country = "VN"
    province: Text | None = None
    contact: Text  # a phone number or an e-mail address

    def buyer(self) -> Buyer:
        return Buyer(self.name, self.organization, self.country, self.province, self.contact)


class BuyerOut(BaseModel):
    name: str
    organization: str
    country: str
    province: str | None
    contact: str

    @classmethod
    def of(cls, b: Buyer) -> Self:
        return cls(name=b.name, organization=b.organization, country=b.country,
                   province=b.province, contact=b.contact)  # fmt: skip


class MeetingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    meeting_id: UUID  # the client's: a retry with the same content is the same meeting
    exhibitor_id: UUID | None = None  # the organizer names it; an exhibitor: itself
    buyer: BuyerIn
    held_at: FairTime  # local time in Viet Nam unless it carries an offset
    outcome: Literal["agreed", "follow_up", "no_deal"]
    note: LongText | None = None


class MeetingOut(BaseModel):
    meeting_id: UUID
    fair_id: UUID
    exhibitor_id: UUID
    exhibitor_name: str
    buyer: BuyerOut
    held_at: datetime
    outcome: str
    note: str | None
    recorded_at: datetime

    @classmethod
    def of(cls, m: Meeting) -> Self:
        return cls(meeting_id=m.meeting_id, fair_id=m.fair_id, exhibitor_id=m.exhibitor_id,
                   exhibitor_name=m.exhibitor_name, buyer=BuyerOut.of(m.buyer),
                   held_at=m.held_at, outcome=m.outcome, note=m.note,
                   recorded_at=m.recorded_at)  # fmt: skip


class ContractCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contract_id: UUID  # the client's
    kind: Literal["contract", "mou"]
    exhibitor_id: UUID | None = None
    buyer: BuyerIn
    product_ids: Annotated[list[UUID], Field(min_length=1, max_length=50)]
    value_vnd: Vnd  # integer đồng; a memorandum may state none (0)
    signed_on: Day
    meeting_id: UUID | None = None


class ContractOut(BaseModel):
    contract_id: UUID
    fair_id: UUID
    kind: str
    exhibitor_id: UUID
    exhibitor_name: str
    buyer: BuyerOut
    product_ids: list[UUID]
    value_vnd: int
    signed_on: date
    meeting_id: UUID | None
    recorded_at: datetime

    @classmethod
    def of(cls, c: TradeContract) -> Self:
        return cls(contract_id=c.contract_id, fair_id=c.fair_id, kind=c.kind,
                   exhibitor_id=c.exhibitor_id, exhibitor_name=c.exhibitor_name,
                   buyer=BuyerOut.of(c.buyer), product_ids=list(c.product_ids),
                   value_vnd=c.value_vnd, signed_on=c.signed_on, meeting_id=c.meeting_id,
                   recorded_at=c.recorded_at)  # fmt: skip


class TallyOut(BaseModel):
    contracts: int
    mous: int
    value_vnd: int  # contracts' and memoranda's stated values
    contract_value_vnd: int  # contracts' only

    @classmethod
    def of(cls, t: Tally) -> Self:
        return cls(contracts=t.contracts, mous=t.mous, value_vnd=t.value_vnd,
                   contract_value_vnd=t.contract_value_vnd)  # fmt: skip


class GroupOut(BaseModel):
    taxonomy: str
    product_group: int
    product_group_name: str  # Vietnamese: "Thực phẩm"

    @classmethod
    def named(cls, g: GroupKey) -> Self:
        return cls(taxonomy=g.taxonomy, product_group=g.group, product_group_name=g.name_vi)


class ExhibitorTallyOut(TallyOut):
    exhibitor_id: UUID
    exhibitor_name: str
    province: str


class ProvinceTallyOut(TallyOut):
    province: str


class GroupTallyOut(TallyOut, GroupOut):
    pass


class CountryTallyOut(TallyOut):
    country: str


class TradeReportOut(BaseModel):
    fair_id: UUID
    fair_name: str
    meetings: int
    meetings_by_outcome: dict[str, int]
    total: TallyOut
    by_exhibitor: list[ExhibitorTallyOut]
    by_province: list[ProvinceTallyOut]  # the exhibitor's province
    by_group: list[GroupTallyOut]  # a contract's value shared between its products' groups
    by_buyer_country: list[CountryTallyOut]


class FairTradeOut(BaseModel):
    fair_id: UUID
    fair_name: str
    meetings: list[MeetingOut]
    contracts: list[ContractOut]


def _tally(t: Tally) -> dict[str, int]:
    return TallyOut.of(t).model_dump()


def _exhibitor_tally(s: Shown, t: Tally) -> ExhibitorTallyOut:
    return ExhibitorTallyOut(exhibitor_id=s.exhibitor_id, exhibitor_name=s.exhibitor_name,
                             province=s.exhibitor_province, **_tally(t))  # fmt: skip


# --- trade -------------------------------------------------------------------------------


@router.post(
    "/fairs/{fair_id}/meetings",
    status_code=201,
    response_model=MeetingOut,
    responses=replay_of(MeetingOut, "meeting"),
)
async def record_meeting(
    fair_id: UUID, body: MeetingCreate, principal: Caller, uow: Uow, cause: Cause,
    response: Response,
) -> MeetingOut:  # fmt: skip
    """A meeting between a buyer and an exhibitor at the fair (set up, held or over): its
    organizer names the exhibitor; an exhibitor records its own. The same ``meeting_id``
    with the same content answers the first recording (200); other content 409 naming it."""
    recorder = recorder_of(principal)
    draft = MeetingDraft(
        meeting_id=body.meeting_id, exhibitor_id=body.exhibitor_id, buyer=body.buyer.buyer(),
        held_at=as_utc(body.held_at), outcome=body.outcome, note=body.note,
    )  # fmt: skip
    recorded = await uow.run(
        lambda u: commands.record_meeting(u, recorder, fair_id, draft), cause=cause
    )
    if recorded.replayed:
        response.status_code = 200
    return MeetingOut.of(recorded.record)


@router.post(
    "/fairs/{fair_id}/trade-contracts",
    status_code=201,
    response_model=ContractOut,
    responses=replay_of(ContractOut, "contract"),
)
async def record_contract(
    fair_id: UUID, body: ContractCreate, principal: Caller, uow: Uow, cause: Cause,
    response: Response,
) -> ContractOut:  # fmt: skip
    """A contract or memorandum of understanding signed at the fair: the buyer, the
    exhibitor's products shown there, the value in đồng, the day signed."""
    recorder = recorder_of(principal)
    draft = ContractDraft(
        contract_id=body.contract_id, kind=body.kind, exhibitor_id=body.exhibitor_id,
        buyer=body.buyer.buyer(), product_ids=tuple(body.product_ids), value_vnd=body.value_vnd,
        signed_on=body.signed_on, meeting_id=body.meeting_id,
    )  # fmt: skip
    recorded = await uow.run(
        lambda u: commands.record_contract(u, recorder, fair_id, draft), cause=cause
    )
    if recorded.replayed:
        response.status_code = 200
    return ContractOut.of(recorded.record)


@router.get("/fairs/{fair_id}/trade", response_model=FairTradeOut)
async def fair_trade(fair_id: UUID, principal: Caller, uow: Uow) -> FairTradeOut:
    """The fair's meetings and contracts: all to its organizer; an exhibitor's own to it."""
    reader = recorder_of(principal)
    found = await uow.read(lambda repos: queries.fair_trade(repos, reader, fair_id))
    return FairTradeOut(
        fair_id=found.fair.fair_id,
        fair_name=found.fair.name,
        meetings=[MeetingOut.of(m) for m in found.meetings],
        contracts=[ContractOut.of(c) for c in found.contracts],
    )


@router.get("/fairs/{fair_id}/trade-report", response_model=TradeReportOut)
async def trade_report(fair_id: UUID, principal: Caller, uow: Uow) -> TradeReportOut:
    """The fair's trade: meetings by outcome; contracts and memoranda with their value by
    exhibitor, province, product group (named) and the buyer's country."""
    reader = recorder_of(principal)
    fair, r = await uow.read(lambda repos: queries.trade_report(repos, reader, fair_id))
    return TradeReportOut(
        fair_id=fair.fair_id,
        fair_name=fair.name,
        meetings=r.meetings,
        meetings_by_outcome=r.meetings_by_outcome,
        total=TallyOut.of(r.total),
        by_exhibitor=[_exhibitor_tally(s, t) for s, t in r.by_exhibitor],
        by_province=[ProvinceTallyOut(province=p, **_tally(t)) for p, t in r.by_province],
        by_group=[
            GroupTallyOut(**GroupOut.named(g).model_dump(), **_tally(t)) for g, t in r.by_group
        ],
        by_buyer_country=[CountryTallyOut(country=c, **_tally(t)) for c, t in r.by_buyer_country],
    )


# --- visitors ----------------------------------------------------------------------------


class VisitorCountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count_id: UUID  # the client's (a device's retry is the same count)
    day: Day | None = None  # a day of the fair; none: today in Viet Nam
    increment: Increment  # visitors counted; a negative number corrects
    gate: Gate | None = None


class VisitorCountOut(BaseModel):
    count_id: UUID
    fair_id: UUID
    day: date
    increment: int
    gate: str | None
    recorded_at: datetime

    @classmethod
    def of(cls, c: VisitorCount) -> Self:
        return cls(count_id=c.count_id, fair_id=c.fair_id, day=c.day, increment=c.increment,
                   gate=c.gate, recorded_at=c.recorded_at)  # fmt: skip


class VisitorDayOut(BaseModel):
    day: date
    visitors: int
    counts: int


class VisitorsOut(BaseModel):
    fair_id: UUID
    fair_name: str
    total: int
    days: list[VisitorDayOut]


@router.post(
    "/fairs/{fair_id}/visitor-counts",
    status_code=201,
    response_model=VisitorCountOut,
    responses=replay_of(VisitorCountOut, "count"),
)
async def count_visitors(
    fair_id: UUID, body: VisitorCountCreate, principal: Caller, uow: Uow, cause: Cause,
    response: Response,
) -> VisitorCountOut:  # fmt: skip
    """Visitors counted at the gates: the fair's organizer, or a device with its API key.
    An increment of a day of the fair; a negative one corrects, never below zero (409)."""
    recorder = recorder_of(principal)
    draft = CountDraft(body.count_id, body.day, body.increment, body.gate)
    recorded = await uow.run(
        lambda u: visitor_commands.count_visitors(u, recorder, fair_id, draft), cause=cause
    )
    if recorded.replayed:
        response.status_code = 200
    return VisitorCountOut.of(recorded.record)


@router.get("/fairs/{fair_id}/visitor-counts", response_model=VisitorsOut)
async def visitor_counts(fair_id: UUID, principal: Caller, uow: Uow) -> VisitorsOut:
    """Visitors per day of the fair (the days counted), and the total."""
    reader = recorder_of(principal)
    fair, days = await uow.read(lambda repos: queries.visitor_days(repos, reader, fair_id))
    return VisitorsOut(
        fair_id=fair.fair_id,
        fair_name=fair.name,
        total=sum(d.visitors for d in days),
        days=[VisitorDayOut(day=d.day, visitors=d.visitors, counts=d.counts) for d in days],
    )


# --- series ------------------------------------------------------------------------------


class SeriesCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    series_id: UUID  # the client's
    name: Text  # "Hội chợ OCOP Xuân Quảng Ninh"


class SeriesFairOut(BaseModel):
    fair_id: UUID
    name: str
    kind: str
    status: str
    starts_at: datetime
    ends_at: datetime


class SeriesOut(BaseModel):
    series_id: UUID
    name: str
    organizer_id: str
    fairs: list[SeriesFairOut]  # oldest first

    @classmethod
    def of(cls, s: Series, fairs: list[SeriesFairOut] | None = None) -> Self:
        return cls(series_id=s.series_id, name=s.name, organizer_id=s.organizer_id,
                   fairs=fairs or [])  # fmt: skip


class FairSeriesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    series_id: UUID | None  # null: in no series


class FairSeriesOut(BaseModel):
    fair_id: UUID
    series_id: UUID | None
    series_name: str | None


class CountedOut(BaseModel):
    exhibitors: int
    products: int
    trade: TallyOut

    @classmethod
    def of(cls, c: Counted) -> Self:
        return cls(exhibitors=len(c.exhibitors), products=len(c.products),
                   trade=TallyOut.of(c.trade))  # fmt: skip


class GroupCountedOut(CountedOut, GroupOut):
    pass


class ProvinceCountedOut(CountedOut):
    province: str


class FairYearOut(BaseModel):
    year: int
    fair: SeriesFairOut
    total: CountedOut
    by_group: list[GroupCountedOut]
    by_province: list[ProvinceCountedOut]  # the exhibitors' province


class SeriesReportOut(BaseModel):
    series_id: UUID
    name: str
    years: list[FairYearOut]  # oldest first; revenue is sales' (GET /fairs/{id}/revenue there)


def _fair_out(f: Fair) -> SeriesFairOut:
    return SeriesFairOut(fair_id=f.fair_id, name=f.name, kind=f.kind, status=f.status,
                         starts_at=f.starts_at, ends_at=f.ends_at)  # fmt: skip


def _year(y: FairYear) -> FairYearOut:
    groups = sorted(y.by_group.items(), key=lambda x: (x[0].taxonomy, x[0].group))
    return FairYearOut(
        year=y.year,
        fair=_fair_out(y.fair),
        total=CountedOut.of(y.total),
        by_group=[
            GroupCountedOut(**GroupOut.named(g).model_dump(), **CountedOut.of(c).model_dump())
            for g, c in groups
        ],
        by_province=[
            ProvinceCountedOut(province=p, **CountedOut.of(c).model_dump())
            for p, c in sorted(y.by_province.items())
        ],
    )


@router.post(
    "/fair-series",
    status_code=201,
    response_model=SeriesOut,
    responses=replay_of(SeriesOut, "series"),
)
async def create_series(
    body: SeriesCreate, principal: Caller, uow: Uow, cause: Cause, response: Response
) -> SeriesOut:
    """An organizer names a series of its fairs; the same ``series_id`` and name answers the
    first (200)."""
    recorder = recorder_of(principal)
    recorded = await uow.run(
        lambda u: series_commands.create_series(u, recorder, body.series_id, body.name),
        cause=cause,
    )
    if recorded.replayed:
        response.status_code = 200
    return SeriesOut.of(recorded.record)


@router.get("/fair-series", response_model=list[SeriesOut])
async def my_series(principal: Caller, uow: Uow) -> list[SeriesOut]:
    """The caller's series with their fairs, oldest first (the admin: all)."""
    reader = recorder_of(principal)
    found = await uow.read(lambda repos: queries.my_series(repos, reader))
    return [SeriesOut.of(s.series, [_fair_out(f) for f in s.fairs]) for s in found]


@router.put("/fairs/{fair_id}/series", response_model=FairSeriesOut)
async def place_fair(
    fair_id: UUID, body: FairSeriesIn, principal: Caller, uow: Uow, cause: Cause
) -> FairSeriesOut:
    """Puts the organizer's fair in one of its series, or in none (null)."""
    recorder = recorder_of(principal)
    placed = await uow.run(
        lambda u: series_commands.place_fair(u, recorder, fair_id, body.series_id), cause=cause
    )
    return FairSeriesOut(
        fair_id=fair_id,
        series_id=placed.series_id if placed else None,
        series_name=placed.name if placed else None,
    )


@router.get("/fair-series/{series_id}/report", response_model=SeriesReportOut)
async def series_report(series_id: UUID, principal: Caller, uow: Uow) -> SeriesReportOut:
    """The series' fairs year by year: exhibitors, products, contracts and memoranda, by
    product group (named) and by the exhibitors' province."""
    reader = recorder_of(principal)
    found, years = await uow.read(lambda repos: queries.series_report(repos, reader, series_id))
    return SeriesReportOut(
        series_id=found.series_id, name=found.name, years=[_year(y) for y in years]
    )
