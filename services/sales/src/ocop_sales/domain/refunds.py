"""Refunds of a sale: priced pro rata to the dong, never above what was sold. Pure Python.

A refund id is the terminal's idempotency key, like a sale id: the same id with the same
content answers as the first time; with another content it is a conflict.

Money goes back the way it came (issue 11): a refund by a method returns at most what the sale
was paid by that method, less what earlier refunds returned by it (a cash sale is refunded in
cash, a VietQR transfer by transfer). Another method needs an organizer of the fair to approve
it first (``RefundApproval``: the sale, the method, why, who); the refund cites the approval,
and the event carries it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal
from uuid import UUID

from ocop_sales.domain.sales import PaymentMethod, SaleLine, sold_line
from ocop_shared.contracts.sales import RefundApprovalSnapshot, SaleRefunded
from ocop_shared.errors import Conflict, InvalidField, NotFound


@dataclass(frozen=True, slots=True)
class RefundLineIn:
    line_no: int
    quantity: int


@dataclass(frozen=True, slots=True)
class RefundIn:
    refund_id: UUID
    sale_id: UUID
    lines: Sequence[RefundLineIn]
    method: PaymentMethod
    reason: str
    payload_hash: bytes
    approval_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class RefundApproval:
    """An organizer of the sale's fair lets the sale be refunded by ``method``, for ``reason``."""

    approval_id: UUID
    sale_id: UUID
    fair_id: UUID
    method: PaymentMethod
    reason: str
    approved_by: str
    approved_at: datetime


@dataclass(frozen=True, slots=True)
class ApprovalIn:
    approval_id: UUID
    sale_id: UUID
    method: PaymentMethod
    reason: str
    payload_hash: bytes


@dataclass(frozen=True, slots=True)
class StoredApproval:
    approval: RefundApproval
    payload_hash: bytes


@dataclass(frozen=True, slots=True)
class SoldSale:
    """A stored sale as a refund sees it: its lines, and how much of each was refunded."""

    sale_id: UUID
    fair_id: UUID
    terminal_id: UUID
    exhibitor_id: UUID
    lines: Sequence[SaleLine]
    refunded: Mapping[int, int]  # line_no -> units refunded before
    payments: Mapping[str, int] = field(default_factory=dict)  # method -> VND paid by it
    refunded_by_method: Mapping[str, int] = field(default_factory=dict)  # method -> VND before
    approvals: Mapping[UUID, RefundApproval] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredRefund:
    refund_id: UUID
    sale_id: UUID
    total_vnd: int
    payload_hash: bytes


@dataclass(frozen=True, slots=True)
class RefundDecision:
    status: Literal["recorded", "replayed"]
    refund_id: UUID
    sale_id: UUID
    total_vnd: int
    lines: list[tuple[int, SaleLine]]  # (line_no, what is refunded of it); empty on a replay
    event: SaleRefunded | None


def price_refund(
    sale_lines: Sequence[SaleLine],
    already_refunded: Mapping[int, int],
    lines: Sequence[RefundLineIn],
) -> list[tuple[int, SaleLine]]:
    """A refund names lines of the original sale; together with earlier refunds it never
    exceeds what was sold. The refunded amount is pro rata of the line's net total."""
    if not lines:
        raise InvalidField("lines", "a refund has at least one line")
    out: list[tuple[int, SaleLine]] = []
    seen: set[int] = set()
    for i, line in enumerate(lines):
        if not 0 <= line.line_no < len(sale_lines):
            raise InvalidField(
                f"lines.{i}.line_no", f"the sale has lines 0 to {len(sale_lines) - 1}"
            )
        if line.line_no in seen:
            raise InvalidField(f"lines.{i}.line_no", "listed twice")
        seen.add(line.line_no)
        original = sale_lines[line.line_no]
        refunded_before = already_refunded.get(line.line_no, 0)
        left = original.quantity - refunded_before
        if not 1 <= line.quantity <= left:
            raise InvalidField(f"lines.{i}.quantity", f"at most {left} left to refund on this line")
        # Exact pro rata in integer dong: the units refunded so far have together returned
        # share(units), so the last unit refunded takes the remainder.
        amount = _share(
            original.total_vnd, original.quantity, refunded_before + line.quantity
        ) - _share(original.total_vnd, original.quantity, refunded_before)
        out.append(
            (
                line.line_no,
                replace(original, quantity=line.quantity, total_vnd=amount, discount_vnd=0),
            )
        )
    return out


def _share(total: int, quantity: int, units: int) -> int:
    return total * units // quantity


def decide_refund(
    sale: SoldSale | None, terminal_id: UUID, prior: StoredRefund | None, refund: RefundIn
) -> RefundDecision:
    """A terminal refunds only its own sales; a refund id already used replays or conflicts."""
    if sale is None or sale.terminal_id != terminal_id:
        raise NotFound("no such sale at this terminal")
    if prior is not None:
        if prior.payload_hash != refund.payload_hash:
            raise Conflict(
                f"refund {refund.refund_id} was already recorded with a different content",
                field="refund_id",
            )
        return RefundDecision("replayed", prior.refund_id, prior.sale_id, prior.total_vnd, [], None)
    priced = price_refund(sale.lines, sale.refunded, refund.lines)
    total = sum(line.total_vnd for _, line in priced)
    if total <= 0:
        raise InvalidField("lines", "this refund would return nothing")
    approval = check_refund_method(sale, refund, total)
    event = SaleRefunded(
        refund_id=refund.refund_id,
        sale_id=sale.sale_id,
        fair_id=sale.fair_id,
        terminal_id=terminal_id,
        exhibitor_id=sale.exhibitor_id,
        lines=[sold_line(line) for _, line in priced],
        total_vnd=total,
        method=refund.method,
        approval=None
        if approval is None
        else RefundApprovalSnapshot(
            approval_id=approval.approval_id,
            approved_by=approval.approved_by,
            reason=approval.reason,
            approved_at=approval.approved_at,
        ),
    )
    return RefundDecision("recorded", refund.refund_id, sale.sale_id, total, priced, event)


def check_refund_method(sale: SoldSale, refund: RefundIn, total_vnd: int) -> RefundApproval | None:
    """The money goes back the way it came: by a method the sale was paid with, at most what
    was paid by it less earlier refunds by it. Otherwise the refund cites an organizer's
    approval of its method for this sale (returned, for the event)."""
    if refund.approval_id is not None:
        approval = sale.approvals.get(refund.approval_id)
        if approval is None:
            raise InvalidField("approval_id", "no such approval for this sale")
        if approval.method != refund.method:
            raise InvalidField(
                "method", f"the approval lets this sale be refunded by {approval.method}"
            )
        return approval
    paid = sale.payments.get(refund.method, 0)
    left = paid - sale.refunded_by_method.get(refund.method, 0)
    if total_vnd > left:
        paid_by = ", ".join(f"{m} {v} VND" for m, v in sorted(sale.payments.items())) or "nothing"
        raise InvalidField(
            "method",
            f"this refund of {total_vnd} VND by {refund.method} is more than the {max(left, 0)} "
            f"VND the sale can still return that way (it was paid: {paid_by}); refund by the "
            "sale's method, or an organizer of the fair approves another "
            "(POST /sales/{sale_id}/refund-approvals) and the refund cites approval_id",
        )
    return None


def decide_approval(
    sale: SoldSale | None,
    fair_organizer: str | None,
    approver: str,
    person: str | None,
    prior: StoredApproval | None,
    approval: ApprovalIn,
    now: datetime,
) -> tuple[Literal["recorded", "replayed"], RefundApproval]:
    """An organizer of the sale's fair (``approver``; ``person`` the one acting for it, if
    known) approves refunding it by another method (another fair's sale looks like no sale);
    an approval id already used replays or conflicts."""
    if sale is None or fair_organizer is None or fair_organizer != approver:
        raise NotFound("no such sale")
    if prior is not None:
        if prior.payload_hash != approval.payload_hash or prior.approval.sale_id != sale.sale_id:
            raise Conflict(
                f"approval {approval.approval_id} was already recorded with a different content",
                field="approval_id",
            )
        return "replayed", prior.approval
    return "recorded", RefundApproval(
        approval.approval_id,
        sale.sale_id,
        sale.fair_id,
        approval.method,
        approval.reason,
        person or approver,
        now,
    )
