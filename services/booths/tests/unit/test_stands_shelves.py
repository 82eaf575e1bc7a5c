"""Stands and shelf slots besides hall booths (issue 15): a promotion week's stands and
shelves are placed by one of the fair's stores, not on the hall's plan; hall booths keep
their geometry rules. Pure."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from ocop_booths.domain import floorplan
from ocop_booths.domain.floorplan import PlannedBooth, Zone
from ocop_shared.errors import InvalidField

ZONES = [Zone("A", "Khu A", "district_cluster", (1,))]
STORES = ("HL01", "CP02")


def _booth(code: str, **kw: Any) -> PlannedBooth:
    values: dict[str, Any] = {"booth_id": uuid.uuid4(), "code": code, "zone": "A",
                              "booth_type": "standard", "width_m": 2.0, "depth_m": 1.0,
                              "price_vnd": 1_000_000, "x": 0.0, "y": 0.0, **kw}  # fmt: skip
    return PlannedBooth(**values)


def _refused(booths: list[PlannedBooth], stores: tuple[str, ...] = STORES) -> str:
    with pytest.raises(InvalidField) as refused:
        floorplan.publish(uuid.uuid4(), ZONES, booths, stores)
    return refused.value.field


def test_a_shelf_or_a_stand_without_a_store_is_refused_naming_store_code() -> None:
    assert _refused([_booth("S1", kind="shelf")]) == "booths.0.store_code"
    assert _refused([_booth("H1"), _booth("S1", kind="stand")]) == "booths.1.store_code"


def test_a_stand_names_one_of_the_fairs_stores_and_a_hall_booth_none() -> None:
    assert _refused([_booth("S1", kind="stand", store_code="WM09")]) == "booths.0.store_code"
    assert _refused([_booth("S1", kind="shelf", store_code="HL01")], ()) == "booths.0.store_code"
    assert _refused([_booth("H1", store_code="HL01")]) == "booths.0.store_code"


def test_stands_and_shelves_are_off_the_plan_hall_booths_keep_their_geometry() -> None:
    hall = [_booth("H1"), _booth("H2", x=2.0)]
    stands = [_booth(f"S{i}", kind="stand", store_code="HL01") for i in range(3)]
    shelf = _booth("K1", kind="shelf", store_code="CP02")
    published = floorplan.publish(uuid.uuid4(), ZONES, [*hall, *stands, shelf], STORES)
    [event] = published.events
    kinds = {b.code: (b.kind, b.store_code) for b in event.booths}
    assert kinds["H1"] == ("booth", None) and kinds["S0"] == ("stand", "HL01")
    assert kinds["K1"] == ("shelf", "CP02")
    graph = floorplan.adjacency(published.booths)
    assert graph[hall[0].booth_id] == {hall[1].booth_id}  # side by side in the hall
    assert all(s.booth_id not in graph for s in [*stands, shelf])  # no neighbours
    # Hall booths still may not overlap (the stands at 0, 0 do not count).
    assert _refused([_booth("H1"), _booth("H2", x=1.0), *stands]) == "booths.1"
