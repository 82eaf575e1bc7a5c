"""Reading applications: the review queue of a fair, an exhibitor's own, one application."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from ocop_registration.application.access import holder_of, owns_fair, visible_application
from ocop_registration.application.ports import Repositories
from ocop_registration.domain.applications import Application
from ocop_registration.domain.holder_results import FairResult
from ocop_shared.auth import Principal


@dataclass(frozen=True)
class ForReview:
    application: Application
    history: dict[UUID, list[FairResult]]  # each holder's results at past fairs


async def review_queue(
    repos: Repositories, principal: Principal, fair_id: UUID, status: str | None
) -> list[ForReview]:
    """A fair's applications, with each holder's results at past fairs (from sales)."""
    owns_fair(principal, await repos.fairs.get(fair_id))
    found = await repos.applications.list(fair_id=fair_id, status=status)
    holders = {p.holder_id for a in found for p in a.products}
    history = await repos.holder_results.history(list(holders))
    return [
        ForReview(a, {h: history.get(h, []) for h in {p.holder_id for p in a.products}})
        for a in found
    ]


async def my_applications(repos: Repositories, principal: Principal) -> list[Application]:
    return await repos.applications.list(exhibitor_id=holder_of(principal))


async def get_application(
    repos: Repositories, principal: Principal, application_id: UUID
) -> Application:
    return await visible_application(repos, application_id, principal)
