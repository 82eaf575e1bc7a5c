"""The booths findings of the reliability review (issue 14), each with the test that failed
before its fix."""

from __future__ import annotations

from typing import Any

import httpx

from ocop_shared.service import Service

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
