"""A showroom's rolling admissions through registration's API (issue 15): a showroom may be
created with its application window closing after it starts (a plain fair still may not:
window_closes_after_start); only a showroom starts straight from open; a running showroom
takes applications within its window (201, approved as usual) and refuses them with
applications_closed once the window has closed or its organizer closed applications, the
showroom still running; each step announced with the running fair."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from ocop_registration.domain.timezone import VN
from ocop_shared.service import Service

Registration = Any  # conftest's

HOURS = [{"weekday": 0, "opens": "08:00", "closes": "17:30"}]


def _body(kind: str, *, start: int, close: int, open_: int = -30) -> dict[str, Any]:
    """A fair starting ``start`` days from now whose window opened ``open_`` days from now
    and closes ``close`` days from now (an open-ended showroom has no end)."""
    now = datetime.now(VN).replace(tzinfo=None, microsecond=0)
    body: dict[str, Any] = {
        "name": "Trung tâm OCOP Quảng Ninh",
        "kind": kind,
        "venue": "Hạ Long",
        "province": "Quảng Ninh",
        "applications_open_at": (now + timedelta(days=open_)).isoformat(),
        "applications_close_at": (now + timedelta(days=close)).isoformat(),
        "starts_at": (now + timedelta(days=start)).isoformat(),
    }
    if kind == "showroom":
        body["opening_hours"] = HOURS
    else:
        body["ends_at"] = (now + timedelta(days=start + 7)).isoformat()
    return body


def _refusal(response: Any) -> tuple[str, list[Any]]:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    return detail["type"], detail["loc"]


async def _step(reg: Registration, organizer: dict[str, str], fair_id: str, action: str) -> Any:
    return await reg.ok("POST", f"/fairs/{fair_id}/lifecycle", organizer, json={"action": action})


async def _running_showroom(
    reg: Registration, organizer: dict[str, str], *, start: int, close: int
) -> str:
    showroom = await reg.ok(
        "POST", "/fairs", organizer, 201, json=_body("showroom", start=start, close=close)
    )
    fair_id: str = showroom["fair_id"]
    await _step(reg, organizer, fair_id, "open")
    running = await _step(reg, organizer, fair_id, "start")  # straight from open
    assert running["status"] == "running"
    return fair_id


async def _certified(reg: Registration) -> tuple[dict[str, str], dict[str, Any]]:
    _, council = await reg.certifier("Quảng Ninh")
    _, holder = await reg.exhibitor()
    product = await reg.product(holder)
    await reg.certify(council, product["product_id"], star=4)
    return holder, product


def _application(product: dict[str, Any]) -> dict[str, Any]:
    return {"product_ids": [product["product_id"]], "booth_request": {"count": 1}}


async def fair_events(service: Service, fair_id: str) -> list[dict[str, Any]]:
    rows = await service.pool.fetch(
        """select event_type, value from outbox
            where key = $1 and event_type like 'registration.fair%' order by id""",
        fair_id,
    )
    return [{"type": r["event_type"], **orjson.loads(r["value"])["payload"]} for r in rows]


async def test_only_a_showrooms_window_closes_after_it_starts_and_only_it_starts_from_open(
    reg: Registration,
) -> None:
    organizer = await reg.organizer()
    # A window closing ten days after the start: a showroom's is accepted, a fair's is not.
    showroom = await reg.ok(
        "POST", "/fairs", organizer, 201, json=_body("showroom", start=-5, close=10)
    )
    assert showroom["applications_close_at"] > showroom["starts_at"]
    for kind in ("fair", "exhibition"):
        refused = await reg.client.post(
            "/fairs", headers=organizer, json=_body(kind, start=-5, close=10)
        )
        assert _refusal(refused) == (
            "window_closes_after_start",
            ["body", "applications_close_at"],
        ), kind

    # Only a showroom starts straight from open; a fair answers 409 on its status.
    fair = await reg.ok("POST", "/fairs", organizer, 201, json=_body("fair", start=20, close=10))
    await _step(reg, organizer, fair["fair_id"], "open")
    started = await reg.client.post(
        f"/fairs/{fair['fair_id']}/lifecycle", headers=organizer, json={"action": "start"}
    )
    assert started.status_code == 409 and started.json()["field"] == "status", started.text
    assert (await reg.ok("GET", f"/fairs/{fair['fair_id']}", {}))["status"] == "open"
    await _step(reg, organizer, showroom["fair_id"], "open")
    running = await _step(reg, organizer, showroom["fair_id"], "start")
    assert running["status"] == "running"


async def test_a_running_showroom_takes_applications_until_its_organizer_closes_them(
    reg: Registration, reg_app: tuple[Service, Any]
) -> None:
    service = reg_app[0]
    organizer = await reg.organizer()
    fair_id = await _running_showroom(reg, organizer, start=-5, close=10)
    holder, product = await _certified(reg)
    applied = await reg.ok(
        "POST", f"/fairs/{fair_id}/applications", holder, 201, json=_application(product)
    )
    assert applied["status"] == "submitted"
    approved = await reg.ok(
        "POST",
        f"/applications/{applied['application_id']}/review",
        organizer,
        json={"decision": "approved"},
    )
    assert approved["status"] == "approved"
    assert [a["product_id"] for a in approved["admitted"]] == [product["product_id"]]

    # The organizer closes applications: the showroom keeps running, its window ends now.
    closed = await _step(reg, organizer, fair_id, "close")
    assert closed["status"] == "running"
    moved = datetime.fromisoformat(closed["applications_close_at"])
    assert datetime.fromisoformat(applied["submitted_at"]) < moved <= datetime.now(UTC)
    late, late_product = await _certified(reg)
    refused = await reg.client.post(
        f"/fairs/{fair_id}/applications", headers=late, json=_application(late_product)
    )
    assert _refusal(refused) == ("applications_closed", ["body", "fair_id"])
    again = await reg.client.post(
        f"/fairs/{fair_id}/lifecycle", headers=organizer, json={"action": "close"}
    )
    assert again.status_code == 409, again.text
    events = await fair_events(service, fair_id)
    assert [e["type"].rsplit(".", 1)[1] for e in events] == [
        "fair_opened_for_applications",
        "fair_started",
        "fair_applications_closed",
    ]
    last = events[-1]["fair"]
    assert last["status"] == "running" and last["kind"] == "showroom"
    assert last["applications_close_at"] < last["ends_at"]
    finished = await _step(reg, organizer, fair_id, "finish")
    assert finished["status"] == "finished"


async def test_a_running_showroom_refuses_applications_once_its_window_has_closed(
    reg: Registration,
) -> None:
    organizer = await reg.organizer()
    # Started ten days ago; its window closed yesterday.
    fair_id = await _running_showroom(reg, organizer, start=-10, close=-1)
    holder, product = await _certified(reg)
    refused = await reg.client.post(
        f"/fairs/{fair_id}/applications", headers=holder, json=_application(product)
    )
    assert _refusal(refused) == ("applications_closed", ["body", "fair_id"])
    # A plain running fair refuses as before: not open.
    fair = await reg.ok("POST", "/fairs", organizer, 201, json=_body("fair", start=-3, close=-4))
    for action in ("open", "close", "start"):
        await _step(reg, organizer, fair["fair_id"], action)
    not_open = await reg.client.post(
        f"/fairs/{fair['fair_id']}/applications", headers=holder, json=_application(product)
    )
    assert _refusal(not_open) == ("fair_not_open", ["body", "fair_id"])
