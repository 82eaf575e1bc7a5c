"""Issue 11's input classes through the booths API: each class of bad input answers 422 naming
its field (never a 5xx, never the database's last-resort 422 naming only ``body``) and changes
nothing. Each test failed before the request models used ``ocop_shared.inputs``."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from ocop_shared.service import Service

BoothFair = Any


def plan(**booth: Any) -> dict[str, Any]:
    """A valid one-zone, two-booth plan; ``booth`` overrides the first booth's fields."""
    return {
        "zones": [
            {"code": "A", "name": "Khu A", "kind": "district_cluster", "product_groups": [1, 2]}
        ],
        "booths": [
            {
                "code": "A-001",
                "zone": "A",
                "width_m": 3,
                "depth_m": 3,
                "price_vnd": 4_000_000,
                "x": 0.0,
                "y": 0.0,
                **booth,
            },
            {
                "code": "A-002",
                "zone": "A",
                "width_m": 3,
                "depth_m": 3,
                "price_vnd": 4_000_000,
                "x": 3.0,
                "y": 0.0,
            },
        ],
    }


def refused(response: httpx.Response, *loc: str | int) -> str:
    """The message of the 422 naming ``loc`` (after ``body``); no other field is named."""
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert isinstance(errors, list), errors
    assert [e["loc"] for e in errors] == [["body", *loc]], errors
    return str(errors[0]["msg"])


async def put_plan(fair: BoothFair, body: dict[str, Any] | str) -> httpx.Response:
    content = body if isinstance(body, str) else json.dumps(body)
    return await fair.client.put(  # type: ignore[no-any-return]
        f"/fairs/{fair.fair_id}/floorplan",
        headers={**fair.organizer, "Content-Type": "application/json"},
        content=content,
    )


async def booth_count(service: Service, fair: BoothFair) -> int:
    return int(
        await service.pool.fetchval("select count(*) from booths where fair_id = $1", fair.fair_id)
    )


# -- integers: strict (no numeric strings) and bounded to their column --------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price_vnd", "12.000"),  # Vietnamese twelve thousand, not 12 ₫
        ("price_vnd", 2**64),
        ("price_vnd", 10**12 + 1),  # beyond any fee (Vnd)
        ("price_vnd", True),
        ("open_sides", "2"),
        ("open_sides", 2**64),
        ("open_sides", 5),
        ("width_m", "3.000"),  # a string is not a number, whatever it reads as
        ("x", "12.000"),
        ("y", False),
    ],
)
async def test_a_floor_plan_number_must_be_a_bounded_number_of_its_kind(
    booth_fair: BoothFair,
    booths_app: tuple[Service, httpx.AsyncClient],
    field: str,
    value: Any,
) -> None:
    service, _ = booths_app
    refused(await put_plan(booth_fair, plan(**{field: value})), "booths", 0, field)
    assert await booth_count(service, booth_fair) == 0


@pytest.mark.parametrize("groups", [["1"], [2**64], [2**31], [0], list(range(1, 52))])
async def test_a_zones_product_groups_are_a_short_list_of_group_numbers(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient], groups: list[Any]
) -> None:
    service, _ = booths_app
    body = plan()
    body["zones"][0]["product_groups"] = groups
    response = await put_plan(booth_fair, body)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"][:4] == ["body", "zones", 0, "product_groups"], error
    assert await booth_count(service, booth_fair) == 0


@pytest.mark.parametrize("amount", ["12.000", 2**64, 10**12 + 1, 0, 1.5])
async def test_a_payment_amount_is_whole_positive_bounded_dong(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient], amount: Any
) -> None:
    service, client = booths_app
    [exhibitor] = await booth_fair.approved_exhibitors(1)
    response = await client.post(
        f"/fairs/{booth_fair.fair_id}/payments",
        headers=booth_fair.organizer,
        json={
            "exhibitor_id": str(exhibitor["exhibitor_id"]),
            "amount_vnd": amount,
            "reference": "CK",
        },
    )
    refused(response, "amount_vnd")
    assert not await service.pool.fetchval(
        "select count(*) from payments where fair_id = $1", booth_fair.fair_id
    )


async def test_a_2_to_the_64_in_a_query_or_path_is_422_naming_it(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _, client = booths_app
    huge = str(2**64)
    response = await client.get(
        f"/fairs/{booth_fair.fair_id}/fees",
        headers=booth_fair.organizer,
        params={"exhibitor_id": huge},
    )
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["detail"]] == [["query", "exhibitor_id"]]
    response = await client.get(f"/fairs/{huge}/waitlist", headers=booth_fair.organizer)
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["detail"]] == [["path", "fair_id"]]


# -- floats: finite, and within the hall --------------------------------------------------


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
@pytest.mark.parametrize("field", ["x", "y", "width_m", "depth_m"])
async def test_a_coordinate_or_size_that_is_not_finite_is_refused(
    booth_fair: BoothFair,
    booths_app: tuple[Service, httpx.AsyncClient],
    field: str,
    literal: str,
) -> None:
    # Python's json reads NaN and Infinity; before, a NaN booth overlapped nothing (every
    # comparison with NaN is false) and was stored as numeric NaN.
    service, _ = booths_app
    body = json.dumps(plan(**{field: "__value__"})).replace('"__value__"', literal)
    refused(await put_plan(booth_fair, body), "booths", 0, field)
    assert await booth_count(service, booth_fair) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("width_m", 10_000),  # numeric(6, 2): at most 9999.99
        ("depth_m", 1e6),
        ("x", 1e7),  # numeric(8, 2): at most 999999.99
        ("y", 10_000.5),
        ("x", -3),
        ("width_m", 0.001),  # stored to the centimetre, it would be 0.00 (check width_m > 0)
        ("depth_m", 0),
    ],
)
async def test_a_floor_plan_number_beyond_the_hall_is_refused_before_the_database(
    booth_fair: BoothFair,
    booths_app: tuple[Service, httpx.AsyncClient],
    field: str,
    value: float,
) -> None:
    service, _ = booths_app
    refused(await put_plan(booth_fair, plan(**{field: value})), "booths", 0, field)
    assert await booth_count(service, booth_fair) == 0


async def test_booths_are_placed_to_the_centimetre_they_are_stored_with(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    # A-001 from 0.006 m, 2.996 m wide, ends at 3.002 m; A-002 from 3.004 m does not overlap
    # it. Stored to the centimetre, A-001 runs from 0.01 m to 3.01 m and A-002 starts at
    # 3.00 m: the stored plan would overlap, so the check judges the rounded plan.
    service, _ = booths_app
    body = plan(x=0.006, width_m=2.996)
    body["booths"][1]["x"] = 3.004
    response = await put_plan(booth_fair, body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "booths", "1"]
    assert await booth_count(service, booth_fair) == 0
    body["booths"][1]["x"] = 3.006  # 3.01 once stored: touching, not overlapping
    response = await put_plan(booth_fair, body)
    assert response.status_code == 200, response.text
    exported = (
        await booth_fair.client.get(
            f"/fairs/{booth_fair.fair_id}/floorplan", headers=booth_fair.organizer
        )
    ).json()
    first, second = exported["booths"]
    assert (first["x"], first["width_m"], second["x"]) == (0.01, 3.0, 3.01)
    assert first["neighbours"] == ["A-002"]


# -- text: NFC, no control characters, something visible, bounded -------------------------


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("booths", 0, "code"), "A\x00-1"),
        (("booths", 0, "code"), "\u200b"),
        (("booths", 0, "code"), "A" * 21),
        (("booths", 0, "code"), 101),
        (("booths", 0, "zone"), "A\x00"),
        (("booths", 0, "zone"), "\ud800"),  # a lone surrogate: echoed in "no zone ...", a 500
        (("booths", 0, "code"), "A\udfff"),
        (("zones", 0, "name"), "Khu \ud800"),
        (("zones", 0, "name"), "\u200b"),
        (("zones", 0, "name"), "Khu\x00A"),
        (("zones", 0, "name"), "\u200b \ufeff\u2060"),
        (("zones", 0, "name"), "K" * 201),
        (("zones", 0, "code"), "\u200d"),
        (("zones", 0, "code"), "Z" * 21),
    ],
)
async def test_floor_plan_text_is_visible_clean_and_bounded(
    booth_fair: BoothFair,
    booths_app: tuple[Service, httpx.AsyncClient],
    where: tuple[str, int, str],
    value: Any,
) -> None:
    service, _ = booths_app
    body = plan()
    collection, index, field = where
    body[collection][index][field] = value
    refused(await put_plan(booth_fair, body), *where)
    assert await booth_count(service, booth_fair) == 0


async def test_floor_plan_text_is_stored_as_nfc(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    service, _ = booths_app
    body = plan()
    body["zones"][0]["name"] = "Khu Qua\u0309ng Ninh"  # decomposed: a + combining hook
    response = await put_plan(booth_fair, body)
    assert response.status_code == 200, response.text
    name = await service.pool.fetchval(
        "select name from zones where fair_id = $1", booth_fair.fair_id
    )
    assert name == "Khu Quảng Ninh" and len(name) == 14


@pytest.mark.parametrize("reason", ["\x00", "cột\x00điện", "\u200b", "   ", "r" * 501, 5, "\ud800"])
@pytest.mark.parametrize("action", ["block", "unblock", "move", "swap"])
async def test_a_reason_is_visible_clean_and_bounded(
    booth_fair: BoothFair,
    booths_app: tuple[Service, httpx.AsyncClient],
    action: str,
    reason: Any,
) -> None:
    service, client = booths_app
    booths = await booth_fair.floorplan(2)
    first, second = booths[0]["booth_id"], booths[1]["booth_id"]
    body: dict[str, Any] = {"reason": reason}
    if action == "move":
        body["to_booth_id"] = second
    if action == "swap":
        body["other_booth_id"] = second
    response = await client.post(
        f"/fairs/{booth_fair.fair_id}/booths/{first}/{action}",
        headers={**booth_fair.organizer, "Content-Type": "application/json"},
        content=json.dumps(body),  # ASCII: a lone surrogate travels as its JSON escape
    )
    refused(response, "reason")
    assert not await service.pool.fetchval(
        "select count(*) from booth_audit where fair_id = $1", booth_fair.fair_id
    )


@pytest.mark.parametrize("reference", ["CK\x00", "\u200b", "", "R" * 121, 123, "CK\ud800"])
async def test_a_payment_reference_is_visible_clean_and_bounded(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient], reference: Any
) -> None:
    service, client = booths_app
    [exhibitor] = await booth_fair.approved_exhibitors(1)
    response = await client.post(
        f"/fairs/{booth_fair.fair_id}/payments",
        headers={**booth_fair.organizer, "Content-Type": "application/json"},
        content=json.dumps(
            {
                "exhibitor_id": str(exhibitor["exhibitor_id"]),
                "amount_vnd": 1000,
                "reference": reference,
            }
        ),
    )
    refused(response, "reference")
    assert not await service.pool.fetchval(
        "select count(*) from payments where fair_id = $1", booth_fair.fair_id
    )


async def test_a_nul_in_a_query_is_422_naming_the_parameter(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _, client = booths_app
    response = await client.get(
        f"/fairs/{booth_fair.fair_id}/fees?exhibitor_id=%00", headers=booth_fair.organizer
    )
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["detail"]] == [["query", "exhibitor_id"]]


# -- lists: bounded ---------------------------------------------------------------------


async def test_over_long_lists_are_refused_naming_them(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    service, _ = booths_app
    body = plan()
    body["zones"] = [{"code": f"Z{i}", "name": f"Khu {i}", "kind": "regional"} for i in range(201)]
    body["booths"][0]["zone"] = body["booths"][1]["zone"] = "Z0"
    refused(await put_plan(booth_fair, body), "zones")
    body = plan()
    body["booths"] = [
        {**body["booths"][0], "code": f"B{i}", "x": 3.0 * (i % 100), "y": 3.0 * (i // 100)}
        for i in range(5001)
    ]
    refused(await put_plan(booth_fair, body), "booths")
    body = plan()
    body["zones"], body["booths"] = [], []
    response = await put_plan(booth_fair, body)
    assert response.status_code == 422, response.text
    assert sorted(e["loc"][1] for e in response.json()["detail"]) == ["booths", "zones"]
    assert await booth_count(service, booth_fair) == 0


# -- error bodies: every 4xx names its field ----------------------------------------------


async def test_a_missing_record_is_a_problem_naming_its_field(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _, client = booths_app
    other = uuid.uuid4()
    answers = {
        "fair_id": await client.get(f"/fairs/{other}/waitlist", headers=booth_fair.organizer),
        "run_id": await client.post(f"/allocations/{other}/commit", headers=booth_fair.organizer),
    }
    answers["fair_id "] = await client.get(
        f"/fairs/{booth_fair.fair_id}/floorplan", headers=booth_fair.organizer
    )
    for field, response in answers.items():
        assert response.status_code == 404, response.text
        body = response.json()
        assert set(body) <= {"detail", "code", "field"} and isinstance(body["detail"], str)
        assert body["field"] == field.strip(), body
