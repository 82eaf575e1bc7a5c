"""A showroom through the organizer's fair form in Chromium (issue 15): the kind chosen
reveals its own questions (the other kinds' hidden), the weekly opening hours with Sunday
closed and no end date; registration refuses a Tuesday closing before it opens, named on
that weekday's closing time in Vietnamese and nothing created; corrected, checked and
created: the fair's page shows the hours and that it has no end."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from .conftest import System, shoot
from .test_fairs import organization

Check = Callable[[Any], None]
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_an_organizer_creates_an_open_ended_showroom_with_its_hours(
    web: System, page: Any, accessible: Check
) -> None:
    login, password, organizer = organization(
        web, "organizer", "Sở Công Thương Quảng Ninh", province="Quảng Ninh"
    )
    today = datetime.now(VN)

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).strftime("%d/%m/%Y")

    page.goto("/organizer/fairs/new")
    page.get_by_label("Địa chỉ email hoặc số điện thoại").fill(login)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tạo hội chợ")

    # The kind chosen reveals its questions; the others stay hidden.
    expect(page.locator("#kind-showroom")).to_be_hidden()
    page.get_by_role("radio", name="Điểm giới thiệu sản phẩm").check()
    expect(page.locator("#kind-showroom")).to_be_visible()
    expect(page.locator("#kind-promotion_week")).to_be_hidden()
    expect(page.get_by_role("radio", name="Điểm giới thiệu sản phẩm")).to_have_attribute(
        "aria-controls", "kind-showroom"
    )
    page.get_by_label("Tên hội chợ").fill("Trung tâm giới thiệu sản phẩm OCOP Hạ Long")
    page.get_by_label("Địa điểm").fill("Số 1 Trần Hưng Đạo, Hạ Long")
    page.get_by_label("Tỉnh, thành phố").fill("Quảng Ninh")
    page.get_by_label("Ngày khai mạc").fill(day(20))
    page.get_by_label("Ngày bắt đầu nhận đơn").fill(day(0))
    page.get_by_label("Ngày cuối nhận đơn").fill(day(10))
    for weekday in range(6):  # Monday to Saturday; Sunday closed
        page.locator(f"#hours_{weekday}_opens").fill("08:00")
        page.locator(f"#hours_{weekday}_closes").fill("21:00")
    page.locator("#hours_1_closes").fill("07:00")  # Tuesday: closes before it opens
    page.get_by_label("Không có ngày kết thúc: mở cửa cho đến khi bạn kết thúc").check()
    page.get_by_label("Hoa hồng của điểm giới thiệu sản phẩm (phần trăm doanh thu)").fill("10")
    accessible(page)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Kiểm tra thông tin trước khi tạo hội chợ"
    )
    page.get_by_role("button", name="Tạo hội chợ").click()

    # Registration's refusal, on Tuesday's closing time, the showroom's questions shown.
    message = "Ngày Thứ Ba, giờ đóng cửa phải sau giờ mở cửa, trong cùng ngày"
    summary = page.locator(".ocop-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=message)).to_have_attribute("href", "#hours_1_closes")
    expect(page.locator("#hours_1_closes-error")).to_contain_text(message)
    expect(page.locator("#kind-showroom")).to_be_visible()
    accessible(page)
    shoot(page, "showroom-hours-refused")
    with web.api("registration", organizer) as reg:
        assert reg.get("/organizer/fairs").json() == []  # nothing was created

    page.locator("#hours_1_closes").fill("21:00")
    page.get_by_role("button", name="Tiếp tục").click()
    hours = page.get_by_test_id("check-hours")
    expect(hours).to_contain_text("Thứ Ba: 08:00–21:00")
    expect(hours).to_contain_text("Chủ Nhật: đóng cửa")
    expect(page.get_by_test_id("check-dates")).to_contain_text("Không có ngày kết thúc")
    accessible(page)
    shoot(page, "showroom-check")
    page.get_by_role("button", name="Tạo hội chợ").click()

    expect(page.get_by_text("Đã tạo hội chợ ở dạng bản nháp.")).to_be_visible()
    expect(page.get_by_test_id("fair-hours")).to_contain_text("Thứ Bảy: 08:00–21:00")
    expect(page.get_by_test_id("fair-hours")).to_contain_text("Chủ Nhật: đóng cửa")
    expect(
        page.get_by_text("Không có ngày kết thúc: mở cửa cho đến khi bạn kết thúc")
    ).to_be_visible()
    expect(page.get_by_test_id("fair-commission")).to_have_text("10 %")
    accessible(page)
    shoot(page, "showroom-page")
    with web.api("registration", organizer) as reg:
        [created] = reg.get("/organizer/fairs").json()
    assert created["kind"] == "showroom" and created["open_ended"] is True
    assert [h["weekday"] for h in created["opening_hours"]] == [0, 1, 2, 3, 4, 5]
    assert created["rules"]["commission_percent"] == 10
    assert re.match(r"2100-12-31", created["ends_at"])
