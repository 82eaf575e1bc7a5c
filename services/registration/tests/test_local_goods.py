"""Issue 15 through registration's API: a district fair admitting ordinary local goods, and
product groups named (Vietnamese name and taxonomy) in the application events."""

from __future__ import annotations

from typing import Any

import orjson

from ocop_shared.service import Service

Registration = Any  # conftest's
Grants = Any


async def _announced(service: Service, application_id: str) -> list[dict[str, Any]]:
    rows = await service.pool.fetch(
        "select value from outbox where topic like '%registration.applications' order by id"
    )
    found = []
    for row in rows:
        envelope = orjson.loads(row["value"])
        application = envelope["payload"]["application"]
        if application["application_id"] == application_id:
            found.append({"type": envelope["type"], **application})
    return found


async def test_a_fair_admitting_local_goods_admits_an_uncertified_product_as_not_ocop(
    reg: Registration, grants: Grants, reg_app: tuple[Service, Any]
) -> None:
    organizer = await reg.organizer()
    certifier = await grants.certifier()
    plain = await reg.open_fair(organizer)
    district = await reg.open_fair(organizer, admits_local_goods=True)
    assert district["rules"]["admits_local_goods"] is True
    assert plain["rules"]["admits_local_goods"] is False
    _, holder = await reg.exhibitor()
    honey = await reg.product(holder)
    cakes = await reg.product(holder, name="Bánh gai Ninh Giang", group=1)
    await reg.certify(certifier, honey["product_id"], star=4)
    body = {
        "product_ids": [honey["product_id"], cakes["product_id"]],
        "booth_request": {"count": 1},
    }

    refused = await reg.client.post(
        f"/fairs/{plain['fair_id']}/applications", headers=holder, json=body
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["loc"] == ["body", "product_ids", "1"]

    application = await reg.ok(
        "POST", f"/fairs/{district['fair_id']}/applications", holder, 201, json=body
    )
    admitted = {a["product_id"]: a for a in application["admitted"]}
    assert admitted[honey["product_id"]]["ocop"] is True
    assert admitted[cakes["product_id"]]["ocop"] is False
    assert application["best_star"] == 4
    approved = await reg.ok(
        "POST",
        f"/applications/{application['application_id']}/review",
        organizer,
        json={"decision": "approved"},
    )
    assert [a["ocop"] for a in approved["admitted"]] == [True, False]

    events = await _announced(reg_app[0], application["application_id"])
    assert [e["type"] for e in events] == [
        "registration.application_submitted",
        "registration.application_approved",
    ]
    carried = events[-1]
    assert [(a["product_id"], a["ocop"]) for a in carried["admitted"]] == [
        (honey["product_id"], True),
        (cakes["product_id"], False),
    ]
    assert [(p["group"], p["product_group_name"], p["taxonomy"]) for p in carried["products"]] == [
        (1, "Thực phẩm", "2023"),
        (1, "Thực phẩm", "2023"),
    ]
