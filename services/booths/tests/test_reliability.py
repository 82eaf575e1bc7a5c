"""The booths findings of the reliability review (issue 14), each with the test that failed
before its fix."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from ocop_shared.service import Service
from ocop_shared.settings import CommonSettings
from ocop_testkit import wait_for

BoothFair = Any


async def _hold(client: httpx.AsyncClient, fair: BoothFair, ex: dict[str, Any], booth: Any) -> None:
    held = await client.post(
        f"/fairs/{fair.fair_id}/holds", headers=ex["headers"], json={"booth_id": booth["booth_id"]}
    )
    assert held.status_code == 201, held.text


async def test_two_bank_transfers_with_the_same_note_and_amount_are_two_payments(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    # Before: a statement line was known by (reference, amount), so the second instalment of
    # an exhibitor paying twice with the same note was "already recorded" and never counted.
    _service, client = booths_app
    booths = await booth_fair.floorplan(4)
    a, b = await booth_fair.approved_exhibitors(2, count=2)
    for ex, pair in ((a, booths[:2]), (b, booths[2:])):
        for booth in pair:
            await _hold(client, booth_fair, ex, booth)
    refs = {}
    for ex in (a, b):
        fees = (await client.get(f"/fairs/{booth_fair.fair_id}/fees", headers=ex["headers"])).json()
        assert fees["due_vnd"] == 4_000_000  # two booths, half subsidised: paid in two halves
        refs[ex["exhibitor_id"]] = fees["payment_reference"]
    ra, rb = refs[a["exhibitor_id"]], refs[b["exhibitor_id"]]
    # A's bank gives transaction ids; B's statement has only the date: two lines alike.
    statements = [
        "transaction_id,date,time,amount_vnd,description\n"
        f"FT24233101,2024-08-20,09:15:02,2.000.000,CK {ra} HTX\n"
        f"FT24233187,2024-08-20,09:15:02,2.000.000,CK {ra} HTX\n",
        "date,amount_vnd,description\n"
        f"2024-08-21,2.000.000,CK {rb} HTX\n"
        f"2024-08-21,2.000.000,CK {rb} HTX\n",
    ]

    async def send(csv_body: str) -> Any:
        r = await client.post(
            f"/fairs/{booth_fair.fair_id}/payments/statement",
            headers=booth_fair.organizer,
            files={"file": ("sao-ke.csv", csv_body.encode(), "text/csv")},
        )
        assert r.status_code == 200, r.text
        return r.json()

    for ex, pair, csv_body in ((a, booths[:2], statements[0]), (b, booths[2:], statements[1])):
        matched = await send(csv_body)
        assert [m["line"] for m in matched["matched"]] == [2, 3], matched
        assert matched["unmatched"] == []
        # The second instalment pays the balance: both booths are confirmed.
        assert sorted(matched["matched"][1]["confirmed"]) == sorted(b["code"] for b in pair)
        fees = (await client.get(f"/fairs/{booth_fair.fair_id}/fees", headers=ex["headers"])).json()
        assert fees["paid_vnd"] == 4_000_000 and fees["balance_vnd"] == 0
        # The same statement imported again pays nothing twice.
        again = await send(csv_body)
        assert again["matched"] == []
        assert [u["line"] for u in again["unmatched"]] == [2, 3]
        assert all(u["reason"].startswith("already recorded") for u in again["unmatched"])
        fees = (await client.get(f"/fairs/{booth_fair.fair_id}/fees", headers=ex["headers"])).json()
        assert fees["paid_vnd"] == 4_000_000


@pytest.mark.parametrize("first", ["hold", "block"])
async def test_a_hold_racing_a_block_never_leaves_a_booth_blocked_and_occupied(
    first: str,
    booth_fair: BoothFair,
    booths_app: tuple[Service, httpx.AsyncClient],
    stack_settings: CommonSettings,
    test_database: str,
) -> None:
    # Before: a block read the booth free while a hold's insert was not yet committed (or a
    # hold read it unblocked while a block was not yet committed), and both committed: the
    # booth was blocked and occupied. Here the two transactions overlap exactly there: the
    # test locks booth_audit, which both write after their check, until both are waiting.
    service, client = booths_app
    [booth] = await booth_fair.floorplan(1)
    [ex] = await booth_fair.approved_exhibitors(1)
    booth_id = uuid.UUID(booth["booth_id"])
    url = f"/fairs/{booth_fair.fair_id}"
    send = {
        "hold": lambda: client.post(
            f"{url}/holds", headers=ex["headers"], json={"booth_id": booth["booth_id"]}
        ),
        "block": lambda: client.post(
            f"{url}/booths/{booth['booth_id']}/block",
            headers=booth_fair.organizer,
            json={"reason": "sàn sụt lún"},
        ),
    }
    second = "block" if first == "hold" else "hold"
    lock = await asyncpg.connect(stack_settings.admin_dsn(test_database))
    watch = await asyncpg.connect(stack_settings.admin_dsn(test_database))

    async def waiting() -> int:
        count: int = await watch.fetchval(
            """select count(*) from pg_stat_activity
                where datname = current_database() and wait_event_type = 'Lock'
                  and wait_event <> 'advisory' and pid <> $1""",
            lock.get_server_pid(),
        )
        return count

    tasks: dict[str, asyncio.Task[httpx.Response]] = {}
    try:
        async with lock.transaction():
            await lock.execute("lock table booths.booth_audit in exclusive mode")
            tasks[first] = asyncio.create_task(send[first]())
            await wait_for(lambda: _at_least(waiting, 1))
            tasks[second] = asyncio.create_task(send[second]())
            await wait_for(lambda: _at_least(waiting, 2))
        answers = {name: await task for name, task in tasks.items()}
    finally:
        await lock.close()
        await watch.close()

    state = await service.pool.fetchrow(
        """select b.blocked, o.exhibitor_id from booths b
             left join occupancy o using (booth_id) where b.booth_id = $1""",
        booth_id,
    )
    assert state is not None
    assert not (state["blocked"] and state["exhibitor_id"] is not None), "blocked and occupied"
    if first == "hold":
        assert answers["hold"].status_code == 201, answers["hold"].text
        assert answers["block"].status_code == 409, answers["block"].text
        assert booth["code"] in answers["block"].text
        assert state["exhibitor_id"] == ex["exhibitor_id"] and not state["blocked"]
    else:
        assert answers["block"].status_code == 200, answers["block"].text
        assert answers["hold"].status_code == 409, answers["hold"].text
        assert f"booth {booth['code']} is blocked" in answers["hold"].text
        assert state["blocked"] and state["exhibitor_id"] is None


async def _at_least(count: Any, n: int) -> bool:
    return bool(await count() >= n)


async def test_a_waitlist_offer_respects_the_fairs_cap_per_holder(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    # Before: an offer went to the best-ranked application holding fewer booths than it asked
    # for, whatever the fair's cap: one asking for 3 at a fair allowing 2 per holder got a
    # third booth, ahead of an exhibitor that had none.
    service, client = booths_app
    booths = await booth_fair.floorplan(4)
    [greedy] = await booth_fair.approved_exhibitors(1, count=3, star=5)  # the fair allows 2
    [modest] = await booth_fair.approved_exhibitors(1, count=1, star=4)
    organizer, url = booth_fair.organizer, f"/fairs/{booth_fair.fair_id}"
    for booth in booths:  # nothing free at allocation: both go to the waitlist
        r = await client.post(
            f"{url}/booths/{booth['booth_id']}/block", headers=organizer, json={"reason": "sơn"}
        )
        assert r.status_code == 200, r.text
    proposal = (await client.post(f"{url}/allocations", headers=organizer)).json()
    committed = await client.post(f"/allocations/{proposal['run_id']}/commit", headers=organizer)
    assert committed.status_code == 200, committed.text
    waitlist = (await client.get(f"{url}/waitlist", headers=organizer)).json()
    assert [w["application_id"] for w in waitlist] == [
        str(greedy["application"].application_id),
        str(modest["application"].application_id),
    ]
    for booth in booths[:3]:  # each booth put back in use is offered to the waitlist
        r = await client.post(
            f"{url}/booths/{booth['booth_id']}/unblock", headers=organizer, json={"reason": "khô"}
        )
        assert r.status_code == 200, r.text
    held = {
        r["booth_id"]: r["exhibitor_id"]
        for r in await service.pool.fetch(
            "select booth_id, exhibitor_id from occupancy where fair_id = $1 and status = 'held'",
            booth_fair.fair_id,
        )
    }
    ids = [uuid.UUID(b["booth_id"]) for b in booths[:3]]
    assert [held.get(b) for b in ids] == [
        greedy["exhibitor_id"],
        greedy["exhibitor_id"],
        modest["exhibitor_id"],
    ]
