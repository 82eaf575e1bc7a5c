"""Recording sales, one at a time (online) or in offline batches.

A sale is not run in a ``UnitOfWork``: it is two statements on one pooled connection, in
autocommit, and no BEGIN/COMMIT round trips. The first reads the till, its catalog and the
sales already stored under the request's ids; the domain judges every sale; the second
writes the new sales, their lines, the till's next receipt number and the outbox rows in
one statement, only if the till's receipt counter has not moved since the read (an
optimistic guard, no row lock). If another request of the same till wrote in between, the
handler reads and decides again: a twin in flight then finds the first one's sale and
answers it as a replay. ``UnitOfWorkFactory.read`` lends the repositories on one
connection for exactly that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from ocop_sales.application.ports import Repositories
from ocop_sales.domain.sales import (
    SaleIn,
    SaleOutcome,
    SalePolicy,
    check_batch,
    count_outcomes,
    judge_sales,
    utcnow,
)
from ocop_shared.errors import Conflict
from ocop_shared.outbox import Causation

ATTEMPTS = 20


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    results: list[SaleOutcome]
    counts: dict[str, int]


async def record_sale(
    repos: Repositories, *, terminal_id: UUID, sale: SaleIn, policy: SalePolicy, cause: Causation
) -> SaleOutcome:
    """Records one sale made now. Retrying with the same sale id and content answers as the
    first time; the same id with another content is a conflict."""
    [outcome] = await _record(repos, terminal_id, [sale], policy, offline=False, cause=cause)
    return outcome


async def record_offline_batch(
    repos: Repositories,
    *,
    terminal_id: UUID,
    sales: Sequence[SaleIn],
    policy: SalePolicy,
    cause: Causation,
) -> BatchOutcome:
    """Records sales queued while offline, in any order, repeats included; each is judged
    at its device time (a product revoked later was still sellable when it was sold)."""
    check_batch(len(sales), policy)
    outcomes = await _record(repos, terminal_id, sales, policy, offline=True, cause=cause)
    return BatchOutcome(outcomes, count_outcomes(outcomes))


async def _record(
    repos: Repositories,
    terminal_id: UUID,
    sales: Sequence[SaleIn],
    policy: SalePolicy,
    *,
    offline: bool,
    cause: Causation,
) -> list[SaleOutcome]:
    tills = repos.tills
    sale_ids = [sale.sale_id for sale in sales]
    for _attempt in range(ATTEMPTS):
        till = await tills.read(terminal_id, sale_ids)
        decision = judge_sales(till, sales, policy, now=utcnow(), offline=offline)
        if not decision.new_sales or await tills.record(till, decision, cause):
            return decision.outcomes
    raise Conflict("this terminal is busy with other requests; retry", field="terminal_id")
