"""Each holder's results at past fairs, kept from the sales service's events and shown to
reviewers when the holder applies again."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from ocop_shared.contracts.sales import SoldLine


@dataclass(frozen=True)
class FairResult:
    fair_id: UUID
    sales: int
    gross_vnd: int
    refunded_vnd: int

    @property
    def net_vnd(self) -> int:
        return self.gross_vnd - self.refunded_vnd


def by_producer(lines: Sequence[SoldLine]) -> dict[UUID, int]:
    """A sale's (or a refund's) amount attributed to the producer of each line, also at a
    delegation's shared booth; in producer order."""
    amounts: dict[UUID, int] = defaultdict(int)
    for line in lines:
        amounts[line.producer_id] += line.total_vnd
    return dict(sorted(amounts.items()))
