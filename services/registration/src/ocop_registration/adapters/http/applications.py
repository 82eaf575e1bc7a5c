"""Applications: an exhibitor applies, the fair's organizer reviews, the exhibitor withdraws."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from ocop_registration.adapters.http.deps import Anyone, Cause, Exhibitor, Organizer, Uow
from ocop_registration.adapters.http.schemas import (
    ApplicationCreate,
    ApplicationForReview,
    HolderResultOut,
    Review,
)
from ocop_registration.application.commands import applications as commands
from ocop_registration.application.queries import applications as queries
from ocop_shared.contracts.registration import ApplicationSnapshot, BoothRequest

router = APIRouter(tags=["applications"])


@router.post("/fairs/{fair_id}/applications", status_code=201, response_model=ApplicationSnapshot)
async def apply(
    fair_id: UUID, body: ApplicationCreate, principal: Exhibitor, uow: Uow, cause: Cause
) -> ApplicationSnapshot:
    booth_request = BoothRequest.model_validate(body.booth_request.model_dump())
    return await uow.run(
        lambda u: commands.apply(u, principal, fair_id, body.product_ids, booth_request),
        cause=cause,
    )


@router.get("/fairs/{fair_id}/applications", response_model=list[ApplicationForReview])
async def fair_applications(
    fair_id: UUID, principal: Organizer, uow: Uow, status: str | None = None
) -> list[ApplicationForReview]:
    """The review queue, with each holder's results at past fairs (from the sales service)."""
    queue = await uow.read(lambda repos: queries.review_queue(repos, principal, fair_id, status))
    return [
        ApplicationForReview(
            **item.application.model_dump(),
            history={
                holder: [
                    HolderResultOut(
                        fair_id=r.fair_id,
                        sales=r.sales,
                        gross_vnd=r.gross_vnd,
                        refunded_vnd=r.refunded_vnd,
                        net_vnd=r.net_vnd,
                    )
                    for r in results
                ]
                for holder, results in item.history.items()
            },
        )
        for item in queue
    ]


@router.get("/applications", response_model=list[ApplicationSnapshot])
async def my_applications(principal: Exhibitor, uow: Uow) -> list[ApplicationSnapshot]:
    return await uow.read(lambda repos: queries.my_applications(repos, principal))


@router.get("/applications/{application_id}", response_model=ApplicationSnapshot)
async def get_application(application_id: UUID, principal: Anyone, uow: Uow) -> ApplicationSnapshot:
    return await uow.read(lambda repos: queries.get_application(repos, principal, application_id))


@router.post("/applications/{application_id}/review", response_model=ApplicationSnapshot)
async def review(
    application_id: UUID, body: Review, principal: Organizer, uow: Uow, cause: Cause
) -> ApplicationSnapshot:
    return await uow.run(
        lambda u: commands.review(u, principal, application_id, body.decision, body.reason),
        cause=cause,
    )


@router.post("/applications/{application_id}/withdraw", response_model=ApplicationSnapshot)
async def withdraw(
    application_id: UUID, principal: Exhibitor, uow: Uow, cause: Cause
) -> ApplicationSnapshot:
    return await uow.run(lambda u: commands.withdraw(u, principal, application_id), cause=cause)
