"""What the organizer console needed of booths, against the real stack: a stored run read
again, refusal codes, reasons as codes, the floor plan exported as it is imported, hold expiry
on the plan, and unmatched bank-statement lines kept and listed. Each failed before."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from ocop_shared.service import Service

BoothFair = Any  # conftest.py's


async def _hold(client: httpx.AsyncClient, fair: BoothFair, ex: dict[str, Any], booth: str) -> Any:
    r = await client.post(
        f"/fairs/{fair.fair_id}/holds", headers=ex["headers"], json={"booth_id": booth}
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_a_stored_run_is_read_again_as_it_was_proposed_until_and_after_its_commit(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _service, client = booths_app
    await booth_fair.floorplan(4, per_row=4)
    await booth_fair.approved_exhibitors(3, count=2)
    proposed = await client.post(
        f"/fairs/{booth_fair.fair_id}/allocations", headers=booth_fair.organizer
    )
    assert proposed.status_code == 201, proposed.text
    proposal = proposed.json()
    url = f"/allocations/{proposal['run_id']}"
    stored = await client.get(url, headers=booth_fair.organizer)
    assert stored.status_code == 200, stored.text
    again = stored.json()
    assert again.pop("created_at") is not None and again.pop("committed_at") is None
    assert again == proposal  # exactly as the proposal was answered
    committed = await client.post(f"{url}/commit", headers=booth_fair.organizer)
    assert committed.status_code == 200, committed.text
    after = (await client.get(url, headers=booth_fair.organizer)).json()
    assert after["committed_at"] is not None and after["placements"] == proposal["placements"]
    # Committed twice: refused with its code.
    twice = await client.post(f"{url}/commit", headers=booth_fair.organizer)
    assert twice.status_code == 409 and twice.json()["code"] == "run_already_committed"
    # Another organizer's run, or none: the same 404.
    other = type(booth_fair)(booth_fair.settings, booth_fair.service, client)
    await other.open()
    for headers, path in (
        (other.organizer, url),
        (booth_fair.organizer, f"/allocations/{uuid.uuid4()}"),
    ):
        missing = await client.get(path, headers=headers)
        assert missing.status_code == 404, missing.text
        assert missing.json()["code"] == "run_not_found" and missing.json()["field"] == "run_id"
    refused = await client.post(f"{url}/commit", headers=other.organizer)
    assert refused.status_code == 404 and refused.json()["code"] == "run_not_found"


async def test_refusals_carry_their_own_codes(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _service, client = booths_app
    booth, spare, third = await booth_fair.floorplan(3)
    a, b = await booth_fair.approved_exhibitors(2)
    await _hold(client, booth_fair, a, booth["booth_id"])
    org, fair = booth_fair.organizer, booth_fair.fair_id
    booths = f"/fairs/{fair}/booths"

    async def refused(r: httpx.Response, status: int, code: str) -> None:
        assert r.status_code == status, r.text
        body = r.json()
        assert body["code"] == code and body["detail"], body

    await refused(
        await client.post(f"{booths}/{booth['booth_id']}/block", headers=org, json={"reason": "x"}),
        409,
        "booth_occupied",
    )
    await refused(
        await client.post(
            f"/fairs/{fair}/holds", headers=b["headers"], json={"booth_id": booth["booth_id"]}
        ),
        409,
        "booth_taken",
    )
    await refused(
        await client.post(
            f"{booths}/{spare['booth_id']}/unblock", headers=org, json={"reason": "x"}
        ),
        409,
        "not_blocked",
    )
    blocked = await client.post(
        f"{booths}/{third['booth_id']}/block", headers=org, json={"reason": "x"}
    )
    assert blocked.status_code == 200, blocked.text
    await refused(
        await client.post(f"{booths}/{third['booth_id']}/block", headers=org, json={"reason": "x"}),
        409,
        "already_blocked",
    )
    await refused(
        await client.post(
            f"/fairs/{fair}/holds", headers=b["headers"], json={"booth_id": third["booth_id"]}
        ),
        409,
        "booth_blocked",
    )
    await refused(
        await client.post(
            f"{booths}/{booth['booth_id']}/move",
            headers=org,
            json={"to_booth_id": third["booth_id"], "reason": "x"},
        ),
        409,
        "target_not_free",
    )
    await refused(
        await client.post(
            f"{booths}/{booth['booth_id']}/swap",
            headers=org,
            json={"other_booth_id": spare["booth_id"], "reason": "x"},
        ),
        409,
        "swap_needs_two_occupied",
    )
    await refused(
        await client.get(f"{booths}/{uuid.uuid4()}/history", headers=org), 404, "booth_not_found"
    )
    await refused(
        await client.delete(f"/fairs/{fair}/holds/{booth['booth_id']}", headers=b["headers"]),
        404,
        "hold_not_found",
    )
    await refused(
        await client.get(f"/fairs/{uuid.uuid4()}/waitlist", headers=org), 404, "fair_not_found"
    )


async def test_proposals_waitlists_and_histories_carry_reason_codes(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _service, client = booths_app
    booths = await booth_fair.floorplan(2, per_row=2)
    await booth_fair.approved_exhibitors(2, count=2)
    org = booth_fair.organizer
    proposal = (await client.post(f"/fairs/{booth_fair.fair_id}/allocations", headers=org)).json()
    [placed] = proposal["placements"]
    assert placed["reasons"][0]["code"] == "queue_place"
    assert placed["reasons"][-1] == {
        "code": "booths_side_by_side",
        "count": 2,
        "booth_type": "standard",
        "booths": placed["booth_codes"],
    }
    [waiting] = proposal["waitlist"]
    assert waiting["reason_code"] == "no_room_left"
    assert waiting["reason_params"] == {"star": 4, "place": 2, "count": 2, "booth_type": "standard"}
    r = await client.post(f"/allocations/{proposal['run_id']}/commit", headers=org)
    assert r.status_code == 200, r.text
    [row] = (await client.get(f"/fairs/{booth_fair.fair_id}/waitlist", headers=org)).json()
    assert (row["reason"], row["reason_code"], row["reason_params"]) == (
        waiting["reason"],
        "no_room_left",
        waiting["reason_params"],
    )
    url = f"/fairs/{booth_fair.fair_id}/booths/{booths[0]['booth_id']}/history"
    [entry] = (await client.get(url, headers=org)).json()
    assert entry["reason_code"] == "allocated"
    assert entry["reason_params"] == {"run_id": proposal["run_id"], "reasons": placed["reasons"]}
    assert entry["reason"] == f"allocation {proposal['run_id']}: {placed['explanation']}"


async def test_the_floor_plan_exported_for_import_loads_again_as_it_is(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _service, client = booths_app
    await booth_fair.floorplan(5, per_row=3, kinds=["corner", "standard"])
    org = booth_fair.organizer
    exported = await client.get(
        f"/fairs/{booth_fair.fair_id}/floorplan", headers=org, params={"format": "import"}
    )
    assert exported.status_code == 200, exported.text
    plan = exported.json()
    assert set(plan) == {"zones", "booths"}
    assert set(plan["booths"][0]) == {
        "code", "zone", "booth_type", "width_m", "depth_m", "price_vnd", "x", "y", "open_sides",
        "kind",  # issue 15: booth | stand | shelf (a stand or a shelf also names its store_code)
    }  # fmt: skip
    full = (await client.get(f"/fairs/{booth_fair.fair_id}/floorplan", headers=org)).json()
    assert "booth_id" in full["booths"][0]  # the full export: read-only facts a PUT refuses
    refused = await client.put(f"/fairs/{booth_fair.fair_id}/floorplan", headers=org, json=full)
    assert refused.status_code == 422
    # As it is, at another fair of the organizer, and at this one again (nothing taken).
    sibling = booth_fair.sibling()
    await sibling.open()
    for fair_id in (sibling.fair_id, booth_fair.fair_id):
        loaded = await client.put(f"/fairs/{fair_id}/floorplan", headers=org, json=plan)
        assert loaded.status_code == 200, loaded.text
        again = await client.get(
            f"/fairs/{fair_id}/floorplan", headers=org, params={"format": "import"}
        )
        assert again.json() == plan


async def test_a_held_booth_on_the_plan_says_until_when(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _service, client = booths_app
    booths = await booth_fair.floorplan(3)
    a, b = await booth_fair.approved_exhibitors(2)
    held = await _hold(client, booth_fair, a, booths[0]["booth_id"])
    url = f"/fairs/{booth_fair.fair_id}/floorplan"

    def by_id(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return {x["booth_id"]: x for x in plan["booths"]}

    seen = by_id((await client.get(url, headers=booth_fair.organizer)).json())
    assert seen[booths[0]["booth_id"]]["state"] == "held"
    assert seen[booths[0]["booth_id"]]["held_until"] == held["hold_expires_at"]
    assert "held_until" not in seen[booths[1]["booth_id"]]
    own = by_id((await client.get(url, headers=a["headers"])).json())
    assert own[booths[0]["booth_id"]]["held_until"] == held["hold_expires_at"]
    others = by_id((await client.get(url, headers=b["headers"])).json())
    assert others[booths[0]["booth_id"]]["state"] == "taken"
    assert "held_until" not in others[booths[0]["booth_id"]]


async def test_unmatched_statement_lines_are_kept_listed_once_and_gone_once_paid(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _service, client = booths_app
    booths = await booth_fair.floorplan(2)
    [a] = await booth_fair.approved_exhibitors(1)
    org, fair = booth_fair.organizer, booth_fair.fair_id
    # A's reference, before A has a booth: nobody at the fair owes anything yet.
    reference = (await client.get(f"/fairs/{fair}/fees", headers=a["headers"])).json()[
        "payment_reference"
    ]
    statement = (
        "transaction_id,date,amount_vnd,description\n"
        f"FT001,2025-08-20,2.000.000,CK {reference} HTX\n"
        "FT002,2025-08-20,150.000,tien dien thang 8\n"
        "FT003,2025-08-20,12x,phi\n"
    ).encode()

    async def upload() -> Any:
        r = await client.post(
            f"/fairs/{fair}/payments/statement",
            headers=org,
            files={"file": ("sao-ke.csv", statement, "text/csv")},
        )
        assert r.status_code == 200, r.text
        return r.json()

    assert [u["reason_code"] for u in (await upload())["unmatched"]] == [
        "no_payment_reference",
        "no_payment_reference",
        "amount_not_whole",
    ]
    await upload()  # the same statement again keeps nothing twice
    listed = await client.get(f"/fairs/{fair}/payments/unmatched", headers=org)
    assert listed.status_code == 200, listed.text
    lines = listed.json()
    assert [
        (x["transaction_id"], x["amount"], x["amount_vnd"], x["reason_code"]) for x in lines
    ] == [
        ("FT001", "2.000.000", 2_000_000, "no_payment_reference"),
        ("FT002", "150.000", 150_000, "no_payment_reference"),
        ("FT003", "12x", None, "amount_not_whole"),
    ]
    assert lines[1]["description"] == "tien dien thang 8" and lines[1]["booked_at"] == "2025-08-20"
    assert lines[0]["imported_by"] == booth_fair.organizer_id and lines[0]["line"] == 2
    # Once A holds a booth, the same transfer matches: it pays, and leaves the list.
    await _hold(client, booth_fair, a, booths[0]["booth_id"])
    paid = await upload()
    assert [m["line"] for m in paid["matched"]] == [2]
    left = (await client.get(f"/fairs/{fair}/payments/unmatched", headers=org)).json()
    assert [x["transaction_id"] for x in left] == ["FT002", "FT003"]
    # Exhibitors do not read them.
    assert (
        await client.get(f"/fairs/{fair}/payments/unmatched", headers=a["headers"])
    ).status_code == 403
