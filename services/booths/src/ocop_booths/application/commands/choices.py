"""Ranked booth choices: in a fair whose rules say ``allocation_mode: ranked``, an approved
exhibitor ranks the booths it wants; the organizer's allocation run takes them as preferences."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from ocop_booths.application.ports import Repositories
from ocop_booths.application.queries.choices import MyChoices, my_choices
from ocop_booths.domain import choices
from ocop_booths.domain.applications import check_may_hold, check_ranked
from ocop_booths.domain.refusals import AlreadyPlaced, ApplicationNotFound
from ocop_shared.auth import Principal
from ocop_shared.uow import UnitOfWork


async def submit_choices(
    uow: UnitOfWork[Repositories], principal: Principal, fair_id: UUID, booth_ids: Sequence[UUID]
) -> MyChoices:
    """Replaces the caller's choices at a ranked fair (an empty list withdraws them). Its
    application is locked, as a hold locks it, so two submissions end as one of them."""
    repos = uow.repos
    exhibitor_id = UUID(principal.subject)
    approved = await repos.applications.approved_for_update(fair_id, exhibitor_id)
    if approved is None and not await repos.applications.exhibits(fair_id, exhibitor_id):
        raise ApplicationNotFound("you have no application at this fair", field="fair_id")
    application = check_may_hold(approved)
    booths = await repos.booths.get_many(booth_ids)
    choices.check_at_fair(fair_id, booth_ids, booths)  # another fair's booth: 404 first
    check_ranked(await repos.fairs.get(fair_id))
    if await repos.booths.count_of_application(application.application_id):
        raise AlreadyPlaced(
            "your application has its booths already: choices no longer change them",
            field="fair_id",
        )
    chosen = choices.check_choices(application, booth_ids, booths)
    await repos.choices.replace(fair_id, application.application_id, chosen)
    return await my_choices(repos, principal, fair_id)
