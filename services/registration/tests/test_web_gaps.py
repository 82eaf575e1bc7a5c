"""What the web app found missing in registration, through the API against the real stack:
the fair's allocation mode carried to the other services, a draft shown to its organizer, a
fair edited, the product groups named, every application refusal with its own code, review
reason codes, memberships naming the other party. Each failed before."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from ocop_registration.domain.timezone import VN
from ocop_shared.settings import CommonSettings
from ocop_shared.topics import REGISTRATION_APPLICATIONS, REGISTRATION_FAIRS

from .test_api import events_for

Registration = Any  # the conftest's driver
Grants = Any


def _draft_body(**rules: Any) -> dict[str, Any]:
    now = datetime.now(VN).replace(tzinfo=None, microsecond=0)
    return {
        "name": "Hội chợ OCOP mùa thu", "kind": "fair", "venue": "Hạ Long",
        "province": "Quảng Ninh",
        "applications_open_at": (now - timedelta(days=1)).isoformat(),
        "applications_close_at": (now + timedelta(days=10)).isoformat(),
        "starts_at": (now + timedelta(days=20)).isoformat(),
        "ends_at": (now + timedelta(days=25)).isoformat(),
        "rules": rules,
    }  # fmt: skip


async def test_a_ranked_fair_says_so_in_its_rules_and_its_events(
    reg: Registration, stack_settings: CommonSettings
) -> None:
    organizer = await reg.organizer()
    fair = await reg.open_fair(organizer, allocation_mode="ranked")
    assert fair["rules"]["allocation_mode"] == "ranked"
    plain = await reg.open_fair(organizer)
    assert plain["rules"]["allocation_mode"] == "self_service"
    [opened] = await events_for(stack_settings, REGISTRATION_FAIRS.name, fair["fair_id"], 1)
    assert opened["payload"]["fair"]["rules"]["allocation_mode"] == "ranked"
    url = f"/fairs/{fair['fair_id']}/rules"
    back = await reg.ok("PUT", url, organizer, json={"allocation_mode": "self_service"})
    assert back["rules"]["allocation_mode"] == "self_service"
    bad = await reg.client.put(url, headers=organizer, json={"allocation_mode": "lottery"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "allocation_mode"


async def test_a_draft_is_shown_to_its_organizer_and_the_admin_only(reg: Registration) -> None:
    organizer = await reg.organizer()
    other = await reg.organizer()
    draft = await reg.ok("POST", "/fairs", organizer, 201, json=_draft_body())
    url = f"/fairs/{draft['fair_id']}"
    assert (await reg.ok("GET", url, organizer))["status"] == "draft"
    assert (await reg.ok("GET", url, reg.admin))["fair_id"] == draft["fair_id"]
    for headers in ({}, other):
        hidden = await reg.client.get(url, headers=headers)
        assert hidden.status_code == 404, hidden.text


async def test_an_organizer_edits_its_fair_while_a_draft_or_open(
    reg: Registration, stack_settings: CommonSettings
) -> None:
    organizer = await reg.organizer()
    draft = await reg.ok("POST", "/fairs", organizer, 201, json=_draft_body())
    url = f"/fairs/{draft['fair_id']}"
    later = (datetime.fromisoformat(draft["ends_at"]) + timedelta(days=2)).isoformat()
    edited = await reg.ok(
        "PATCH", url, organizer, json={"name": "Hội chợ OCOP Hạ Long", "ends_at": later}
    )
    assert edited["name"] == "Hội chợ OCOP Hạ Long" and edited["venue"] == draft["venue"]
    assert datetime.fromisoformat(edited["ends_at"]) == datetime.fromisoformat(later)
    # The schedule stays whole, the refusal names the field with its code.
    backwards = await reg.client.patch(url, headers=organizer, json={"ends_at": draft["starts_at"]})
    assert backwards.status_code == 422, backwards.text
    assert backwards.json()["detail"][0]["type"] == "ends_before_start"
    assert backwards.json()["detail"][0]["loc"] == ["body", "ends_at"]
    late = await reg.client.patch(
        url, headers=organizer, json={"applications_close_at": edited["ends_at"]}
    )
    assert late.json()["detail"][0]["type"] == "window_closes_after_start", late.text
    cleared = await reg.client.patch(url, headers=organizer, json={"name": None})
    assert cleared.status_code == 422 and cleared.json()["detail"][0]["loc"] == ["body", "name"]
    unknown = await reg.client.patch(url, headers=organizer, json={"kind": "exhibition"})
    assert unknown.status_code == 422
    # Another organizer's fair: not there.
    other = await reg.client.patch(url, headers=await reg.organizer(), json={"venue": "x"})
    assert other.status_code == 404
    # Open: still editable, and announced with the whole fair.
    await reg.ok("POST", f"{url}/lifecycle", organizer, json={"action": "open"})
    await reg.ok("PATCH", url, organizer, json={"venue": "Cung Triển lãm Quảng Ninh"})
    events = await events_for(stack_settings, REGISTRATION_FAIRS.name, draft["fair_id"], 2)
    assert [e["type"] for e in events] == [
        "registration.fair_opened_for_applications",
        "registration.fair_rules_changed",
    ]
    assert events[1]["payload"]["fair"]["venue"] == "Cung Triển lãm Quảng Ninh"
    # Closed: no longer.
    await reg.ok("POST", f"{url}/lifecycle", organizer, json={"action": "close"})
    closed = await reg.client.patch(url, headers=organizer, json={"venue": "x"})
    assert closed.status_code == 409 and closed.json()["code"] == "fair_not_editable"


async def test_the_product_groups_are_public_and_named_in_both_languages(
    reg: Registration,
) -> None:
    groups = await reg.ok("GET", "/product-groups", {})
    by_taxonomy = {c["taxonomy"]: c for c in groups}
    assert set(by_taxonomy) == {"2023", "2019"}
    assert by_taxonomy["2023"]["decision"] == "148/QĐ-TTg"
    food = by_taxonomy["2023"]["groups"][0]
    assert food == {"number": 1, "name_vi": "Thực phẩm", "name_en": "Food"}
    assert [g["number"] for g in by_taxonomy["2019"]["groups"]] == [1, 2, 3, 4, 5, 6]


async def test_every_application_refusal_has_its_code(reg: Registration, grants: Grants) -> None:
    organizer = await reg.organizer()
    certifier = await grants.certifier()
    fair = await reg.open_fair(organizer, min_star=4, product_groups=[1, 2])
    url = f"/fairs/{fair['fair_id']}/applications"
    holder_id, holder = await reg.exhibitor()
    good = await reg.product(holder)
    await reg.certify(certifier, good["product_id"], star=4)
    low = await reg.product(holder, name="Chè xanh")
    await reg.certify(certifier, low["product_id"], star=3)
    bare = await reg.product(holder, name="Nấm hương")
    craft = await reg.product(holder, name="Mây tre đan", group=4)
    await reg.certify(certifier, craft["product_id"], star=4)
    short = await reg.product(holder, name="Rượu mơ")
    await reg.certify(certifier, short["product_id"], star=4, valid_from="2024-01-01",
                      valid_to=(datetime.now(VN) + timedelta(days=21)).date().isoformat())  # fmt: skip
    revoked = await reg.product(holder, name="Nước mắm")
    cert = await reg.certify(certifier, revoked["product_id"], star=4)
    await reg.ok("POST", "/certificates/revocations", certifier, json={
        "decision_number": "9/QĐ-UBND", "reason": "Vi phạm",
        "certificate_numbers": [cert["certificate"]["number"]],
    })  # fmt: skip
    _other_id, other = await reg.exhibitor(name="HTX Khác")
    theirs = await reg.product(other, name="Sản phẩm khác")

    async def refused(products: list[str], code: str, loc: list[str], **booth: Any) -> None:
        response = await reg.client.post(url, headers=holder, json={
            "product_ids": products, "booth_request": {"count": 1, **booth},
        })  # fmt: skip
        assert response.status_code == 422, response.text
        [error] = response.json()["detail"]
        assert (error["type"], error["loc"]) == (code, ["body", *loc]), error
        assert error["msg"]

    p = "product_ids"
    await refused([good["product_id"], low["product_id"]], "below_min_star", [p, "1"])
    await refused([bare["product_id"]], "no_certificate", [p, "0"])
    await refused([craft["product_id"]], "group_not_admitted", [p, "0"])
    await refused([short["product_id"]], "certificate_expires_before_fair_ends", [p, "0"])
    await refused([good["product_id"], revoked["product_id"]], "certificate_revoked", [p, "1"])
    await refused([theirs["product_id"]], "not_your_product", [p, "0"])
    await refused([str(uuid.uuid4())], "product_not_found", [p, "0"])
    await refused([good["product_id"]] * 2, "product_listed_twice", [p])
    await refused([good["product_id"]], "booth_limit", ["booth_request", "count"], count=3)
    await refused([good["product_id"]], "booth_group_not_admitted",
                  ["booth_request", "product_group"], product_group=4)  # fmt: skip
    # A delegation shows an invited (not yet accepted) holder's product.
    delegation_id, delegation = await reg.exhibitor(kind="delegation", name="Sở Công Thương")
    await reg.ok("POST", f"/exhibitors/{delegation_id}/members", delegation, 201,
                 json={"member_ids": [holder_id]})  # fmt: skip
    pending = await reg.client.post(url, headers=delegation, json={
        "product_ids": [good["product_id"]], "booth_request": {"count": 1}})  # fmt: skip
    assert pending.json()["detail"][0]["type"] == "member_not_accepted", pending.text
    # Applied once: the second is a coded 409.
    await reg.ok("POST", url, holder, 201,
                 json={"product_ids": [good["product_id"]], "booth_request": {"count": 1}})  # fmt: skip
    again = await reg.client.post(url, headers=holder, json={
        "product_ids": [good["product_id"]], "booth_request": {"count": 1}})  # fmt: skip
    assert again.status_code == 409 and again.json()["code"] == "already_applied", again.text
    # The fair's state, named on fair_id.
    await reg.ok("POST", f"/fairs/{fair['fair_id']}/lifecycle", organizer, json={"action": "close"})
    closed = await reg.client.post(url, headers=holder, json={
        "product_ids": [good["product_id"]], "booth_request": {"count": 1}})  # fmt: skip
    assert closed.status_code == 422
    assert closed.json()["detail"][0]["type"] == "fair_not_open", closed.text
    assert closed.json()["detail"][0]["loc"] == ["body", "fair_id"]


async def test_a_review_carries_a_reason_code_beside_its_text(
    reg: Registration, grants: Grants, stack_settings: CommonSettings
) -> None:
    organizer = await reg.organizer()
    fair = await reg.open_fair(organizer)
    _holder_id, holder = await reg.exhibitor()
    product = await reg.product(holder)
    await reg.certify(await grants.certifier(), product["product_id"])
    application = await reg.ok("POST", f"/fairs/{fair['fair_id']}/applications", holder, 201,
                               json={"product_ids": [product["product_id"]],
                                     "booth_request": {"count": 1}})  # fmt: skip
    url = f"/applications/{application['application_id']}/review"
    unknown = await reg.client.post(
        url, headers=organizer, json={"decision": "rejected", "reason_code": "because"}
    )
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"][-1] == "reason_code"
    rejected = await reg.ok(
        "POST", url, organizer, json={"decision": "rejected", "reason_code": "no_booths_left"}
    )
    assert rejected["reason_code"] == "no_booths_left" and rejected["reason"] is None
    seen = await reg.ok("GET", f"/applications/{application['application_id']}", holder)
    assert seen["reason_code"] == "no_booths_left"
    events = await events_for(stack_settings, REGISTRATION_APPLICATIONS.name, fair["fair_id"], 2)
    assert events[1]["payload"]["application"]["reason_code"] == "no_booths_left"


async def test_memberships_name_the_other_party(reg: Registration) -> None:
    holder_id, holder = await reg.exhibitor(name="HTX Chè Tân Cương", province="Thái Nguyên")
    delegation_id, delegation = await reg.exhibitor(
        kind="delegation", name="Sở Công Thương Thái Nguyên", province="Thái Nguyên"
    )
    invited = await reg.ok("POST", f"/exhibitors/{delegation_id}/members", delegation, 201,
                           json={"member_ids": [holder_id]})  # fmt: skip
    holder_party = {"exhibitor_id": holder_id, "name": "HTX Chè Tân Cương",
                    "kind": "cooperative", "province": "Thái Nguyên"}  # fmt: skip
    delegation_party = {"exhibitor_id": delegation_id, "name": "Sở Công Thương Thái Nguyên",
                        "kind": "delegation", "province": "Thái Nguyên"}  # fmt: skip
    assert invited[0]["other"] == holder_party
    [mine] = await reg.ok("GET", f"/exhibitors/{delegation_id}/memberships", delegation)
    assert mine["other"] == holder_party and mine["status"] == "pending"
    [theirs] = await reg.ok("GET", f"/exhibitors/{holder_id}/memberships", holder)
    assert theirs["other"] == delegation_party
    accepted = await reg.ok(
        "POST", f"/exhibitors/{holder_id}/delegations/{delegation_id}/accept", holder
    )
    assert accepted["other"] == delegation_party and accepted["status"] == "accepted"
