"""The organizer's fair and review in Chromium (issue 12's organizer journey, its first part):
the organizer signs in and lands on what needs attention, creates a fair through the form
(a bad answer first: its error next to the field, in Vietnamese, and nothing created), checks
the answers, opens the fair behind its confirmation page, then reviews the applications
exhibitors sent through the API: one approved at once, one refused with a named reason, the
rest approved together."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import expect

from .conftest import ADMIN_TOKEN, System, shoot

Check = Callable[[Any], None]
VN = ZoneInfo("Asia/Ho_Chi_Minh")
APPLICANTS = (
    ("Hợp tác xã Chè Đường Hoa", "Chè Đường Hoa túi 200 g", 4),
    ("Hợp tác xã Nấm Hương Bình Liêu", "Nấm hương khô Bình Liêu", 3),
    ("Hợp tác xã Mật ong Ba Chẽ", "Mật ong Ba Chẽ chai 500 ml", 4),
    ("Hợp tác xã Miến Dong Bình Liêu", "Miến dong Bình Liêu gói 500 g", 3),
)


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
    return answer.json()


def organization(web: System, kind: str, name: str, **extra: str) -> tuple[str, str, str]:
    """An organization the admin creates, its owner a new account: (login, password, token)."""
    tag = uuid.uuid4().hex[:8]
    login, password = f"{kind}-{tag}@example.vn", f"mat-khau-{tag}"
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
                "account": {"name": "Trần Thị Bình", "email": login, "password": password},
            },
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert accepted.status_code == 201, accepted.text
    return login, password, str(accepted.json()["token"])


def apply_to(web: System, fair_id: str, council: str) -> None:
    """Each applicant signs up, registers a product the council certifies, and applies."""
    with web.api("registration") as reg:
        for name, product_name, star in APPLICANTS:
            holder = web.exhibitor(name)
            product = call(
                reg,
                "POST",
                "/products",
                holder.token,
                201,
                json={"name": product_name, "group": 1, "unit": "hộp", "list_price_vnd": 120_000},
            )
            call(
                reg,
                "POST",
                f"/products/{product['product_id']}/certificates",
                council,
                201,
                json={
                    "number": f"QN-{uuid.uuid4().hex[:10]}",
                    "star": star,
                    "issuing_level": "province",
                    "issuing_body": "UBND tỉnh Quảng Ninh",
                    "decision_number": "215/QĐ-UBND",
                    "decision_date": "2025-06-01",
                    "valid_from": "2025-06-01",
                },
            )
            call(
                reg,
                "POST",
                f"/fairs/{fair_id}/applications",
                holder.token,
                201,
                json={"product_ids": [product["product_id"]], "booth_request": {"count": 1}},
            )


def test_an_organizer_creates_a_fair_opens_it_and_reviews_its_applications(
    web: System, page: Any, accessible: Check
) -> None:
    login, password, organizer = organization(
        web, "organizer", "Sở Công Thương Quảng Ninh", province="Quảng Ninh"
    )
    _, _, council = organization(
        web, "certifier", "Hội đồng OCOP tỉnh Quảng Ninh", province="Quảng Ninh", level="provincial"
    )
    today = datetime.now(VN)

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).strftime("%d/%m/%Y")

    # Signing in: the console opens on what needs attention.
    page.goto("/")
    page.get_by_label("Địa chỉ email hoặc số điện thoại").fill(login)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/organizer$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc cần xử lý")
    expect(page.get_by_test_id("acting-for")).to_contain_text("Sở Công Thương Quảng Ninh")
    accessible(page)
    shoot(page, "home-empty")

    # The form, with a bad answer first.
    page.get_by_role("navigation", name="Menu chính").get_by_role(
        "link", name="Hội chợ", exact=True
    ).click()
    page.get_by_role("button", name="Tạo hội chợ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tạo hội chợ")
    expect(page.get_by_label("Nhóm 1: Thực phẩm").first).to_be_checked()
    expect(page.get_by_text("Nhóm 4: Vải và may mặc")).to_be_visible()
    accessible(page)
    page.get_by_label("Địa điểm").fill("Cung Quy hoạch, Hội chợ và Triển lãm tỉnh")
    page.get_by_label("Tỉnh, thành phố").fill("Quảng Ninh")
    page.get_by_label("Ngày khai mạc").fill("31/02/2027")
    page.get_by_label("Ngày bế mạc").fill(day(25))
    page.get_by_label("Ngày bắt đầu nhận đơn").fill(day(0))
    page.get_by_label("Ngày cuối nhận đơn").fill(day(10))
    page.get_by_role("button", name="Tiếp tục").click()

    summary = page.locator(".ocop-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Nhập tên hội chợ")).to_have_attribute(
        "href", "#fair_name"
    )
    expect(page.locator("#fair_name-error")).to_contain_text("Nhập tên hội chợ")
    date_error = "Ngày khai mạc phải là một ngày có thật, ví dụ 27/03/2026"
    expect(page.locator("#starts_on-error")).to_contain_text(date_error)
    expect(page.get_by_label("Địa điểm")).to_have_value("Cung Quy hoạch, Hội chợ và Triển lãm tỉnh")
    expect(page).to_have_title(re.compile(r"^Lỗi: Tạo hội chợ"))
    accessible(page)
    shoot(page, "fair-form-errors")
    with web.api("registration", organizer) as reg:
        assert reg.get("/organizer/fairs").json() == []  # nothing was created

    page.get_by_label("Tên hội chợ").fill("Hội chợ OCOP Quảng Ninh mùa hè")
    page.get_by_label("Ngày khai mạc").fill(day(20))
    page.get_by_label("Từ 4 sao trở lên").check()
    page.get_by_label("Mức hỗ trợ (phần trăm phí gian hàng)").fill("50")
    page.get_by_label("Số gian hàng được hỗ trợ tối đa cho mỗi chủ thể").fill("1")
    page.get_by_role("button", name="Tiếp tục").click()

    # Check your answers, change one, create.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Kiểm tra thông tin trước khi tạo hội chợ"
    )
    expect(page.get_by_test_id("check-rules")).to_contain_text(
        "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch"
    )
    expect(page.get_by_test_id("check-dates")).to_contain_text(f"{day(20)} 08:00")
    accessible(page)
    shoot(page, "fair-check")
    page.get_by_role("link", name="Thay đổi tên hội chợ").click()
    expect(page.get_by_label("Tên hội chợ")).to_have_value("Hội chợ OCOP Quảng Ninh mùa hè")
    expect(page.get_by_label("Từ 4 sao trở lên")).to_be_checked()
    page.get_by_label("Tên hội chợ").fill("Hội chợ OCOP Quảng Ninh 2026")
    page.get_by_label("Từ 3 sao trở lên").check()
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_test_id("check-event")).to_contain_text("Hội chợ OCOP Quảng Ninh 2026")
    page.get_by_role("button", name="Tạo hội chợ").click()
    expect(page.get_by_text("Đã tạo hội chợ ở dạng bản nháp.")).to_be_visible()
    expect(page.get_by_test_id("fair-status")).to_contain_text("Bản nháp")
    expect(page.get_by_test_id("allocation-mode")).to_contain_text("Đăng ký trước được chọn trước")

    # Its details changed while a draft: a refusal of registration's on its field first.
    page.get_by_test_id("change-details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thay đổi thông tin hội chợ")
    page.get_by_label("Ngày cuối nhận đơn").fill(day(21))
    page.get_by_role("button", name="Lưu thông tin").click()
    message = "Phải đóng nhận đơn trước khi hội chợ khai mạc"
    expect(page.locator(".ocop-error-summary")).to_be_focused()
    expect(page.locator("#applications_close_on-error")).to_contain_text(message)
    accessible(page)
    shoot(page, "fair-details-error")
    page.get_by_label("Ngày cuối nhận đơn").fill(day(10))
    page.get_by_label("Địa điểm").fill("Trung tâm Hội nghị tỉnh Quảng Ninh")
    page.get_by_role("button", name="Lưu thông tin").click()
    expect(page.get_by_text("Đã thay đổi thông tin hội chợ.")).to_be_visible()
    expect(page.get_by_text("Trung tâm Hội nghị tỉnh Quảng Ninh, Quảng Ninh")).to_be_visible()

    # Open it, behind its confirmation page.
    page.get_by_role("button", name="Mở nhận đơn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mở nhận đơn đăng ký hội chợ")
    accessible(page)
    page.get_by_role("button", name="Mở nhận đơn").click()
    expect(page.get_by_text("Hội chợ đã mở nhận đơn đăng ký.")).to_be_visible()
    expect(page.get_by_test_id("fair-status")).to_contain_text("Mở nhận đơn")
    fair_id = page.url.split("/organizer/fairs/")[1].split("?")[0]

    # Exhibitors apply (through the API, as they would from the portal).
    apply_to(web, fair_id, council)
    page.goto("/organizer")
    expect(page.get_by_test_id("fair-attention").get_by_test_id("waiting")).to_have_text("4")
    shoot(page, "home-attention")

    # Review: one at once, one refused with a reason, the rest together.
    page.goto(f"/organizer/fairs/{fair_id}")
    page.get_by_role("button", name=re.compile(r"^Xét duyệt đơn đăng ký")).click()
    expect(page.get_by_test_id("application")).to_have_count(4)
    expect(page.get_by_test_id("queue")).to_contain_text("Còn hiệu lực")
    accessible(page)
    shoot(page, "queue")
    first, second, third, fourth = (name for name, _, _ in APPLICANTS)
    page.get_by_role("button", name=f"Duyệt {first}").click()
    expect(page.get_by_text("Đã duyệt 1 đơn đăng ký.")).to_be_visible()
    expect(page.get_by_test_id("application")).to_have_count(3)

    page.get_by_role("button", name=f"Xử lý kèm lý do – {second}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(second)
    page.get_by_label("Từ chối", exact=True).check()
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    expect(page.locator("#review_reason-error")).to_contain_text("Chọn lý do từ chối")
    accessible(page)
    page.get_by_label("Từ chối", exact=True).check()
    page.get_by_label("Lý do", exact=True).select_option(
        label="Sản phẩm không đáp ứng tiêu chí của hội chợ"
    )
    page.get_by_label("Thông tin thêm cho đơn vị trưng bày").fill(
        "Năm nay hội chợ ưu tiên nông sản tươi."
    )
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    expect(page.get_by_text("Đã từ chối 1 đơn đăng ký.")).to_be_visible()

    page.get_by_label(f"Chọn {third}").check()
    page.get_by_label(f"Chọn {fourth}").check()
    page.get_by_label("Duyệt", exact=True).check()
    page.get_by_role("button", name="Ghi nhận quyết định cho các đơn đã chọn").click()
    expect(page.get_by_text("Đã duyệt 2 đơn đăng ký.")).to_be_visible()
    expect(page.get_by_test_id("empty")).to_have_text("Không có đơn đăng ký phù hợp.")
    accessible(page)
    shoot(page, "queue-done")

    with web.api("registration", organizer) as reg:
        decided = {a["exhibitor_name"]: a for a in reg.get(f"/fairs/{fair_id}/applications").json()}
    assert {n: a["status"] for n, a in decided.items()} == {
        first: "approved",
        second: "rejected",
        third: "approved",
        fourth: "approved",
    }
    assert decided[second]["reason_code"] == "products_not_eligible"
    assert decided[second]["reason"] == "Năm nay hội chợ ưu tiên nông sản tươi."
