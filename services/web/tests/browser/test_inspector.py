"""The inspector's journey in Chromium (issue 15): a running fair of Quảng Ninh with one
approved product (set up through the services' APIs); the province's inspector signs in,
opens the fair, records a suspension through the form and its check-your-answers page, and
sees the product suspended and counted; the organizer's fair page shows the inspection.
axe-core on each page, screenshots under artifacts/."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from ocop_testkit import valid_gtin

from .conftest import ADMIN_TOKEN, System, shoot
from .test_authorities import Check, checked, sign_in


def _ok(answer: Any, status: int = 201) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def _organization(web: System, kind: str, tag: str, **scope: Any) -> tuple[str, str, str]:
    """An organization made by the admin and its owner: (token, login, password)."""
    login, password = f"{kind}-{tag}@example.vn", f"mat-khau-{kind}-{tag}"
    with web.api("registration", ADMIN_TOKEN) as reg:
        made = _ok(reg.post("/organizations", headers=_key(), json={
            "kind": kind, "organization_id": f"{kind}-{tag}", "name": f"{kind} {tag}", **scope,
        }))  # fmt: skip
        accepted = _ok(reg.post("/invitations/accept", headers=_key(), json={
            "code": made["owner_invitation"]["code"],
            "account": {"name": "Trần Văn Kiểm", "email": login, "password": password},
        }))  # fmt: skip
    return accepted["token"], login, password


def running_fair(web: System, tag: str) -> tuple[str, str, tuple[str, str]]:
    """(fair id, product name, the organizer's login and password)."""
    organizer, org_login, org_password = _organization(web, "organizer", tag)
    council, _, _ = _organization(web, "certifier", tag, province="Quảng Ninh", level="provincial")
    holder = web.exhibitor(f"Hợp tác xã Mật ong {tag}")
    name = f"Mật ong rừng Ba Chẽ {tag}"
    now = datetime.now().replace(microsecond=0)
    with (
        web.api("registration", organizer) as org,
        web.api("registration", holder.token) as own,
        web.api("registration", council) as cert,
    ):
        product = _ok(own.post("/products", headers=_key(), json={
            "name": name, "group": 1, "gtin": valid_gtin(), "unit": "chai", "list_price_vnd": 250_000,
        }))  # fmt: skip
        _ok(cert.post(f"/products/{product['product_id']}/certificates", headers=_key(), json={
            "number": f"QN-{tag}", "star": 4, "issuing_level": "province",
            "issuing_body": "UBND tỉnh Quảng Ninh", "decision_number": "12/QĐ-UBND",
            "decision_date": "2025-06-01", "valid_from": "2025-06-01",
        }))  # fmt: skip
        fair = _ok(org.post("/fairs", headers=_key(), json={
            "name": f"Hội chợ OCOP Hạ Long {tag}", "kind": "fair", "venue": "Hạ Long",
            "province": "Quảng Ninh",
            "applications_open_at": (now - timedelta(days=1)).isoformat(),
            "applications_close_at": (now + timedelta(days=1)).isoformat(),
            "starts_at": (now + timedelta(days=2)).isoformat(),
            "ends_at": (now + timedelta(days=5)).isoformat(), "rules": {"min_star": 3},
        }))  # fmt: skip
        fair_id = fair["fair_id"]
        _ok(org.post(f"/fairs/{fair_id}/lifecycle", headers=_key(), json={"action": "open"}), 200)
        application = _ok(own.post(f"/fairs/{fair_id}/applications", headers=_key(), json={
            "product_ids": [product["product_id"]], "booth_request": {"count": 1},
        }))  # fmt: skip
        _ok(org.post(f"/applications/{application['application_id']}/review", headers=_key(),
                     json={"decision": "approved"}), 200)  # fmt: skip
        for action in ("close", "start"):
            _ok(
                org.post(f"/fairs/{fair_id}/lifecycle", headers=_key(), json={"action": action}),
                200,
            )
    return fair_id, name, (org_login, org_password)


def test_an_inspector_suspends_a_product_at_a_fair_and_the_organizer_sees_it(
    web: System, page: Any, accessible: Check
) -> None:
    tag = uuid.uuid4().hex[:6]
    accessible = checked(accessible)
    fair_id, product, organizer = running_fair(web, tag)
    _, login, password = _organization(web, "inspector", tag, province="Quảng Ninh")

    sign_in(page, login, password)
    expect(page).to_have_url(re.compile(r"/inspector$"))
    page.get_by_role("link", name=re.compile(f"Hội chợ OCOP Hạ Long {tag}")).click()
    expect(page.get_by_test_id("exhibits")).to_contain_text(product)
    accessible(page)
    page.get_by_test_id("new-inspection").click()
    page.get_by_role("button", name="Tiếp tục").click()  # nothing answered: named
    expect(page.locator(".ocop-error-summary")).to_contain_text("Chọn sản phẩm đã kiểm tra")
    accessible(page)
    page.get_by_label(re.compile(product)).check()
    page.locator("#booth_code").fill("A-12")
    page.locator("#sample").fill("2 chai 500 ml, lô 2311")
    page.locator("#finding").fill("Nhãn thiếu hạn sử dụng")
    page.get_by_label("Đình chỉ bán tại hội chợ này").check()
    shoot(page, "inspector-inspection-form")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_test_id("check-inspection")).to_contain_text("Nhãn thiếu hạn sử dụng")
    accessible(page)
    shoot(page, "inspector-inspection-check")
    page.get_by_role("button", name="Ghi nhận biên bản kiểm tra").click()
    expect(page).to_have_url(re.compile(rf"/inspector/fairs/{fair_id}\?notice=recorded$"))
    expect(page.locator("[data-suspended=true]")).to_have_count(1)
    expect(page.locator("[data-count=suspensions]")).to_have_text("1")
    accessible(page)
    shoot(page, "inspector-fair-suspended")
    page.locator("form[action='/sign-out'] button").click()

    sign_in(page, *organizer)
    page.goto(f"/organizer/fairs/{fair_id}")
    expect(page.get_by_test_id("inspection-history")).to_contain_text("Nhãn thiếu hạn sử dụng")
    accessible(page)
