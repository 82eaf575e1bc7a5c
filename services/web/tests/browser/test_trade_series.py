"""The organizer's trade and visitors journey in Chromium (issue 15): a running fair of Quảng
Ninh with one approved exhibitor (set up through the services' APIs); the organizer opens
"Giao thương" from the fair's page, records a meeting, a contract through its check page
(an empty form first: each field named in Vietnamese), adds visitors (a count and a
correction), and the fair report (HTML) shows the contract's value and the visitors.
axe-core on each page; screenshots docs/screenshots/trade-*.png (and artifacts/)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from .conftest import REPO, System, shoot
from .test_authorities import Check, checked, sign_in
from .test_inspector import running_fair

DOCS = REPO / "docs" / "screenshots"


def document(page: Any, label: str) -> None:
    """A screenshot for the README (docs/screenshots/trade-<label>.png) and artifacts/."""
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / f"trade-{label}.png"), full_page=True)
    shoot(page, label)


def test_an_organizer_records_trade_and_visitors_and_the_report_counts_them(
    web: System, page: Any, accessible: Check
) -> None:
    tag = uuid.uuid4().hex[:6]
    accessible = checked(accessible)
    fair_id, product, organizer = running_fair(web, tag)
    first_day = (datetime.now() + timedelta(days=2)).strftime("%d/%m/%Y")

    sign_in(page, *organizer)
    page.goto(f"/organizer/fairs/{fair_id}")
    page.get_by_test_id("fair-trade").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Giao thương")
    accessible(page)

    page.get_by_test_id("new-meeting").click()
    page.get_by_label("Đơn vị trưng bày").select_option(label=f"Hợp tác xã Mật ong {tag}")
    page.locator("#buyer_name").fill("Tanaka Hiroshi")
    page.locator("#buyer_organization").fill("Aeon Việt Nam")
    page.get_by_label("Quốc gia của người mua").select_option("JP")
    page.locator("#buyer_contact").fill("tanaka@example.jp")
    page.locator("#held_on").fill(first_day)
    page.locator("#held_time").fill("09:30")
    page.get_by_label("Đã thỏa thuận").check()
    accessible(page)
    page.get_by_role("button", name="Ghi nhận buổi gặp").click()
    expect(page.locator(".ocop-notification-banner")).to_contain_text("Đã ghi nhận buổi gặp.")
    expect(page.get_by_test_id("meetings")).to_contain_text("Aeon Việt Nam")

    page.get_by_test_id("new-contract").click()
    page.get_by_role("button", name="Tiếp tục").click()  # nothing answered: each named
    summary = page.locator(".ocop-error-summary")
    expect(summary).to_contain_text("Chọn loại văn bản đã ký: hợp đồng hay biên bản ghi nhớ")
    expect(summary).to_contain_text("Chọn ít nhất một sản phẩm")
    expect(page.locator("#value-error")).to_contain_text("Nhập giá trị bằng đồng")
    accessible(page)
    page.get_by_label("Hợp đồng", exact=True).check()
    page.get_by_label("Đơn vị trưng bày").select_option(label=f"Hợp tác xã Mật ong {tag}")
    page.locator("#buyer_name").fill("Tanaka Hiroshi")
    page.locator("#buyer_organization").fill("Aeon Việt Nam")
    page.get_by_label("Quốc gia của người mua").select_option("JP")
    page.locator("#buyer_contact").fill("tanaka@example.jp")
    page.get_by_label(product).check()
    page.locator("#value").fill("150.000.000")
    page.locator("#signed_on").fill(first_day)
    document(page, "contract-form")
    page.get_by_role("button", name="Tiếp tục").click()
    check = page.get_by_test_id("check-contract")
    expect(check).to_contain_text("150.000.000")
    expect(check).to_contain_text("Nhật Bản")
    accessible(page)
    document(page, "contract-check")
    page.get_by_role("button", name="Ghi nhận hợp đồng").click()
    expect(page).to_have_url(re.compile(rf"/organizer/fairs/{fair_id}/trade\?notice=contract$"))
    expect(page.get_by_test_id("trade-totals")).to_contain_text("150.000.000")
    expect(page.get_by_test_id("trade-by-country")).to_contain_text("Nhật Bản")
    expect(page.get_by_test_id("trade-by-group")).to_contain_text("Thực phẩm")
    accessible(page)
    document(page, "matching")

    page.get_by_role("link", name="Khách tham quan").first.click()
    page.locator("#day").fill(first_day)
    page.locator("#increment").fill("1.250")
    page.get_by_role("button", name="Thêm số lượt khách").click()
    expect(page.get_by_test_id("visitors-total")).to_have_text("1.250")
    page.locator("#day").fill(first_day)
    page.locator("#increment").fill("-5000")  # below zero: refused on its field
    page.get_by_role("button", name="Thêm số lượt khách").click()
    expect(page.locator("#increment-error")).to_contain_text("nhỏ hơn 0")
    page.locator("#increment").fill("-50")
    page.get_by_role("button", name="Thêm số lượt khách").click()
    expect(page.get_by_test_id("visitors-total")).to_have_text("1.200")
    accessible(page)
    document(page, "visitors")

    page.goto(f"/organizer/fairs/{fair_id}/report")
    report = page.get_by_test_id("report-summary")
    expect(report).to_contain_text("150.000.000")
    expect(report).to_contain_text("1.200")
    accessible(page)
    document(page, "fair-report")
