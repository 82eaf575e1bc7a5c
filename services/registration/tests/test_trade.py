"""Trade matching, visitors and fair series through registration's API (issue 15): the
organizer and an exhibitor record meetings and contracts at a running exhibition, retries
answer the first recording, another's fair and records are 404 and write nothing, bad input is
422 naming the field, the report counts by exhibitor, province and named product group; a
gate's device counts visitors with the organizer's API key; a series compares two years."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

Registration = Any  # conftest's


@dataclass
class Held:
    fair: dict[str, Any]
    organizer_id: str
    organizer: dict[str, str]
    holder_id: str
    holder: dict[str, str]
    honey: dict[str, Any]
    wine: dict[str, Any]
    day: str  # the fair's first day


async def held_fair(reg: Registration, council: dict[str, str], **rules: Any) -> Held:
    organizer_id, organizer = await reg.organization("organizer", province="Quảng Ninh")
    fair = await reg.open_fair(organizer, **rules)
    holder_id, holder = await reg.exhibitor()
    honey = await reg.product(holder)
    wine = await reg.product(holder, name="Rượu Ba kích Quảng Ninh", group=2)
    for p in (honey, wine):
        await reg.certify(council, p["product_id"], star=4)
    application = await reg.ok(
        "POST", f"/fairs/{fair['fair_id']}/applications", holder, 201,
        json={"product_ids": [honey["product_id"], wine["product_id"]],
              "booth_request": {"count": 1}},
    )  # fmt: skip
    await reg.ok("POST", f"/applications/{application['application_id']}/review", organizer,
                 json={"decision": "approved"})  # fmt: skip
    for action in ("close", "start"):
        fair = await reg.ok("POST", f"/fairs/{fair['fair_id']}/lifecycle", organizer,
                            json={"action": action})  # fmt: skip
    day = fair["starts_at"][:10]
    return Held(fair, organizer_id, organizer, holder_id, holder, honey, wine, day)


BUYER = {"name": "Trần Minh Quân", "organization": "Siêu thị Hapro", "country": "VN",
         "province": "Hà Nội", "contact": "0987654321"}  # fmt: skip


def fields(named: dict[str, Any]) -> list[str]:
    """The fields a refusal names: a 422's ``detail[].loc``, a 409's ``field``."""
    if isinstance(named.get("detail"), list):
        return [".".join(str(x) for x in d["loc"][1:]) for d in named["detail"]]
    return [str(named.get("field"))]


def contract(h: Held, **kw: Any) -> dict[str, Any]:
    return {
        "contract_id": str(uuid.uuid4()), "kind": "contract", "exhibitor_id": h.holder_id,
        "buyer": BUYER, "product_ids": [h.honey["product_id"], h.wine["product_id"]],
        "value_vnd": 150_000_001, "signed_on": h.day, **kw,
    }  # fmt: skip


async def test_trade_at_an_exhibition_recorded_and_reported(reg: Registration) -> None:
    _, council = await reg.certifier("Quảng Ninh")
    h = await held_fair(reg, council)
    fair_id = h.fair["fair_id"]

    meeting = {"meeting_id": str(uuid.uuid4()), "exhibitor_id": h.holder_id, "buyer": BUYER,
               "held_at": h.fair["starts_at"], "outcome": "agreed", "note": "Đặt 500 chai"}  # fmt: skip
    made = await reg.ok("POST", f"/fairs/{fair_id}/meetings", h.organizer, 201, json=meeting)
    assert made["exhibitor_id"] == h.holder_id and made["buyer"]["organization"] == "Siêu thị Hapro"
    again = await reg.ok("POST", f"/fairs/{fair_id}/meetings", h.organizer, 200, json=meeting)
    assert again == made
    other = await reg.client.post(f"/fairs/{fair_id}/meetings", headers=h.organizer,
                                  json={**meeting, "outcome": "no_deal"})  # fmt: skip
    assert other.status_code == 409 and other.json()["field"] == "meeting_id", other.text

    body = contract(h, meeting_id=made["meeting_id"])
    signed = await reg.ok("POST", f"/fairs/{fair_id}/trade-contracts", h.organizer, 201, json=body)
    assert signed["value_vnd"] == 150_000_001
    assert await reg.ok("POST", f"/fairs/{fair_id}/trade-contracts", h.organizer, 200,
                        json=body) == signed  # fmt: skip
    # The exhibitor records its own memorandum (it need not name itself).
    mou = {**contract(h, kind="mou", value_vnd=0, product_ids=[h.honey["product_id"]])}
    del mou["exhibitor_id"]
    await reg.ok("POST", f"/fairs/{fair_id}/trade-contracts", h.holder, 201, json=mou)

    report = await reg.ok("GET", f"/fairs/{fair_id}/trade-report", h.organizer)
    assert report["meetings"] == 1 and report["meetings_by_outcome"]["agreed"] == 1
    assert report["total"] == {"contracts": 1, "mous": 1, "value_vnd": 150_000_001,
                               "contract_value_vnd": 150_000_001}  # fmt: skip
    groups = {g["product_group_name"]: g for g in report["by_group"]}
    # The contract's value shared between its two groups, in whole đồng.
    assert groups["Thực phẩm"]["value_vnd"] == 75_000_001
    assert groups["Đồ uống"]["value_vnd"] == 75_000_000
    assert groups["Thực phẩm"]["mous"] == 1
    assert report["by_province"][0]["province"] == "Quảng Ninh"
    assert report["by_exhibitor"][0]["exhibitor_id"] == h.holder_id
    assert report["by_buyer_country"][0]["country"] == "VN"

    seen = await reg.ok("GET", f"/fairs/{fair_id}/trade", h.holder)
    assert len(seen["contracts"]) == 2 and len(seen["meetings"]) == 1


async def test_others_and_bad_input_write_nothing(reg: Registration) -> None:
    _, council = await reg.certifier("Quảng Ninh")
    h = await held_fair(reg, council)
    fair_id = h.fair["fair_id"]
    stranger = await reg.organizer()
    _, outsider = await reg.exhibitor(name="HTX Chè Đường Hoa")
    url = f"/fairs/{fair_id}/trade-contracts"

    for headers in (stranger, outsider):
        refused = await reg.client.post(url, headers=headers, json=contract(h))
        assert refused.status_code == 404, refused.text
        seen = await reg.client.get(f"/fairs/{fair_id}/trade", headers=headers)
        assert seen.status_code == 404
    cases: list[tuple[dict[str, Any], str]] = [
        ({"value_vnd": "150.000"}, "value_vnd"),
        ({"value_vnd": 1.5}, "value_vnd"),
        ({"value_vnd": 0}, "value_vnd"),  # a contract states its value
        ({"kind": "hợp đồng"}, "kind"),
        ({"product_ids": []}, "product_ids"),
        ({"product_ids": [str(uuid.uuid4())]}, "product_ids.0"),
        ({"product_ids": [h.honey["product_id"]] * 2}, "product_ids.1"),
        ({"exhibitor_id": str(uuid.uuid4())}, "exhibitor_id"),
        ({"buyer": {**BUYER, "country": "Việt Nam"}}, "buyer.country"),
        ({"buyer": {**BUYER, "name": ""}}, "buyer.name"),
        ({"signed_on": "31/12/2026"}, "signed_on"),
        ({"meeting_id": str(uuid.uuid4())}, "meeting_id"),
    ]
    for change, field in cases:
        refused = await reg.client.post(url, headers=h.organizer, json=contract(h, **change))
        assert refused.status_code == 422, (change, refused.text)
        assert field in fields(refused.json()), (change, refused.text)
    # The exhibitor records nothing for another exhibitor.
    refused = await reg.client.post(url, headers=h.holder,
                                    json=contract(h, exhibitor_id=str(uuid.uuid4())))  # fmt: skip
    assert refused.status_code == 422 and fields(refused.json()) == ["exhibitor_id"]
    report = await reg.ok("GET", f"/fairs/{fair_id}/trade-report", h.organizer)
    assert report["total"]["contracts"] == 0 and report["meetings"] == 0

    # An open fair (not yet set up) records no trade: 409 naming fair_id.
    fresh = await reg.open_fair(h.organizer)
    early = await reg.client.post(f"/fairs/{fresh['fair_id']}/trade-contracts",
                                  headers=h.organizer, json=contract(h))  # fmt: skip
    assert early.status_code == 409 and early.json()["field"] == "fair_id", early.text


async def test_a_gate_device_counts_visitors_with_the_organizers_api_key(
    reg: Registration,
) -> None:
    _, council = await reg.certifier("Quảng Ninh")
    h = await held_fair(reg, council)
    fair_id = h.fair["fair_id"]
    key = await reg.ok("POST", f"/organizations/{h.organizer_id}/api-keys", h.organizer, 201,
                       json={"label": "Máy đếm cổng 1", "expires_in_days": 30})  # fmt: skip
    device = reg.bearer(key["token"])
    url = f"/fairs/{fair_id}/visitor-counts"
    count = {"count_id": str(uuid.uuid4()), "day": h.day, "increment": 120, "gate": "Cổng 1"}
    made = await reg.ok("POST", url, device, 201, json=count)
    assert made["increment"] == 120
    assert await reg.ok("POST", url, device, 200, json=count) == made  # a retry: once
    await reg.ok("POST", url, h.organizer, 201,
                 json={"count_id": str(uuid.uuid4()), "day": h.day, "increment": 30})  # fmt: skip
    below = await reg.client.post(url, headers=h.organizer, json={
        "count_id": str(uuid.uuid4()), "day": h.day, "increment": -151})  # fmt: skip
    assert below.status_code == 409 and below.json()["field"] == "increment", below.text
    for bad, field in (({"day": "2001-01-01"}, "day"), ({"increment": "5"}, "increment"),
                       ({"increment": 0}, "increment")):  # fmt: skip
        refused = await reg.client.post(url, headers=h.organizer,
                                        json={**count, "count_id": str(uuid.uuid4()), **bad})  # fmt: skip
        assert refused.status_code == 422, (bad, refused.text)
        assert field in refused.text
    days = await reg.ok("GET", url, h.organizer)
    assert days["total"] == 150 and days["days"] == [{"day": h.day, "visitors": 150, "counts": 2}]
    refused = await reg.client.post(url, headers=h.holder, json=count)
    assert refused.status_code == 403
    stranger = await reg.organizer()
    assert (await reg.client.get(url, headers=stranger)).status_code == 404


async def test_a_series_compares_its_years(reg: Registration) -> None:
    _, council = await reg.certifier("Quảng Ninh")
    h = await held_fair(reg, council)
    later = await reg.open_fair(h.organizer)
    made = await reg.ok("POST", "/fair-series", h.organizer, 201,
                        json={"series_id": str(uuid.uuid4()), "name": "Hội chợ OCOP Xuân Quảng Ninh"})  # fmt: skip
    series_id = made["series_id"]
    for fair_id in (h.fair["fair_id"], later["fair_id"]):
        placed = await reg.ok("PUT", f"/fairs/{fair_id}/series", h.organizer,
                              json={"series_id": series_id})  # fmt: skip
        assert placed["series_name"] == "Hội chợ OCOP Xuân Quảng Ninh"
    await reg.ok("POST", f"/fairs/{h.fair['fair_id']}/trade-contracts", h.organizer, 201,
                 json=contract(h))  # fmt: skip
    report = await reg.ok("GET", f"/fair-series/{series_id}/report", h.organizer)
    assert len(report["years"]) == 2
    [first] = [y for y in report["years"] if y["fair"]["fair_id"] == h.fair["fair_id"]]
    assert first["total"]["exhibitors"] == 1 and first["total"]["products"] == 2
    assert first["total"]["trade"]["contract_value_vnd"] == 150_000_001
    assert {g["product_group_name"] for g in first["by_group"]} == {"Thực phẩm", "Đồ uống"}
    assert first["by_province"][0]["province"] == "Quảng Ninh"
    mine = await reg.ok("GET", "/fair-series", h.organizer)
    assert [len(s["fairs"]) for s in mine] == [2]

    stranger = await reg.organizer()
    assert (await reg.client.get(f"/fair-series/{series_id}/report",
                                 headers=stranger)).status_code == 404  # fmt: skip
    theirs = await reg.open_fair(stranger)
    refused = await reg.client.put(f"/fairs/{theirs['fair_id']}/series", headers=stranger,
                                   json={"series_id": series_id})  # fmt: skip
    assert refused.status_code == 404 and refused.json()["field"] == "series_id"
