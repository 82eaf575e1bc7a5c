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

Under contention (many requests of one till at once) the optimistic write is retried a few
times with a jittered, growing pause; past that bound the request takes the serialising path:
a transaction that locks the till's row while it reads, decides and writes, so it cannot lose
again. Contention is never answered as a conflict (409 means a sale id reused for another
sale) nor as a server error.

The server's clock (read with the till) is the time of an online sale and of every answer.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from ocop_sales.application.ports import Repositories
from ocop_sales.domain.sales import (
    SaleIn,
    SaleOutcome,
    SalePolicy,
    Till,
    check_batch,
    count_outcomes,
    judge_sales,
)
from ocop_sales.domain.transfers import BankState
from ocop_shared.errors import Conflict
from ocop_shared.outbox import Causation

OPTIMISTIC_ATTEMPTS = 4  # then the serialising path
BACKOFF_SECONDS = 0.002  # the first retry's mean pause; doubles each time
SERIALISED_ATTEMPTS = 10  # a locked write fails only if a block lands in between


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
    receipt_nos = [sale.receipt_no for sale in sales if sale.receipt_no is not None]
    # VietQR payment codes: only a sale that has one costs the extra read (_bank).
    codes = [p.payment_code for sale in sales for p in sale.payments if p.payment_code]
    for attempt in range(OPTIMISTIC_ATTEMPTS):
        if attempt:
            await asyncio.sleep(random.uniform(0, 2 * BACKOFF_SECONDS * 2**attempt))
        till = await tills.read(terminal_id, sale_ids, receipt_nos)
        bank = await _bank(repos, till, codes)
        decision = judge_sales(till, sales, policy, now=till.clock, offline=offline, bank=bank)
        if not decision.new_sales or await tills.record(till, decision, cause):
            return decision.outcomes
    for _attempt in range(SERIALISED_ATTEMPTS):
        async with tills.serialised():
            till = await tills.read(terminal_id, sale_ids, receipt_nos, lock=True)
            bank = await _bank(repos, till, codes)
            decision = judge_sales(till, sales, policy, now=till.clock, offline=offline, bank=bank)
            if not decision.new_sales or await tills.record(till, decision, cause):
                return decision.outcomes
    # Unreachable in practice: each locked attempt fails only if a block or a booth change
    # committed between its read and its write.
    raise Conflict("this terminal's catalog keeps changing; retry", field="terminal_id")


async def _bank(repos: Repositories, till: Till, codes: Sequence[str]) -> BankState | None:
    """For a request with VietQR payment codes: which are another sale's already, and the
    kept bank notifications that name one (a transfer uploaded late is matched at once).
    Read after the till, so the write's guard sees any notification that arrives since."""
    if not codes or till.exhibitor_id is None:
        return None
    return await repos.transfers.on_upload(till.exhibitor_id, codes)
