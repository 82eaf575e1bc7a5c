"""Fixes found while moving the booth lifecycle into the domain, each with the test that
failed before it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx

from ocop_shared.service import Service

BoothFair = Any


async def test_a_waitlist_offer_lasts_the_configured_minutes(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    # Before: the offer read rules->>'waitlist_offer_minutes', a key no fair's rules carry,
    # so every offer lasted 60 minutes whatever was configured (the tests configure 45).
    service, client = booths_app
    [booth] = await booth_fair.floorplan(1)
    await booth_fair.approved_exhibitors(2)
    proposal = (
        await client.post(f"/fairs/{booth_fair.fair_id}/allocations", headers=booth_fair.organizer)
    ).json()
    [waiting] = proposal["waitlist"]
    url = f"/fairs/{booth_fair.fair_id}/booths/{booth['booth_id']}"
    # Blocked before the commit, the booth is skipped; unblocking offers it to the waitlist.
    r = await client.post(f"{url}/block", headers=booth_fair.organizer, json={"reason": "x"})
    assert r.status_code == 200, r.text
    committed = await client.post(
        f"/allocations/{proposal['run_id']}/commit", headers=booth_fair.organizer
    )
    assert committed.status_code == 200, committed.text
    assert committed.json()["assigned"] == 0
    r = await client.post(f"{url}/unblock", headers=booth_fair.organizer, json={"reason": "x"})
    assert r.status_code == 200, r.text
    offer = await service.pool.fetchrow(
        "select status, hold_expires_at - since as lasts from occupancy where application_id = $1",
        uuid.UUID(waiting["application_id"]),
    )
    assert offer is not None and offer["status"] == "held"
    assert offer["lasts"] == timedelta(minutes=45)


async def test_the_corner_surcharge_is_the_configured_percentage(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    # Before: the surcharge read rules->>'corner_surcharge_percent', a key no fair's rules
    # carry, so it was always 10 % (the tests configure 25 %).
    _service, client = booths_app
    corner, _standard = await booth_fair.floorplan(2, kinds=["corner", "standard"])
    [ex] = await booth_fair.approved_exhibitors(1)
    held = await client.post(
        f"/fairs/{booth_fair.fair_id}/holds",
        headers=ex["headers"],
        json={"booth_id": corner["booth_id"]},
    )
    assert held.status_code == 201, held.text
    fees = (await client.get(f"/fairs/{booth_fair.fair_id}/fees", headers=ex["headers"])).json()
    [line] = fees["lines"]
    assert line["surcharge_vnd"] == 1_000_000  # 25 % of 4,000,000
    assert line["due_vnd"] == 2_500_000  # half subsidised


async def test_an_organizer_cannot_move_the_booths_of_another_fair(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    # Before: the move checked that the caller organizes the fair in the path, not that the
    # booth belongs to it, so any organizer could move any fair's exhibitors.
    service, client = booths_app
    first, second = await booth_fair.floorplan(2)
    [ex] = await booth_fair.approved_exhibitors(1)
    held = await client.post(
        f"/fairs/{booth_fair.fair_id}/holds",
        headers=ex["headers"],
        json={"booth_id": first["booth_id"]},
    )
    assert held.status_code == 201
    other = type(booth_fair)(booth_fair.settings, booth_fair.service, client)
    await other.open()
    moved = await client.post(
        f"/fairs/{other.fair_id}/booths/{first['booth_id']}/move",
        headers=other.organizer,
        json={"to_booth_id": second["booth_id"], "reason": "x"},
    )
    assert moved.status_code == 404, moved.text
    assert await service.pool.fetchval(
        "select booth_id from occupancy where exhibitor_id = $1", ex["exhibitor_id"]
    ) == uuid.UUID(first["booth_id"])
