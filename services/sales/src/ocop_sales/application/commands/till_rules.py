"""A fair's rules for its tills, set by its organizer."""

from __future__ import annotations

from uuid import UUID

from ocop_sales.application.ports import Repositories
from ocop_sales.domain.access import Viewer, check_organizer
from ocop_sales.domain.terminals import TillRules, check_till_rules
from ocop_shared.uow import UnitOfWork


async def set_till_rules(
    uow: UnitOfWork[Repositories], *, fair_id: UUID, rules: TillRules, by: Viewer
) -> TillRules:
    """Replaces the fair's till rules (another organizer's fair answers 404). The fair's
    ``max_discount_percent`` is what its sales' discounts are checked against from now on."""
    check_organizer(by, await uow.repos.fairs.organizer_of(fair_id))
    await uow.repos.till_rules.save(fair_id, check_till_rules(rules), by.subject)
    return rules
