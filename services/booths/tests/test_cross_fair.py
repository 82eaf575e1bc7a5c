"""A record of another fair answers 404 and changes nothing, whatever fair the path names:
another organizer's fair, or the caller's own other fair (issue 10: an organizer moved a
booth and read a booth's history at another organizer's fair by putting its own fair in the
URL)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx

from ocop_shared.service import Service
from ocop_testkit.authz import outbox_position

BoothFair = Any


async def _held(client: httpx.AsyncClient, fair: BoothFair, booth: dict[str, Any]) -> Any:
    [ex] = await fair.approved_exhibitors(1)
    r = await client.post(
        f"/fairs/{fair.fair_id}/holds", headers=ex["headers"], json={"booth_id": booth["booth_id"]}
    )
    assert r.status_code == 201, r.text
    return ex


async def _occupants(service: Service, *fairs: BoothFair) -> list[tuple[Any, ...]]:
    rows = await service.pool.fetch(
        """select booth_id, exhibitor_id, status from occupancy
            where fair_id = any($1::uuid[]) order by booth_id""",
        [f.fair_id for f in fairs],
    )
    return [tuple(r) for r in rows]


async def _audit(service: Service, *fairs: BoothFair) -> int:
    return int(
        await service.pool.fetchval(
            "select count(*) from booth_audit where fair_id = any($1::uuid[])",
            [f.fair_id for f in fairs],
        )
    )


async def test_moving_a_booth_of_another_organizers_fair_through_ones_own_fair_is_404(
    booth_fair: BoothFair,
    booths_app: tuple[Service, httpx.AsyncClient],
    admin_conn: asyncpg.Connection,
) -> None:
    service, client = booths_app
    theirs = await booth_fair.floorplan(2)
    await _held(client, booth_fair, theirs[0])
    mine = type(booth_fair)(booth_fair.settings, service, client)
    await mine.open()
    my_booths = await mine.floorplan(2)
    await _held(client, mine, my_booths[0])
    before = (
        await _occupants(service, booth_fair, mine),
        await _audit(service, booth_fair, mine),
        await outbox_position(admin_conn, "booths"),
    )
    url = f"/fairs/{mine.fair_id}/booths"
    attempts = [
        # their occupied booth to their free one, through my fair
        (theirs[0]["booth_id"], theirs[1]["booth_id"]),
        # their occupied booth to my free one
        (theirs[0]["booth_id"], my_booths[1]["booth_id"]),
        # my occupied booth to their free one
        (my_booths[0]["booth_id"], theirs[1]["booth_id"]),
    ]
    for source, target in attempts:
        moved = await client.post(
            f"{url}/{source}/move",
            headers=mine.organizer,
            json={"to_booth_id": target, "reason": "x"},
        )
        assert moved.status_code == 404, (source, target, moved.text)
    swapped = await client.post(
        f"{url}/{my_booths[0]['booth_id']}/swap",
        headers=mine.organizer,
        json={"other_booth_id": theirs[0]["booth_id"], "reason": "x"},
    )
    assert swapped.status_code == 404, swapped.text
    after = (
        await _occupants(service, booth_fair, mine),
        await _audit(service, booth_fair, mine),
        await outbox_position(admin_conn, "booths"),
    )
    assert after == before


async def test_moving_a_booth_of_ones_own_other_fair_is_404(
    booth_fair: BoothFair,
    booths_app: tuple[Service, httpx.AsyncClient],
    admin_conn: asyncpg.Connection,
) -> None:
    service, client = booths_app
    first = await booth_fair.floorplan(2)
    await _held(client, booth_fair, first[0])
    other = booth_fair.sibling()
    await other.open()
    second = await other.floorplan(2)
    before = (
        await _occupants(service, booth_fair, other),
        await _audit(service, booth_fair, other),
    )
    position = await outbox_position(admin_conn, "booths")
    for fair, source, target in [
        (other, first[0], first[1]),  # the booths of the first fair, the second in the path
        (other, first[0], second[0]),
        (booth_fair, first[0], second[0]),  # to a free booth of the other fair
    ]:
        moved = await client.post(
            f"/fairs/{fair.fair_id}/booths/{source['booth_id']}/move",
            headers=booth_fair.organizer,
            json={"to_booth_id": target["booth_id"], "reason": "x"},
        )
        assert moved.status_code == 404, moved.text
    after = (await _occupants(service, booth_fair, other), await _audit(service, booth_fair, other))
    assert after == before and await outbox_position(admin_conn, "booths") == position


async def test_a_booths_history_is_read_only_through_its_own_fair(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    service, client = booths_app
    theirs = await booth_fair.floorplan(1)
    await _held(client, booth_fair, theirs[0])
    path = f"booths/{theirs[0]['booth_id']}/history"
    own = await client.get(f"/fairs/{booth_fair.fair_id}/{path}", headers=booth_fair.organizer)
    assert own.status_code == 200 and [h["action"] for h in own.json()] == ["held"]
    # Another organizer, its own fair in the path.
    stranger = type(booth_fair)(booth_fair.settings, service, client)
    await stranger.open()
    r = await client.get(f"/fairs/{stranger.fair_id}/{path}", headers=stranger.organizer)
    assert r.status_code == 404, r.text
    # The same organizer, its other fair in the path.
    sibling = booth_fair.sibling()
    await sibling.open()
    r = await client.get(f"/fairs/{sibling.fair_id}/{path}", headers=booth_fair.organizer)
    assert r.status_code == 404, r.text
    # A booth nobody has: 404 too, not an empty history.
    r = await client.get(
        f"/fairs/{booth_fair.fair_id}/booths/{uuid.uuid4()}/history", headers=booth_fair.organizer
    )
    assert r.status_code == 404, r.text


async def test_a_bank_statement_pays_only_the_fair_it_is_imported_for(
    booth_fair: BoothFair,
    booths_app: tuple[Service, httpx.AsyncClient],
    admin_conn: asyncpg.Connection,
) -> None:
    service, client = booths_app
    await booth_fair.floorplan(1)
    other = booth_fair.sibling()
    await other.open(max_booths_per_holder=2, subsidy_percent=50, subsidy_max_booths=2)
    [booth] = await other.floorplan(1)
    ex = await _held(client, other, booth)
    fees = (await client.get(f"/fairs/{other.fair_id}/fees", headers=ex["headers"])).json()
    line = f"amount_vnd,description\n{fees['due_vnd']},CK {fees['payment_reference']}\n"
    position = await outbox_position(admin_conn, "booths")
    imported = await client.post(
        f"/fairs/{booth_fair.fair_id}/payments/statement",
        headers=booth_fair.organizer,
        files={"file": ("sao-ke.csv", line.encode(), "text/csv")},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["matched"] == [] and len(imported.json()["unmatched"]) == 1
    assert await outbox_position(admin_conn, "booths") == position
    assert (
        await service.pool.fetchval(
            "select count(*) from payments where exhibitor_id = $1", ex["exhibitor_id"]
        )
        == 0
    )
    # Named by hand through the wrong fair, the exhibitor is not found there.
    paid = await client.post(
        f"/fairs/{booth_fair.fair_id}/payments",
        headers=booth_fair.organizer,
        json={
            "exhibitor_id": str(ex["exhibitor_id"]),
            "amount_vnd": fees["due_vnd"],
            "reference": fees["payment_reference"],
        },
    )
    assert paid.status_code == 404 and paid.json()["field"] == "exhibitor_id"
    assert (
        await service.pool.fetchval(
            "select status from occupancy where booth_id = $1", uuid.UUID(booth["booth_id"])
        )
        == "held"
    )
