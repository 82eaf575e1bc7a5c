"""The organizer's fairs against fake services: the list, creating one (the form's errors in
Vietnamese on their fields before any call, the check-your-answers page and its "Thay đổi"
links, registration's refusal on the right field), a fair's page, its rules changed, and its
lifecycle steps behind a confirmation page."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from ocop_web.pages.fairs import groups_of, parse_day, parse_time
from ocop_web.pages.product_groups import ProductGroups

from .conftest import PRODUCT_GROUPS, csrf_of
from .organizer_services import Services, fair, organizer, services

__all__ = ["organizer", "services"]  # fixtures

GOOD = {
    "fair_name": "Hội chợ OCOP Quảng Ninh 2026",
    "fair_kind": "fair",
    "venue": "Cung Quy hoạch, Hội chợ và Triển lãm tỉnh",
    "province": "Quảng Ninh",
    "starts_on": "29/08/2026",
    "starts_time": "08:00",
    "ends_on": "03/09/2026",
    "ends_time": "22:00",
    "applications_open_on": "01/06/2026",
    "applications_close_on": "20/08/2026",
    "min_star": "4",
    "groups": ["2019-3", "2019-4"],
    "max_booths_per_holder": "2",
    "subsidy_percent": "50",
    "subsidy_max_booths": "1",
    "allocation_mode": "ranked",
}


def summary_of(html: str) -> str:
    found = re.search(r'<div class="ocop-error-summary".*?</div>', html, re.S)
    assert found, "no error summary"
    return found.group(0)


def test_reading_dates_times_and_groups() -> None:
    assert str(parse_day("29/08/2026")) == "2026-08-29"
    assert str(parse_day("1-9-2026")) == "2026-09-01"
    assert parse_day("31/02/2026") is None and parse_day("2026-08-29") is None
    assert parse_time("8:00") == "08:00" and parse_time("20h30") == "20:30"
    assert parse_time("25:00") is None and parse_time("tám giờ") is None
    groups = ProductGroups.of(PRODUCT_GROUPS)
    assert groups_of("2023-1,2019-6,2023-9,x", groups) == [("2023", 1), ("2019", 6)]
    assert groups.name("2023", 1) == "Thực phẩm" and groups.name("2023", 9) == "Nhóm 9"


def test_an_organizer_opens_on_the_console_and_sees_its_fairs(
    organizer: TestClient, services: Services
) -> None:
    services.add_fair(fair("Hội chợ OCOP Xuân", "open"))
    services.add_fair(fair("Tuần lễ xúc tiến tại GO! Hạ Long", "draft"))
    home = organizer.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/organizer"
    listed = organizer.get("/organizer/fairs")
    assert listed.status_code == 200
    assert "Hội chợ OCOP Xuân" in listed.text and "Tuần lễ xúc tiến tại GO! Hạ Long" in listed.text
    assert "Mở nhận đơn" in listed.text and "Bản nháp" in listed.text  # states in words
    assert 'href="/organizer/fairs/new"' in listed.text
    assert (
        '<a href="/organizer/fairs" class="ocop-nav__link" aria-current="page">Hội chợ</a>'
        in listed.text
    )


def test_bad_answers_are_named_on_their_fields_in_vietnamese_and_nothing_is_sent(
    organizer: TestClient, services: Services
) -> None:
    form = organizer.get("/organizer/fairs/new")
    assert form.status_code == 200
    assert 'value="2023-1" checked' in form.text  # the six groups of 2023 by default
    assert "Lưu niệm, nội thất, trang trí" in form.text and "Vải và may mặc" in form.text
    assert 'name="allocation_mode" type="radio" value="self_service" checked' in form.text
    assert "Đăng ký trước được chọn trước" in form.text and "Xếp hạng lựa chọn" in form.text
    assert "Dược liệu và sản phẩm từ dược liệu" in form.text
    answer = organizer.post(
        "/organizer/fairs/new",
        data={
            **GOOD,
            "fair_name": "  ",
            "starts_on": "31/02/2026",
            "starts_time": "25:00",
            "groups": ["2023-1", "2019-4"],
            "subsidy_percent": "năm mươi",
            "csrf_token": csrf_of(form.text),
        },
    )
    assert answer.status_code == 422
    summary = summary_of(answer.text)
    expected = {
        "fair_name": "Nhập tên hội chợ",
        "starts_on": "Ngày khai mạc phải là một ngày có thật, ví dụ 27/03/2026",
        "starts_time": "Giờ mở cửa phải là một giờ trong ngày, ví dụ 08:00",
        "groups": "Chỉ chọn các nhóm sản phẩm thuộc cùng một bộ phân nhóm",
        "subsidy_percent": "Mức hỗ trợ (phần trăm phí gian hàng) phải là số nguyên",
    }
    for field, message in expected.items():
        assert f'<a href="#{field}">{message}</a>' in summary, field
        assert re.search(rf'id="{field}-error"[^>]*>.*?{re.escape(message)}', answer.text, re.S)
    assert 'value="Cung Quy hoạch, Hội chợ và Triển lãm tỉnh"' in answer.text  # kept
    assert "<title>Lỗi:" in answer.text
    assert services.writes() == []


def test_check_your_answers_then_create(organizer: TestClient, services: Services) -> None:
    form = organizer.get("/organizer/fairs/new")
    check = organizer.post("/organizer/fairs/new", data={**GOOD, "csrf_token": csrf_of(form.text)})
    assert check.status_code == 200, check.text
    assert "Kiểm tra thông tin trước khi tạo hội chợ" in check.text
    assert "29/08/2026 08:00" in check.text and "20/08/2026 23:59" in check.text
    assert "Thảo dược" in check.text and "Vải và may mặc" in check.text
    assert "Theo Quyết định 1048/QĐ-TTg (2019)" in check.text
    assert "Xếp hạng lựa chọn" in check.text
    assert services.writes() == []  # nothing created before it is confirmed
    changes = re.findall(
        r'<a href="([^"]+)">Thay đổi<span class="ocop-visually-hidden"> ([^<]+)</span>', check.text
    )
    assert len(changes) == 14
    link, hidden = changes[0]
    assert hidden == "tên hội chợ"
    again = organizer.get(link.replace("&amp;", "&"))
    assert 'value="Hội chợ OCOP Quảng Ninh 2026"' in again.text
    assert 'value="2019-3" checked' in again.text and 'value="2023-1" checked' not in again.text
    assert urlsplit(link).fragment == "fair_name"
    assert parse_qs(urlsplit(link.replace("&amp;", "&")).query)["min_star"] == ["4"]

    hidden_fields = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', check.text)
    )
    created = organizer.post("/organizer/fairs", data=hidden_fields, follow_redirects=False)
    assert created.status_code == 303
    [(_, path, body)] = services.writes()
    assert path == "/fairs"
    assert body == {
        "name": "Hội chợ OCOP Quảng Ninh 2026",
        "kind": "fair",
        "venue": "Cung Quy hoạch, Hội chợ và Triển lãm tỉnh",
        "province": "Quảng Ninh",
        "starts_at": "2026-08-29T08:00:00",
        "ends_at": "2026-09-03T22:00:00",
        "applications_open_at": "2026-06-01T00:00:00",
        "applications_close_at": "2026-08-20T23:59:00",
        "rules": {
            "min_star": 4,
            "taxonomy": "2019",
            "product_groups": [3, 4],
            "max_booths_per_holder": 2,
            "subsidy_percent": 50,
            "subsidy_max_booths": 1,
            "allocation_mode": "ranked",
        },
    }
    page = organizer.get(created.headers["location"])
    assert "Đã tạo hội chợ ở dạng bản nháp" in page.text
    assert "Mở nhận đơn" in page.text and "/steps/open" in page.text


def test_registrations_refusal_comes_back_on_its_field(
    organizer: TestClient, services: Services
) -> None:
    form = organizer.get("/organizer/fairs/new")
    answer = organizer.post(
        "/organizer/fairs",
        data={**GOOD, "ends_on": "28/08/2026", "csrf_token": csrf_of(form.text)},
    )
    assert answer.status_code == 422
    message = "Hội chợ phải bế mạc sau khi khai mạc"
    assert f'<a href="#ends_on">{message}</a>' in summary_of(answer.text)
    assert 'id="ends_on-error"' in answer.text
    assert services.fairs == {}


def test_changing_the_rules(organizer: TestClient, services: Services) -> None:
    found = services.add_fair(fair("Hội chợ OCOP Xuân", "open", product_groups=[1, 2]))
    page = organizer.get(f"/organizer/fairs/{found['fair_id']}/rules")
    assert 'value="2023-1" checked' in page.text and 'value="2023-3" checked' not in page.text
    refused = organizer.post(
        f"/organizer/fairs/{found['fair_id']}/rules",
        data={
            "min_star": "3",
            "groups": ["2023-1", "2023-2", "2023-3"],
            "max_booths_per_holder": "2",
            "subsidy_percent": "150",
            "subsidy_max_booths": "2",
            "allocation_mode": "self_service",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert refused.status_code == 422
    assert '<a href="#subsidy_percent">Mức hỗ trợ phải từ 0 đến 100 phần trăm</a>' in refused.text
    changed = organizer.post(
        f"/organizer/fairs/{found['fair_id']}/rules",
        data={
            "min_star": "4",
            "groups": ["2023-1", "2023-2", "2023-3"],
            "max_booths_per_holder": "3",
            "subsidy_percent": "30",
            "subsidy_max_booths": "2",
            "allocation_mode": "ranked",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert "Đã thay đổi điều kiện tham gia hội chợ." in changed.text
    assert found["rules"]["product_groups"] == [1, 2, 3] and found["rules"]["min_star"] == 4
    assert found["rules"]["allocation_mode"] == "ranked"
    assert "Xếp hạng lựa chọn" in organizer.get(f"/organizer/fairs/{found['fair_id']}").text


def test_each_lifecycle_step_is_confirmed_first(organizer: TestClient, services: Services) -> None:
    found = services.add_fair(fair("Hội chợ OCOP Xuân", "draft"))
    fair_id = found["fair_id"]
    confirm = organizer.get(f"/organizer/fairs/{fair_id}/steps/open")
    assert confirm.status_code == 200
    assert "Mở nhận đơn đăng ký hội chợ" in confirm.text and services.writes() == []
    opened = organizer.post(
        f"/organizer/fairs/{fair_id}/steps/open", data={"csrf_token": csrf_of(confirm.text)}
    )
    assert "Hội chợ đã mở nhận đơn đăng ký." in opened.text
    assert found["status"] == "open"
    assert "/steps/close" in opened.text
    # a step the fair's state no longer allows (opened twice, from an old page)
    again = organizer.post(
        f"/organizer/fairs/{fair_id}/steps/open", data={"csrf_token": csrf_of(confirm.text)}
    )
    assert again.status_code == 409
    assert "Trạng thái hội chợ đã thay đổi kể từ khi mở trang này" in summary_of(again.text)
    assert organizer.get(f"/organizer/fairs/{fair_id}/steps/explode").status_code == 404


def test_another_organizations_fair_is_not_found(organizer: TestClient) -> None:
    answer = organizer.get("/organizer/fairs/8f3c2a9e-0000-4000-8000-000000000000")
    assert answer.status_code == 404


def test_changing_a_fairs_details_sends_only_what_changed(
    organizer: TestClient, services: Services
) -> None:
    found = services.add_fair(fair("Hội chợ OCOP Xuân", "open"))
    fair_id = found["fair_id"]
    assert (
        f"/organizer/fairs/{fair_id}/details" in organizer.get(f"/organizer/fairs/{fair_id}").text
    )
    page = organizer.get(f"/organizer/fairs/{fair_id}/details")
    assert 'value="Hội chợ OCOP Xuân"' in page.text
    assert 'value="29/08/2026"' in page.text and 'value="08:00"' in page.text  # Viet Nam's time
    values = dict(
        re.findall(
            r'<input class="ocop-input[^"]*" id="([^"]+)" name="[^"]+" type="text"(?: [a-z]+="[^"]*")* value="([^"]*)"',
            page.text,
        )
    )
    unchanged = organizer.post(
        f"/organizer/fairs/{fair_id}/details",
        data={**values, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert unchanged.status_code == 303 and "details_unchanged" in unchanged.headers["location"]
    assert services.writes("PATCH") == []
    late = organizer.post(
        f"/organizer/fairs/{fair_id}/details",
        data={**values, "applications_close_on": "30/08/2026", "csrf_token": csrf_of(page.text)},
    )
    assert late.status_code == 422
    message = "Phải đóng nhận đơn trước khi hội chợ khai mạc"
    assert f'<a href="#applications_close_on">{message}</a>' in summary_of(late.text)
    assert 'id="applications_close_on-error"' in late.text
    bad = organizer.post(
        f"/organizer/fairs/{fair_id}/details",
        data={**values, "starts_on": "31/02/2026", "csrf_token": csrf_of(page.text)},
    )
    assert bad.status_code == 422 and 'id="starts_on-error"' in bad.text
    changed = organizer.post(
        f"/organizer/fairs/{fair_id}/details",
        data={**values, "venue": "Trung tâm Hội nghị tỉnh", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    [(_, path, body)] = services.writes("PATCH")[-1:]
    assert path == f"/fairs/{fair_id}" and body == {"venue": "Trung tâm Hội nghị tỉnh"}
    assert "Đã thay đổi thông tin hội chợ." in organizer.get(changed.headers["location"]).text


def test_a_closed_fairs_details_no_longer_change(organizer: TestClient, services: Services) -> None:
    found = services.add_fair(fair("Hội chợ OCOP Xuân", "open"))
    fair_id = found["fair_id"]
    page = organizer.get(f"/organizer/fairs/{fair_id}/details")
    values = dict(
        re.findall(
            r'<input class="ocop-input[^"]*" id="([^"]+)" name="[^"]+" type="text"(?: [a-z]+="[^"]*")* value="([^"]*)"',
            page.text,
        )
    )
    found["status"] = "closed"  # closed meanwhile
    answer = organizer.post(
        f"/organizer/fairs/{fair_id}/details",
        data={**values, "fair_name": "Tên mới", "csrf_token": csrf_of(page.text)},
    )
    assert answer.status_code == 422
    assert "không thể thay đổi tên, địa điểm và ngày" in summary_of(answer.text)
    assert found["name"] == "Hội chợ OCOP Xuân"
    assert 'data-testid="change-details"' not in organizer.get(f"/organizer/fairs/{fair_id}").text


def test_a_fair_admitting_local_goods_keeps_it_after_a_rules_change(
    organizer: TestClient, services: Services
) -> None:
    """PUT /fairs/{id}/rules replaces the rules whole: the page shows the rule ticked and sends
    it, so changing another rule does not switch it off; unticking it does."""
    found = services.add_fair(fair("Hội chợ thương mại huyện Tiên Yên", admits_local_goods=True))
    url = f"/organizer/fairs/{found['fair_id']}/rules"
    page = organizer.get(url)
    assert "Nhận hàng hóa địa phương chưa có sao OCOP" in page.text
    assert (
        'id="admits_local_goods-hint"' in page.text and "hội chợ thương mại cấp huyện" in page.text
    )
    assert re.search(r'id="admits_local_goods"[^>]*value="yes" checked', page.text)
    change = {
        "min_star": "3",
        "groups": ["2023-1", "2023-2"],
        "max_booths_per_holder": "3",  # the only change
        "subsidy_percent": "0",
        "subsidy_max_booths": "0",
        "allocation_mode": "self_service",
        "admits_local_goods": "yes",  # as the ticked box sends it
        "csrf_token": csrf_of(page.text),
    }
    assert organizer.post(url, data=change).status_code == 200
    assert found["rules"]["max_booths_per_holder"] == 3
    assert found["rules"]["admits_local_goods"] is True
    again = organizer.get(url)
    assert re.search(r'id="admits_local_goods"[^>]*value="yes" checked', again.text)
    unticked = {k: v for k, v in change.items() if k != "admits_local_goods"}
    unticked["csrf_token"] = csrf_of(again.text)
    assert organizer.post(url, data=unticked).status_code == 200
    assert found["rules"]["admits_local_goods"] is False
    assert not re.search(r'id="admits_local_goods"[^>]*checked', organizer.get(url).text)
