"""Fairs: planned, listed, moved through their lifecycle, their rules changed."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from ocop_registration.adapters.http.deps import Cause, Uow
from ocop_registration.adapters.http.schemas import (
    FairAction,
    FairCreate,
    FairOut,
    FairUpdate,
    RulesIn,
)
from ocop_registration.application.commands import fairs as commands
from ocop_registration.application.queries import fairs as queries
from ocop_registration.domain.fair_kinds import OpeningHours
from ocop_registration.domain.fairs import FairDraft, Rules
from ocop_shared.authz import Caller, OptionalCaller

router = APIRouter(tags=["fairs"])


@router.post("/fairs", status_code=201, response_model=FairOut)
async def create_fair(body: FairCreate, principal: Caller, uow: Uow, cause: Cause) -> FairOut:
    draft = FairDraft(
        name=body.name,
        kind=body.kind,
        venue=body.venue,
        province=body.province,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        applications_open_at=body.applications_open_at,
        applications_close_at=body.applications_close_at,
        rules=Rules.model_validate(body.rules.model_dump()),
        host_retailer_id=body.host_retailer_id,
        store_codes=tuple(body.store_codes),
        opening_hours=tuple(
            OpeningHours.model_validate(h.model_dump()) for h in body.opening_hours
        ),
    )
    return FairOut.of(
        await uow.run(lambda u: commands.create_fair(u, principal, draft), cause=cause)
    )


@router.get("/fairs", response_model=list[FairOut])
async def list_fairs(uow: Uow) -> list[FairOut]:
    """Every fair that has opened, public."""
    return [FairOut.of(f) for f in await uow.read(queries.public_fairs)]


@router.get("/organizer/fairs", response_model=list[FairOut])
async def my_fairs(principal: Caller, uow: Uow) -> list[FairOut]:
    found = await uow.read(lambda repos: queries.organizer_fairs(repos, principal))
    return [FairOut.of(f) for f in found]


@router.get("/fairs/{fair_id}", response_model=FairOut)
async def get_fair(fair_id: UUID, uow: Uow, viewer: OptionalCaller) -> FairOut:
    """A fair that has opened, to anyone; a draft only to its organizer (and the admin)."""
    return FairOut.of(await uow.read(lambda repos: queries.public_fair(repos, fair_id, viewer)))


@router.patch("/fairs/{fair_id}", response_model=FairOut)
async def edit_fair(
    fair_id: UUID, body: FairUpdate, principal: Caller, uow: Uow, cause: Cause
) -> FairOut:
    """Its organizer changes a fair's name, venue, province or dates, while the fair is a
    draft or open (409 `fair_not_editable` after); the schedule stays consistent (422 naming
    the field: `ends_before_start`, `window_closes_before_opening`,
    `window_closes_after_start`; a showroom's window may close while it runs, by its end:
    `window_closes_after_end`). An open fair's change is announced as
    `registration.fair_rules_changed`, which carries the whole fair. A promotion week's
    `store_codes` (among its host retailer's) change with the rest; a showroom's
    `opening_hours` change until it finishes (announced while it runs too)."""
    changes = body.model_dump(exclude_unset=True)
    if changes.get("opening_hours") is not None:
        changes["opening_hours"] = [
            OpeningHours.model_validate(h) for h in changes["opening_hours"]
        ]
    edited = await uow.run(
        lambda u: commands.edit_fair(u, principal, fair_id, changes), cause=cause
    )
    return FairOut.of(edited)


@router.post("/fairs/{fair_id}/lifecycle", response_model=FairOut)
async def change_fair_status(
    fair_id: UUID, body: FairAction, principal: Caller, uow: Uow, cause: Cause
) -> FairOut:
    """One lifecycle step: `open` (a draft), `close` (an open fair), `start` (a closed
    fair), `finish` (a running fair); 409 on `status` from any other state. A showroom
    (rolling admissions) also starts from open, its applications staying open while it runs
    within their window, and closes them while it runs: it stays `running`, its
    `applications_close_at` moved to now (409 when they are closed already)."""
    moved = await uow.run(
        lambda u: commands.change_status(u, principal, fair_id, body.action), cause=cause
    )
    return FairOut.of(moved)


@router.put("/fairs/{fair_id}/rules", response_model=FairOut)
async def change_fair_rules(
    fair_id: UUID, body: RulesIn, principal: Caller, uow: Uow, cause: Cause
) -> FairOut:
    rules = Rules.model_validate(body.model_dump())
    changed = await uow.run(
        lambda u: commands.change_rules(u, principal, fair_id, rules), cause=cause
    )
    return FairOut.of(changed)
