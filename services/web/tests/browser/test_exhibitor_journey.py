"""The exhibitor's journey in Chromium at a phone's size (issue 12): signing up (a bad tax
code first: its error on its field, in Vietnamese, nothing created), adding a product,
applying to a fair (seeded through the APIs: an organizer's open fair with its floor plan,
a provincial council's certificate on the product), seeing the application approved, holding
a booth on the plan and seeing the fee statement's VietQR code; setting the receiving bank
account (issue 13) and seeing it shown."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import expect

from ocop_testkit import valid_tax_code

from .conftest import ADMIN_TOKEN, System, shoot

Check = Callable[[Any], None]
VN = ZoneInfo("Asia/Ho_Chi_Minh")
PHONE = {"width": 390, "height": 844}
PLAN = {
    "zones": [
        {"code": "Z1", "name": "Khu 1 — Quảng Ninh", "kind": "district_cluster", "product_groups": [1, 2, 3, 4, 5, 6]},
    ],
    "booths": [
        {"code": f"A{i}", "zone": "Z1", "booth_type": "standard", "width_m": 3, "depth_m": 3,
         "price_vnd": 6_000_000, "x": 3.0 * (i - 1), "y": 0.0, "open_sides": 1}
        for i in range(1, 5)
    ],
}  # fmt: skip


def call(
    http: httpx.Client, method: str, path: str, token: str, expect: int = 200, **kw: Any
) -> Any:
    answer = http.request(
        method,
        path,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
        **kw,
    )
    assert answer.status_code == expect, f"{method} {path}: {answer.status_code} {answer.text}"
    return answer.json() if answer.content else None


def organization(web: System, kind: str, name: str, **extra: str) -> str:
    """An organization the admin creates, its owner signed up by invitation: their token."""
    tag = uuid.uuid4().hex[:8]
    with web.api("registration") as reg:
        created = call(
            reg,
            "POST",
            "/organizations",
            ADMIN_TOKEN,
            201,
            json={"kind": kind, "organization_id": f"{kind}-{tag}", "name": name, **extra},
        )
        accepted = reg.post(
            "/invitations/accept",
            json={
                "code": created["owner_invitation"]["code"],
                "account": {
                    "name": "Trần Thị Bình",
                    "email": f"{kind}-{tag}@example.vn",
                    "password": f"mat-khau-{tag}",
                },
            },
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert accepted.status_code == 201, accepted.text
    return str(accepted.json()["token"])


def eventually(check: Callable[[], bool], what: str, timeout: float = 90) -> None:
    """Booths learns of fairs, applications and sessions from registration's events."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.5)


def seed_fair(web: System) -> tuple[str, str, str]:
    """An organizer's open fair (3 stars or more) with a plan of 4 free booths, and a
    provincial council: (fair id, organizer token, council token)."""
    organizer = organization(web, "organizer", "Sở Công Thương Quảng Ninh", province="Quảng Ninh")
    council = organization(
        web, "certifier", "Hội đồng OCOP tỉnh Quảng Ninh", province="Quảng Ninh", level="provincial"
    )
    now = datetime.now(VN).replace(tzinfo=None, microsecond=0)
    with web.api("registration") as reg:
        fair = call(reg, "POST", "/fairs", organizer, 201, json={
            "name": "Hội chợ OCOP Quảng Ninh 2026", "kind": "fair",
            "venue": "Cung Quy hoạch, Hội chợ và Triển lãm tỉnh", "province": "Quảng Ninh",
            "applications_open_at": (now - timedelta(days=1)).isoformat(),
            "applications_close_at": (now + timedelta(days=10)).isoformat(),
            "starts_at": (now + timedelta(days=20)).isoformat(),
            "ends_at": (now + timedelta(days=25)).isoformat(),
            "rules": {"min_star": 3, "max_booths_per_holder": 2},
        })  # fmt: skip
        fair_id = str(fair["fair_id"])
        call(reg, "POST", f"/fairs/{fair_id}/lifecycle", organizer, json={"action": "open"})

    def plan_loaded() -> bool:
        with web.api("booths", organizer) as booths:
            answer = booths.put(
                f"/fairs/{fair_id}/floorplan",
                json=PLAN,
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
        return answer.status_code in (200, 201)

    eventually(plan_loaded, "the fair at booths (its plan loaded)")
    return fair_id, organizer, council


def sign_up_page(page: Any, label: str, value: str) -> None:
    page.get_by_label(label, exact=True).fill(value)


def test_an_exhibitor_signs_up_applies_holds_a_booth_and_sees_the_vietqr_code(
    web: System, page: Any, accessible: Check
) -> None:
    fair_id, organizer, council = seed_fair(web)
    page.set_viewport_size(PHONE)
    tag = uuid.uuid4().hex[:8]
    email, password = f"an-{tag}@example.vn", f"mot cau de nho {tag}"
    name = f"Hợp tác xã Chè Đường Hoa {tag}"

    # Sign-up, step by step: the organization (a bad tax code), its owner, the answers.
    page.goto("/sign-in")
    page.get_by_role("link", name="Đăng ký tham gia hội chợ OCOP").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký tham gia hội chợ OCOP")
    accessible(page)
    page.get_by_role("button", name="Bắt đầu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Về tổ chức của bạn")
    page.get_by_role("button", name="Lưu và tiếp tục").click()  # nothing answered
    summary = page.locator(".ocop-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Chọn loại tổ chức")).to_have_attribute("href", "#kind")
    accessible(page)
    page.get_by_label("Hợp tác xã", exact=True).check()
    page.get_by_label("Tên tổ chức").fill(name)
    page.get_by_label("Mã số thuế").fill("0123456788")  # a wrong check digit
    page.get_by_label("Tỉnh, thành phố").fill("Quảng Ninh")
    shoot(page, "sign-up-organization")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Về bạn")
    page.get_by_label("Họ và tên của bạn").fill("Nguyễn Văn An")
    page.get_by_label("Email của bạn").fill(email)
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Kiểm tra thông tin trước khi đăng ký"
    )
    expect(page.get_by_test_id("check-organization")).to_contain_text("0123456788")
    accessible(page)
    shoot(page, "sign-up-check")
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng ký").click()

    # Registration refuses the tax code: back on its step, the error next to the field.
    expect(page.get_by_role("heading", level=1)).to_have_text("Về tổ chức của bạn")
    message = "Nhập mã số thuế hợp lệ"
    expect(page.locator(".ocop-error-summary")).to_be_focused()
    expect(page.locator(".ocop-error-summary").get_by_role("link")).to_contain_text(message)
    expect(page.locator("#tax_code-error")).to_contain_text(message)
    expect(page.get_by_label("Mã số thuế")).to_have_value("0123456788")
    accessible(page)
    shoot(page, "sign-up-bad-tax-code")
    with web.api("registration") as reg:  # nothing created: the owner cannot sign in
        refused = reg.post(
            "/sessions",
            json={"login": email, "password": password},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert refused.status_code == 401, refused.text
        assert not reg.get("/directory/exhibitors", params={"q": tag}).json()

    page.get_by_label("Mã số thuế").fill(valid_tax_code())
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Kiểm tra thông tin trước khi đăng ký"
    )
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_test_id("welcome")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cổng thông tin đơn vị trưng bày")
    accessible(page)
    shoot(page, "portal-home")
    session = {c["name"]: c["value"] for c in page.context.cookies()}["ocop_session"]
    with web.api("registration", session) as reg:
        exhibitor_id = reg.get("/session").json()["organization"]["organization_id"]

    # The receiving bank account (issue 13): the form names an empty field, then the account
    # is saved, the holder's name as banks print it, and shown on the organization's page.
    page.get_by_role("navigation", name="Menu chính").get_by_role(
        "link", name="Thành viên và đoàn"
    ).click()
    expect(page.get_by_test_id("bank-account")).to_contain_text("Chưa có tài khoản nhận tiền")
    page.get_by_test_id("change-bank-account").click()
    page.get_by_label("Ngân hàng").select_option("970436")
    page.get_by_label("Số tài khoản").fill("0011 0012 34567")
    page.get_by_role("button", name="Lưu tài khoản").click()
    summary = page.locator(".ocop-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Nhập tên chủ tài khoản")).to_be_visible()
    accessible(page)
    shoot(page, "bank-account-error")
    page.get_by_label("Tên chủ tài khoản").fill("Hợp tác xã Chè Đường Hoa")
    page.get_by_role("button", name="Lưu tài khoản").click()
    account = page.get_by_test_id("bank-account")
    expect(account).to_contain_text("Vietcombank")
    expect(account).to_contain_text("0011001234567")
    expect(account).to_contain_text("HOP TAC XA CHE DUONG HOA")
    accessible(page)
    shoot(page, "bank-account")
    with web.api("registration", session) as reg:
        saved = reg.get(f"/exhibitors/{exhibitor_id}").json()
    assert (saved["bank_bin"], saved["bank_account"]) == ("970436", "0011001234567")

    # A product, then the council's certificate for it (the authority's act, through its API).
    page.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Sản phẩm").click()
    page.get_by_test_id("add-product").click()
    page.get_by_label("Tên sản phẩm").fill("Chè Đường Hoa túi 200 g")
    page.get_by_label("Đồ uống").check()
    page.get_by_label("Đơn vị bán").fill("túi 200 g")
    page.get_by_label("Giá niêm yết").fill("120.000")
    accessible(page)
    page.get_by_role("button", name="Thêm sản phẩm này").click()
    products = page.get_by_test_id("products")
    expect(products).to_contain_text("Chè Đường Hoa túi 200 g")
    expect(products).to_contain_text("Chưa được chứng nhận")
    with web.api("registration") as reg:
        product_id = reg.get("/products", params={"holder_id": exhibitor_id}).json()[0][
            "product_id"
        ]
        call(reg, "POST", f"/products/{product_id}/certificates", council, 201, json={
            "number": f"QN-{tag}", "star": 4, "issuing_level": "province",
            "issuing_body": "UBND tỉnh Quảng Ninh", "decision_number": "123/QĐ-UBND",
            "decision_date": "2025-06-01", "valid_from": "2025-06-01",
        })  # fmt: skip
    page.reload()
    expect(products.get_by_test_id("certificate")).to_contain_text("4 sao")
    accessible(page)
    shoot(page, "products")

    # Applying to the fair with the product.
    page.get_by_role("navigation", name="Menu chính").get_by_role(
        "link", name="Đăng ký tham gia"
    ).click()
    expect(page.get_by_test_id("fairs")).to_contain_text("Hội chợ OCOP Quảng Ninh 2026")
    accessible(page)
    # This fair's own button: another test's fair may bear the same name (the session's
    # fairs share one system, in whatever order the files run).
    apply = page.locator(f'a[href="/exhibitor/fairs/{fair_id}/apply"]')
    expect(apply).to_have_accessible_name(
        re.compile(r"^Đăng ký tham gia.*Hội chợ OCOP Quảng Ninh 2026")
    )
    apply.click()
    page.get_by_label("Chè Đường Hoa túi 200 g").check()
    accessible(page)
    shoot(page, "apply")
    page.get_by_role("button", name="Gửi đơn đăng ký").click()
    expect(page.get_by_text("Đã gửi đơn đăng ký")).to_be_visible()
    expect(page.get_by_test_id("application-status")).to_contain_text("Chờ duyệt")
    application_id = page.url.rsplit("/", 1)[1].split("?")[0]

    # The organizer approves it (through the API); the exhibitor sees it approved.
    with web.api("registration") as reg:
        call(
            reg,
            "POST",
            f"/applications/{application_id}/review",
            organizer,
            json={"decision": "approved"},
        )
    page.reload()
    expect(page.get_by_test_id("application-status")).to_contain_text("Đã duyệt")
    accessible(page)
    shoot(page, "approved")

    # Booths hears of the approval; the plan shows the free booths; one is held.
    def booths_know_the_approval() -> bool:
        with web.api("booths", session) as booths:
            return booths.get(f"/fairs/{fair_id}/fees").status_code == 200

    eventually(booths_know_the_approval, "the approved application at booths")
    page.get_by_test_id("choose-booth").click()
    plan = page.get_by_test_id("plan")
    expect(plan.get_by_role("link", name=re.compile(r", còn trống$"))).to_have_count(4)
    expect(page.get_by_test_id("free-booths").locator("tbody tr")).to_have_count(4)
    accessible(page)
    shoot(page, "plan")
    booth_page = plan.get_by_role("link", name="Gian hàng A2, còn trống").get_attribute("href")
    plan.get_by_role("link", name="Gian hàng A2, còn trống").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gian hàng A2")
    accessible(page)

    def held() -> bool:  # booths may hear of the approval a moment after the submission
        if not page.url.endswith(str(booth_page)):
            page.goto(str(booth_page))
        page.get_by_role("button", name="Giữ gian hàng này").click()
        page.wait_for_load_state()
        return bool(page.get_by_test_id("my-booths").count() > 0)

    eventually(held, "the approval at booths")
    # The hold's deadline (a time; the countdown with JavaScript), the fees, the VietQR code.
    booth = page.get_by_test_id("my-booths")
    expect(booth).to_contain_text("Gian hàng A2")
    expect(booth).to_contain_text("Đang giữ")
    deadline = page.get_by_test_id("hold-deadline")
    expect(deadline.locator("time")).to_have_text(re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d"))
    expect(deadline.locator("[data-countdown-left]")).to_have_text(
        re.compile(r"còn \d+ phút \d\d giây")
    )
    expect(page.get_by_test_id("fees")).to_contain_text("6.000.000")
    expect(page.get_by_test_id("payment-status")).to_contain_text("Chưa thanh toán")
    qr = page.get_by_test_id("vietqr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.get_by_test_id("payment-reference")).not_to_be_empty()
    accessible(page)
    shoot(page, "booth-and-vietqr")

    # Giving the hold back asks first (what will happen, a warning button, a way back).
    page.get_by_test_id("give-back").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trả lại gian A2?")
    expect(page.get_by_test_id("drop-consequences")).to_contain_text("trống ngay lập tức")
    accessible(page)
    shoot(page, "give-back-confirmation")
    page.get_by_role("link", name="Không, giữ lại gian hàng").click()
    expect(page.get_by_test_id("my-booths")).to_contain_text("Gian hàng A2")  # nothing changed
    page.get_by_test_id("give-back").click()
    page.get_by_role("button", name="Trả lại gian hàng").click()
    expect(page.get_by_test_id("given-back")).to_contain_text("Bạn đã trả lại gian A2")
    expect(
        page.get_by_test_id("plan").get_by_role("link", name="Gian hàng A2, còn trống")
    ).to_be_visible()
    accessible(page)

    # Withdrawing the application asks first too.
    page.goto(f"/exhibitor/applications/{application_id}")
    page.get_by_test_id("withdraw").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rút đơn đăng ký?")
    expect(page.get_by_test_id("withdraw-consequences")).to_contain_text("nộp đơn mới")
    accessible(page)
    shoot(page, "withdraw-confirmation")
    page.get_by_role("button", name="Rút đơn đăng ký").click()
    expect(page.get_by_test_id("withdrawn")).to_be_visible()
    expect(page.get_by_test_id("application-status")).to_contain_text("Đã rút")
    expect(page.get_by_test_id("withdraw")).to_have_count(0)
    accessible(page)
