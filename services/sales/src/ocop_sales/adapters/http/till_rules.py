"""Routes: a fair's rules for its tills."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from ocop_sales.adapters.http.deps import Cause, Wired
from ocop_sales.adapters.http.schemas import TillRulesAnswer, TillRulesBody
from ocop_sales.application.commands import till_rules
from ocop_sales.application.queries import terminals as terminal_queries
from ocop_sales.domain.terminals import TillRules
from ocop_shared.authz import Caller

router = APIRouter(tags=["terminals"])


@router.get("/fairs/{fair_id}/till-rules")
async def get_till_rules(fair_id: UUID, principal: Caller, wired: Wired) -> TillRulesAnswer:
    """The fair's rules for its tills (the defaults until its organizer sets them): how long
    and how much a till may sell offline (the till enforces them and counts down), and the
    largest discount a line may have."""
    rules = await wired.uow.read(
        lambda repos: terminal_queries.till_rules(
            repos,
            fair_id=fair_id,
            by=principal,
            default_discount_percent=wired.policy.max_discount_percent,
        )
    )
    return TillRulesAnswer.model_validate(rules)


@router.put("/fairs/{fair_id}/till-rules")
async def put_till_rules(
    fair_id: UUID, body: TillRulesBody, principal: Caller, cause: Cause, wired: Wired
) -> TillRulesAnswer:
    """Sets the fair's till rules, all of them. The offline caps are the tills' to enforce (no
    sale is refused by the server for them); `max_discount_percent` is checked on every sale
    at the fair from now on. A single offline sale must fit in what may be held unsynced
    (422 naming `offline_max_sale_vnd`)."""
    rules = await wired.uow.run(
        lambda uow: till_rules.set_till_rules(
            uow, fair_id=fair_id, rules=TillRules(**body.model_dump()), by=principal
        ),
        cause=cause,
    )
    return TillRulesAnswer.model_validate(rules)
