"""Every 404 and 409 of booths carries a code of its own (``domain/refusals.py``), so clients
translate by code rather than by matching the English ``detail``; the README lists them. No I/O.

Before: every refusal was a plain ``Conflict`` or ``NotFound`` (code ``conflict`` or
``not_found``), and the web matched the English text to tell them apart."""

from __future__ import annotations

import ast
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ocop_booths.domain import applications as apps
from ocop_booths.domain import booths as lc
from ocop_booths.domain import refusals
from ocop_booths.domain.booths import Booth, Claimant, Occupant
from ocop_shared.auth import Principal
from ocop_shared.errors import DomainError

SRC = Path(__file__).resolve().parents[2] / "src" / "ocop_booths"
README = Path(__file__).resolve().parents[2] / "README.md"
NOW = datetime(2025, 8, 20, 9, 0, tzinfo=UTC)
FAIR = uuid.uuid4()
ALICE = Claimant(uuid.uuid4(), uuid.uuid4())
BOB = Claimant(uuid.uuid4(), uuid.uuid4())


def free(code: str = "A-001", *, fair: uuid.UUID = FAIR) -> Booth:
    return Booth(uuid.uuid4(), fair, code, "A", "standard")


def occupied(status: str = "held", *, who: Claimant = ALICE, fair: uuid.UUID = FAIR) -> Booth:
    booth = free(fair=fair)
    o = Occupant(
        fair_id=fair, booth_id=booth.booth_id, booth_code=booth.code, zone="A",
        exhibitor_id=who.exhibitor_id, application_id=who.application_id,
        status=status,  # type: ignore[arg-type]
        hold_expires_at=NOW if status == "held" else None,
    )  # fmt: skip
    return Booth(booth.booth_id, fair, booth.code, "A", "standard", occupant=o)


def blocked() -> Booth:
    return Booth(uuid.uuid4(), FAIR, "A-009", "A", "standard", blocked=True)


ORGANIZER = Principal(subject="org-1", role="organizer")
FAIR_ROW = apps.Fair(FAIR, "org-2", "open", apps.Rules(), "Hội chợ", NOW, NOW)

CASES: list[tuple[str, Callable[[], Any], str, int]] = [
    ("hold a taken booth", lambda: lc.hold(occupied(), BOB, now=NOW, minutes=30, actor="b"),
     "booth_taken", 409),
    ("hold a blocked booth", lambda: lc.hold(blocked(), BOB, now=NOW, minutes=30, actor="b"),
     "booth_blocked", 409),
    ("assign a taken booth", lambda: lc.assign(occupied(), BOB, payment_due_at=NOW, actor="o",
                                               reason="r"), "booth_taken", 409),
    ("block an occupied booth", lambda: lc.block(occupied("assigned"), reason="x", actor="o"),
     "booth_occupied", 409),
    ("block a blocked booth", lambda: lc.block(blocked(), reason="x", actor="o"),
     "already_blocked", 409),
    ("unblock a free booth", lambda: lc.unblock(free(), reason="x", actor="o"), "not_blocked", 409),
    ("release a free booth", lambda: lc.release(free(), reason="x", actor="o"),
     "booth_not_occupied", 409),
    ("move from a free booth", lambda: lc.move(free(), free("A-002"), actor="o", reason="x"),
     "booth_not_occupied", 409),
    ("move to a taken booth", lambda: lc.move(occupied(), occupied(who=BOB), actor="o", reason="x"),
     "target_not_free", 409),
    ("move to a blocked booth", lambda: lc.move(occupied(), blocked(), actor="o", reason="x"),
     "target_not_free", 409),
    ("swap with a free booth", lambda: lc.swap(occupied(), free("A-002"), actor="o", reason="x"),
     "swap_needs_two_occupied", 409),
    ("swap across fairs", lambda: lc.swap(occupied(), occupied(fair=uuid.uuid4()), actor="o",
                                          reason="x"), "booths_at_different_fairs", 409),
    ("confirm a free booth", lambda: lc.confirm(free(), actor="o"), "booth_not_confirmable", 409),
    ("hold above the limit", lambda: lc.check_room(have=2, limit=2), "booth_limit_reached", 409),
    ("give back another's hold", lambda: lc.give_up_hold(occupied(), exhibitor_id=BOB.exhibitor_id,
                                                         actor="b"), "hold_not_found", 404),
    ("hold without approval", lambda: apps.check_may_hold(None), "application_not_approved", 409),
    ("another organizer's fair", lambda: apps.check_organizer(FAIR_ROW, ORGANIZER),
     "fair_not_found", 404),
    ("a fair not heard of", lambda: apps.check_organizer(None, ORGANIZER), "fair_not_found", 404),
    ("another organizer's run", lambda: apps.check_run_organizer(FAIR_ROW, ORGANIZER),
     "run_not_found", 404),
]  # fmt: skip


@pytest.mark.parametrize(("refusal", "decide", "code", "status"), CASES, ids=[c[0] for c in CASES])
def test_each_refusal_of_the_domain_has_its_own_code(
    refusal: str, decide: Callable[[], Any], code: str, status: int
) -> None:
    with pytest.raises(DomainError) as refused:
        decide()
    assert (refused.value.code, refused.value.status_code) == (code, status), refusal
    assert refused.value.message  # the English detail stays


def test_refusal_codes_are_unique_and_each_says_what_it_means() -> None:
    found = refusals.refusals()
    codes = [cls.code for cls in found]
    assert len(codes) == len(set(codes))
    assert all(cls.status_code in (404, 409) and (cls.__doc__ or "").strip() for cls in found)
    assert not {"conflict", "not_found"} & set(codes)


def _plain_refusals() -> list[str]:
    """Where booths' code makes a refusal without a code of its own (a bare ``Conflict`` or
    ``NotFound`` of ``ocop_shared.errors``)."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "refusals.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"Conflict", "NotFound"}
            ):
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def test_no_refusal_is_made_without_a_code_of_its_own() -> None:
    assert _plain_refusals() == []


def _between(text: str, name: str) -> str:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    assert text.count(begin) == 1 and text.count(end) == 1, f"the README needs {begin} ... {end}"
    return text.partition(begin)[2].partition(end)[0].strip()


def test_the_readme_lists_every_refusal_code_with_its_meaning() -> None:
    shown, wanted = _between(README.read_text(), "refusals"), refusals.markdown().strip()
    assert shown == wanted, f"the README's refusals are out of date; put this there:\n{wanted}"
