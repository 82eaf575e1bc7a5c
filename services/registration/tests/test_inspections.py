"""On-site quality inspection through registration's API (issue 15): an inspector of the
province records inspections at a running fair (suspend, pass, refer), retries answer the
first recording, a product not at the fair and a fair of another province are 404 and write
nothing, the fair's organizer, the holder and the council see the history, and the council
sees its referrals. Each decision is announced on registration.products, keyed by product."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import orjson

from ocop_shared.service import Service
from ocop_testkit.authz import outbox_position

Registration = Any  # conftest's
Grants = Any


@dataclass
class RunningFair:
    fair_id: str
    organizer: dict[str, str]
    holder_id: str
    holder: dict[str, str]
    product: dict[str, Any]
    other_product: dict[str, Any]  # the holder's, not shown at this fair


async def running_fair(reg: Registration, certifier: dict[str, str]) -> RunningFair:
    organizer = await reg.organizer()
    fair = await reg.open_fair(organizer)
    holder_id, holder = await reg.exhibitor()
    product = await reg.product(holder)
    await reg.certify(certifier, product["product_id"], star=4)
    other = await reg.product(holder, name="Chả mực Hạ Long")
    application = await reg.ok(
        "POST", f"/fairs/{fair['fair_id']}/applications", holder, 201,
        json={"product_ids": [product["product_id"]], "booth_request": {"count": 1}},
    )  # fmt: skip
    await reg.ok("POST", f"/applications/{application['application_id']}/review", organizer,
                 json={"decision": "approved"})  # fmt: skip
    for action in ("close", "start"):
        await reg.ok("POST", f"/fairs/{fair['fair_id']}/lifecycle", organizer,
                     json={"action": action})  # fmt: skip
    return RunningFair(fair["fair_id"], organizer, holder_id, holder, product, other)


def inspection(product_id: str, decision: str = "suspend", **kw: Any) -> dict[str, Any]:
    return {
        "inspection_id": str(uuid.uuid4()), "product_id": product_id, "booth_code": "A-12",
        "sample": "2 hũ 500 g, lô 2311", "finding": "Nhãn thiếu hạn sử dụng", "decision": decision,
        **kw,
    }  # fmt: skip


async def announced(service: Service, inspection_id: str) -> list[dict[str, Any]]:
    rows = await service.pool.fetch(
        "select key, topic, value from outbox where event_type = 'registration.inspection_recorded'"
    )
    found = []
    for row in rows:
        envelope = orjson.loads(row["value"])
        if envelope["payload"]["inspection"]["inspection_id"] == inspection_id:
            found.append({"key": row["key"], "topic": row["topic"], **envelope["payload"]})
    return found


async def written(service: Service) -> int:
    async with service.pool.acquire() as conn:
        return await outbox_position(conn, "registration")


async def test_an_inspector_suspends_and_lifts_a_product_at_a_fair_of_its_province(
    reg: Registration, reg_app: tuple[Service, Any]
) -> None:
    service = reg_app[0]
    _, council = await reg.certifier("Quảng Ninh")
    fair = await running_fair(reg, council)
    _, inspector = await reg.inspector("Quảng Ninh")
    url = f"/fairs/{fair.fair_id}/inspections"
    product_id = fair.product["product_id"]

    body = inspection(product_id, "suspend")
    suspended = await reg.ok("POST", url, inspector, 201, json=body)
    assert suspended["suspended"] is True and suspended["exhibitor_id"] == fair.holder_id
    assert suspended["booth_code"] == "A-12" and suspended["inspected_by"] is not None
    [event] = await announced(service, body["inspection_id"])
    assert event["key"] == product_id and event["topic"].endswith("registration.products")
    assert event["inspection"]["suspended"] is True
    assert event["inspection"]["fair_id"] == fair.fair_id

    # A retry answers the first recording and announces nothing new; other content is 409.
    before = await written(service)
    again = await reg.ok("POST", url, inspector, 200, json=body)
    assert again == suspended and await written(service) == before
    changed = await reg.client.post(url, headers=inspector, json={**body, "decision": "pass"})
    assert changed.status_code == 409, changed.text
    assert changed.json()["field"] == "inspection_id"

    lifted = await reg.ok("POST", url, inspector, 201, json=inspection(product_id, "pass"))
    assert lifted["suspended"] is False

    # The fair's organizer and the inspector see the history, counted.
    for viewer in (fair.organizer, inspector, reg.admin):
        seen = await reg.ok("GET", url, viewer)
        assert [i["decision"] for i in seen["inspections"]] == ["suspend", "pass"]
        assert seen["summary"] == {"inspections": 2, "passed": 1, "suspensions": 1,
                                   "referrals": 0, "suspended_now": []}  # fmt: skip
        assert [(e["product_id"], e["suspended"]) for e in seen["exhibits"]] == [
            (product_id, False)
        ]
    again_suspended = await reg.ok("POST", url, inspector, 201, json=inspection(product_id))
    assert again_suspended["suspended"] is True
    seen = await reg.ok("GET", url, fair.organizer)
    assert seen["summary"]["suspended_now"] == [product_id]
    assert seen["exhibits"][0]["suspended"] is True


async def test_out_of_reach_or_not_at_the_fair_is_404_and_writes_nothing(
    reg: Registration, reg_app: tuple[Service, Any]
) -> None:
    service = reg_app[0]
    _, council = await reg.certifier("Quảng Ninh")
    fair = await running_fair(reg, council)
    _, inspector = await reg.inspector("Quảng Ninh")
    _, elsewhere = await reg.inspector("Lạng Sơn")
    other_organizer = await reg.organizer()
    url = f"/fairs/{fair.fair_id}/inspections"
    before = await written(service)

    not_here = await reg.client.post(
        url, headers=inspector, json=inspection(fair.other_product["product_id"])
    )
    assert not_here.status_code == 404, not_here.text
    assert not_here.json()["field"] == "product_id"
    unknown = await reg.client.post(url, headers=inspector, json=inspection(str(uuid.uuid4())))
    assert unknown.status_code == 404 and unknown.json()["field"] == "product_id"
    other_province = await reg.client.post(
        url, headers=elsewhere, json=inspection(fair.product["product_id"])
    )
    assert other_province.status_code == 404 and other_province.json()["field"] == "fair_id"
    no_fair = await reg.client.post(
        f"/fairs/{uuid.uuid4()}/inspections",
        headers=inspector,
        json=inspection(fair.product["product_id"]),
    )
    assert no_fair.status_code == 404
    for viewer in (elsewhere, other_organizer):
        assert (await reg.client.get(url, headers=viewer)).status_code == 404
    assert await written(service) == before

    # Bad input names its field before anything is looked up.
    for bad, field in (
        ({"decision": "close"}, "decision"),
        ({"finding": ""}, "finding"),
        ({"booth_code": "A\x00"}, "booth_code"),
        ({"surprise": 1}, "surprise"),
    ):
        refused = await reg.client.post(
            url, headers=inspector, json={**inspection(fair.product["product_id"]), **bad}
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"][0]["loc"][-1] == field

    # A fair still taking applications is not inspected.
    open_fair = await reg.open_fair(fair.organizer)
    _, holder = await reg.exhibitor()
    product = await reg.product(holder)
    await reg.certify(council, product["product_id"])
    application = await reg.ok(
        "POST", f"/fairs/{open_fair['fair_id']}/applications", holder, 201,
        json={"product_ids": [product["product_id"]], "booth_request": {"count": 1}},
    )  # fmt: skip
    await reg.ok("POST", f"/applications/{application['application_id']}/review",
                 fair.organizer, json={"decision": "approved"})  # fmt: skip
    before = await written(service)
    early = await reg.client.post(
        f"/fairs/{open_fair['fair_id']}/inspections",
        headers=inspector,
        json=inspection(product["product_id"]),
    )
    assert early.status_code == 409, early.text
    assert early.json()["code"] == "fair_not_inspectable"
    assert await written(service) == before


async def test_the_holder_the_council_and_inspectors_see_a_products_history_and_referrals(
    reg: Registration,
) -> None:
    council_id, council = await reg.certifier("Quảng Ninh")
    _, other_council = await reg.certifier("Lạng Sơn")
    fair = await running_fair(reg, council)
    _, inspector = await reg.inspector("Quảng Ninh")
    _, elsewhere = await reg.inspector("Lạng Sơn")
    _, other_holder = await reg.exhibitor()
    product_id = fair.product["product_id"]
    referred = await reg.ok(
        "POST", f"/fairs/{fair.fair_id}/inspections", inspector, 201,
        json=inspection(product_id, "refer", finding="Mẫu không đạt chỉ tiêu vi sinh"),
    )  # fmt: skip
    assert referred["suspended"] is True

    history = f"/products/{product_id}/inspections"
    for viewer in (fair.holder, council, inspector, fair.organizer, reg.admin):
        seen = await reg.ok("GET", history, viewer)
        assert [i["inspection_id"] for i in seen] == [referred["inspection_id"]]
    for viewer in (elsewhere, await reg.organizer()):  # another province's fairs, others' fairs
        assert await reg.ok("GET", history, viewer) == []
    for viewer in (other_holder, other_council):
        assert (await reg.client.get(history, headers=viewer)).status_code == 404

    referrals = await reg.ok("GET", "/inspection-referrals", council)
    mine = [r for r in referrals if r["inspection"]["inspection_id"] == referred["inspection_id"]]
    assert len(mine) == 1 and mine[0]["star"] == 4 and mine[0]["certificate_revoked"] is False
    number = mine[0]["certificate_number"]
    elsewhere_referrals = await reg.ok("GET", "/inspection-referrals", other_council)
    assert referred["inspection_id"] not in {
        r["inspection"]["inspection_id"] for r in elsewhere_referrals
    }
    # The council revokes; the referral shows it.
    await reg.ok(
        "POST", "/certificates/revocations", council,
        json={"decision_number": "88/QĐ-UBND", "reason": "Theo kiến nghị của QLTT",
              "certificate_numbers": [number]},
    )  # fmt: skip
    referrals = await reg.ok("GET", "/inspection-referrals", council)
    mine = [r for r in referrals if r["inspection"]["inspection_id"] == referred["inspection_id"]]
    assert mine[0]["certificate_revoked"] is True
    assert council_id  # the council that decided it
