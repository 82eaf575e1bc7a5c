"""Reasons as codes with parameters beside their English text (``domain/reasons.py``): the
allocation engine's explanations and waitlist reasons, a booth's history, bank-statement lines
no payment was found for. The English text is what it was; the README lists every code. No I/O.

Before: only English text, which the web parsed with regular expressions to word it in
Vietnamese."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ocop_booths.domain import allocation as al
from ocop_booths.domain import booths as lc
from ocop_booths.domain import reasons
from ocop_booths.domain.applications import ended_reason
from ocop_booths.domain.booths import AuditEntry, Booth, Claimant, Occupant
from ocop_booths.domain.floorplan import PlannedBooth, adjacency
from ocop_booths.domain.payments import BankLine, Unmatched, already_recorded, match_line

README = Path(__file__).resolve().parents[2] / "README.md"
NOW = datetime(2025, 8, 20, 9, 0, tzinfo=UTC)
FAIR = uuid.uuid4()
ALICE = Claimant(uuid.uuid4(), uuid.uuid4())


def _well_formed(code: str | None, params: Mapping[str, Any]) -> None:
    assert code in reasons.CODES, code
    assert set(params) == set(reasons.CODES[code].params), (code, params)


# --- the allocation engine ------------------------------------------------------------------


def _hall() -> tuple[list[al.Zone], list[al.Slot], dict[uuid.UUID, set[uuid.UUID]]]:
    booths = [
        PlannedBooth(uuid.uuid4(), f"{z}-{k}", z, "standard", 3, 3, 1, k * 3.0, i * 10.0)
        for i, z in enumerate("AB")
        for k in range(2)
    ]
    zones = [
        al.Zone("A", "district_cluster", frozenset({1})),
        al.Zone("B", "regional", frozenset()),
    ]
    slots = [al.Slot(b.booth_id, b.code, b.zone, b.booth_type, b.x, b.y) for b in booths]
    return zones, slots, adjacency(booths)


def _applicant(i: int, star: int, count: int, zone: str | None) -> al.Applicant:
    return al.Applicant(
        uuid.uuid4(), uuid.uuid4(), f"HTX {i}", star,
        datetime(2024, 8, 1, tzinfo=UTC) + timedelta(hours=i), count, "standard", zone, None,
        frozenset({1}), "QN", False,
    )  # fmt: skip


def test_a_placement_explains_itself_in_codes_as_in_words() -> None:
    zones, slots, adjacent = _hall()
    first = _applicant(0, 5, 2, "A")  # asks zone A, whose groups are its own
    one = _applicant(1, 4, 1, None)
    too_many = _applicant(2, 4, 3, None)  # above the limit of 2
    late = _applicant(3, 3, 2, None)  # nothing left for two
    p = al.allocate([first, one, too_many, late], zones, slots, adjacent, max_booths=2)
    placed = {x.application_id: x for x in p.placements}
    a = placed[first.application_id]
    assert [r["code"] for r in a.reasons] == [
        "queue_place",
        "placed_requested_zone",
        "placed_shared_groups_zone",
        "booths_side_by_side",
    ]
    assert a.reasons[0] == {"code": "queue_place", "star": 5, "place": 1, "of": 4}
    assert a.reasons[1] == {"code": "placed_requested_zone", "zone": "A"}
    assert a.reasons[3] == {
        "code": "booths_side_by_side",
        "count": 2,
        "booth_type": "standard",
        "booths": a.booth_codes,
    }
    # The English explanation is what it was.
    assert a.explanation == (
        "5★, queue place 1 of 4 (star, then application time); zone A as requested; "
        f"zone A shares its product groups; 2 standard booths {', '.join(a.booth_codes)} side by side"
    )
    b = placed[one.application_id]
    assert b.reasons[-1] == {
        "code": "one_booth",
        "count": 1,
        "booth_type": "standard",
        "booths": b.booth_codes,
    }
    for x in p.placements:
        for r in x.reasons:
            _well_formed(r["code"], {k: v for k, v in r.items() if k != "code"})
    waits = {w.application_id: w for w in p.waitlist}
    over = waits[too_many.application_id]
    assert (over.reason_code, over.reason_params) == (
        "over_booth_limit",
        {"star": 4, "place": 3, "count": 3, "limit": 2},
    )
    assert over.reason == "4★, queue place 3: asks 3 booths, above the fair's limit of 2"
    left = waits[late.application_id]
    assert (left.reason_code, left.reason_params) == (
        "no_room_left",
        {"star": 3, "place": 4, "count": 2, "booth_type": "standard"},
    )
    assert left.reason.endswith(
        "no zone had 2 standard booth(s) left after higher-priority placements"
    )


# --- a booth's history ------------------------------------------------------------------------


def free(code: str = "A-001") -> Booth:
    return Booth(uuid.uuid4(), FAIR, code, "A", "standard")


def held(code: str = "A-001", status: str = "held") -> Booth:
    booth = free(code)
    o = Occupant(
        FAIR, booth.booth_id, code, "A", ALICE.exhibitor_id, ALICE.application_id,
        status,  # type: ignore[arg-type]
        hold_expires_at=NOW - timedelta(minutes=1) if status == "held" else None,
        payment_due_at=NOW - timedelta(minutes=1) if status == "assigned" else None,
    )  # fmt: skip
    return Booth(booth.booth_id, FAIR, code, "A", "standard", occupant=o)


def _entries() -> list[tuple[AuditEntry, str | None, dict[str, Any], str]]:
    """Each decision's audit entry, with the code, parameters and text it should carry."""
    out = []

    def add(entries: tuple[AuditEntry, ...], code: str, params: dict[str, Any], text: str) -> None:
        out.append((entries[-1], code, params, text))

    add(
        lc.hold(free(), ALICE, now=NOW, minutes=30, actor="a").audit,
        "self_service_hold",
        {},
        "self-service hold",
    )
    add(
        lc.offer(free(), ALICE, rank=3, now=NOW, minutes=60).audit,
        "waitlist_offer",
        {"rank": 3},
        "offered from the waitlist (rank 3)",
    )
    pieces = [{"code": "queue_place", "star": 4, "place": 1, "of": 1}]
    why = reasons.allocated("run-1", "4★, queue place 1 of 1 (star, then application time)", pieces)
    add(
        lc.assign(free(), ALICE, payment_due_at=NOW, actor="o", reason=why).audit,
        "allocated",
        {"run_id": "run-1", "reasons": pieces},
        "allocation run-1: 4★, queue place 1 of 1 (star, then application time)",
    )
    add(lc.confirm(held(), actor="o").audit, "paid", {}, "paid")
    add(
        lc.give_up_hold(held(), exhibitor_id=ALICE.exhibitor_id, actor="a").audit,
        "hold_given_up",
        {},
        "hold given up",
    )
    expired = lc.expire(held(), now=NOW)
    assert expired is not None
    add(expired.audit, "hold_expired", {}, "hold expired")
    late = lc.expire(held(status="assigned"), now=NOW)
    assert late is not None
    add(late.audit, "payment_deadline_passed", {}, "payment deadline passed")
    add(
        lc.release(held(), reason=reasons.application_withdrawn(), actor="r").audit,
        "application_withdrawn",
        {},
        "application withdrawn",
    )
    add(
        lc.release(held(), reason=ended_reason("revoked"), actor="r").audit,
        "no_admitted_product",
        {"certificate": "revoked"},
        "no admitted product left (certificate revoked)",
    )
    add(
        lc.block(free(), reason="cột điện", actor="o").audit,
        "organizer_note",
        {"note": "cột điện"},
        "cột điện",
    )
    add(
        lc.unblock(
            Booth(uuid.uuid4(), FAIR, "A-9", "A", "standard", blocked=True),
            reason="đã sửa",
            actor="o",
        ).audit,
        "organizer_note",
        {"note": "đã sửa"},
        "đã sửa",
    )
    add(
        lc.move(held("A-001"), free("A-002"), actor="o", reason="gần lối đi").audit,
        "moved",
        {"note": "gần lối đi", "from_booth": "A-001"},
        "gần lối đi (from A-001)",
    )
    other = held("A-002", "confirmed")
    add(
        lc.swap(held("A-001"), other, actor="o", reason="cùng khu").audit,
        "swapped",
        {"note": "cùng khu", "with_booth": ""},
        "",
    )
    return out  # fmt: skip


def test_every_history_entry_carries_its_reason_as_a_code_beside_the_words() -> None:
    for entry, code, params, text in _entries():
        assert entry.reason_code == code, entry
        _well_formed(entry.reason_code, entry.reason_params)
        if code == "swapped":  # which booth it was swapped with depends on the ids' order
            assert entry.reason_params["note"] == "cùng khu"
            assert entry.reason == f"cùng khu (swapped with {entry.reason_params['with_booth']})"
            continue
        assert dict(entry.reason_params) == params and entry.reason == text


def test_the_events_keep_the_english_text() -> None:
    d = lc.offer(free(), ALICE, rank=2, now=NOW, minutes=60)
    assert d.events[0].reason == "offered from the waitlist (rank 2)"  # type: ignore[attr-defined]


def test_free_text_has_no_code() -> None:
    entry = lc.release(held(), reason="anything", actor="o").audit[0]
    assert (entry.reason_code, dict(entry.reason_params), entry.reason) == (None, {}, "anything")


# --- bank-statement lines ---------------------------------------------------------------------


def test_a_line_no_payment_was_found_for_says_why_in_a_code() -> None:
    refs = {"OCOPABCD1234": uuid.uuid4()}
    cases: list[tuple[Unmatched | object, str, dict[str, Any]]] = [
        (match_line(BankLine(2, "12.5x", "OCOPABCD1234"), refs), "amount_not_whole", {}),
        (match_line(BankLine(3, "9" * 16, "OCOPABCD1234"), refs), "amount_above_limit",
         {"limit": 1_000_000_000_000}),
        (match_line(BankLine(4, "1.000", "tiền điện"), refs), "no_payment_reference", {}),
        (already_recorded(BankLine(5, "1", "x", "FT1")), "already_recorded",
         {"transaction_id": "FT1"}),
    ]  # fmt: skip
    for found, code, params in cases:
        assert isinstance(found, Unmatched), found
        assert (found.reason_code, dict(found.reason_params)) == (code, params)
        _well_formed(found.reason_code, found.reason_params)
    assert BankLine(2, "4.000.000", "x").amount_vnd == 4_000_000
    assert BankLine(2, "12.5x", "x").amount_vnd is None


def test_the_readme_lists_every_reason_code_with_its_parameters() -> None:
    text = README.read_text()
    begin, end = "<!-- reasons:begin -->", "<!-- reasons:end -->"
    assert text.count(begin) == 1 and text.count(end) == 1
    shown = text.partition(begin)[2].partition(end)[0].strip()
    wanted = reasons.markdown().strip()
    assert shown == wanted, f"the README's reasons are out of date; put this there:\n{wanted}"
