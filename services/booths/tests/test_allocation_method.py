"""An allocation run says how its placement was found and its proven gap (issue 16): in the
proposal, in the stored run (GET /allocations/{run_id}) and in booths.allocation_committed."""

from __future__ import annotations

import json
from typing import Any

import httpx

from ocop_shared.service import Service
from ocop_testkit import read_topic

BoothFair = Any


async def test_a_run_names_its_method_and_proven_gap_in_the_answer_the_stored_run_and_the_event(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient], stack_settings: Any
) -> None:
    _service, client = booths_app
    await booth_fair.floorplan(6, per_row=6)
    await booth_fair.approved_exhibitors(5, count=2)
    proposal = (
        await client.post(f"/fairs/{booth_fair.fair_id}/allocations", headers=booth_fair.organizer)
    ).json()
    assert (
        proposal["method"] in ("mip_optimal", "mip_gap")
        and proposal["solver"] == proposal["method"]
    )
    assert proposal["quality_bound"] >= proposal["quality"] >= proposal["greedy_quality"]
    assert 0 <= proposal["quality_gap"] <= 0.01
    stored = (
        await client.get(f"/allocations/{proposal['run_id']}", headers=booth_fair.organizer)
    ).json()
    keys = ("method", "quality", "quality_bound", "quality_gap", "greedy_quality")
    assert {k: stored[k] for k in keys} == {k: proposal[k] for k in keys}
    committed = await client.post(
        f"/allocations/{proposal['run_id']}/commit", headers=booth_fair.organizer
    )
    assert committed.status_code == 200, committed.text
    fair = str(booth_fair.fair_id).encode()

    def committed_event(records: list[Any]) -> list[Any]:
        return [
            r
            for r in records
            if r.key == fair and dict(r.headers)["event_type"] == b"booths.allocation_committed"
        ]

    events = await read_topic(
        stack_settings.kafka_bootstrap,
        stack_settings.topic_prefix + "booths.assignments",
        until=lambda rs: bool(committed_event(rs)),
        timeout=20,
    )
    payload = json.loads(committed_event(events)[0].value)["payload"]
    assert (payload["method"], payload["quality_gap"]) == (
        proposal["method"],
        proposal["quality_gap"],
    )
