"""A ranked fair in Chromium at a phone's size (issue 12: "exhibitors rank their choices and
the organizer finalizes with the engine"): an approved exhibitor ranks booths on the plan (a
booth chosen twice refused on its field in Vietnamese, nothing sent), checks its answers,
sends them; booths keeps them best first; holding a booth there is refused in words. Seeded
through the APIs: an organizer's open fair whose rules say ``allocation_mode: ranked`` with
its plan, the holder's certified product, its application approved."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from .conftest import System, shoot
from .test_exhibitor_journey import PHONE, PLAN, VN, call, eventually, organization

Check = Callable[[Any], None]


def test_an_exhibitor_ranks_booths_at_a_ranked_fair(
    web: System, page: Any, accessible: Check
) -> None:
    organizer = organization(web, "organizer", "Sở Công Thương Quảng Ninh", province="Quảng Ninh")
    council = organization(
        web, "certifier", "Hội đồng OCOP tỉnh Quảng Ninh", province="Quảng Ninh", level="provincial"
    )
    holder = web.exhibitor()
    now = datetime.now(VN).replace(tzinfo=None, microsecond=0)
    with web.api("registration") as reg:
        fair = call(reg, "POST", "/fairs", organizer, 201, json={
            "name": "Hội chợ OCOP xếp hạng 2026", "kind": "fair",
            "venue": "Cung Quy hoạch, Hội chợ và Triển lãm tỉnh", "province": "Quảng Ninh",
            "applications_open_at": (now - timedelta(days=1)).isoformat(),
            "applications_close_at": (now + timedelta(days=10)).isoformat(),
            "starts_at": (now + timedelta(days=20)).isoformat(),
            "ends_at": (now + timedelta(days=25)).isoformat(),
            "rules": {"min_star": 3, "max_booths_per_holder": 2, "allocation_mode": "ranked"},
        })  # fmt: skip
        fair_id = str(fair["fair_id"])
        call(reg, "POST", f"/fairs/{fair_id}/lifecycle", organizer, json={"action": "open"})
        product = call(reg, "POST", "/products", holder.token, 201, json={
            "name": "Chè Đường Hoa túi 200 g", "taxonomy": "2023", "group": 2,
            "unit": "túi 200 g", "list_price_vnd": 120000,
        })  # fmt: skip
        call(reg, "POST", f"/products/{product['product_id']}/certificates", council, 201, json={
            "number": f"QN-{uuid.uuid4().hex[:6]}", "star": 4, "issuing_level": "province",
            "issuing_body": "UBND tỉnh Quảng Ninh", "decision_number": "123/QĐ-UBND",
            "decision_date": "2025-06-01", "valid_from": "2025-06-01",
        })  # fmt: skip

    def plan_loaded() -> bool:
        with web.api("booths", organizer) as booths:
            answer = booths.put(
                f"/fairs/{fair_id}/floorplan",
                json=PLAN,
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
        return answer.status_code in (200, 201)

    eventually(plan_loaded, "the fair at booths (its plan loaded)")
    with web.api("booths", organizer) as booths:
        ids = {
            b["code"]: b["booth_id"]
            for b in booths.get(f"/fairs/{fair_id}/floorplan").json()["booths"]
        }
    with web.api("registration") as reg:
        application = call(reg, "POST", f"/fairs/{fair_id}/applications", holder.token, 201, json={
            "product_ids": [product["product_id"]],
            "booth_request": {"count": 1, "booth_type": "standard"},
        })  # fmt: skip
        call(reg, "POST", f"/applications/{application['application_id']}/review", organizer,
             json={"decision": "approved"})  # fmt: skip

    def booths_know_the_approval() -> bool:
        with web.api("booths", holder.token) as booths:
            return booths.get(f"/fairs/{fair_id}/choices").json().get("application_id") is not None

    eventually(booths_know_the_approval, "the approved application at booths")

    # The exhibitor signs in on a phone and opens its approved application.
    page.set_viewport_size(PHONE)
    page.goto("/sign-in")
    page.get_by_label("Địa chỉ email hoặc số điện thoại").fill(holder.login)
    page.get_by_label("Mật khẩu").fill(holder.password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"/exhibitor/applications/{application['application_id']}")
    expect(page.get_by_test_id("application-status")).to_contain_text("Đã duyệt")
    page.get_by_test_id("rank-booths").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xếp hạng các gian hàng bạn muốn")
    expect(page.get_by_test_id("plan").get_by_role("img")).to_have_count(4)
    accessible(page)
    shoot(page, "choices")

    # A booth chosen twice: refused on its field, in Vietnamese, nothing sent.
    page.get_by_label("Lựa chọn thứ nhất").select_option(value=ids["A3"])
    page.get_by_label("Lựa chọn thứ hai").select_option(value=ids["A3"])
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator(".ocop-error-summary")).to_be_focused()
    expect(page.locator("#choice_2-error")).to_contain_text("Bạn đã chọn gian hàng này rồi")
    accessible(page)
    shoot(page, "choices-twice")
    with web.api("booths", holder.token) as booths:
        assert booths.get(f"/fairs/{fair_id}/choices").json()["choices"] == []

    # Corrected, checked, sent.
    page.get_by_label("Lựa chọn thứ hai").select_option(value=ids["A1"])
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra các lựa chọn của bạn")
    check = page.get_by_test_id("check-choices")
    expect(check).to_contain_text("Gian hàng A3")
    expect(check.get_by_role("link", name="Thay đổi lựa chọn thứ nhất")).to_be_visible()
    accessible(page)
    shoot(page, "choices-check")
    page.get_by_role("button", name="Gửi lựa chọn của tôi").click()
    expect(page.get_by_text("Đã lưu lựa chọn của bạn.")).to_be_visible()
    current = page.get_by_test_id("current-choices")
    expect(current.locator("li")).to_have_count(2)
    expect(current.locator("li").first).to_contain_text("Gian hàng A3")
    expect(page.get_by_test_id("booth-A3")).to_have_attribute(
        "aria-label", "Gian hàng A3, lựa chọn 1"
    )
    accessible(page)
    shoot(page, "choices-saved")
    with web.api("booths", holder.token) as booths:
        kept = booths.get(f"/fairs/{fair_id}/choices").json()["choices"]
    assert [c["code"] for c in kept] == ["A3", "A1"]

    # Holding a booth is not how this fair works: booths refuses, the page says why.
    page.goto(f"/exhibitor/fairs/{fair_id}/booths/{kept[1]['booth_id']}")
    page.get_by_role("button", name="Giữ gian hàng này").click()
    expect(page.locator(".ocop-error-summary")).to_contain_text(
        "Ở hội chợ này không giữ gian hàng trên sơ đồ"
    )
    accessible(page)
