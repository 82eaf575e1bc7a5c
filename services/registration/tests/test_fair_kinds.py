"""Fair kinds through registration's API (issue 15): a retailer the admin creates keeps its
stores; a promotion week names its host retailer and stores (refused without a retailer, or
with another retailer's store, naming the field, nothing written); an open-ended showroom with
weekly opening hours admits products, runs until its organizer finishes it and changes its
hours while it runs; each announced with the fair's kind parts in its FairSnapshot."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import orjson

from ocop_registration.domain.timezone import VN
from ocop_shared.service import Service
from ocop_testkit.authz import outbox_position

Registration = Any  # conftest's

HOURS = [
    {"weekday": 0, "opens": "08:00", "closes": "17:30"},
    {"weekday": 5, "opens": "08:00", "closes": "21:00"},
]


async def retailer(
    reg: Registration, name: str = "Siêu thị Co.opmart"
) -> tuple[str, dict[str, str]]:
    """The admin creates a retailer (its id made, a UUID); its owner accepts."""
    created = await reg.ok(
        "POST", "/organizations", reg.admin, 201, json={"kind": "retailer", "name": name}
    )
    organization = created["organization"]
    assert organization["kind"] == "retailer" and organization["role"] == "retailer"
    uuid.UUID(organization["organization_id"])
    return organization["organization_id"], await reg.accept(created["owner_invitation"]["code"])


async def store(reg: Registration, owner: dict[str, str], retailer_id: str, code: str) -> None:
    body = {"store_code": code, "name": f"Siêu thị {code}", "address": "1 Trần Hưng Đạo, Hạ Long"}
    await reg.ok("POST", f"/retailers/{retailer_id}/stores", owner, 201, json=body)


def _fair(kind: str, **extra: Any) -> dict[str, Any]:
    now = datetime.now(VN).replace(tzinfo=None, microsecond=0)
    return {
        "name": "Tuần lễ hàng OCOP Quảng Ninh",
        "kind": kind,
        "venue": "Siêu thị Hạ Long",
        "province": "Quảng Ninh",
        "applications_open_at": (now - timedelta(days=1)).isoformat(),
        "applications_close_at": (now + timedelta(days=10)).isoformat(),
        "starts_at": (now + timedelta(days=20)).isoformat(),
        "ends_at": (now + timedelta(days=27)).isoformat(),
        **extra,
    }


def _field(response: Any) -> list[Any]:
    assert response.status_code == 422, response.text
    return response.json()["detail"][0]["loc"]  # type: ignore[no-any-return]


async def written(service: Service) -> int:
    async with service.pool.acquire() as conn:
        return await outbox_position(conn, "registration")


async def fair_events(service: Service, fair_id: str) -> list[dict[str, Any]]:
    rows = await service.pool.fetch(
        """select event_type, value from outbox
            where key = $1 and event_type like 'registration.fair%' order by id""",
        fair_id,
    )
    return [{"type": r["event_type"], **orjson.loads(r["value"])["payload"]} for r in rows]


async def test_a_retailers_owner_keeps_its_stores_others_do_not_reach_them(
    reg: Registration, reg_app: tuple[Service, Any]
) -> None:
    service = reg_app[0]
    retailer_id, owner = await retailer(reg)
    me = await reg.ok("GET", "/session", owner)
    assert me["organization"]["role"] == "retailer"
    await store(reg, owner, retailer_id, "hl01")  # upper-cased
    await store(reg, owner, retailer_id, "CP02")
    url = f"/retailers/{retailer_id}/stores"
    taken = await reg.client.post(url, headers=owner, json={
        "store_code": "HL01", "name": "Hạ Long 2", "address": "2 Lê Lợi"})  # fmt: skip
    assert taken.status_code == 409 and taken.json()["field"] == "store_code", taken.text
    bad = await reg.client.post(url, headers=owner, json={
        "store_code": "HL 01", "name": "Hạ Long", "address": "x"})  # fmt: skip
    assert _field(bad)[-1] == "store_code"

    staff = await reg.staff_of(owner, retailer_id)
    refused = await reg.client.post(url, headers=staff, json={
        "store_code": "QN03", "name": "Quảng Ninh", "address": "x"})  # fmt: skip
    assert refused.status_code == 403, refused.text
    organizer = await reg.organizer()
    for viewer in (owner, staff, organizer, reg.admin):
        seen = await reg.ok("GET", url, viewer)
        assert [s["store_code"] for s in seen] == ["CP02", "HL01"]
    listed = await reg.ok("GET", "/retailers", organizer)
    assert retailer_id in [r["organization_id"] for r in listed]

    # Another retailer neither sees nor adds this one's stores (404, nothing written).
    _, other = await retailer(reg, "Siêu thị Big C")
    before = await written(service)
    assert (await reg.client.get(url, headers=other)).status_code == 404
    sneaked = await reg.client.post(url, headers=other, json={
        "store_code": "XX01", "name": "x", "address": "x"})  # fmt: skip
    assert sneaked.status_code == 404, sneaked.text
    assert [s["store_code"] for s in await reg.ok("GET", url, owner)] == ["CP02", "HL01"]
    assert await written(service) == before
    # A retailer's id given by the admin is a UUID; a slug is refused naming it.
    slug = await reg.client.post("/organizations", headers=reg.admin, json={
        "kind": "retailer", "organization_id": "big-c", "name": "Big C"})  # fmt: skip
    assert _field(slug)[-1] == "organization_id"


async def test_a_promotion_week_names_its_host_retailer_and_its_stores(
    reg: Registration, reg_app: tuple[Service, Any]
) -> None:
    service = reg_app[0]
    retailer_id, owner = await retailer(reg)
    await store(reg, owner, retailer_id, "HL01")
    other_id, other_owner = await retailer(reg, "Siêu thị WinMart")
    await store(reg, other_owner, other_id, "WM09")
    organizer = await reg.organizer()
    before = await written(service)

    no_host = await reg.client.post("/fairs", headers=organizer, json=_fair(
        "promotion_week", store_codes=["HL01"]))  # fmt: skip
    assert _field(no_host)[-1] == "host_retailer_id"
    foreign = await reg.client.post("/fairs", headers=organizer, json=_fair(
        "promotion_week", host_retailer_id=retailer_id, store_codes=["HL01", "WM09"]))  # fmt: skip
    assert _field(foreign)[-2:] == ["store_codes", "1"]
    too_much = await reg.client.post("/fairs", headers=organizer, json=_fair(
        "promotion_week", host_retailer_id=retailer_id, store_codes=["HL01"],
        rules={"commission_percent": 51}))  # fmt: skip
    assert _field(too_much)[-2:] == ["rules", "commission_percent"]
    not_a_retailer = await reg.client.post("/fairs", headers=organizer, json=_fair(
        "promotion_week", host_retailer_id=str(uuid.uuid4()), store_codes=["HL01"]))  # fmt: skip
    assert _field(not_a_retailer)[-1] == "host_retailer_id"
    assert await written(service) == before
    mine = await reg.ok("GET", "/organizer/fairs", organizer)
    assert mine == []

    week = await reg.ok("POST", "/fairs", organizer, 201, json=_fair(
        "promotion_week", host_retailer_id=retailer_id, store_codes=["hl01"],
        rules={"commission_percent": 12}))  # fmt: skip
    assert week["host_retailer_id"] == retailer_id and week["open_ended"] is False
    assert week["stores"] == [{"store_code": "HL01", "name": "Siêu thị HL01"}]
    assert week["rules"]["commission_percent"] == 12
    await reg.ok("POST", f"/fairs/{week['fair_id']}/lifecycle", organizer, json={"action": "open"})
    [opened] = await fair_events(service, week["fair_id"])
    assert opened["type"] == "registration.fair_opened_for_applications"
    assert opened["fair"]["host_retailer_id"] == retailer_id
    assert opened["fair"]["stores"] == [{"store_code": "HL01", "name": "Siêu thị HL01"}]
    assert opened["fair"]["rules"]["commission_percent"] == 12

    # Its stores change among the host's (another retailer's: 422 naming it).
    wrong = await reg.client.patch(f"/fairs/{week['fair_id']}", headers=organizer,
                                   json={"store_codes": ["WM09"]})  # fmt: skip
    assert _field(wrong)[-2:] == ["store_codes", "0"]


async def test_an_open_ended_showroom_keeps_running_until_its_organizer_finishes_it(
    reg: Registration, reg_app: tuple[Service, Any]
) -> None:
    service = reg_app[0]
    organizer = await reg.organizer()
    body = _fair("showroom", opening_hours=HOURS, rules={"commission_percent": 20})
    del body["ends_at"]
    no_hours = await reg.client.post(
        "/fairs", headers=organizer, json={**body, "opening_hours": []}
    )
    assert _field(no_hours)[-1] == "opening_hours"
    fair_no_end = await reg.client.post(
        "/fairs", headers=organizer, json=_fair("fair", ends_at=None)
    )
    assert _field(fair_no_end)[-1] == "ends_at"

    showroom = await reg.ok("POST", "/fairs", organizer, 201, json=body)
    fair_id = showroom["fair_id"]
    assert showroom["open_ended"] is True
    assert showroom["ends_at"].startswith("2100-12-31T16:59:59")
    assert showroom["opening_hours"] == HOURS
    await reg.ok("POST", f"/fairs/{fair_id}/lifecycle", organizer, json={"action": "open"})

    # A product certified to a day well before 2100 is admitted, until its certificate ends.
    _, council = await reg.certifier("Quảng Ninh")
    _, holder = await reg.exhibitor()
    product = await reg.product(holder)
    await reg.certify(council, product["product_id"], star=4)
    applied = await reg.ok("POST", f"/fairs/{fair_id}/applications", holder, 201, json={
        "product_ids": [product["product_id"]], "booth_request": {"count": 1}})  # fmt: skip
    assert [a["product_id"] for a in applied["admitted"]] == [product["product_id"]]
    assert applied["admitted"][0]["until"] < "2100-01-01"

    for action in ("close", "start"):
        await reg.ok("POST", f"/fairs/{fair_id}/lifecycle", organizer, json={"action": action})
    running = await reg.ok("GET", f"/fairs/{fair_id}", {})
    assert running["status"] == "running" and running["open_ended"] is True
    # Its hours change while it runs (announced); nothing else does, and it has no end to set.
    sunday = [{"weekday": 6, "opens": "09:00", "closes": "12:00"}]
    changed = await reg.ok("PATCH", f"/fairs/{fair_id}", organizer, json={"opening_hours": sunday})
    assert changed["opening_hours"] == sunday
    renamed = await reg.client.patch(f"/fairs/{fair_id}", headers=organizer, json={"name": "Mới"})
    assert renamed.status_code == 409, renamed.text
    events = await fair_events(service, fair_id)
    assert [e["type"].rsplit(".", 1)[1] for e in events] == [
        "fair_opened_for_applications", "fair_applications_closed", "fair_started",
        "fair_rules_changed",
    ]  # fmt: skip
    last = events[-1]["fair"]
    assert last["open_ended"] is True and last["opening_hours"] == sunday
    assert last["ends_at"].startswith("2100-12-31T16:59:59")
    assert last["rules"]["commission_percent"] == 20

    finished = await reg.ok("POST", f"/fairs/{fair_id}/lifecycle", organizer,
                            json={"action": "finish"})  # fmt: skip
    assert finished["status"] == "finished"
