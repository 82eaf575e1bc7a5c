"""The organizer's tills and live sales in Chromium (issue 12's organizer journey, its last
part): a fair with an exhibitor on a booth (seeded through the services' APIs), a till
enrolled for that booth through the form after a bad answer shown on its field in
Vietnamese, its pairing QR code (a one-time pairing code, exchanged for the till's token as
the till app does); the live dashboard open; a sale posted through the sales API
with the till's own token; the revenue on the open page rises without reload (server-sent
events from the sales topic). Then the fee statement and a payment recorded by hand."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from .conftest import System, shoot
from .test_floorplan import VN, call, eventually, organization

Check = Callable[[Any], None]
PLAN = {
    "zones": [
        {"code": "Z1", "name": "Khu 1", "kind": "district_cluster", "product_groups": [1, 2, 3, 4, 5, 6]},
    ],
    "booths": [
        {"code": "A1", "zone": "Z1", "booth_type": "standard", "width_m": 3, "depth_m": 3,
         "price_vnd": 4_000_000, "x": 0.0, "y": 0.0, "open_sides": 1},
        {"code": "A2", "zone": "Z1", "booth_type": "standard", "width_m": 3, "depth_m": 3,
         "price_vnd": 4_000_000, "x": 3.0, "y": 0.0, "open_sides": 1},
    ],
}  # fmt: skip
HOLDER = "Hợp tác xã Chè Đường Hoa"


def seed_running_fair(web: System) -> dict[str, str]:
    """A fair selling now (it opened a few minutes ago, by the clock sales checks), one
    approved holder with a 4-star product (group 1: food), its booth assigned by the engine."""
    login, password, organizer = organization(
        web, "organizer", "Sở Công Thương Quảng Ninh", province="Quảng Ninh"
    )
    _, _, council = organization(
        web, "certifier", "Hội đồng OCOP tỉnh Quảng Ninh", province="Quảng Ninh", level="provincial"
    )
    now = datetime.now(VN).replace(tzinfo=None, microsecond=0)
    holder = web.exhibitor(HOLDER)
    with web.api("registration") as reg:
        fair = call(reg, "POST", "/fairs", organizer, 201, json={
            "name": "Hội chợ OCOP Quảng Ninh 2026", "kind": "fair", "venue": "Cung Triển lãm tỉnh",
            "province": "Quảng Ninh", "applications_open_at": (now - timedelta(days=2)).isoformat(),
            "applications_close_at": (now + timedelta(minutes=10)).isoformat(),
            "starts_at": (now + timedelta(minutes=15)).isoformat(),
            "ends_at": (now + timedelta(days=2)).isoformat(),
            "rules": {"min_star": 3, "max_booths_per_holder": 1, "subsidy_percent": 50, "subsidy_max_booths": 1},
        })  # fmt: skip
        fair_id = str(fair["fair_id"])
        call(reg, "POST", f"/fairs/{fair_id}/lifecycle", organizer, json={"action": "open"})
        product = call(reg, "POST", "/products", holder.token, 201, json={
            "name": "Chè Đường Hoa hộp 200 g", "group": 1, "unit": "hộp", "list_price_vnd": 120_000,
        })  # fmt: skip
        call(reg, "POST", f"/products/{product['product_id']}/certificates", council, 201, json={
            "number": f"QN-{uuid.uuid4().hex[:10]}", "star": 4, "issuing_level": "province",
            "issuing_body": "UBND tỉnh Quảng Ninh", "decision_number": "101/QĐ-UBND",
            "decision_date": "2025-06-01", "valid_from": "2025-06-01",
        })  # fmt: skip
        application = call(reg, "POST", f"/fairs/{fair_id}/applications", holder.token, 201,
                           json={"product_ids": [product["product_id"]],
                                 "booth_request": {"count": 1, "zone": "Z1"}})  # fmt: skip
        call(reg, "POST", f"/applications/{application['application_id']}/review", organizer,
             json={"decision": "approved"})  # fmt: skip

    with web.api("booths") as booths:

        def plan_loaded() -> bool:
            answer = booths.put(
                f"/fairs/{fair_id}/floorplan",
                json=PLAN,
                headers={
                    "Authorization": f"Bearer {organizer}",
                    "Idempotency-Key": str(uuid.uuid4()),
                },
            )
            return answer.status_code in (200, 201)

        eventually(plan_loaded, "the fair")
        placed: dict[str, Any] = {}

        def allocated() -> bool:
            answer = booths.post(
                f"/fairs/{fair_id}/allocations",
                headers={
                    "Authorization": f"Bearer {organizer}",
                    "Idempotency-Key": str(uuid.uuid4()),
                },
            )
            found = answer.json() if answer.status_code == 201 else {}
            if found.get("placements"):
                placed.update(found)
                return True
            return False

        eventually(allocated, "the approved application")
        call(booths, "POST", f"/allocations/{placed['run_id']}/commit", organizer, 200)
    return {
        "fair_id": fair_id,
        "login": login,
        "password": password,
        "organizer": organizer,
        "product_id": str(product["product_id"]),
        "holder_id": holder.organization_id,
    }


def sell(web: System, token: str, product_id: str, quantity: int) -> None:
    """A sale as the till app would post it, with the till's own device token (sales may
    learn of the booth's exhibitor and its catalog a moment after the enrolment)."""
    sale_id = str(uuid.uuid4())
    body = {
        "sale_id": sale_id,
        "device_time": datetime.now(VN).replace(tzinfo=None).isoformat(),
        "lines": [{"product_id": product_id, "quantity": quantity, "unit_price_vnd": 120_000}],
        "payments": [{"method": "cash", "amount_vnd": 120_000 * quantity}],
        "total_vnd": 120_000 * quantity,
    }
    last: list[str] = []
    with web.api("sales", token) as sales:

        def session_open() -> bool:
            answer = sales.post(
                "/sessions",
                json={"opening_cash_vnd": 0},
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
            last[:] = [answer.text]
            return answer.status_code in (200, 201) or "already" in answer.text

        eventually(session_open, f"the till's session ({last})")

        def sold() -> bool:
            answer = sales.post("/sales", json=body)
            last[:] = [answer.text]
            return answer.status_code in (200, 201)

        eventually(sold, "the till's catalog")


def pair(web: System, code: str) -> str:
    """The device's side of pairing (the till app's call): the code for the till's token."""
    with web.api("sales") as sales:
        answer = sales.post(
            "/terminals/pair", json={"code": code}, headers={"Idempotency-Key": str(uuid.uuid4())}
        )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["token"]
    return token


def test_a_till_enrolled_and_the_live_revenue_rising_without_reload(
    web: System, page: Any, accessible: Check
) -> None:
    seeded = seed_running_fair(web)
    fair_id = seeded["fair_id"]

    page.goto("/sign-in")
    page.get_by_label("Địa chỉ email hoặc số điện thoại").fill(seeded["login"])
    page.get_by_label("Mật khẩu").fill(seeded["password"])
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("acting-for")).to_contain_text("Sở Công Thương Quảng Ninh")

    # The fair's page links its tills; sales may learn of the booth's exhibitor a moment
    # after the commit: the page lists only booths an exhibitor occupies (booths' plan).
    page.goto(f"/organizer/fairs/{fair_id}")
    page.get_by_role("link", name="Quầy thu ngân").first.click()
    expect(page.get_by_role("heading", name="Quầy thu ngân", level=1)).to_be_visible()
    expect(page.get_by_test_id("no-tills")).to_be_visible()
    accessible(page)

    # Nothing chosen: the errors on their fields, in Vietnamese, nothing enrolled.
    page.get_by_role("button", name="Đăng ký quầy thu ngân").click()
    expect(page.locator("#booth-error")).to_contain_text(
        "Chọn gian hàng mà quầy thu ngân bán hàng cho"
    )
    expect(page.locator("#till_label-error")).to_contain_text("Nhập tên quầy thu ngân")
    expect(page.locator(".ocop-error-summary")).to_be_focused()
    expect(page.get_by_test_id("no-tills")).to_be_visible()
    accessible(page)
    shoot(page, "till-errors")

    booth = page.get_by_label("Gian hàng", exact=True)
    option = booth.locator("option", has_text=HOLDER)
    expect(option).to_have_count(1)
    booth.select_option(option.get_attribute("value"))
    page.get_by_label("Tên quầy thu ngân").fill("Quầy 1")
    deadline = time.monotonic() + 90
    while True:  # sales hears of the booth's exhibitor from booths' events
        page.get_by_role("button", name="Đăng ký quầy thu ngân").click()
        page.wait_for_load_state()
        if page.get_by_test_id("enrolled").count():
            break
        assert time.monotonic() < deadline, "sales never learned the booth's exhibitor"
        time.sleep(1)
        booth = page.get_by_label("Gian hàng", exact=True)
        booth.select_option(booth.locator("option", has_text=HOLDER).get_attribute("value"))
        page.get_by_label("Tên quầy thu ngân").fill("Quầy 1")
    qr = page.get_by_test_id("pairing-qr")
    expect(qr).to_be_visible()
    expect(qr).to_have_attribute(
        "alt", re.compile(r"Mã QR ghép nối của quầy Quầy 1 tại gian hàng A\d")
    )
    page.get_by_text("Thiết bị không quét được mã?").click()
    pairing = page.get_by_test_id("pairing-url").inner_text()
    assert pairing.startswith(f"{web.url}/till/pair#")
    code = pairing.split("#", 1)[1]
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    expect(page.get_by_test_id("pairing-code")).to_have_text(code)
    expect(page.get_by_test_id("pairing-expires")).to_contain_text("Có hiệu lực đến")
    accessible(page)
    shoot(page, "till-pairing-qr")
    page.get_by_role("button", name="Xong: quay lại danh sách quầy thu ngân").click()
    expect(page.get_by_test_id("tills")).to_contain_text("Quầy 1")
    expect(page.get_by_test_id("tills")).to_contain_text("Đang hoạt động")
    assert code not in page.content()  # shown once
    token = pair(web, code)  # as the till app does with the code

    # The live dashboard, open; a sale posted with the till's token; the figures rise.
    page.get_by_role("link", name="Doanh thu trực tiếp").click()
    expect(page.get_by_role("heading", name="Doanh thu trực tiếp", level=1)).to_be_visible()
    expect(page.get_by_test_id("revenue-today")).to_have_text("0\u00a0₫")
    expect(page.get_by_test_id("live-figures")).to_have_attribute("data-live", "on", timeout=30_000)
    accessible(page)
    page.evaluate("window.__stillTheSamePage = true")
    url = page.url
    sell(web, token, seeded["product_id"], 2)
    expect(page.get_by_test_id("revenue-today")).to_have_text("240.000\u00a0₫", timeout=30_000)
    expect(page.get_by_test_id("revenue-total")).to_have_text("240.000\u00a0₫")
    assert page.evaluate("window.__stillTheSamePage === true") and page.url == url  # no reload
    groups = page.get_by_test_id("report-product_group")
    expect(groups).to_contain_text("Thực phẩm")
    expect(page.get_by_test_id("report-star")).to_contain_text("4 sao")
    expect(page.get_by_test_id("chart-product_group")).to_be_visible()
    expect(page.locator("[data-live-status]")).to_contain_text("Số liệu cập nhật lúc")
    accessible(page)
    shoot(page, "live-revenue-risen")
    with page.expect_download() as download:
        page.locator('a[href$="/live/reports/product_group.csv"]').click()
    assert download.value.suggested_filename == "revenue-by-product_group.csv"

    # The fee statement with the subsidy; a payment recorded by hand.
    page.get_by_role("link", name="Phí gian hàng và thanh toán").click()
    statements = page.get_by_test_id("statements")
    expect(statements).to_contain_text(HOLDER)
    expect(statements).to_contain_text("2.000.000\u00a0₫")  # 4.000.000 less 50 % subsidy
    accessible(page)
    statements.get_by_role("link", name=HOLDER).click()
    page.get_by_label("Số tiền đã nhận (đồng)").fill("hai triệu")
    page.get_by_label("Mã tham chiếu của khoản thanh toán").fill("FT26241")
    page.get_by_role("button", name="Ghi nhận thanh toán").click()
    expect(page.locator("#amount-error")).to_contain_text("Nhập số tiền bằng đồng, là số nguyên")
    expect(page.get_by_test_id("balance")).to_have_text("2.000.000\u00a0₫")  # nothing recorded
    accessible(page)
    page.get_by_label("Số tiền đã nhận (đồng)").fill("2.000.000")
    page.get_by_role("button", name="Ghi nhận thanh toán").click()
    expect(page.get_by_text("Đã ghi nhận khoản thanh toán.")).to_be_visible()
    expect(page.get_by_test_id("balance")).to_have_text("0\u00a0₫")
    expect(page.get_by_test_id("fee-lines")).to_contain_text("Đã xác nhận")
    shoot(page, "payment-recorded")
