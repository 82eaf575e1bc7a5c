"""Steps several handlers share: persisting a booth decision, releasing a booth (and offering
it to the waitlist), confirming what payments cover, and an exhibitor's fee statement."""

from __future__ import annotations

from uuid import UUID

from ocop_booths.application.ports import Repositories
from ocop_booths.domain import booths as lifecycle
from ocop_booths.domain import fees
from ocop_booths.domain.applications import Rules
from ocop_booths.domain.booths import Booth, Claimant, Decision, Relocation, Terms
from ocop_booths.domain.reasons import Reason
from ocop_shared.uow import UnitOfWork


async def record(uow: UnitOfWork[Repositories], decision: Decision | Relocation) -> None:
    """The decision's audit rows and events, in the unit of work's transaction."""
    await uow.repos.booths.audit(decision.audit)
    uow.emit_all(decision.events)


async def release(
    uow: UnitOfWork[Repositories], decision: Decision, terms: Terms, *, offer: bool = True
) -> Decision:
    """Persists a release (the occupant's row goes), then offers the booth to the waitlist."""
    await uow.repos.booths.vacate(decision.booth.booth_id)
    await record(uow, decision)
    if offer:
        await offer_to_waitlist(uow, decision.booth, terms)
    return decision


async def release_all_of(
    uow: UnitOfWork[Repositories], application_id: UUID, reason: Reason, terms: Terms
) -> list[Decision]:
    """Every booth of an application goes back (and to the waitlist), in booth id order."""
    released = []
    for booth_id in await uow.repos.booths.of_application(application_id):
        booth = await uow.repos.booths.get(booth_id, lock=True)
        if booth is not None and booth.occupant is not None:
            decision = lifecycle.release(booth, reason=reason, actor="registration")
            released.append(await release(uow, decision, terms))
    return released


async def offer_to_waitlist(
    uow: UnitOfWork[Repositories], booth: Booth, terms: Terms
) -> Decision | None:
    """Offers a free booth to the best-ranked waiting application that wants its type and has
    room for one more booth: its request, capped by the fair's booths per holder, counting the
    booths it holds, is assigned or has confirmed. The application is locked as a hold locks
    it, so an offer and the exhibitor's own hold never both take its last place."""
    if booth.state != "free":
        return None
    repos = uow.repos
    fair = await repos.fairs.get(booth.fair_id)
    rules = fair.rules if fair is not None else None
    passed: list[UUID] = []
    while True:
        candidate = await repos.waitlist.next_candidate(
            booth.fair_id, booth.booth_type, passed=passed
        )
        if candidate is None:
            return None
        application = await repos.applications.approved_for_update(
            booth.fair_id, candidate.exhibitor_id
        )
        if (
            application is not None
            and application.application_id == candidate.application_id
            and application.room(
                rules, have=await repos.booths.count_of_application(application.application_id)
            )
        ):
            break
        passed.append(candidate.application_id)
    decision = lifecycle.offer(
        booth,
        Claimant(candidate.application_id, candidate.exhibitor_id),
        rank=candidate.rank,
        now=await repos.now(),
        minutes=terms.waitlist_offer_minutes,
    )
    if not await repos.booths.occupy(decision.booth):
        return None
    await record(uow, decision)
    await repos.waitlist.mark_offered(booth.fair_id, candidate.application_id, booth.booth_id)
    return decision


async def statement(
    repos: Repositories, fair_id: UUID, exhibitor_id: UUID, terms: Terms
) -> fees.Statement:
    """The exhibitor's fees: the fair's subsidy rule, per holder its application shows (a
    delegation's member holders), the service's corner surcharge."""
    fair = await repos.fairs.get(fair_id)
    rules = fair.rules if fair is not None else Rules()
    application = await repos.applications.latest_of(fair_id, exhibitor_id)
    fee_rules = fees.FeeRules(
        corner_surcharge_percent=terms.corner_surcharge_percent,
        subsidy_percent=rules.subsidy_percent,
        subsidy_max_booths=rules.subsidy_max_booths,
        holders=application.holder_count if application is not None else 1,
    )
    return fees.statement(
        fair_id,
        exhibitor_id,
        await repos.booths.billed(fair_id, exhibitor_id),
        paid_vnd=await repos.payments.paid(fair_id, exhibitor_id),
        rules=fee_rules,
    )


async def confirm_paid(
    uow: UnitOfWork[Repositories], fair_id: UUID, exhibitor_id: UUID, *, actor: str, terms: Terms
) -> list[str]:
    """Confirms the exhibitor's held or assigned booths once its payments cover them all;
    the codes of the booths confirmed."""
    repos = uow.repos
    unpaid = await repos.booths.occupied_by(fair_id, exhibitor_id, unconfirmed=True, lock=True)
    if not unpaid or not (await statement(repos, fair_id, exhibitor_id, terms)).settled:
        return []
    confirmed = []
    for booth in unpaid:
        decision = lifecycle.confirm(booth, actor=actor)
        assert decision.booth.occupant is not None
        await repos.booths.update_occupant(decision.booth.occupant)
        await record(uow, decision)
        await repos.waitlist.mark_placed(fair_id, decision.booth.occupant.application_id)
        confirmed.append(booth.code)
    return confirmed
