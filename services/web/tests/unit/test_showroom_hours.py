"""A showroom's opening hours changed on their own page (``/organizer/fairs/{id}/hours``,
issue 15), against a fake registration answering ``PATCH /fairs/{id}`` as its
``domain/fairs.py`` ``edit`` does for ``opening_hours`` (allowed while the showroom runs, not
once it has finished; ``check_opening_hours`` naming ``opening_hours.N.closes``): the hours
prefilled, exactly the hours sent under the form's request key, nothing sent when nothing
changed, registration's refusal on the weekday's field, another's fair and another kind not
found, and the "Change" link on the showroom's page while it can still change."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from .conftest import csrf_of
from .organizer_services import Services, fair, invalid, organizer
from .test_fair_kinds_pages import error_of, summary_links

__all__ = ["organizer"]  # fixture

HOURS = [
    {"weekday": 0, "opens": "08:00", "closes": "21:00"},
    {"weekday": 1, "opens": "08:00", "closes": "21:00"},
    {"weekday": 2, "opens": "08:00", "closes": "21:00"},
    {"weekday": 3, "opens": "08:00", "closes": "21:00"},
    {"weekday": 4, "opens": "08:00", "closes": "21:00"},
    {"weekday": 5, "opens": "08:30", "closes": "22:00"},
]
SUNDAY = {"hours_6_opens": "09:00", "hours_6_closes": "17:00"}  # open on Sunday too

# registration's refusal of an edit once the fair has finished (refusals.FairNotEditable)
NOT_EDITABLE = {"detail": "a finished fair", "code": "fair_not_editable", "field": "status"}


class HoursServices(Services):
    """The organization's own fairs only; a showroom's hours patched as registration does."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[str | None] = []

    def registration(
        self, method: str, path: str, body: Any, request: httpx.Request
    ) -> httpx.Response:
        parts = path.strip("/").split("/")
        if (method, path) == ("GET", "/organizer/fairs"):
            own = self.acting["organization_id"]
            return httpx.Response(
                200, json=[f for f in self.fairs.values() if f["organizer_id"] == own]
            )
        if method == "PATCH" and parts[0] == "fairs" and len(parts) == 2:
            if set(body) != {"opening_hours"}:
                return super().registration(method, path, body, request)
            self.keys.append(request.headers.get("idempotency-key"))
            found = self.fairs.get(parts[1])
            if found is None or found["organizer_id"] != self.acting["organization_id"]:
                return httpx.Response(404, json={"detail": "no such fair", "code": "not_found"})
            if found["status"] == "finished":
                return httpx.Response(409, json=NOT_EDITABLE)
            if found["kind"] != "showroom":
                return invalid("opening_hours", "only a showroom has opening hours")
            for i, h in enumerate(body["opening_hours"]):
                if h["closes"] <= h["opens"]:
                    return invalid(f"opening_hours.{i}.closes", "closes after it opens")
            found["opening_hours"] = sorted(body["opening_hours"], key=lambda h: h["weekday"])
            return httpx.Response(200, json=found)
        return super().registration(method, path, body, request)


@pytest.fixture
def services() -> HoursServices:
    return HoursServices()


def showroom(services: Services, status: str = "running", **changes: Any) -> dict[str, Any]:
    found = fair("Trung tâm OCOP Quảng Ninh", status, commission_percent=10)
    found.update(
        kind="showroom",
        open_ended=True,
        ends_at="2100-12-31T16:59:59Z",
        opening_hours=[dict(h) for h in HOURS],
        **changes,
    )
    return services.add_fair(found)


def field_values(page: str) -> dict[str, str]:
    """The hours page's text inputs, as the browser would send them."""
    return dict(
        re.findall(r'<input class="ocop-input[^"]*" id="(hours_\d_\w+)"[^>]*value="([^"]*)"', page)
    )


def hidden(page: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)">', page)
    assert found, f"no hidden {name}"
    return found.group(1)


def send(client: TestClient, fair_id: str, page: str, changes: dict[str, str]) -> Any:
    """The hours form of ``page`` sent for ``fair_id`` with ``changes`` typed over it."""
    data = {**field_values(page), **changes, "csrf_token": csrf_of(page)}
    key = re.search(r'name="request_key" value="([^"]*)"', page)
    if key:
        data["request_key"] = key.group(1)
    return client.post(f"/organizer/fairs/{fair_id}/hours", data=data, follow_redirects=False)


def post_hours(client: TestClient, fair_id: str, changes: dict[str, str]) -> Any:
    page = client.get(f"/organizer/fairs/{fair_id}/hours")
    assert page.status_code == 200, page.text
    return send(client, fair_id, page.text, changes)


def test_the_hours_page_shows_the_showrooms_hours_each_weekday(
    organizer: TestClient, services: HoursServices
) -> None:
    found = showroom(services)
    page = organizer.get(f"/organizer/fairs/{found['fair_id']}/hours")
    assert page.status_code == 200
    assert re.search(r'<h1 class="ocop-heading-l">Giờ mở cửa</h1>', page.text)
    assert f'action="/organizer/fairs/{found["fair_id"]}/hours"' in page.text
    values = field_values(page.text)
    assert values["hours_0_opens"] == "08:00" and values["hours_0_closes"] == "21:00"
    assert values["hours_5_opens"] == "08:30" and values["hours_5_closes"] == "22:00"
    assert values["hours_6_opens"] == "" and values["hours_6_closes"] == ""  # Sunday: closed
    assert len(values) == 14
    for name in ("Thứ Hai", "Thứ Bảy", "Chủ Nhật", "Mở cửa lúc", "Đóng cửa lúc"):
        assert name in page.text
    assert uuid.UUID(hidden(page.text, "request_key"))
    assert "Lưu giờ mở cửa" in page.text


def test_new_hours_patch_exactly_the_hours_under_the_forms_key_and_go_back_to_the_fair(
    organizer: TestClient, services: HoursServices
) -> None:
    found = showroom(services)
    fair_id = found["fair_id"]
    page = organizer.get(f"/organizer/fairs/{fair_id}/hours")
    key = hidden(page.text, "request_key")
    monday_closed = {"hours_0_opens": "", "hours_0_closes": ""}
    sunday_open = {"hours_6_opens": "9h00", "hours_6_closes": "17.30"}
    saved = send(organizer, fair_id, page.text, {**monday_closed, **sunday_open})
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/organizer/fairs/{fair_id}?notice=hours_changed"
    [(method, path, body)] = services.writes("PATCH")
    assert (method, path) == ("PATCH", f"/fairs/{fair_id}")
    assert body == {
        "opening_hours": [
            *HOURS[1:],
            {"weekday": 6, "opens": "09:00", "closes": "17:30"},
        ]
    }
    assert services.keys == [key]
    shown = organizer.get(saved.headers["location"])
    assert "Đã lưu giờ mở cửa." in shown.text
    hours = re.search(r'data-testid="fair-hours">(.*?)</dd>', shown.text, re.S)
    assert hours
    listed = re.sub(r"\s+", " ", hours.group(1))
    assert "Thứ Hai: đóng cửa" in listed and "Chủ Nhật: 09:00–17:30" in listed


def test_the_same_hours_again_send_nothing(organizer: TestClient, services: HoursServices) -> None:
    found = showroom(services)
    same = post_hours(organizer, found["fair_id"], {"hours_5_opens": "8h30"})  # 08:30 as read
    assert same.status_code == 303
    assert same.headers["location"].endswith("?notice=hours_unchanged")
    assert services.writes("PATCH") == []
    shown = organizer.get(same.headers["location"])
    assert "Không có gì thay đổi: giờ mở cửa vẫn như cũ." in shown.text


def test_registrations_closes_before_opens_lands_on_that_weekdays_closing_time(
    organizer: TestClient, services: HoursServices
) -> None:
    found = showroom(services)
    # Tuesday closed: the 3rd open day sent is Thursday, which registration names as
    # opening_hours.2.closes
    changes = {"hours_1_opens": "", "hours_1_closes": "", "hours_3_closes": "07:00"}
    refused = post_hours(organizer, found["fair_id"], changes)
    assert refused.status_code == 422
    assert "location" not in refused.headers
    [(_, _, body)] = services.writes("PATCH")
    assert body["opening_hours"][2] == {"weekday": 3, "opens": "08:00", "closes": "07:00"}
    message = "Ngày Thứ Năm, giờ đóng cửa phải sau giờ mở cửa, trong cùng ngày"
    assert summary_links(refused.text) == {"hours_3_closes": message}
    assert error_of(refused.text, "hours_3_closes") == message
    assert field_values(refused.text)["hours_3_closes"] == "07:00"  # as typed
    assert found["opening_hours"] == HOURS  # unchanged


def test_unreadable_or_no_hours_are_named_before_any_call(
    organizer: TestClient, services: HoursServices
) -> None:
    found = showroom(services)
    bad = post_hours(organizer, found["fair_id"], {"hours_2_opens": "25:00", "hours_4_closes": ""})
    assert bad.status_code == 422
    assert summary_links(bad.text) == {
        "hours_2_opens": "Nhập giờ ngày Thứ Tư theo dạng HH:MM, ví dụ 08:00",
        "hours_4_closes": (
            "Nhập giờ đóng cửa ngày Thứ Sáu, hoặc để trống cả hai giờ nếu ngày đó đóng cửa"
        ),
    }
    closed = {f"hours_{d}_{end}": "" for d in range(7) for end in ("opens", "closes")}
    none = post_hours(organizer, found["fair_id"], closed)
    assert none.status_code == 422
    assert summary_links(none.text) == {
        "opening_hours": "Nhập giờ mở cửa của ít nhất một ngày trong tuần"
    }
    assert services.writes("PATCH") == []


def test_another_organizations_fair_or_another_kind_is_not_found(
    organizer: TestClient, services: HoursServices
) -> None:
    theirs = showroom(services, organizer_id="so-cong-thuong-lang-son")
    plain = services.add_fair(fair("Hội chợ OCOP Quảng Ninh 2026", "open"))
    for found in (theirs, plain):
        url = f"/organizer/fairs/{found['fair_id']}/hours"
        assert organizer.get(url).status_code == 404
        mine = showroom(services)  # its hours form, sent for the other fair
        page = organizer.get(f"/organizer/fairs/{mine['fair_id']}/hours")
        posted = send(organizer, found["fair_id"], page.text, SUNDAY)
        assert posted.status_code == 404
    assert services.writes("PATCH") == []
    assert theirs["opening_hours"] == HOURS


def test_the_showrooms_page_links_to_its_hours_until_it_finishes(
    organizer: TestClient, services: HoursServices
) -> None:
    found = showroom(services, "open")
    page = organizer.get(f"/organizer/fairs/{found['fair_id']}")
    row = re.search(r'data-testid="fair-hours">.*?</div>', page.text, re.S)
    assert row
    link = re.search(r'<a href="([^"]+)" data-testid="fair-hours-change">Thay đổi', row.group(0))
    assert link and link.group(1) == f"/organizer/fairs/{found['fair_id']}/hours"
    assert organizer.get(link.group(1)).status_code == 200
    found["status"] = "running"  # its hours still change while it sells
    assert (
        'data-testid="fair-hours-change"'
        in organizer.get(f"/organizer/fairs/{found['fair_id']}").text
    )
    found["status"] = "finished"
    finished = organizer.get(f"/organizer/fairs/{found['fair_id']}")
    assert 'data-testid="fair-hours"' in finished.text
    assert 'data-testid="fair-hours-change"' not in finished.text
    hours_page = organizer.get(f"/organizer/fairs/{found['fair_id']}/hours")
    assert 'data-testid="not-changeable"' in hours_page.text
    assert 'data-testid="hours-form"' not in hours_page.text
    plain = services.add_fair(fair("Hội chợ OCOP Quảng Ninh 2026", "open"))
    assert "/hours" not in organizer.get(f"/organizer/fairs/{plain['fair_id']}").text


def test_a_showroom_finished_since_the_page_was_opened_keeps_its_hours(
    organizer: TestClient, services: HoursServices
) -> None:
    found = showroom(services)
    page = organizer.get(f"/organizer/fairs/{found['fair_id']}/hours")
    found["status"] = "finished"  # meanwhile
    answer = send(organizer, found["fair_id"], page.text, SUNDAY)
    assert answer.status_code == 409
    assert "Trạng thái hội chợ đã thay đổi kể từ khi mở trang này" in answer.text
    assert found["opening_hours"] == HOURS
