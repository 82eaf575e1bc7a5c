"""Applications: an exhibitor applies, the fair's organizer reviews, the exhibitor withdraws."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter

from ocop_registration.adapters.http.deps import Cause, Uow
from ocop_registration.adapters.http.schemas import (
    ApplicationCreate,
    ApplicationForReview,
    ApplicationOut,
    HolderResultOut,
    Review,
)
from ocop_registration.application.commands import applications as commands
from ocop_registration.application.queries import applications as queries
from ocop_registration.domain.applications import BoothRequest
from ocop_shared.authz import Caller

router = APIRouter(tags=["applications"])


@router.post("/fairs/{fair_id}/applications", status_code=201, response_model=ApplicationOut)
async def apply(
    fair_id: UUID, body: ApplicationCreate, principal: Caller, uow: Uow, cause: Cause
) -> ApplicationOut:
    booth_request = BoothRequest.model_validate(body.booth_request.model_dump())
    submitted = await uow.run(
        lambda u: commands.apply(u, principal, fair_id, body.product_ids, booth_request),
        cause=cause,
    )
    return ApplicationOut.of(submitted)


@router.get("/fairs/{fair_id}/applications", response_model=list[ApplicationForReview])
async def fair_applications(
    fair_id: UUID,
    principal: Caller,
    uow: Uow,
    status: Literal["submitted", "approved", "rejected", "waitlisted", "withdrawn"] | None = None,
) -> list[ApplicationForReview]:
    """The review queue, with each holder's results at past fairs (from the sales service)."""
    queue = await uow.read(lambda repos: queries.review_queue(repos, principal, fair_id, status))
    return [
        ApplicationForReview(
            **dict(ApplicationOut.of(item.application)),
            history={
                holder: [HolderResultOut.model_validate(r) for r in results]
                for holder, results in item.history.items()
            },
        )
        for item in queue
    ]


@router.get("/applications", response_model=list[ApplicationOut])
async def my_applications(principal: Caller, uow: Uow) -> list[ApplicationOut]:
    found = await uow.read(lambda repos: queries.my_applications(repos, principal))
    return [ApplicationOut.of(a) for a in found]


@router.get("/applications/{application_id}", response_model=ApplicationOut)
async def get_application(application_id: UUID, principal: Caller, uow: Uow) -> ApplicationOut:
    found = await uow.read(lambda repos: queries.get_application(repos, principal, application_id))
    return ApplicationOut.of(found)


@router.post("/applications/{application_id}/review", response_model=ApplicationOut)
async def review(
    application_id: UUID, body: Review, principal: Caller, uow: Uow, cause: Cause
) -> ApplicationOut:
    reviewed = await uow.run(
        lambda u: commands.review(
            u, principal, application_id, body.decision, body.reason, body.reason_code
        ),
        cause=cause,
    )
    return ApplicationOut.of(reviewed)


@router.post("/applications/{application_id}/withdraw", response_model=ApplicationOut)
async def withdraw(
    application_id: UUID, principal: Caller, uow: Uow, cause: Cause
) -> ApplicationOut:
    withdrawn = await uow.run(
        lambda u: commands.withdraw(u, principal, application_id), cause=cause
    )
    return ApplicationOut.of(withdrawn)
