"""Trade matching (issue 15): the fair's organizer, or an exhibitor for its own, records the
meetings with buyers and the contracts and memoranda signed at the fair. A retry with the same
client id and content answers the first recording."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar
from uuid import UUID

from ocop_registration.application import clock
from ocop_registration.application.ports import Repositories
from ocop_registration.domain import trade
from ocop_registration.domain.trade import (
    ContractDraft,
    Meeting,
    MeetingDraft,
    Recorder,
    TradeContract,
)
from ocop_shared.uow import UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Recorded(Generic[T]):
    record: T
    replayed: bool  # the same id and content was recorded before


async def record_meeting(
    uow: UnitOfWork[Repositories], recorder: Recorder, fair_id: UUID, draft: MeetingDraft
) -> Recorded[Meeting]:
    repos = uow.repos
    fair = await repos.fairs.get(fair_id)
    shown = await repos.trade.shown(fair_id) if fair else []
    fair = trade.check_reaches(recorder, fair, shown)
    stored = await repos.trade.meeting(draft.meeting_id)
    if stored is not None:
        return Recorded(trade.replay_meeting(draft, fair_id, recorder, stored), replayed=True)
    meeting = trade.record_meeting(draft, fair, recorder, shown, clock.now())
    if not await repos.trade.add_meeting(meeting):
        twin = await repos.trade.meeting(draft.meeting_id)
        assert twin is not None  # its id was taken by a committed twin
        return Recorded(trade.replay_meeting(draft, fair_id, recorder, twin), replayed=True)
    return Recorded(meeting, replayed=False)


async def record_contract(
    uow: UnitOfWork[Repositories], recorder: Recorder, fair_id: UUID, draft: ContractDraft
) -> Recorded[TradeContract]:
    repos = uow.repos
    fair = await repos.fairs.get(fair_id)
    shown = await repos.trade.shown(fair_id) if fair else []
    fair = trade.check_reaches(recorder, fair, shown)
    stored = await repos.trade.contract(draft.contract_id)
    if stored is not None:
        return Recorded(trade.replay_contract(draft, fair_id, recorder, stored), replayed=True)
    meeting = await repos.trade.meeting(draft.meeting_id) if draft.meeting_id else None
    contract = trade.record_contract(draft, fair, recorder, shown, meeting, clock.now())
    if not await repos.trade.add_contract(contract):
        twin = await repos.trade.contract(draft.contract_id)
        assert twin is not None
        return Recorded(trade.replay_contract(draft, fair_id, recorder, twin), replayed=True)
    return Recorded(contract, replayed=False)
