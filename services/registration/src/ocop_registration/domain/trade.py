"""Trade matching at exhibitions and fairs (issue 15): meetings between buyers and exhibitors
(*gặp gỡ giao thương*) and the contracts and memoranda of understanding (*hợp đồng*, *biên bản
ghi nhớ*) signed there, recorded by the fair's organizer, or by an exhibitor for its own.

A record is made under the client's id (``meeting_id``, ``contract_id``): sent again with the
same content it answers the first recording; with other content (or at another fair, or by
another organization) it is a conflict naming the id.

The report counts meetings by outcome, and contracts and memoranda with their value by
exhibitor, by the exhibitor's province and by product group (a contract of products of two
groups shares its value between them, in whole đồng, the remainder to the lowest group)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

import orjson

from ocop_registration.domain.fairs import Fair
from ocop_registration.domain.products import CLASSIFICATIONS
from ocop_shared.errors import Conflict, InvalidField, NotFound

Outcome = Literal["agreed", "follow_up", "no_deal"]
OUTCOMES: tuple[Outcome, ...] = ("agreed", "follow_up", "no_deal")
ContractKind = Literal["contract", "mou"]
KINDS: tuple[ContractKind, ...] = ("contract", "mou")

# Trade is recorded at a fair being set up, held, or over (not a draft, nor before it closes
# its applications: no exhibitor is placed yet).
HELD: frozenset[str] = frozenset({"closed", "running", "finished"})
# A meeting is held during the fair (a day of margin either side for its setting up).
MEETING_MARGIN = timedelta(days=1)

GROUP_NAMES: dict[tuple[str, int], str] = {
    (c.taxonomy, g.number): g.name_vi for c in CLASSIFICATIONS for g in c.groups
}


class FairNotHeld(Conflict):
    """Trade and visitors are recorded at a fair that is set up, held or over (closed,
    running or finished)."""

    code = "fair_not_held"


class RecordIdTaken(Conflict):
    """The client's id was recorded already with other content."""

    code = "record_id_taken"


@dataclass(frozen=True, slots=True)
class Recorder:
    """Who records: the fair's organizer or an exhibitor (its own), through a person (None
    for an API key)."""

    organization_id: str
    role: Literal["organizer", "exhibitor", "admin"]
    person: UUID | None = None


@dataclass(frozen=True, slots=True)
class Shown:
    """A product an exhibitor shows at the fair (an approved application admits it), with
    what the report groups by."""

    product_id: UUID
    product_name: str
    product_group: int
    taxonomy: str
    holder_id: UUID
    exhibitor_id: UUID
    exhibitor_name: str
    exhibitor_province: str


@dataclass(frozen=True, slots=True)
class Buyer:
    name: str
    organization: str
    country: str  # ISO 3166-1 alpha-2
    province: str | None
    contact: str

    def parts(self) -> list[Any]:
        return [self.name, self.organization, self.country, self.province, self.contact]


@dataclass(frozen=True, slots=True)
class MeetingDraft:
    meeting_id: UUID
    exhibitor_id: UUID | None  # the exhibitor recording its own: itself
    buyer: Buyer
    held_at: datetime  # UTC
    outcome: Outcome
    note: str | None

    def content_hash(self, fair_id: UUID) -> bytes:
        return _hash([str(fair_id), _id(self.exhibitor_id), *self.buyer.parts(),
                      self.held_at.isoformat(), self.outcome, self.note])  # fmt: skip


@dataclass(frozen=True, slots=True)
class Meeting:
    meeting_id: UUID
    fair_id: UUID
    exhibitor_id: UUID
    exhibitor_name: str
    buyer: Buyer
    held_at: datetime
    outcome: Outcome
    note: str | None
    recorded_by_org: str
    recorded_by: UUID | None
    recorded_at: datetime
    content_hash: bytes


@dataclass(frozen=True, slots=True)
class ContractDraft:
    contract_id: UUID
    kind: ContractKind
    exhibitor_id: UUID | None
    buyer: Buyer
    product_ids: tuple[UUID, ...]
    value_vnd: int
    signed_on: date
    meeting_id: UUID | None

    def content_hash(self, fair_id: UUID) -> bytes:
        return _hash([str(fair_id), self.kind, _id(self.exhibitor_id), *self.buyer.parts(),
                      [str(p) for p in self.product_ids], self.value_vnd,
                      self.signed_on.isoformat(), _id(self.meeting_id)])  # fmt: skip


@dataclass(frozen=True, slots=True)
class TradeContract:
    contract_id: UUID
    fair_id: UUID
    kind: ContractKind
    exhibitor_id: UUID
    exhibitor_name: str
    buyer: Buyer
    product_ids: tuple[UUID, ...]
    value_vnd: int
    signed_on: date
    meeting_id: UUID | None
    recorded_by_org: str
    recorded_by: UUID | None
    recorded_at: datetime
    content_hash: bytes


def _id(value: UUID | None) -> str | None:
    return str(value) if value else None


def _hash(parts: list[Any]) -> bytes:
    return hashlib.sha256(orjson.dumps(parts)).digest()


# --- who reaches the fair ----------------------------------------------------------------


def check_reaches(recorder: Recorder, fair: Fair | None, shown: Sequence[Shown]) -> Fair:
    """The fair's organizer (the admin) reaches it; an exhibitor the fairs it exhibits at.
    Any other fair is answered as missing."""
    if fair is None or fair.status == "draft":
        raise NotFound("no such fair", field="fair_id")
    if recorder.role == "admin" or (
        recorder.role == "organizer" and fair.organizer_id == recorder.organization_id
    ):
        return fair
    if recorder.role == "exhibitor" and any(
        str(s.exhibitor_id) == recorder.organization_id for s in shown
    ):
        return fair
    raise NotFound("no such fair", field="fair_id")


def check_held(fair: Fair) -> None:
    if fair.status not in HELD:
        raise FairNotHeld(
            f"a fair that is {fair.status} records no trade or visitors yet", field="fair_id"
        )


def exhibitor_of(recorder: Recorder, named: UUID | None, shown: Sequence[Shown]) -> Shown:
    """The exhibitor the record is of: the one named (the organizer must name it), or the
    exhibitor recording its own; it must exhibit at the fair (422 naming ``exhibitor_id``)."""
    if recorder.role == "exhibitor":
        if named is not None and str(named) != recorder.organization_id:
            raise InvalidField("exhibitor_id", "an exhibitor records its own trade only")
        named = UUID(recorder.organization_id)
    if named is None:
        raise InvalidField("exhibitor_id", "name the exhibitor that met the buyer")
    for s in shown:
        if s.exhibitor_id == named:
            return s
    raise InvalidField("exhibitor_id", "this exhibitor does not exhibit at this fair")


def _recorded_once(stored_fair: UUID, stored_org: str, stored_hash: bytes, fair_id: UUID,
                   recorder: Recorder, content_hash: bytes, field: str) -> None:  # fmt: skip
    if (
        stored_fair != fair_id
        or stored_org != recorder.organization_id
        or (stored_hash != content_hash)
    ):
        raise RecordIdTaken(f"this {field} was recorded with other content", field=field)


# --- meetings ----------------------------------------------------------------------------


def replay_meeting(
    draft: MeetingDraft, fair_id: UUID, recorder: Recorder, stored: Meeting
) -> Meeting:
    _recorded_once(stored.fair_id, stored.recorded_by_org, stored.content_hash, fair_id,
                   recorder, draft.content_hash(fair_id), "meeting_id")  # fmt: skip
    return stored


def record_meeting(
    draft: MeetingDraft, fair: Fair, recorder: Recorder, shown: Sequence[Shown], now: datetime
) -> Meeting:
    check_reaches(recorder, fair, shown)
    check_held(fair)
    exhibitor = exhibitor_of(recorder, draft.exhibitor_id, shown)
    if draft.outcome not in OUTCOMES:
        raise InvalidField("outcome", f"one of {', '.join(OUTCOMES)}")
    if not (fair.starts_at - MEETING_MARGIN <= draft.held_at <= fair.ends_at + MEETING_MARGIN):
        raise InvalidField("held_at", "a meeting is held during the fair")
    return Meeting(
        meeting_id=draft.meeting_id,
        fair_id=fair.fair_id,
        exhibitor_id=exhibitor.exhibitor_id,
        exhibitor_name=exhibitor.exhibitor_name,
        buyer=draft.buyer,
        held_at=draft.held_at,
        outcome=draft.outcome,
        note=draft.note,
        recorded_by_org=recorder.organization_id,
        recorded_by=recorder.person,
        recorded_at=now,
        content_hash=draft.content_hash(fair.fair_id),
    )


# --- contracts and memoranda -------------------------------------------------------------


def replay_contract(
    draft: ContractDraft, fair_id: UUID, recorder: Recorder, stored: TradeContract
) -> TradeContract:
    _recorded_once(stored.fair_id, stored.recorded_by_org, stored.content_hash, fair_id,
                   recorder, draft.content_hash(fair_id), "contract_id")  # fmt: skip
    return stored


def record_contract(
    draft: ContractDraft,
    fair: Fair,
    recorder: Recorder,
    shown: Sequence[Shown],
    meeting: Meeting | None,
    now: datetime,
) -> TradeContract:
    """A contract or memorandum signed at the fair: its products are the exhibitor's shown
    there (422 naming ``product_ids.N``); a contract has a value (a memorandum may state
    none: 0); a meeting it follows is one of this exhibitor's at this fair."""
    check_reaches(recorder, fair, shown)
    check_held(fair)
    exhibitor = exhibitor_of(recorder, draft.exhibitor_id, shown)
    if draft.kind not in KINDS:
        raise InvalidField("kind", f"one of {', '.join(KINDS)}")
    if not draft.product_ids:
        raise InvalidField("product_ids", "name at least one product")
    own = {s.product_id for s in shown if s.exhibitor_id == exhibitor.exhibitor_id}
    for n, product_id in enumerate(draft.product_ids):
        if product_id in draft.product_ids[:n]:
            raise InvalidField(f"product_ids.{n}", "the product is listed twice")
        if product_id not in own:
            raise InvalidField(f"product_ids.{n}", "the exhibitor shows no such product here")
    if draft.kind == "contract" and draft.value_vnd <= 0:
        raise InvalidField("value_vnd", "a contract states its value in đồng")
    if draft.meeting_id is not None and (
        meeting is None
        or meeting.fair_id != fair.fair_id
        or meeting.exhibitor_id != exhibitor.exhibitor_id
    ):
        raise InvalidField("meeting_id", "no such meeting of this exhibitor at this fair")
    return TradeContract(
        contract_id=draft.contract_id,
        fair_id=fair.fair_id,
        kind=draft.kind,
        exhibitor_id=exhibitor.exhibitor_id,
        exhibitor_name=exhibitor.exhibitor_name,
        buyer=draft.buyer,
        product_ids=draft.product_ids,
        value_vnd=draft.value_vnd,
        signed_on=draft.signed_on,
        meeting_id=draft.meeting_id,
        recorded_by_org=recorder.organization_id,
        recorded_by=recorder.person,
        recorded_at=now,
        content_hash=draft.content_hash(fair.fair_id),
    )


def seen_by(recorder: Recorder, fair: Fair, exhibitor_ids: Iterable[UUID]) -> set[UUID] | None:
    """Whose records a reader sees at a fair it reaches: all (None) for its organizer and the
    admin; an exhibitor its own."""
    if recorder.role == "admin" or fair.organizer_id == recorder.organization_id:
        return None
    return {e for e in exhibitor_ids if str(e) == recorder.organization_id}


# --- the report --------------------------------------------------------------------------


@dataclass
class Tally:
    """Contracts and memoranda counted, with their value (integer đồng)."""

    contracts: int = 0
    mous: int = 0
    value_vnd: int = 0  # contracts' and memoranda's stated values
    contract_value_vnd: int = 0  # contracts' only

    def add(self, kind: ContractKind, value: int, count: int = 1) -> None:
        if kind == "contract":
            self.contracts += count
            self.contract_value_vnd += value
        else:
            self.mous += count
        self.value_vnd += value


@dataclass(frozen=True, slots=True)
class GroupKey:
    taxonomy: str
    group: int

    @property
    def name_vi(self) -> str:
        return GROUP_NAMES.get((self.taxonomy, self.group), str(self.group))


@dataclass(frozen=True, slots=True)
class TradeReport:
    meetings: int
    meetings_by_outcome: dict[str, int]
    total: Tally
    by_exhibitor: list[tuple[Shown, Tally]]  # the exhibitor's name and province on Shown
    by_province: list[tuple[str, Tally]]
    by_group: list[tuple[GroupKey, Tally]]
    by_buyer_country: list[tuple[str, Tally]]


def split(value: int, parts: int) -> list[int]:
    """A value shared in whole đồng, the remainder to the first."""
    share, rest = divmod(value, parts)
    return [share + rest] + [share] * (parts - 1)


def report(
    meetings: Sequence[Meeting], contracts: Sequence[TradeContract], shown: Sequence[Shown]
) -> TradeReport:
    products = {s.product_id: s for s in shown}
    exhibitors = {s.exhibitor_id: s for s in shown}
    total = Tally()
    by_exhibitor: dict[UUID, Tally] = {}
    by_province: dict[str, Tally] = {}
    by_group: dict[GroupKey, Tally] = {}
    by_country: dict[str, Tally] = {}
    for c in contracts:
        total.add(c.kind, c.value_vnd)
        by_exhibitor.setdefault(c.exhibitor_id, Tally()).add(c.kind, c.value_vnd)
        exhibitor = exhibitors.get(c.exhibitor_id)
        province = exhibitor.exhibitor_province if exhibitor else ""
        by_province.setdefault(province, Tally()).add(c.kind, c.value_vnd)
        by_country.setdefault(c.buyer.country, Tally()).add(c.kind, c.value_vnd)
        groups = sorted(
            {
                GroupKey(p.taxonomy, p.product_group)
                for i in c.product_ids
                if (p := products.get(i))
            },
            key=lambda g: (g.taxonomy, g.group),
        )
        for key, share in zip(groups, split(c.value_vnd, len(groups) or 1), strict=False):
            by_group.setdefault(key, Tally()).add(c.kind, share)
    outcomes: dict[str, int] = {o: sum(1 for m in meetings if m.outcome == o) for o in OUTCOMES}
    return TradeReport(
        meetings=len(meetings),
        meetings_by_outcome=outcomes,
        total=total,
        by_exhibitor=sorted(
            ((exhibitors[e], t) for e, t in by_exhibitor.items() if e in exhibitors),
            key=lambda x: (-x[1].value_vnd, x[0].exhibitor_name),
        ),
        by_province=sorted(by_province.items(), key=lambda x: (-x[1].value_vnd, x[0])),
        by_group=sorted(by_group.items(), key=lambda x: (x[0].taxonomy, x[0].group)),
        by_buyer_country=sorted(by_country.items(), key=lambda x: (-x[1].value_vnd, x[0])),
    )
