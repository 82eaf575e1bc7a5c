"""The authority rules of issue 10, through the API against the real stack: certificates only
by the council of the matching level and province, products only by their holder,
delegation membership only by the member's acceptance, exhibitors' records only for those
who have business with them, and a public directory of public fields. A refusal changes
nothing: no row, no event."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import orjson

from ocop_shared.settings import CommonSettings
from ocop_shared.topics import REGISTRATION_EXHIBITORS
from ocop_testkit import read_topic, valid_gtin, valid_tax_code
from ocop_testkit.authz import outbox_position

Registration = Any  # the conftest's drivers
Grants = Any


async def _written(grants: Grants) -> int:
    async with grants.service.pool.acquire() as conn:
        return await outbox_position(conn, "registration")


def _certificate(star: int = 4, number: str | None = None) -> dict[str, Any]:
    return {
        "number": number or f"QN-{uuid.uuid4().hex[:10]}",
        "star": star,
        "issuing_level": "central" if star == 5 else "province",
        "issuing_body": "Hội đồng OCOP",
        "decision_number": f"{uuid.uuid4().hex[:4]}/QĐ-UBND",
        "decision_date": "2025-06-01",
        "valid_from": "2025-06-01",
    }


async def test_a_certificate_comes_only_from_the_council_of_its_province_and_level(
    reg: Registration, grants: Grants
) -> None:
    _, holder = await grants.exhibitor(province="Quảng Ninh")
    product = await reg.product(holder)
    url = f"/products/{product['product_id']}/certificates"
    _, organizer = await grants.organizer()
    quang_ninh, lang_son, central = (
        await grants.certifier("quảng ninh"),  # provinces compare folded
        await grants.certifier("Lạng Sơn"),
        await grants.certifier(None),
    )
    before = await _written(grants)

    refused = [
        (organizer, _certificate(4), 403, None),  # organizers never touch certificates
        (holder, _certificate(4), 403, None),  # nor the holder itself
        (lang_son, _certificate(4), 404, None),  # outside its province: as if missing
        (quang_ninh, _certificate(5), 403, "star"),  # 5★ is the central council's
        (central, _certificate(4), 403, "star"),  # 3-4★ are the province's
    ]
    for headers, body, status, field in refused:
        response = await reg.client.post(url, headers=headers, json=body)
        assert response.status_code == status, response.text
        if field:
            assert response.json()["field"] == field
    decision = _certificate(4)
    del decision["decision_number"]
    missing_decision = await reg.client.post(url, headers=quang_ninh, json=decision)
    assert missing_decision.status_code == 422  # a decision number is required
    assert (await reg.ok("GET", f"/products/{product['product_id']}", {}))["certificate"] is None
    assert await _written(grants) == before

    issued = await reg.ok("POST", url, quang_ninh, 201, json=_certificate(4))
    certificate = issued["certificate"]
    assert certificate["authority_id"] == "hoi-dong-ocop-quang-ninh"
    assert certificate["decided_by"] is not None and certificate["star"] == 4
    renewed = await reg.ok("POST", url, central, 201, json=_certificate(5))
    assert renewed["certificate"]["authority_id"] == "hoi-dong-ocop-trung-uong"


async def test_bulk_revocation_is_all_or_nothing_within_the_councils_jurisdiction(
    reg: Registration, grants: Grants
) -> None:
    quang_ninh, lang_son = await grants.certifier("Quảng Ninh"), await grants.certifier("Lạng Sơn")
    _, qn_holder = await grants.exhibitor(province="Quảng Ninh")
    _, ls_holder = await grants.exhibitor(province="Lạng Sơn")
    ours = [
        await reg.certify(
            quang_ninh, (await reg.product(qn_holder, name=f"Mật ong {i}"))["product_id"]
        )
        for i in range(2)
    ]
    theirs = await reg.certify(lang_son, (await reg.product(ls_holder))["product_id"])
    five = await reg.certify(
        await grants.certifier(None),
        (await reg.product(qn_holder, name="Trà"))["product_id"],
        star=5,
    )
    numbers = [p["certificate"]["number"] for p in ours]

    async def revoke(headers: dict[str, str], certificate_numbers: list[str]) -> Any:
        return await reg.client.post(
            "/certificates/revocations",
            headers=headers,
            json={
                "decision_number": "47/QĐ-UBND",
                "reason": "Không duy trì chất lượng",
                "certificate_numbers": certificate_numbers,
            },
        )

    before = await _written(grants)
    outside = await revoke(quang_ninh, [*numbers, theirs["certificate"]["number"]])
    assert outside.status_code == 404 and outside.json()["field"] == "certificate_numbers"
    unknown = await revoke(quang_ninh, [*numbers, "NO-SUCH"])
    assert unknown.status_code == 404
    beyond = await revoke(quang_ninh, [*numbers, five["certificate"]["number"]])
    assert beyond.status_code == 403 and beyond.json()["field"] == "star"
    _, organizer = await grants.organizer()
    assert (await revoke(organizer, numbers)).status_code == 403
    for product in [*ours, theirs, five]:
        found = await reg.ok("GET", f"/products/{product['product_id']}", {})
        assert found["certificate"]["status"] == "valid", found
    assert await _written(grants) == before

    result = (await revoke(quang_ninh, numbers)).json()
    assert result["revoked"] == numbers
    assert result["authority_id"] == "hoi-dong-ocop-quang-ninh" and result["decided_by"]


async def test_products_are_registered_and_changed_by_their_holder_only(
    reg: Registration, grants: Grants
) -> None:
    holder_id, holder = await grants.exhibitor()
    _, other = await grants.exhibitor(name="Công ty TNHH Nước mắm Cái Rồng", kind="enterprise")
    _, organizer = await grants.organizer()
    body = {"name": "Mắm", "group": 1, "unit": "chai", "list_price_vnd": 1000}
    registered = await reg.client.post(
        "/products", headers=organizer, json={**body, "holder_id": holder_id}
    )
    assert registered.status_code in (403, 422)  # organizers no longer register products
    assert (await reg.client.post("/products", headers=organizer, json=body)).status_code == 403
    product = await reg.product(holder)
    url = f"/products/{product['product_id']}"
    staff = await grants("exhibitor", holder_id, org_role="staff")
    before = await _written(grants)
    for headers, status in [(other, 404), (organizer, 403), (reg.admin, 403)]:
        response = await reg.client.patch(url, headers=headers, json={"list_price_vnd": 1})
        assert response.status_code == status, response.text
    star = await reg.client.patch(url, headers=holder, json={"certificate": {"star": 5}})
    assert star.status_code == 422  # certificate fields only through the certificate routes
    assert (await reg.ok("GET", url, {}))["list_price_vnd"] == 250_000
    assert await _written(grants) == before
    changed = await reg.ok("PATCH", url, staff, json={"list_price_vnd": 260_000})
    assert changed["list_price_vnd"] == 260_000  # the holder's staff act for it


def _register(rows: list[dict[str, str]]) -> bytes:
    columns = ["holder_name", "holder_kind", "tax_code", "province", "product_name", "group",
               "gtin", "unit", "list_price_vnd", "certificate_number", "star", "issuing_level",
               "issuing_body", "decision_number", "decision_date", "valid_from"]  # fmt: skip
    out = io.StringIO()
    writer = csv.DictWriter(out, columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _row(province: str, star: int, name: str, tax_code: str | None = None) -> dict[str, str]:
    return {
        "holder_name": f"HTX {name}", "holder_kind": "cooperative",
        "tax_code": tax_code or valid_tax_code(), "province": province, "product_name": name,
        "group": "1", "gtin": valid_gtin(), "unit": "gói", "list_price_vnd": "120.000",
        "certificate_number": f"REG-{uuid.uuid4().hex[:10]}", "star": str(star),
        "issuing_level": "central" if star == 5 else "province", "issuing_body": "Hội đồng OCOP",
        "decision_number": "12/QĐ-UBND", "decision_date": "2025-03-15", "valid_from": "2025-03-15",
    }  # fmt: skip


async def test_a_register_is_imported_by_a_council_for_its_province_and_level(
    reg: Registration, grants: Grants
) -> None:
    tag = uuid.uuid4().hex[:6]
    elsewhere_id, _ = await grants.exhibitor(province="Lạng Sơn")
    elsewhere = await reg.ok("GET", f"/exhibitors/{elsewhere_id}", reg.admin)
    rows = [
        _row("Quảng Ninh", 4, f"Chả mực {tag}"),
        _row("Lạng Sơn", 4, f"Na Chi Lăng {tag}"),  # another province
        _row("Quảng Ninh", 5, f"Chè shan tuyết {tag}"),  # beyond a province's level
        _row("Quảng Ninh", 3, f"Miến {tag}", tax_code=elsewhere["tax_code"]),  # registered in LS
    ]
    files = {"file": ("register.csv", _register(rows), "text/csv")}
    _, organizer = await grants.organizer()
    refused = await reg.client.post("/imports/register", headers=organizer, files=files)
    assert refused.status_code == 403  # organizers no longer import registers

    report = await reg.ok(
        "POST",
        "/imports/register",
        await grants.certifier("Quảng Ninh"),
        files=files,
        data={"valid_rows_only": "true"},
    )
    assert report["imported"] == 1 and report["rejected"] == 3
    assert [(e["line"], [f["field"] for f in e["errors"]]) for e in report["errors"]] == [
        (3, ["province"]),
        (4, ["star"]),
        (5, ["tax_code"]),
    ]
    [imported] = await reg.ok("GET", "/products", {}, params={"q": f"cha muc {tag}"})
    assert imported["certificate"]["authority_id"] == "hoi-dong-ocop-quang-ninh"

    central = await reg.ok(
        "POST",
        "/imports/register",
        await grants.certifier(None),
        files={"file": ("register.csv", _register(rows[1:3]), "text/csv")},
        data={"valid_rows_only": "true"},
    )
    assert central["imported"] == 1  # the 5★ row, whatever the province
    assert [e["errors"][0]["field"] for e in central["errors"]] == ["star"]


async def _events_for(settings: CommonSettings, key: str, want: int) -> list[dict[str, Any]]:
    def mine(records: list[Any]) -> list[dict[str, Any]]:
        return [orjson.loads(r.value) for r in records if r.key == key.encode()]

    records = await read_topic(
        settings.kafka_bootstrap,
        settings.topic_prefix + REGISTRATION_EXHIBITORS.name,
        until=lambda rs: len(mine(rs)) >= want,
        timeout=30,
    )
    return mine(records)


async def test_a_delegation_counts_a_holder_only_once_it_accepted(
    reg: Registration, grants: Grants, stack_settings: CommonSettings
) -> None:
    _, organizer = await grants.organizer()
    fair = await reg.open_fair(organizer)
    certifier = await grants.certifier()
    member_id, member = await grants.exhibitor(name="HTX Chè Đường Hoa")
    stranger_id, stranger = await grants.exhibitor(name="HTX Nấm Hương")
    delegation_id, delegation = await grants.exhibitor("delegation", "Sở Công Thương Lạng Sơn")
    product = await reg.certify(certifier, (await reg.product(member))["product_id"])
    apply = {"product_ids": [product["product_id"]], "booth_request": {"count": 1}}
    applications = f"/fairs/{fair['fair_id']}/applications"

    invited = await reg.ok(
        "POST",
        f"/exhibitors/{delegation_id}/members",
        delegation,
        201,
        json={"member_ids": [member_id]},
    )
    assert [(m["holder_id"], m["status"]) for m in invited] == [(member_id, "pending")]
    # An invitation admits nothing: the delegation cannot show the holder's products yet.
    pending = await reg.client.post(applications, headers=delegation, json=apply)
    assert pending.status_code == 422, pending.text
    assert (await reg.ok("GET", f"/exhibitors/{delegation_id}", delegation))["member_ids"] == []

    accept = f"/exhibitors/{member_id}/delegations/{delegation_id}/accept"
    # Only the invited holder accepts: not the delegation, not another holder, not its staff.
    assert (await reg.client.post(accept, headers=delegation)).status_code == 404
    assert (await reg.client.post(accept, headers=stranger)).status_code == 404
    staff = await grants("exhibitor", member_id, org_role="staff")
    assert (await reg.client.post(accept, headers=staff)).status_code == 403
    stranger_accepts = f"/exhibitors/{stranger_id}/delegations/{delegation_id}/accept"
    assert (await reg.client.post(stranger_accepts, headers=stranger)).status_code == 404
    [membership] = await reg.ok("GET", f"/exhibitors/{member_id}/memberships", member)
    assert membership["status"] == "pending" and membership["delegation_id"] == delegation_id

    accepted = await reg.ok("POST", accept, member)
    assert accepted["status"] == "accepted"
    assert (await reg.ok("GET", f"/exhibitors/{delegation_id}", delegation))["member_ids"] == [
        member_id
    ]
    application = await reg.ok("POST", applications, delegation, 201, json=apply)
    events = await _events_for(stack_settings, delegation_id, 2)
    assert [(e["type"], e["payload"]["exhibitor"]["member_ids"]) for e in events] == [
        ("registration.exhibitor_registered", []),
        ("registration.exhibitor_updated", [member_id]),  # announced on acceptance, not before
    ]

    # The member leaves: the delegation's application can no longer be approved with its products.
    leave = f"/exhibitors/{delegation_id}/members/{member_id}"
    assert (await reg.client.delete(leave, headers=stranger)).status_code == 404
    assert (await reg.client.delete(leave, headers=member)).status_code == 204
    review = await reg.client.post(
        f"/applications/{application['application_id']}/review",
        headers=organizer,
        json={"decision": "approved"},
    )
    assert review.status_code == 409 and review.json()["field"] == "products.0"
    assert (await reg.ok("GET", f"/exhibitors/{delegation_id}", delegation))["member_ids"] == []
    # Declining an invitation it was sent again.
    await reg.ok(
        "POST",
        f"/exhibitors/{delegation_id}/members",
        delegation,
        201,
        json={"member_ids": [member_id]},
    )
    declined = await reg.ok(
        "POST", f"/exhibitors/{member_id}/delegations/{delegation_id}/decline", member
    )
    assert declined["status"] == "declined"
    assert (await reg.client.post(accept, headers=member)).status_code == 409


async def test_organizers_see_their_applicants_and_the_directory_shows_public_fields(
    reg: Registration, grants: Grants
) -> None:
    tag = uuid.uuid4().hex[:6]
    _, organizer = await grants.organizer()
    _, other_organizer = await grants.organizer()
    fair = await reg.open_fair(organizer)
    certifier = await grants.certifier()
    applicant_id, applicant = await grants.exhibitor(name=f"Hợp tác xã Mật ong {tag}")
    bystander_id, _ = await grants.exhibitor(name=f"Hợp tác xã Mật ong {tag} Tiên Yên")
    product = await reg.certify(certifier, (await reg.product(applicant))["product_id"])
    await reg.ok(
        "POST",
        f"/fairs/{fair['fair_id']}/applications",
        applicant,
        201,
        json={"product_ids": [product["product_id"]], "booth_request": {"count": 1}},
    )

    full = await reg.ok("GET", f"/exhibitors/{applicant_id}", organizer)
    assert full["tax_code"]  # the full record, tax code included
    assert (
        await reg.client.get(f"/exhibitors/{bystander_id}", headers=organizer)
    ).status_code == 404
    assert (
        await reg.client.get(f"/exhibitors/{applicant_id}", headers=other_organizer)
    ).status_code == 404
    found = await reg.ok("GET", "/exhibitors", organizer, params={"q": f"mat ong {tag}"})
    assert [e["exhibitor_id"] for e in found] == [applicant_id]
    assert await reg.ok("GET", "/exhibitors", other_organizer, params={"q": f"mat ong {tag}"}) == []
    everyone = await reg.ok("GET", "/exhibitors", reg.admin, params={"q": f"mat ong {tag}"})
    assert {e["exhibitor_id"] for e in everyone} == {applicant_id, bystander_id}

    listed = await reg.ok("GET", "/directory/exhibitors", {}, params={"q": f"MAT ONG {tag}"})
    assert {e["exhibitor_id"] for e in listed} == {applicant_id, bystander_id}
    entry = next(e for e in listed if e["exhibitor_id"] == applicant_id)
    assert set(entry) == {"exhibitor_id", "name", "kind", "province", "products"}
    assert entry["products"] == [
        {
            "product_id": product["product_id"],
            "name": product["name"],
            "group": product["group"],
            "star": 4,
            "valid_until": product["certificate"]["valid_to"],
        }
    ]
    assert full["tax_code"] not in str(listed)
