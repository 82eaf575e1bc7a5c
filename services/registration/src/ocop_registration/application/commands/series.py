"""Fair series (issue 15): an organizer names a series and places its fairs in it."""

from __future__ import annotations

from uuid import UUID

from ocop_registration.application import clock
from ocop_registration.application.commands.trade import Recorded
from ocop_registration.application.ports import Repositories
from ocop_registration.domain import series
from ocop_registration.domain.series import Series
from ocop_registration.domain.trade import Recorder
from ocop_shared.errors import NotFound
from ocop_shared.uow import UnitOfWork


async def create_series(
    uow: UnitOfWork[Repositories], recorder: Recorder, series_id: UUID, name: str
) -> Recorded[Series]:
    repos = uow.repos
    stored = await repos.series.get(series_id)
    if stored is not None:
        return Recorded(series.replay(name, recorder, stored), replayed=True)
    made = Series(series_id, recorder.organization_id, name, clock.now())
    if not await repos.series.add(made):
        twin = await repos.series.get(series_id)
        assert twin is not None
        return Recorded(series.replay(name, recorder, twin), replayed=True)
    return Recorded(made, replayed=False)


async def place_fair(
    uow: UnitOfWork[Repositories], recorder: Recorder, fair_id: UUID, series_id: UUID | None
) -> Series | None:
    """Puts the organizer's fair in one of its series (None: in none). Another's fair is
    404 naming ``fair_id``; another's series 404 naming ``series_id``."""
    repos = uow.repos
    fair = await repos.fairs.get(fair_id)
    if fair is None or not (
        recorder.role == "admin" or fair.organizer_id == recorder.organization_id
    ):
        raise NotFound("no such fair", field="fair_id")
    found = None
    if series_id is not None:
        found = series.check_owner(recorder, await repos.series.get(series_id))
        if found.organizer_id != fair.organizer_id:
            raise NotFound("no such series", field="series_id")
    await repos.series.place(fair.fair_id, series_id)
    return found
