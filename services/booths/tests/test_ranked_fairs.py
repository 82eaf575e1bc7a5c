"""A fair whose rules say ``allocation_mode: ranked``, against the real stack: nobody holds a
booth, approved exhibitors rank their choices, and the organizer's allocation run places them
by priority with their choices as preferences, saying which choice each got. Failed before:
there was one mode, holds for everyone, and no choices."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from ocop_shared.service import Service
from ocop_shared.settings import CommonSettings

BoothFair = Any  # conftest.py's


@pytest.fixture
async def ranked_fair(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> BoothFair:
    fair = type(booth_fair)(booth_fair.settings, booth_fair.service, booths_app[1])
    await fair.open(allocation_mode="ranked", max_booths_per_holder=2)
    return fair


async def test_a_ranked_fair_takes_choices_and_refuses_holds(
    ranked_fair: BoothFair,
    booth_fair: BoothFair,
    booths_app: tuple[Service, httpx.AsyncClient],
    stack_settings: CommonSettings,
) -> None:
    _service, client = booths_app
    plan = await ranked_fair.floorplan(6, kinds=["standard", "standard", "corner"])
    standard = [b for b in plan if b["booth_type"] == "standard"]
    corner = next(b for b in plan if b["booth_type"] == "corner")
    [ex] = await ranked_fair.approved_exhibitors(1)
    url = f"/fairs/{ranked_fair.fair_id}/choices"

    held = await client.post(
        f"/fairs/{ranked_fair.fair_id}/holds",
        headers=ex["headers"],
        json={"booth_id": standard[0]["booth_id"]},
    )
    assert held.status_code == 409 and held.json()["code"] == "not_self_service", held.text

    picks = [standard[2]["booth_id"], standard[0]["booth_id"], standard[1]["booth_id"]]
    put = await client.put(url, headers=ex["headers"], json={"booth_ids": picks})
    assert put.status_code == 200, put.text
    answer = put.json()
    assert answer["allocation_mode"] == "ranked"
    assert [(c["rank"], c["booth_id"]) for c in answer["choices"]] == list(
        enumerate(picks, start=1)
    )
    assert {c["state"] for c in answer["choices"]} == {"available"}
    assert (await client.get(url, headers=ex["headers"])).json() == answer

    async def refused(booth_ids: list[str], status: int, code: str, field: str) -> None:
        r = await client.put(url, headers=ex["headers"], json={"booth_ids": booth_ids})
        assert r.status_code == status, r.text
        assert (r.json()["code"], r.json()["field"]) == (code, field)

    other_plan = await booth_fair.floorplan(2)
    await refused([picks[0], other_plan[0]["booth_id"]], 404, "booth_not_found", "booth_ids.1")
    await refused([str(uuid.uuid4())], 404, "booth_not_found", "booth_ids.0")
    await refused([corner["booth_id"]], 409, "booth_type_not_requested", "booth_ids.0")
    blocked = await client.post(
        f"/fairs/{ranked_fair.fair_id}/booths/{standard[3]['booth_id']}/block",
        headers=ranked_fair.organizer,
        json={"reason": "sửa điện"},
    )
    assert blocked.status_code == 200, blocked.text
    await refused([standard[3]["booth_id"]], 409, "booth_blocked", "booth_ids.0")
    six = await client.put(url, headers=ex["headers"], json={"booth_ids": [picks[0]] * 6})
    assert six.status_code == 422
    # The refusals changed nothing.
    assert (await client.get(url, headers=ex["headers"])).json() == answer

    # A self-service fair has no choices; a fair one did not apply to is not there.
    [plain] = await booth_fair.approved_exhibitors(1)
    self_service = await client.put(
        f"/fairs/{booth_fair.fair_id}/choices",
        headers=plain["headers"],
        json={"booth_ids": [other_plan[0]["booth_id"]]},
    )
    assert self_service.status_code == 409 and self_service.json()["code"] == "not_ranked"
    stranger = await client.get(f"/fairs/{booth_fair.fair_id}/choices", headers=ex["headers"])
    assert stranger.status_code == 404 and stranger.json()["code"] == "application_not_found"


async def test_the_engine_places_by_priority_and_gives_the_choices_it_can(
    ranked_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _service, client = booths_app
    plan = await ranked_fair.floorplan(6, per_row=6)
    code = {b["booth_id"]: b["code"] for b in plan}
    # The 3-star applied first; the 5-star later. Both want the same booth first.
    [early] = await ranked_fair.approved_exhibitors(1, star=3)
    [star] = await ranked_fair.approved_exhibitors(1, star=5)
    wanted, second, third = plan[4]["booth_id"], plan[1]["booth_id"], plan[2]["booth_id"]
    for ex, picks in ((early, [wanted, second]), (star, [wanted, third])):
        r = await client.put(
            f"/fairs/{ranked_fair.fair_id}/choices",
            headers=ex["headers"],
            json={"booth_ids": picks},
        )
        assert r.status_code == 200, r.text
    proposed = await client.post(
        f"/fairs/{ranked_fair.fair_id}/allocations", headers=ranked_fair.organizer
    )
    assert proposed.status_code == 201, proposed.text
    placed = {p["exhibitor_id"]: p for p in proposed.json()["placements"]}
    first, other = placed[str(star["exhibitor_id"])], placed[str(early["exhibitor_id"])]
    assert first["booth_ids"] == [wanted]
    assert {"code": "placed_choice", "rank": 1, "booth": code[wanted]} in first["reasons"]
    assert other["booth_ids"] == [second]
    assert {"code": "placed_choice", "rank": 2, "booth": code[second]} in other["reasons"]
    committed = await client.post(
        f"/allocations/{proposed.json()['run_id']}/commit", headers=ranked_fair.organizer
    )
    assert committed.status_code == 200 and committed.json()["assigned"] == 2, committed.text
    mine = await client.get(f"/fairs/{ranked_fair.fair_id}/my-booths", headers=star["headers"])
    assert [b["booth_id"] for b in mine.json()] == [wanted]
    # Placed: the choices no longer change anything; reading them shows the booth as its own.
    late = await client.put(
        f"/fairs/{ranked_fair.fair_id}/choices",
        headers=star["headers"],
        json={"booth_ids": [third]},
    )
    assert late.status_code == 409 and late.json()["code"] == "already_placed"
    shown = await client.get(f"/fairs/{ranked_fair.fair_id}/choices", headers=star["headers"])
    assert [c["state"] for c in shown.json()["choices"]] == ["assigned", "available"]
    theirs = await client.get(f"/fairs/{ranked_fair.fair_id}/choices", headers=early["headers"])
    assert [c["state"] for c in theirs.json()["choices"]] == ["taken", "assigned"]
