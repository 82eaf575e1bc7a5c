"""Applications: an exhibitor applies to an open fair, its organizer reviews, the exhibitor may
withdraw."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from uuid import UUID

from ocop_registration.application import clock
from ocop_registration.application.access import holder_of, visible_application
from ocop_registration.application.ports import Repositories
from ocop_registration.domain import applications
from ocop_registration.domain.applications import Application, BoothRequest
from ocop_registration.domain.refusals import ProductNotFound
from ocop_shared.auth import Principal
from ocop_shared.errors import NotFound
from ocop_shared.uow import UnitOfWork


async def apply(
    uow: UnitOfWork[Repositories],
    principal: Principal,
    fair_id: UUID,
    product_ids: Sequence[UUID],
    booth_request: BoothRequest,
) -> Application:
    exhibitor_id = holder_of(principal)
    applications.check_distinct(product_ids)
    fair = await uow.repos.fairs.get(fair_id)
    if fair is None or fair.status == "draft":
        raise NotFound("no such fair")
    applicant = await uow.repos.exhibitors.get(exhibitor_id, lock=True)
    if applicant is None:
        raise NotFound("no such exhibitor")
    found = await uow.repos.products.get_many(product_ids)
    for i, pid in enumerate(product_ids):
        if pid not in found:
            raise ProductNotFound(f"product_ids.{i}", f"no product {pid}")
    decided = applications.submit(
        fair,
        applicant,
        [found[p] for p in product_ids],
        booth_request,
        application_id=uuid.uuid4(),
        now=clock.now(),
    )
    await uow.repos.applications.add(decided.state)
    uow.emit_all(decided.events)
    return decided.state


async def review(
    uow: UnitOfWork[Repositories],
    principal: Principal,
    application_id: UUID,
    decision: str,
    reason: str | None,
    reason_code: str | None = None,
) -> Application:
    """The fair's organizer (or the admin) decides; others are answered "no such application"."""
    current = await visible_application(uow.repos, application_id, principal, lock=True)
    fair = await uow.repos.fairs.get(current.fair_id)
    assert fair is not None  # an application's fair is never deleted
    applicant = await uow.repos.exhibitors.get(current.exhibitor_id)
    assert applicant is not None  # nor its exhibitor
    decided = applications.review(
        current,
        fair,
        decision=decision,
        reason=reason,
        reviewer=principal.subject,
        now=clock.now(),
        holders={applicant.exhibitor_id, *applicant.member_ids},  # accepted members only
        reason_code=reason_code,
    )
    await uow.repos.applications.save(decided.state)
    uow.emit_all(decided.events)
    return decided.state


async def withdraw(
    uow: UnitOfWork[Repositories], principal: Principal, application_id: UUID
) -> Application:
    current = await visible_application(uow.repos, application_id, principal, lock=True)
    decided = applications.withdraw(current)
    await uow.repos.applications.save(decided.state)
    uow.emit_all(decided.events)
    return decided.state
