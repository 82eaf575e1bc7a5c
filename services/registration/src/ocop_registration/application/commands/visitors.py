"""Visitors counted at the gates (issue 15): an increment of a day of the fair, by its
organizer's people or a device with the organizer's API key."""

from __future__ import annotations

from uuid import UUID

from ocop_registration.application import clock
from ocop_registration.application.commands.trade import Recorded
from ocop_registration.application.ports import Repositories
from ocop_registration.domain import visitors
from ocop_registration.domain.trade import Recorder
from ocop_registration.domain.visitors import CountDraft, VisitorCount
from ocop_shared.uow import UnitOfWork


async def count_visitors(
    uow: UnitOfWork[Repositories], recorder: Recorder, fair_id: UUID, draft: CountDraft
) -> Recorded[VisitorCount]:
    repos = uow.repos
    now = clock.now()
    fair = visitors.check_reaches(recorder, await repos.fairs.get(fair_id))
    stored = await repos.visitors.get(draft.count_id)
    if stored is not None:
        return Recorded(visitors.replay(draft, fair, recorder, stored, now), replayed=True)
    day_total = await repos.visitors.lock_day(fair.fair_id, visitors.day_of(draft, fair, now))
    count = visitors.record(draft, fair, recorder, day_total, now)
    if not await repos.visitors.add(count):
        twin = await repos.visitors.get(draft.count_id)
        assert twin is not None
        return Recorded(visitors.replay(draft, fair, recorder, twin, now), replayed=True)
    return Recorded(count, replayed=False)
