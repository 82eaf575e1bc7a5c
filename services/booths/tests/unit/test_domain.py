"""Booths' domain: geometry, fees, VietQR, and the allocation engine. No I/O."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from ocop_booths.domain import allocation as al
from ocop_booths.domain.fees import FeeRules, crc16_ccitt_false, fee_lines, vietqr_payload
from ocop_booths.domain.floorplan import PlannedBooth, Zone, adjacency, validate
from ocop_shared.errors import InvalidField


def booth(
    code: str,
    x: float,
    y: float,
    *,
    zone: str = "A",
    kind: str = "standard",
    w: float = 3,
    d: float = 3,
) -> PlannedBooth:
    return PlannedBooth(
        booth_id=uuid.uuid4(),
        code=code,
        zone=zone,
        booth_type=kind,
        width_m=w,
        depth_m=d,
        price_vnd=5_000_000,
        x=x,
        y=y,
    )  # type: ignore[arg-type]


ZONES = [
    Zone(code="A", name="Khu A", kind="district_cluster", product_groups=(1,)),
    Zone(code="B", name="Khu B", kind="regional", product_groups=(2,)),
]


def test_overlapping_booths_and_duplicate_codes_are_refused_naming_the_booth() -> None:
    with pytest.raises(InvalidField, match="A-02 overlaps booth A-01") as bad:
        validate(ZONES, [booth("A-01", 0, 0), booth("A-02", 2, 0)])
    assert bad.value.field == "booths.1"
    with pytest.raises(InvalidField, match="used twice") as dupe:
        validate(ZONES, [booth("A-01", 0, 0), booth("A-01", 3, 0)])
    assert dupe.value.field == "booths.1.code"
    with pytest.raises(InvalidField, match="no zone C"):
        validate(ZONES, [booth("C-01", 0, 0, zone="C")])
    validate(ZONES, [booth("A-01", 0, 0), booth("A-02", 3, 0)])  # touching is not overlapping


def test_adjacency_comes_from_shared_edges_not_corners() -> None:
    a, b, c, corner = (
        booth("A1", 0, 0),
        booth("A2", 3, 0),
        booth("A3", 0, 3),
        booth("A4", 3, 3.0001 + 3),
    )
    diagonal = booth("A5", 6, 3)
    graph = adjacency([a, b, c, corner, diagonal])
    assert graph[a.booth_id] == {b.booth_id, c.booth_id}
    assert diagonal.booth_id not in graph[b.booth_id]  # only a corner in common


def test_fees_with_corner_surcharge_and_a_subsidy_for_at_most_two_booths() -> None:
    rules = FeeRules(corner_surcharge_percent=10, subsidy_percent=50, subsidy_max_booths=2)
    lines = fee_lines(
        [
            ("A-01", "standard", 5_000_000),
            ("A-02", "corner", 5_000_000),
            ("A-03", "standard", 4_000_000),
        ],
        rules,
    )
    by_code = {line.booth_code: line for line in lines}
    assert by_code["A-02"].surcharge_vnd == 500_000 and by_code["A-02"].subsidy_vnd == 2_750_000
    assert by_code["A-01"].subsidy_vnd == 2_500_000 and by_code["A-03"].subsidy_vnd == 0
    assert (
        sum(line.due_vnd for line in lines)
        == 5_000_000 + 5_500_000 + 4_000_000 - 2_500_000 - 2_750_000
    )


def test_vietqr_crc_matches_napas_published_samples() -> None:
    assert crc16_ccitt_false(b"123456789") == 0x29B1
    napas_sample = "00020101021238600010A00000072701300006970403011697040311012345670208QRIBFTTC530370454061800005802VN62340107NPS68690819thanh toan don hang6304"
    assert f"{crc16_ccitt_false(napas_sample.encode()):04X}" == "A203"
    payload = vietqr_payload(
        bank_bin="970415", account="0011001932418", amount_vnd=120_000, purpose="OCOPABCD1234"
    )
    assert payload.startswith(
        "000201010212" + "38570010A0000007270127000697041501130011001932418" + "0208QRIBFTTA"
    )
    assert (
        "5303704" in payload
        and "5406120000" in payload
        and "5802VN" in payload
        and "0812OCOPABCD1234" in payload
    )
    assert payload[-4:] == f"{crc16_ccitt_false(payload[:-4].encode()):04X}"
    with pytest.raises(InvalidField):
        vietqr_payload(bank_bin="97", account="1", amount_vnd=1, purpose="x")


def _apps(spec: list[tuple[int, int, str, str | None, str]]) -> list[al.Applicant]:
    start = datetime(2024, 8, 1, tzinfo=UTC)
    return [
        al.Applicant(
            uuid.uuid4(),
            uuid.uuid4(),
            f"HTX {i}",
            star,
            start + timedelta(hours=i),
            count,
            kind,
            zone,
            None,
            frozenset({1}),
            province,
            False,
        )
        for i, (star, count, kind, zone, province) in enumerate(spec)
    ]


def _hall(
    n_per_zone: int = 4,
) -> tuple[list[al.Zone], list[al.Slot], dict[uuid.UUID, set[uuid.UUID]]]:
    booths = [
        booth(f"{z}-{k}", k * 3.0, i * 10.0, zone=z)
        for i, z in enumerate("AB")
        for k in range(n_per_zone)
    ]
    zones = [
        al.Zone("A", "district_cluster", frozenset({1})),
        al.Zone("B", "regional", frozenset({2})),
    ]
    return (
        zones,
        [al.Slot(b.booth_id, b.code, b.zone, b.booth_type, b.x, b.y) for b in booths],
        adjacency(booths),
    )


def test_priority_is_star_then_application_time_and_the_rest_is_a_ranked_waitlist() -> None:
    zones, slots, adjacent = _hall(2)  # four booths
    apps = _apps(
        [
            (3, 2, "standard", None, "QN"),
            (5, 2, "standard", None, "QN"),
            (4, 1, "standard", None, "HP"),
            (4, 1, "standard", None, "HP"),
            (3, 1, "standard", None, "LS"),
        ]
    )
    for solver in (False, True):
        p = al.allocate(apps, zones, slots, adjacent, max_booths=2, use_solver=solver)
        placed = {x.application_id for x in p.placements}
        assert placed == {apps[1].application_id, apps[2].application_id, apps[3].application_id}
        assert [w.application_id for w in p.waitlist] == [
            apps[0].application_id,
            apps[4].application_id,
        ]
        assert [w.rank for w in p.waitlist] == [1, 2]
        assert all(x.explanation for x in p.placements)


def test_an_exhibitors_booths_are_side_by_side_and_count_type_and_limit_are_honoured() -> None:
    zones, slots, adjacent = _hall(4)
    apps = _apps(
        [
            (5, 2, "standard", "B", "QN"),
            (4, 3, "standard", None, "QN"),
            (3, 1, "corner", None, "HP"),
        ]
    )
    p = al.allocate(apps, zones, slots, adjacent, max_booths=2)
    placement = {x.application_id: x for x in p.placements}
    first = placement[apps[0].application_id]
    assert (
        first.zone == "B"
        and len(first.booth_ids) == 2
        and first.adjacent
        and "as requested" in first.explanation
    )
    assert apps[1].application_id not in placement  # asks 3, limit is 2
    assert apps[2].application_id not in placement  # no corner booth exists
    assert "above the fair's limit of 2" in next(
        w.reason for w in p.waitlist if w.application_id == apps[1].application_id
    )


def test_the_engine_is_deterministic_and_never_worse_than_greedy() -> None:
    zones, slots, adjacent = _hall(6)
    apps = _apps(
        [
            (
                3 + i % 3,
                1 + i % 2,
                "standard",
                "AB"[i % 2] if i % 3 else None,
                ["QN", "HP", "LS"][i % 3],
            )
            for i in range(9)
        ]
    )
    runs = [al.allocate(apps, zones, slots, adjacent, max_booths=2) for _ in range(2)]
    assert [(x.application_id, x.booth_codes) for x in runs[0].placements] == [
        (x.application_id, x.booth_codes) for x in runs[1].placements
    ]
    greedy = al.objective_of(al.greedy(apps, zones, slots, 2), apps, zones)
    assert runs[0].objective >= greedy
