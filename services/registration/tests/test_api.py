"""Registration through its HTTP API, against the real Postgres and Kafka."""

from __future__ import annotations

import io
from typing import Any

import orjson
from openpyxl import Workbook

from ocop_shared.settings import CommonSettings
from ocop_shared.topics import REGISTRATION_APPLICATIONS, REGISTRATION_PRODUCTS
from ocop_testkit import read_topic, valid_gtin, valid_tax_code

Registration = Any  # the conftest's driver
Grants = Any  # the conftest's credentials installed directly


async def events_for(
    settings: CommonSettings, topic: str, key: str, want: int, timeout: float = 30
) -> list[dict[str, Any]]:
    def mine(records: list[Any]) -> list[dict[str, Any]]:
        return [orjson.loads(r.value) for r in records if r.key == key.encode()]

    records = await read_topic(
        settings.kafka_bootstrap,
        settings.topic_prefix + topic,
        until=lambda rs: len(mine(rs)) >= want,
        timeout=timeout,
    )
    return mine(records)


async def test_an_organizer_runs_a_fairs_intake_and_the_events_carry_it(
    reg: Registration, grants: Grants, stack_settings: CommonSettings
) -> None:
    organizer = await reg.organizer()
    certifier = await grants.certifier()
    fair = await reg.open_fair(organizer, min_star=4)
    holder_id, holder = await reg.exhibitor()
    honey = await reg.product(holder)
    tea = await reg.product(holder, name="Chè Đường Hoa", group=2, price=180_000)
    await reg.certify(certifier, honey["product_id"], star=4)
    await reg.certify(await grants.certifier(None), tea["product_id"], star=5)

    application = await reg.ok(
        "POST",
        f"/fairs/{fair['fair_id']}/applications",
        holder,
        201,
        json={
            "product_ids": [honey["product_id"], tea["product_id"]],
            "booth_request": {"count": 2, "booth_type": "corner", "product_group": 1},
        },
    )
    assert application["status"] == "submitted" and application["best_star"] == 5

    queue = await reg.ok("GET", f"/fairs/{fair['fair_id']}/applications", organizer)
    assert [a["application_id"] for a in queue] == [application["application_id"]]
    assert holder_id in queue[0]["history"]

    approved = await reg.ok(
        "POST",
        f"/applications/{application['application_id']}/review",
        organizer,
        json={"decision": "approved"},
    )
    assert approved["status"] == "approved" and approved["reviewed_by"]

    events = await events_for(stack_settings, REGISTRATION_APPLICATIONS.name, fair["fair_id"], 2)
    assert [e["type"] for e in events] == [
        "registration.application_submitted",
        "registration.application_approved",
    ]
    carried = events[1]["payload"]["application"]
    assert carried["exhibitor_id"] == holder_id
    assert [p["name"] for p in carried["products"]] == ["Mật ong rừng Ba Chẽ", "Chè Đường Hoa"]
    assert [p["certificate"]["star"] for p in carried["products"]] == [4, 5]
    assert carried["booth_request"]["count"] == 2


async def test_an_application_below_the_minimum_star_is_refused_naming_the_product(
    reg: Registration,
    grants: Grants,
) -> None:
    organizer = await reg.organizer()
    certifier = await grants.certifier()
    fair = await reg.open_fair(organizer, min_star=5)
    _, holder = await reg.exhibitor()
    product = await reg.product(holder)
    await reg.certify(certifier, product["product_id"], star=3)
    response = await reg.client.post(
        f"/fairs/{fair['fair_id']}/applications",
        headers=holder,
        json={"product_ids": [product["product_id"]], "booth_request": {"count": 1}},
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (
        error["loc"] == ["body", "product_ids", "0"] and "below the fair's minimum" in error["msg"]
    )
    assert await reg.ok("GET", "/applications", holder) == []


async def test_exhibitors_see_only_their_own_records(reg: Registration, grants: Grants) -> None:
    organizer = await reg.organizer()
    certifier = await grants.certifier()
    fair = await reg.open_fair(organizer)
    a_id, a = await reg.exhibitor()
    b_id, b = await reg.exhibitor(name="Công ty TNHH Nước mắm Cái Rồng", kind="enterprise")
    product = await reg.product(a)
    await reg.certify(certifier, product["product_id"])
    application = await reg.ok(
        "POST",
        f"/fairs/{fair['fair_id']}/applications",
        a,
        201,
        json={"product_ids": [product["product_id"]], "booth_request": {"count": 1}},
    )
    app_url = f"/applications/{application['application_id']}"

    assert (await reg.client.get(app_url, headers=b)).status_code == 404
    assert (await reg.client.post(f"{app_url}/withdraw", headers=b)).status_code == 404
    assert (await reg.client.get(f"/exhibitors/{a_id}", headers=b)).status_code == 404
    assert (
        await reg.client.patch(
            f"/products/{product['product_id']}", headers=b, json={"list_price_vnd": 1}
        )
    ).status_code == 404
    # Another organizer cannot see or review this fair's applications.
    other = await reg.organizer()
    assert (await reg.client.get(app_url, headers=other)).status_code == 404
    assert (
        await reg.client.post(f"{app_url}/review", headers=other, json={"decision": "approved"})
    ).status_code == 404
    assert (
        await reg.client.get(f"/fairs/{fair['fair_id']}/applications", headers=other)
    ).status_code == 404
    # An exhibitor cannot review at all.
    assert (
        await reg.client.post(f"{app_url}/review", headers=a, json={"decision": "approved"})
    ).status_code == 403

    # The admin is no exhibitor: it has no applications of its own (the table: 403).
    assert (await reg.client.get("/applications", headers=reg.admin)).status_code == 403

    unchanged = await reg.ok("GET", app_url, a)
    assert unchanged["status"] == "submitted"
    assert (await reg.ok("GET", f"/products/{product['product_id']}", {}))[
        "list_price_vnd"
    ] == 250_000
    assert b_id != a_id


async def test_server_owned_and_unknown_fields_are_refused(reg: Registration) -> None:
    organizer = await reg.organizer()
    fair = await reg.open_fair(organizer)
    _, holder = await reg.exhibitor()
    product = await reg.product(holder)
    # A client cannot set a product's star, an application's status, or a reviewer.
    for url, body, field in [
        (
            "/products",
            {"name": "X", "group": 1, "unit": "gói", "list_price_vnd": 1, "star": 5},
            "star",
        ),
        (
            f"/fairs/{fair['fair_id']}/applications",
            {
                "product_ids": [product["product_id"]],
                "booth_request": {"count": 1},
                "status": "approved",
            },
            "status",
        ),
        (
            f"/fairs/{fair['fair_id']}/applications",
            {
                "product_ids": [product["product_id"]],
                "booth_request": {"count": 1},
                "reviewed_by": "me",
            },
            "reviewed_by",
        ),
    ]:
        response = await reg.client.post(url, headers=holder, json=body)
        assert response.status_code == 422, response.text
        assert any(
            e["loc"][-1] == field and e["type"] == "extra_forbidden"
            for e in response.json()["detail"]
        )
    assert await reg.ok("GET", "/applications", holder) == []


OWNER = {"name": "Nguyễn Văn An", "email": "an@example.vn", "password": "mat-khau-vung-chac"}


async def test_bad_input_gets_a_422_naming_the_field_and_changes_nothing(
    reg: Registration, grants: Grants
) -> None:
    certifier = await grants.certifier()
    holder_id, holder = await reg.exhibitor()
    product = await reg.product(holder)
    cases = [
        (
            "POST",
            "/exhibitors",
            {},
            {
                "kind": "cooperative",
                "name": "HTX",
                "tax_code": "0100109107",
                "province": "Hà Nội",
                "owner": OWNER,
            },
            "tax_code",
        ),
        (
            "POST",
            "/exhibitors",
            {},
            {
                "kind": "cooperative",
                "name": "HTX",
                "tax_code": valid_tax_code(),
                "province": "Hà Nội",
                "phone": "12",
                "owner": OWNER,
            },
            "phone",
        ),
        (
            "POST",
            "/products",
            holder,
            {
                "name": "Mắm",
                "group": 1,
                "unit": "chai",
                "list_price_vnd": 1000,
                "gtin": "8930000000001",
            },
            "gtin",
        ),
        (
            "POST",
            "/products",
            holder,
            {"name": "Mắm", "group": 9, "unit": "chai", "list_price_vnd": 1000},
            "group",
        ),
        (
            "POST",
            "/products",
            holder,
            {"name": "Mắm", "group": 1, "unit": "chai", "list_price_vnd": -5},
            "list_price_vnd",
        ),
        (
            "POST",
            "/products",
            holder,
            {"name": "Mắm", "group": 1, "unit": "chai", "list_price_vnd": 1.5},
            "list_price_vnd",
        ),
        (
            "PATCH",
            f"/products/{product['product_id']}",
            holder,
            {"list_price_vnd": -1},
            "list_price_vnd",
        ),
        (
            "POST",
            f"/products/{product['product_id']}/certificates",
            certifier,
            {
                "number": "X-1",
                "star": 2,
                "issuing_level": "province",
                "issuing_body": "UBND",
                "decision_number": "1",
                "decision_date": "2025-01-01",
                "valid_from": "2025-01-01",
            },
            "star",
        ),
    ]
    before = await reg.ok("GET", f"/products?holder_id={holder_id}", {})
    for method, url, headers, body, field in cases:
        response = await reg.client.request(method, url, headers=headers, json=body)
        assert response.status_code == 422, (url, response.text)
        assert any(e["loc"][-1] == field for e in response.json()["detail"]), response.text
    assert await reg.ok("GET", f"/products?holder_id={holder_id}", {}) == before


async def test_bulk_revocation_emits_one_event_per_product(
    reg: Registration, grants: Grants, stack_settings: CommonSettings
) -> None:
    certifier = await grants.certifier()
    _, holder = await reg.exhibitor()
    certified = []
    for i in range(3):
        product = await reg.product(holder, name=f"Sản phẩm {i}")
        certified.append(await reg.certify(certifier, product["product_id"]))
    numbers = [p["certificate"]["number"] for p in certified]
    decision = "47/QĐ-UBND"

    # An unknown number in the decision revokes nothing (answered like a number outside the
    # council's jurisdiction: 404).
    bad = await reg.client.post(
        "/certificates/revocations",
        headers=certifier,
        json={
            "decision_number": decision,
            "reason": "x",
            "certificate_numbers": [*numbers, "NO-SUCH"],
        },
    )
    assert bad.status_code == 404 and bad.json()["field"] == "certificate_numbers"
    assert (await reg.ok("GET", f"/products/{certified[0]['product_id']}", {}))["certificate"][
        "status"
    ] == "valid"

    result = await reg.ok(
        "POST",
        "/certificates/revocations",
        certifier,
        json={
            "decision_number": decision,
            "reason": "Không duy trì chất lượng",
            "certificate_numbers": numbers,
        },
    )
    assert result["revoked"] == numbers
    for product in certified:
        events = await events_for(
            stack_settings, REGISTRATION_PRODUCTS.name, product["product_id"], 3
        )
        assert [e["type"] for e in events] == [
            "registration.product_registered",
            "registration.certificate_issued",
            "registration.certificate_revoked",
        ]
        revoked = events[-1]["payload"]
        assert (
            revoked["decision_number"] == decision
            and revoked["product"]["certificate"]["status"] == "revoked"
        )
    again = await reg.client.post(
        "/certificates/revocations",
        headers=certifier,
        json={"decision_number": decision, "reason": "x", "certificate_numbers": numbers[:1]},
    )
    assert again.status_code == 409


def _register_rows(bad_row: bool) -> list[list[str]]:
    header = [
        "holder_name",
        "holder_kind",
        "tax_code",
        "province",
        "commune",
        "phone",
        "product_name",
        "taxonomy",
        "group",
        "gtin",
        "unit",
        "list_price_vnd",
        "certificate_number",
        "star",
        "issuing_level",
        "issuing_body",
        "decision_number",
        "decision_date",
        "valid_from",
        "valid_to",
    ]
    tax = valid_tax_code()
    rows = [header]
    for i in range(3):
        rows.append(
            [
                "HTX Nông sản Tiên Yên",
                "cooperative",
                tax,
                "Quảng Ninh",
                "Tiên Yên",
                "0203 3876 543",
                f"Gà đồi Tiên Yên {i}",
                "2023",
                "1",
                valid_gtin(),
                "con",
                "350.000",
                f"IMP-{valid_gtin()}",
                "4",
                "province",
                "UBND tỉnh Quảng Ninh",
                "12/QĐ-UBND",
                "15/03/2025",
                "2025-03-15",
                "",
            ]
        )
    if bad_row:
        rows.append(
            [
                "HTX Lỗi",
                "cooperative",
                "0100109107",
                "Quảng Ninh",
                "",
                "",
                "Sai",
                "2023",
                "8",
                "8930000000001",
                "gói",
                "abc",
                "IMP-BAD",
                "6",
                "province",
                "UBND",
                "1",
                "2025-01-01",
                "2025-01-01",
                "",
            ]
        )
    return rows


def _csv(rows: list[list[str]]) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


async def test_a_register_import_with_a_bad_row_changes_nothing_unless_asked(
    reg: Registration,
    grants: Grants,
) -> None:
    certifier = await grants.certifier()
    rows = _register_rows(bad_row=True)
    report = await reg.ok(
        "POST",
        "/imports/register",
        certifier,
        files={"file": ("register.csv", _csv(rows), "text/csv")},
    )
    assert report["rows"] == 4 and report["imported"] == 0 and not report["applied"]
    [rejected] = report["errors"]
    assert rejected["line"] == 5
    assert {e["field"] for e in rejected["errors"]} >= {
        "tax_code",
        "group",
        "gtin",
        "list_price_vnd",
        "star",
    }
    assert await reg.ok("GET", "/products?q=ga doi tien yen", {}) == []

    report = await reg.ok(
        "POST",
        "/imports/register",
        certifier,
        files={"file": ("register.csv", _csv(rows), "text/csv")},
        data={"valid_rows_only": "true"},
    )
    assert report["imported"] == 3 and report["rejected"] == 1
    found = await reg.ok("GET", "/products?q=ga doi tien yen", {})
    assert sorted(p["name"] for p in found) == [
        "Gà đồi Tiên Yên 0",
        "Gà đồi Tiên Yên 1",
        "Gà đồi Tiên Yên 2",
    ]
    assert len({p["holder_id"] for p in found}) == 1  # one holder, by tax code
    assert all(p["certificate"]["star"] == 4 and p["list_price_vnd"] == 350_000 for p in found)


async def test_an_xlsx_register_imports_too(reg: Registration, grants: Grants) -> None:
    certifier = await grants.certifier()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    rows = _register_rows(bad_row=False)
    for i, row in enumerate(rows):
        sheet.append([r.replace("Gà đồi", "Trà hoa vàng") for r in row] if i else row)
    buffer = io.BytesIO()
    book.save(buffer)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    report = await reg.ok(
        "POST",
        "/imports/register",
        certifier,
        files={"file": ("register.xlsx", buffer.getvalue(), xlsx)},
    )
    assert report["imported"] == 3, report
    assert len(await reg.ok("GET", "/products?q=TRA HOA VANG", {})) == 3


async def test_search_matches_with_or_without_diacritics(reg: Registration) -> None:
    _, holder = await reg.exhibitor(name="Hợp tác xã Miến dong Bình Liêu")
    await reg.product(holder, name="Miến dong Bình Liêu đặc biệt")
    for q in ("miến dong bình liêu", "mien dong binh lieu", "MIEN DONG"):
        found = await reg.ok("GET", "/products", {}, params={"q": q})
        assert any(p["name"] == "Miến dong Bình Liêu đặc biệt" for p in found), q
    # Exhibitors: the admin's search, and the public directory (an organizer finds only the
    # exhibitors that applied to its fairs: test_authority_api.py).
    for headers, url in ((reg.admin, "/exhibitors"), ({}, "/directory/exhibitors")):
        holders = await reg.ok("GET", url, headers, params={"q": "hop tac xa mien dong"})
        assert any(h["name"] == "Hợp tác xã Miến dong Bình Liêu" for h in holders)


async def test_the_expiry_job_announces_each_certificate_once(
    reg: Registration, grants: Grants, reg_uow: Any, stack_settings: CommonSettings
) -> None:
    from datetime import date, timedelta

    from ocop_registration.adapters.jobs import announce_certificate_expiry

    certifier = await grants.certifier()
    _, holder = await reg.exhibitor()
    today = date.today()
    expiring = await reg.product(holder, name="Sắp hết hạn")
    expired = await reg.product(holder, name="Đã hết hạn")
    await reg.certify(
        certifier,
        expiring["product_id"],
        valid_from=(today - timedelta(days=1050)).isoformat(),
        valid_to=(today + timedelta(days=10)).isoformat(),
    )
    await reg.certify(
        certifier,
        expired["product_id"],
        valid_from=(today - timedelta(days=400)).isoformat(),
        valid_to=(today - timedelta(days=1)).isoformat(),
    )
    assert (await reg.ok("GET", f"/products/{expiring['product_id']}", {}))["certificate"][
        "status"
    ] == "expiring"

    assert await announce_certificate_expiry(reg_uow) >= 2
    await announce_certificate_expiry(reg_uow)  # a second run announces nothing again
    for product, kind in (
        (expiring, "registration.certificate_expiring"),
        (expired, "registration.certificate_expired"),
    ):
        await events_for(stack_settings, REGISTRATION_PRODUCTS.name, product["product_id"], 3)
        # Read on for a while: a second announcement would show as a fourth event.
        events = await events_for(
            stack_settings, REGISTRATION_PRODUCTS.name, product["product_id"], 4, timeout=3
        )
        assert [e["type"] for e in events] == [
            "registration.product_registered",
            "registration.certificate_issued",
            kind,
        ]


async def test_a_certificate_is_announced_expired_at_midnight_not_at_the_next_hourly_scan(
    reg: Registration, grants: Grants, reg_app: Any, reg_uow: Any, stack_settings: CommonSettings
) -> None:
    """The job runs hourly, but a certificate's end (midnight in Viet Nam after its last day)
    wakes it. The job's clock is this test's: it reads a second and a half before tonight's
    midnight and runs on from there, so nobody waits for midnight."""
    import asyncio
    from datetime import UTC, datetime, timedelta

    from ocop_registration.adapters.jobs import announce_certificate_expiry, expiry_scheduler
    from ocop_registration.domain.timezone import VN, start_of

    service, _ = reg_app
    certifier = await grants.certifier()
    _, holder = await reg.exhibitor()
    today = datetime.now(VN).date()
    ending = await reg.product(holder, name="Hết hạn đêm nay")
    await reg.certify(
        certifier,
        ending["product_id"],
        valid_from=(today - timedelta(days=1000)).isoformat(),
        valid_to=today.isoformat(),
    )
    midnight = start_of(today + timedelta(days=1))
    # Announced as expiring by a scan before midnight (its last day is within the notice).
    await announce_certificate_expiry(reg_uow, midnight - timedelta(seconds=2))

    offset = midnight - timedelta(seconds=1.5) - datetime.now(UTC)
    stop = asyncio.Event()
    job = asyncio.create_task(
        expiry_scheduler(reg_uow, 3600.0, now=lambda: datetime.now(UTC) + offset)(service, stop)
    )
    try:
        events = await events_for(
            stack_settings, REGISTRATION_PRODUCTS.name, ending["product_id"], 4, timeout=30
        )
    finally:
        stop.set()
        await job
    assert [e["type"] for e in events] == [
        "registration.product_registered",
        "registration.certificate_issued",
        "registration.certificate_expiring",
        "registration.certificate_expired",
    ]
    expired = events[-1]["payload"]["product"]
    assert expired["ocop_until"] is None and expired["certificate"]["status"] == "expired"


async def test_registration_publishes_its_decisions_and_re_admits_at_approval(
    reg: Registration, grants: Grants, stack_settings: CommonSettings
) -> None:
    organizer = await reg.organizer()
    certifier = await grants.certifier()
    fair = await reg.open_fair(organizer)
    _, holder = await reg.exhibitor()
    product = await reg.product(holder)
    assert product["ocop_until"] is None
    certified = await reg.certify(certifier, product["product_id"])
    valid_to = certified["certificate"]["valid_to"]
    assert certified["ocop_until"] == valid_to

    application = await reg.ok(
        "POST",
        f"/fairs/{fair['fair_id']}/applications",
        holder,
        201,
        json={"product_ids": [product["product_id"]], "booth_request": {"count": 1}},
    )
    # admitted as an OCOP product (issue 15: local goods say ocop false)
    admitted = [{"product_id": product["product_id"], "until": valid_to, "ocop": True}]
    assert application["admitted"] == admitted
    app_url = f"/applications/{application['application_id']}"
    assert (await reg.ok("GET", app_url, holder))["admitted"] == admitted

    # The certificate is revoked after submission: approval no longer admits the product.
    await reg.ok(
        "POST",
        "/certificates/revocations",
        certifier,
        json={
            "decision_number": "9/QĐ",
            "reason": "Không duy trì chất lượng",
            "certificate_numbers": [certified["certificate"]["number"]],
        },
    )
    refused = await reg.client.post(
        f"{app_url}/review", headers=organizer, json={"decision": "approved"}
    )
    assert refused.status_code == 409 and refused.json()["field"] == "products.0"
    assert (await reg.ok("GET", app_url, holder))["status"] == "submitted"

    events = await events_for(stack_settings, REGISTRATION_PRODUCTS.name, product["product_id"], 3)
    assert [(e["type"], e["version"], e["payload"]["product"]["ocop_until"]) for e in events] == [
        ("registration.product_registered", 2, None),
        ("registration.certificate_issued", 2, valid_to),
        ("registration.certificate_revoked", 2, None),
    ]
    [submitted] = await events_for(
        stack_settings, REGISTRATION_APPLICATIONS.name, fair["fair_id"], 1
    )
    assert submitted["version"] == 2 and submitted["payload"]["application"]["admitted"] == admitted
