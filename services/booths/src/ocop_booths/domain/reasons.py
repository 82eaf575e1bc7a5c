"""Why booths did something, as a machine-readable code with its parameters beside the
English text: the allocation engine's explanations and waitlist reasons, a booth's history
and the bank-statement lines no payment was found for. No I/O.

A client renders a reason in its reader's language from ``code`` and its parameters; the
English ``text`` is kept for API users and logs (and the events, which carry it). The
README's "Reasons" table lists every code and its parameters (``tests/unit/test_reasons.py``
checks it against ``CODES``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Code:
    where: str  # placement | waitlist | history | bank line
    params: tuple[str, ...]
    meaning: str


# code -> where it is given, its parameters (names) and what it means: the README's table.
CODES: dict[str, Code] = {}


def _code(code: str, where: str, meaning: str, *params: str) -> str:
    CODES[code] = Code(where, params, meaning)
    return code


P, W, H, B = "placement", "waitlist", "history", "bank line"
# The allocation engine: a placement's explanation, in pieces.
QUEUE_PLACE = _code(
    "queue_place",
    P,
    "its place in the queue (by star, then application time)",
    "star",
    "place",
    "of",
)
PLACED_CHOICE = _code(
    "placed_choice", P, "given one of its ranked choices (1 is its first)", "rank", "booth"
)
CHOICES_UNAVAILABLE = _code(
    "choices_unavailable", P,
    "none of its ranked choices was left (taken by exhibitors before it in the queue, blocked, "
    "or not of its booth type)", "count",
)  # fmt: skip
PLACED_REQUESTED_ZONE = _code("placed_requested_zone", P, "in the zone it asked for", "zone")
PLACED_GROUP_ZONE = _code(
    "placed_group_zone", P, "in a zone for the product group it named", "zone", "group"
)
PLACED_SHARED_GROUPS_ZONE = _code(
    "placed_shared_groups_zone", P, "in a zone sharing its products' groups", "zone"
)
BOOTHS_SIDE_BY_SIDE = _code(
    "booths_side_by_side", P, "its booths, touching", "count", "booth_type", "booths"
)
BOOTHS_APART = _code(
    "booths_apart", P, "its booths, not touching (no such run was left)", "count", "booth_type",
    "booths",
)  # fmt: skip
ONE_BOOTH = _code("one_booth", P, "its one booth", "count", "booth_type", "booths")
# The allocation engine: why an application waits.
OVER_BOOTH_LIMIT = _code(
    "over_booth_limit", W, "asks more booths than the fair's limit (per holder)", "star", "place",
    "count", "limit",
)  # fmt: skip
NO_ROOM_LEFT = _code(
    "no_room_left", W, "no zone had its booths left after the applications before it", "star",
    "place", "count", "booth_type",
)  # fmt: skip
# A booth's history.
SELF_SERVICE_HOLD = _code("self_service_hold", H, "held by the exhibitor")
WAITLIST_OFFER = _code("waitlist_offer", H, "held for the waitlist's candidate", "rank")
ALLOCATED = _code(
    "allocated", H, "assigned by a committed allocation run, with its placement's reasons",
    "run_id", "reasons",
)  # fmt: skip
PAID = _code("paid", H, "confirmed: the payments cover the exhibitor's booths")
HOLD_GIVEN_UP = _code("hold_given_up", H, "the holder gave the hold back")
HOLD_EXPIRED = _code("hold_expired", H, "released: the hold expired")
PAYMENT_DEADLINE_PASSED = _code("payment_deadline_passed", H, "released: not paid in time")
APPLICATION_WITHDRAWN = _code("application_withdrawn", H, "released: the application withdrawn")
NO_ADMITTED_PRODUCT = _code(
    "no_admitted_product", H, "released: no admitted product left (revoked or expired)",
    "certificate",
)  # fmt: skip
ORGANIZER_NOTE = _code("organizer_note", H, "blocked or unblocked, the organizer's words", "note")
MOVED = _code("moved", H, "moved here by the organizer", "note", "from_booth")
SWAPPED = _code("swapped", H, "swapped by the organizer", "note", "with_booth")
# A bank-statement line no payment was recorded for.
AMOUNT_NOT_WHOLE = _code("amount_not_whole", B, "the amount is not a whole number")
AMOUNT_ABOVE_LIMIT = _code("amount_above_limit", B, "the amount is above the bound", "limit")
NO_PAYMENT_REFERENCE = _code(
    "no_payment_reference", B, "no payment reference of the fair in the description"
)
ALREADY_RECORDED = _code(
    "already_recorded", B, "this transfer paid already (not kept)", "transaction_id"
)


def markdown() -> str:
    """The README's "Reasons" table."""
    rows = ["| code | where | parameters | meaning |", "|---|---|---|---|"]
    for code, c in CODES.items():
        params = ", ".join(f"`{p}`" for p in c.params) or "—"
        rows.append(f"| `{code}` | {c.where} | {params} | {c.meaning} |")
    return "\n".join(rows)


@dataclass(frozen=True, slots=True)
class Reason:
    """A code, its parameters, and the English text said today."""

    code: str | None  # None: free text only (a reason written before codes were kept)
    text: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The flat form answers carry in lists: ``{"code": ..., **params}``."""
        return {"code": self.code, **self.params}


def of(reason: str | Reason) -> Reason:
    """A reason as given: free text has no code."""
    return reason if isinstance(reason, Reason) else Reason(None, reason)


def joined(pieces: Sequence[Reason], sep: str = "; ") -> str:
    return sep.join(p.text for p in pieces)


# --- a booth's history ----------------------------------------------------------------


def self_service_hold() -> Reason:
    return Reason(SELF_SERVICE_HOLD, "self-service hold")


def waitlist_offer(rank: int) -> Reason:
    return Reason(WAITLIST_OFFER, f"offered from the waitlist (rank {rank})", {"rank": rank})


def allocated(run_id: str, explanation: str, pieces: Sequence[Mapping[str, Any]]) -> Reason:
    """Assigned by a committed run: the run, and its placement's reasons (flat form)."""
    return Reason(
        ALLOCATED,
        f"allocation {run_id}: {explanation}",
        {"run_id": run_id, "reasons": [dict(p) for p in pieces]},
    )


def paid() -> Reason:
    return Reason(PAID, "paid")


def hold_given_up() -> Reason:
    return Reason(HOLD_GIVEN_UP, "hold given up")


def hold_expired() -> Reason:
    return Reason(HOLD_EXPIRED, "hold expired")


def payment_deadline_passed() -> Reason:
    return Reason(PAYMENT_DEADLINE_PASSED, "payment deadline passed")


def application_withdrawn() -> Reason:
    return Reason(APPLICATION_WITHDRAWN, "application withdrawn")


def no_admitted_product(certificate: str) -> Reason:
    """``certificate``: revoked or expired."""
    return Reason(
        NO_ADMITTED_PRODUCT,
        f"no admitted product left (certificate {certificate})",
        {"certificate": certificate},
    )


def organizer_note(note: str) -> Reason:
    return Reason(ORGANIZER_NOTE, note, {"note": note})


def moved(note: str, from_booth: str) -> Reason:
    return Reason(MOVED, f"{note} (from {from_booth})", {"note": note, "from_booth": from_booth})


def swapped(note: str, with_booth: str) -> Reason:
    return Reason(
        SWAPPED, f"{note} (swapped with {with_booth})", {"note": note, "with_booth": with_booth}
    )
