"""Booths against the real Postgres and Kafka: races for booths, deadlines, the waitlist,
allocation runs, and fees."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from ocop_shared.contracts.registration import ApplicationWithdrawn, CertificateRevoked
from ocop_shared.service import Service
from ocop_testkit import publish_events, read_topic, wait_for

BoothFair = Any


async def test_two_hundred_clients_racing_for_fifty_booths(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    service, client = booths_app
    booths = await booth_fair.floorplan(50)
    exhibitors = await booth_fair.approved_exhibitors(200)
    rng = random.Random(11)
    statuses: list[int] = []

    async def client_wants_a_booth(ex: dict[str, Any]) -> str | None:
        wanted = [b["booth_id"] for b in booths]
        rng.shuffle(wanted)
        for booth_id in wanted:  # try booths until one is got or none are left
            r = await client.post(
                f"/fairs/{booth_fair.fair_id}/holds",
                headers=ex["headers"],
                json={"booth_id": booth_id},
            )
            statuses.append(r.status_code)
            if r.status_code == 201:
                return booth_id
            assert r.status_code == 409, r.text
        return None

    got = await asyncio.gather(*(client_wants_a_booth(e) for e in exhibitors))
    won = [g for g in got if g is not None]
    assert len(won) == 50 and len(set(won)) == 50  # every booth taken, each once
    assert all(s in (201, 409) for s in statuses)  # no 5xx, ever
    rows = await service.pool.fetch(
        "select booth_id, exhibitor_id from occupancy where fair_id = $1", booth_fair.fair_id
    )
    assert len(rows) == 50 and len({r["exhibitor_id"] for r in rows}) == 50
    audit = await service.pool.fetchval(
        "select count(*) from booth_audit where fair_id = $1 and action = 'held'",
        booth_fair.fair_id,
    )
    assert audit == 50


async def test_hold_expiry_racing_a_payment_ends_confirmed_or_released_never_both(
    booth_fair: BoothFair,
    booths_app: tuple[Service, httpx.AsyncClient],
    sweep_deadlines: Callable[[], Awaitable[int]],
) -> None:
    service, client = booths_app
    booths = await booth_fair.floorplan(20)
    exhibitors = await booth_fair.approved_exhibitors(20)
    outcomes = {"confirmed": 0, "released": 0}
    for ex, booth in zip(exhibitors, booths, strict=True):
        r = await client.post(
            f"/fairs/{booth_fair.fair_id}/holds",
            headers=ex["headers"],
            json={"booth_id": booth["booth_id"]},
        )
        assert r.status_code == 201
        fees = (await client.get(f"/fairs/{booth_fair.fair_id}/fees", headers=ex["headers"])).json()
        await service.pool.execute(
            "update occupancy set hold_expires_at = now() + interval '30 milliseconds' where booth_id = $1",
            uuid.UUID(booth["booth_id"]),
        )
        await asyncio.sleep(random.uniform(0.0, 0.06))
        pay = client.post(
            f"/fairs/{booth_fair.fair_id}/payments",
            headers=booth_fair.organizer,
            json={
                "exhibitor_id": str(ex["exhibitor_id"]),
                "amount_vnd": fees["due_vnd"],
                "reference": fees["payment_reference"],
            },
        )
        paid, _ = await asyncio.gather(pay, sweep_deadlines())
        assert paid.status_code == 201
        state = await service.pool.fetchval(
            "select status from occupancy where booth_id = $1", uuid.UUID(booth["booth_id"])
        )
        audit = [
            r["action"]
            for r in await service.pool.fetch(
                "select action from booth_audit where booth_id = $1 order by id",
                uuid.UUID(booth["booth_id"]),
            )
        ]
        if state == "confirmed":
            assert audit == ["held", "confirmed"] and paid.json()["confirmed"] == [booth["code"]]
            outcomes["confirmed"] += 1
        else:
            assert (
                state is None and audit == ["held", "released"] and paid.json()["confirmed"] == []
            )
            outcomes["released"] += 1
    print("hold expiry vs payment:", outcomes)
    assert sum(outcomes.values()) == 20


async def test_an_allocation_run_is_proposed_explained_committed_and_its_waitlist_promoted_once(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient], stack_settings: Any
) -> None:
    service, client = booths_app
    await booth_fair.floorplan(6, per_row=6)
    exhibitors = await booth_fair.approved_exhibitors(5, count=2)
    proposal = (
        await client.post(f"/fairs/{booth_fair.fair_id}/allocations", headers=booth_fair.organizer)
    ).json()
    assert len(proposal["placements"]) == 3 and len(proposal["waitlist"]) == 2
    assert all(p["adjacent"] and "side by side" in p["explanation"] for p in proposal["placements"])
    assert proposal["objective"] >= proposal["greedy_objective"]
    assert (
        await service.pool.fetchval(
            "select count(*) from occupancy where fair_id = $1", booth_fair.fair_id
        )
        == 0
    )  # a proposal changes nothing
    committed = (
        await client.post(f"/allocations/{proposal['run_id']}/commit", headers=booth_fair.organizer)
    ).json()
    assert committed["assigned"] == 6 and committed["waitlisted"] == 2
    again = await client.post(
        f"/allocations/{proposal['run_id']}/commit", headers=booth_fair.organizer
    )
    assert again.status_code == 409

    # The first placed exhibitor withdraws; the event arrives twice. Its two booths go to the
    # waitlist: rank 1 asked for two, so it is offered both, each once; rank 2 waits on.
    placed = next(
        e
        for e in exhibitors
        if str(e["application"].application_id) == proposal["placements"][0]["application_id"]
    )
    withdrawn = ApplicationWithdrawn(
        application=placed["application"].model_copy(update={"status": "withdrawn"})
    )
    await publish_events(stack_settings, [withdrawn, withdrawn])
    first, second = (uuid.UUID(w["application_id"]) for w in proposal["waitlist"])
    await wait_for(
        lambda: service.pool.fetchval(
            "select count(*) from occupancy where application_id = $1", first
        ),
        timeout=30,
    )
    await asyncio.sleep(1.0)  # let the duplicate be processed too
    offers = await service.pool.fetch(
        "select booth_id, status from occupancy where application_id = $1", first
    )
    assert [o["status"] for o in offers] == ["held", "held"]
    assert (
        await service.pool.fetchval("select status from waitlist where application_id = $1", first)
        == "offered"
    )
    assert (
        await service.pool.fetchval(
            "select count(*) from occupancy where application_id = $1", second
        )
        == 0
    )
    assert (
        await service.pool.fetchval(
            "select count(*) from booth_audit where fair_id = $1 and action = 'released'",
            booth_fair.fair_id,
        )
        == 2
    )
    events = await read_topic(
        stack_settings.kafka_bootstrap,
        stack_settings.topic_prefix + "booths.assignments",
        until=lambda rs: sum(r.key == str(booth_fair.fair_id).encode() for r in rs) >= 11,
        timeout=20,
    )
    mine = [
        dict(r.headers)["event_type"].decode()
        for r in events
        if r.key == str(booth_fair.fair_id).encode()
    ]
    assert (
        mine.count("booths.booth_assigned") == 6 and mine.count("booths.allocation_committed") == 1
    )
    assert mine.count("booths.booth_released") == 2 and mine.count("booths.booth_held") == 2


async def test_a_revoked_certificate_releases_the_booths_of_an_exhibitor_left_with_nothing(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient], stack_settings: Any
) -> None:
    service, client = booths_app
    booths = await booth_fair.floorplan(2)
    [ex] = await booth_fair.approved_exhibitors(1)
    assert (
        await client.post(
            f"/fairs/{booth_fair.fair_id}/holds",
            headers=ex["headers"],
            json={"booth_id": booths[0]["booth_id"]},
        )
    ).status_code == 201
    product = ex["product"]
    revoked = CertificateRevoked(
        product=product.model_copy(
            update={"certificate": product.certificate.model_copy(update={"status": "revoked"})}
        ),
        reason="vi phạm",
        decision_number="47/QĐ-UBND",
    )
    await publish_events(stack_settings, [revoked])
    await wait_for(
        lambda: service.pool.fetchval(
            "select count(*) = 0 from occupancy where exhibitor_id = $1", ex["exhibitor_id"]
        ),
        timeout=30,
    )
    reason = await service.pool.fetchval(
        "select reason from booth_audit where booth_id = $1 and action = 'released'",
        uuid.UUID(booths[0]["booth_id"]),
    )
    assert "no admitted product left" in reason


async def test_fees_statement_vietqr_and_bank_statement_matching(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _service, client = booths_app
    booths = await booth_fair.floorplan(4, kinds=["corner", "standard"])
    a, b = await booth_fair.approved_exhibitors(2, count=2, booth_type="standard")
    for booth in booths[1:4:2]:
        assert (
            await client.post(
                f"/fairs/{booth_fair.fair_id}/holds",
                headers=a["headers"],
                json={"booth_id": booth["booth_id"]},
            )
        ).status_code == 201
    statement = (await client.get(f"/fairs/{booth_fair.fair_id}/fees", headers=a["headers"])).json()
    assert statement["due_vnd"] == 4_000_000  # two standard booths, both half subsidised
    assert (
        statement["vietqr"].startswith("000201010212")
        and statement["payment_reference"] in statement["vietqr"]
    )
    # Exhibitor B cannot read A's statement: it does not exist for B.
    refused = await client.get(
        f"/fairs/{booth_fair.fair_id}/fees",
        headers=b["headers"],
        params={"exhibitor_id": str(a["exhibitor_id"])},
    )
    assert refused.status_code == 404 and refused.json()["field"] == "exhibitor_id"
    own = await client.get(f"/fairs/{booth_fair.fair_id}/fees", headers=b["headers"])
    assert own.json()["due_vnd"] == 0
    csv_body = f"date,amount_vnd,description\n2024-08-20,4.000.000,CK {statement['payment_reference']} HTX\n2024-08-20,99,unrelated\n"
    matched = (
        await client.post(
            f"/fairs/{booth_fair.fair_id}/payments/statement",
            headers=booth_fair.organizer,
            files={"file": ("bank.csv", csv_body.encode(), "text/csv")},
        )
    ).json()
    assert len(matched["matched"]) == 1 and sorted(matched["matched"][0]["confirmed"]) == sorted(
        b["code"] for b in booths[1:4:2]
    )
    assert matched["unmatched"][0]["line"] == 3
    again = (
        await client.post(
            f"/fairs/{booth_fair.fair_id}/payments/statement",
            headers=booth_fair.organizer,
            files={"file": ("bank.csv", csv_body.encode(), "text/csv")},
        )
    ).json()
    assert again["matched"] == []  # importing the same statement twice pays nothing twice


async def test_bad_floor_plans_and_foreign_fairs_get_clear_errors(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _service, client = booths_app
    zone = {"code": "A", "name": "A", "kind": "regional"}
    overlapping = {
        "zones": [zone],
        "booths": [
            {
                "code": "A-1",
                "zone": "A",
                "width_m": 3,
                "depth_m": 3,
                "price_vnd": 1,
                "x": 0,
                "y": 0,
            },
            {
                "code": "A-2",
                "zone": "A",
                "width_m": 3,
                "depth_m": 3,
                "price_vnd": 1,
                "x": 1,
                "y": 1,
            },
        ],
    }
    r = await client.put(
        f"/fairs/{booth_fair.fair_id}/floorplan", headers=booth_fair.organizer, json=overlapping
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "booths", "1"]
    unknown = {**overlapping, "booths": overlapping["booths"][:1], "colour": "red"}
    assert (
        await client.put(
            f"/fairs/{booth_fair.fair_id}/floorplan", headers=booth_fair.organizer, json=unknown
        )
    ).status_code == 422
    other = type(booth_fair)(booth_fair.settings, booth_fair.service, client)
    await other.open()
    assert (
        await client.put(
            f"/fairs/{booth_fair.fair_id}/floorplan",
            headers=other.organizer,
            json={**overlapping, "booths": overlapping["booths"][:1]},
        )
    ).status_code == 404
    assert (
        await client.get(f"/fairs/{booth_fair.fair_id}/floorplan", headers=booth_fair.organizer)
    ).status_code == 404  # nothing stored


async def test_organizers_move_and_swap_booths_with_audit(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    service, client = booths_app
    booths = await booth_fair.floorplan(4)
    a, b = await booth_fair.approved_exhibitors(2)
    for ex, booth in ((a, booths[0]), (b, booths[1])):
        assert (
            await client.post(
                f"/fairs/{booth_fair.fair_id}/holds",
                headers=ex["headers"],
                json={"booth_id": booth["booth_id"]},
            )
        ).status_code == 201
    url = f"/fairs/{booth_fair.fair_id}/booths"
    swapped = await client.post(
        f"{url}/{booths[0]['booth_id']}/swap",
        headers=booth_fair.organizer,
        json={"other_booth_id": booths[1]["booth_id"], "reason": "cùng khu sản phẩm"},
    )
    assert swapped.status_code == 200, swapped.text
    holder = {
        str(r["booth_id"]): r["exhibitor_id"]
        for r in await service.pool.fetch(
            "select booth_id, exhibitor_id from occupancy where fair_id = $1", booth_fair.fair_id
        )
    }
    assert holder == {
        booths[0]["booth_id"]: b["exhibitor_id"],
        booths[1]["booth_id"]: a["exhibitor_id"],
    }
    moved = await client.post(
        f"{url}/{booths[0]['booth_id']}/move",
        headers=booth_fair.organizer,
        json={"to_booth_id": booths[1]["booth_id"], "reason": "x"},
    )
    assert moved.status_code == 409  # the target is taken
    moved = await client.post(
        f"{url}/{booths[0]['booth_id']}/move",
        headers=booth_fair.organizer,
        json={"to_booth_id": booths[2]["booth_id"], "reason": "gần lối đi"},
    )
    assert moved.status_code == 200 and moved.json()["exhibitor_id"] == str(b["exhibitor_id"])
    history = (
        await client.get(f"{url}/{booths[2]['booth_id']}/history", headers=booth_fair.organizer)
    ).json()
    assert [h["action"] for h in history] == ["moved"] and "gần lối đi" in history[0]["reason"]
    # An exhibitor cannot move booths.
    assert (
        await client.post(
            f"{url}/{booths[2]['booth_id']}/move",
            headers=a["headers"],
            json={"to_booth_id": booths[3]["booth_id"], "reason": "x"},
        )
    ).status_code == 403


async def test_an_occupied_booth_is_blocked_only_once_moved_and_takes_no_hold_until_unblocked(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    service, client = booths_app
    booth, spare = await booth_fair.floorplan(2)
    a, b = await booth_fair.approved_exhibitors(2)
    hold = f"/fairs/{booth_fair.fair_id}/holds"
    assert (
        await client.post(hold, headers=a["headers"], json={"booth_id": booth["booth_id"]})
    ).status_code == 201
    url = f"/fairs/{booth_fair.fair_id}/booths/{booth['booth_id']}"
    # Occupied: refused, naming the booth and what to do; the exhibitor keeps it.
    refused = await client.post(
        f"{url}/block", headers=booth_fair.organizer, json={"reason": "cột điện"}
    )
    assert refused.status_code == 409 and refused.json()["field"] == "booth_id"
    assert booth["code"] in refused.text and "move the exhibitor" in refused.text
    occupant = "select exhibitor_id from occupancy where booth_id = $1"
    assert await service.pool.fetchval(occupant, uuid.UUID(booth["booth_id"])) == a["exhibitor_id"]
    # The organizer moves the exhibitor first, then blocks the booth.
    moved = await client.post(
        f"{url}/move",
        headers=booth_fair.organizer,
        json={"to_booth_id": spare["booth_id"], "reason": "cột điện hỏng"},
    )
    assert moved.status_code == 200, moved.text
    assert (
        await client.post(f"{url}/block", headers=booth_fair.organizer, json={"reason": "cột điện"})
    ).json() == {"booth": booth["code"], "state": "blocked"}
    assert await service.pool.fetchval(occupant, uuid.UUID(spare["booth_id"])) == a["exhibitor_id"]
    refused = await client.post(hold, headers=b["headers"], json={"booth_id": booth["booth_id"]})
    assert refused.status_code == 409 and refused.json()["field"] == "booth_id"
    assert (
        await client.post(f"{url}/unblock", headers=booth_fair.organizer, json={"reason": "đã sửa"})
    ).json()["state"] == "available"
    assert (
        await client.post(hold, headers=b["headers"], json={"booth_id": booth["booth_id"]})
    ).status_code == 201
    actions = [
        r["action"]
        for r in await service.pool.fetch(
            "select action from booth_audit where booth_id = $1 order by id",
            uuid.UUID(booth["booth_id"]),
        )
    ]
    assert actions == ["held", "blocked", "unblocked", "held"]
