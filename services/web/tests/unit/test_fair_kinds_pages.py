"""The organizer's fair form with the kinds' own parts (issue 15), against a fake
registration answering as its ``domain/fair_kinds.py`` does: every kind's fields on the page
(conditional reveals, no JavaScript needed), the retailer's stores in two steps without
JavaScript (or as an htmx fragment), each part's missing or unreadable answer named on its
field in Vietnamese before any call, registration's 422s on ``host_retailer_id``,
``store_codes.N``, ``opening_hours.N.*`` and ``rules.commission_percent`` put on the right
field, the check-your-answers page and the fair's page showing the parts."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from .conftest import csrf_of
from .organizer_services import Services, fair, invalid, organizer

__all__ = ["organizer"]  # fixture

GO = "5d0c7a52-3f7e-4a57-9c1e-2c4e6a1b0001"
WINMART = "5d0c7a52-3f7e-4a57-9c1e-2c4e6a1b0002"
RETAILERS = [
    {"organization_id": WINMART, "name": "WinMart", "province": None},
    {"organization_id": GO, "name": "GO! Việt Nam", "province": None},
]
STORES = {
    GO: [
        {"retailer_id": GO, "store_code": "HL01", "name": "GO! Hạ Long", "address": "Hạ Long"},
        {"retailer_id": GO, "store_code": "CP02", "name": "GO! Cẩm Phả", "address": "Cẩm Phả"},
    ],
    WINMART: [],
}

BASE = {
    "fair_name": "Tuần lễ hàng OCOP Quảng Ninh tại GO! Hạ Long",
    "venue": "GO! Hạ Long",
    "province": "Quảng Ninh",
    "starts_on": "05/10/2026",
    "starts_time": "08:00",
    "ends_on": "11/10/2026",
    "ends_time": "22:00",
    "applications_open_on": "01/08/2026",
    "applications_close_on": "20/09/2026",
    "min_star": "3",
    "groups": ["2023-1", "2023-2"],
    "max_booths_per_holder": "2",
    "subsidy_percent": "0",
    "subsidy_max_booths": "0",
    "allocation_mode": "self_service",
    "week_commission": "0",
    "showroom_commission": "0",
}
WEEK = {**BASE, "fair_kind": "promotion_week", "host_retailer_id": GO, "week_commission": "15"}
HOURS = {
    **{f"hours_{d}_opens": "08:00" for d in range(5)},
    **{f"hours_{d}_closes": "21:00" for d in range(5)},
    "hours_5_opens": "8h30",
    "hours_5_closes": "22.00",
}
SHOWROOM = {
    **BASE,
    "fair_name": "Trung tâm OCOP Hạ Long",
    "fair_kind": "showroom",
    "venue": "Số 1 Trần Hưng Đạo, Hạ Long",
    "ends_on": "",
    "open_ended": "yes",
    "showroom_commission": "10",
    **HOURS,
}


class KindServices(Services):
    """Registration's retailers and the fair kinds' checks (as ``check_kind`` answers)."""

    def registration(
        self, method: str, path: str, body: Any, request: httpx.Request
    ) -> httpx.Response:
        parts = path.strip("/").split("/")
        if (method, path) == ("GET", "/retailers"):
            return httpx.Response(200, json=RETAILERS)
        if method == "GET" and parts[0] == "retailers" and parts[-1] == "stores":
            if parts[1] not in STORES:
                return httpx.Response(404, json={"detail": "no such retailer", "code": "not_found"})
            return httpx.Response(200, json=STORES[parts[1]])
        if (method, path) == ("POST", "/fairs"):
            return self.create(body)
        return super().registration(method, path, body, request)

    def create(self, body: dict[str, Any]) -> httpx.Response:
        kind, rules = body["kind"], body["rules"]
        if not 0 <= rules.get("commission_percent", 0) <= 50:
            return invalid("rules.commission_percent", "a whole percent from 0 to 50")
        if kind == "promotion_week":
            if body.get("host_retailer_id") not in STORES:
                return invalid("host_retailer_id", "no retailer with this id")
            codes = {s["store_code"] for s in STORES[body["host_retailer_id"]]}
            for i, code in enumerate(body["store_codes"]):
                if code not in codes:
                    return invalid(f"store_codes.{i}", f"{code} is not a store of the host")
        if kind == "showroom":
            for i, h in enumerate(body["opening_hours"]):
                if h["closes"] <= h["opens"]:
                    return invalid(f"opening_hours.{i}.closes", "closes after it opens")
        created = {
            **fair(body["name"], "draft"),
            **body,
            "stores": [
                {"store_code": c, "name": n["name"]}
                for c in body.get("store_codes", [])
                for n in STORES.get(body.get("host_retailer_id", ""), [])
                if n["store_code"] == c
            ],
            "open_ended": "ends_at" not in body,
            "ends_at": body.get("ends_at", "2100-12-31T16:59:59Z"),
        }
        created.pop("store_codes", None)
        return httpx.Response(201, json=self.add_fair(created))


@pytest.fixture
def services() -> KindServices:
    return KindServices()


def post_form(client: TestClient, data: dict[str, Any], url: str = "/organizer/fairs/new") -> Any:
    form = client.get("/organizer/fairs/new")
    return client.post(url, data={**data, "csrf_token": csrf_of(form.text)}, follow_redirects=False)


def error_of(page: str, field: str) -> str:
    found = re.search(rf'id="{re.escape(field)}-error"[^>]*>.*?</span>\s*(.*?)</p>', page, re.S)
    assert found, f"no error on {field}"
    return found.group(1).strip()


def summary_links(page: str) -> dict[str, str]:
    found = re.search(r'<div class="ocop-error-summary".*?</div>', page, re.S)
    assert found, "no error summary"
    return dict(re.findall(r'<a href="#([^"]+)">([^<]+)</a>', found.group(0)))


def create(client: TestClient, data: dict[str, Any]) -> tuple[Any, Any]:
    """The check page, then "Create the fair" with its hidden answers."""
    check = post_form(client, data)
    assert check.status_code == 200, check.text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', check.text))
    created = client.post("/organizer/fairs", data=hidden, follow_redirects=False)
    return check, created


# --- the form --------------------------------------------------------------------------------


def test_every_kinds_parts_are_on_the_form_revealed_under_their_radio(
    organizer: TestClient,
) -> None:
    page = organizer.get("/organizer/fairs/new")
    assert page.status_code == 200
    text = page.text
    for kind in ("exhibition", "promotion_week", "showroom"):
        assert f'data-aria-controls="kind-{kind}"' in text
        assert f'class="ocop-radios__conditional" id="kind-{kind}"' in text
    assert "/static/js/fair_kinds.js?v=" in text
    # an exhibition: no tills, said so
    assert "Triển lãm không có quầy thu ngân" in text
    # a promotion week: the retailers by name, the stores once one is chosen
    assert re.search(r'<option value="5d0c7a52[^"]*0001">GO! Việt Nam</option>', text)
    assert text.index("GO! Việt Nam") < text.index(">WinMart<")
    assert 'hx-get="/organizer/fairs/new/stores"' in text
    assert "Chọn nhà bán lẻ đăng cai trước" in text and 'name="store_codes"' not in text
    assert 'name="show_stores"' in text and "Xem các cửa hàng" in text
    assert 'id="week_commission"' in text
    # a showroom: each weekday's hours, no end date, its commission
    for day, name in enumerate(("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy")):
        assert f'id="hours_{day}_opens"' in text and f'id="hours_{day}_closes"' in text
        assert name in text
    assert "Chủ Nhật" in text
    assert 'id="open_ended" name="open_ended" type="checkbox" value="yes"' in text
    assert 'id="showroom_commission"' in text


def test_without_javascript_the_retailer_is_chosen_then_its_stores(
    organizer: TestClient, services: KindServices
) -> None:
    shown = post_form(organizer, {**WEEK, "show_stores": "1", "store_codes": []})
    assert shown.status_code == 303
    target = urlsplit(shown.headers["location"])
    assert target.path == "/organizer/fairs/new" and target.fragment == "stores-group"
    query = parse_qs(target.query)
    assert query["host_retailer_id"] == [GO] and query["fair_name"] == [WEEK["fair_name"]]
    assert "csrf_token" not in query and "show_stores" not in query
    again = organizer.get(shown.headers["location"])
    assert 'id="store_codes" name="store_codes" type="checkbox" value="CP02"' in again.text
    assert 'value="HL01"' in again.text and "GO! Hạ Long (HL01)" in again.text
    assert re.search(rf'<option value="{GO}" selected>', again.text)
    assert 'value="Tuần lễ hàng OCOP Quảng Ninh tại GO! Hạ Long"' in again.text  # kept
    assert services.writes() == []


def test_with_javascript_the_stores_come_as_a_fragment(organizer: TestClient) -> None:
    fragment = organizer.get("/organizer/fairs/new/stores", params={"host_retailer_id": GO})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith("<div") and "<html" not in fragment.text
    assert 'id="stores-group"' in fragment.text and "GO! Cẩm Phả (CP02)" in fragment.text
    empty = organizer.get("/organizer/fairs/new/stores", params={"host_retailer_id": WINMART})
    assert "Nhà bán lẻ này chưa có cửa hàng nào" in empty.text
    unknown = organizer.get("/organizer/fairs/new/stores", params={"host_retailer_id": "x"})
    assert unknown.status_code == 200 and "Chọn nhà bán lẻ đăng cai trước" in unknown.text


# --- a promotion week ---------------------------------------------------------------------------


def test_a_promotion_week_without_retailer_stores_or_a_readable_commission_is_named(
    organizer: TestClient, services: KindServices
) -> None:
    no_retailer = post_form(organizer, {**WEEK, "host_retailer_id": "", "week_commission": "x"})
    assert no_retailer.status_code == 422
    links = summary_links(no_retailer.text)
    assert links["host_retailer_id"] == "Chọn nhà bán lẻ đăng cai"
    assert error_of(no_retailer.text, "host_retailer_id") == "Chọn nhà bán lẻ đăng cai"
    assert links["week_commission"].endswith("phải là số nguyên")
    # the summary follows the page: the kind's parts before the venue's
    order = list(links)
    assert order.index("host_retailer_id") < order.index("week_commission")
    no_stores = post_form(organizer, {**WEEK, "store_codes": []})
    assert no_stores.status_code == 422
    message = "Chọn ít nhất một cửa hàng của nhà bán lẻ đăng cai"
    assert summary_links(no_stores.text) == {"store_codes": message}
    assert error_of(no_stores.text, "store_codes") == message
    assert 'value="HL01"' in no_stores.text  # the chosen retailer's stores, to tick
    assert services.writes() == []


def test_other_kinds_fields_are_ignored(organizer: TestClient, services: KindServices) -> None:
    garbage = {"hours_0_opens": "tám giờ", "showroom_commission": "nhiều", "open_ended": "yes"}
    check = post_form(organizer, {**WEEK, "store_codes": ["HL01"], **garbage})
    assert check.status_code == 200, check.text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', check.text))
    created = organizer.post("/organizer/fairs", data=hidden, follow_redirects=False)
    assert created.status_code == 303
    [(_, _, body)] = services.writes()
    assert "opening_hours" not in body and "ends_at" in body  # a promotion week has its end
    # and a plain fair sends no kind parts at all, with a retailer chosen on the page
    services.calls.clear()
    _, plain = create(organizer, {**WEEK, "fair_kind": "fair", "store_codes": ["HL01"]})
    assert plain.status_code == 303
    [(_, _, body)] = services.writes()
    assert body["kind"] == "fair"
    assert not {"host_retailer_id", "store_codes", "opening_hours"} & set(body)
    assert "commission_percent" not in body["rules"]


def test_a_promotion_week_checked_then_created_and_shown(
    organizer: TestClient, services: KindServices
) -> None:
    check, created = create(organizer, {**WEEK, "store_codes": ["HL01", "CP02"]})
    rows = re.search(r'data-testid="check-event">(.*?)</dl>', check.text, re.S)
    assert rows
    event = rows.group(1)
    assert "Tuần lễ xúc tiến" in event and "GO! Việt Nam" in event
    assert "GO! Hạ Long (HL01)" in event and "GO! Cẩm Phả (CP02)" in event
    assert "15 %" in event and "Hoa hồng của nhà bán lẻ" in event
    change = re.search(r'<a href="([^"]+#store_codes)">', check.text)
    assert change and "store_codes=HL01%2CCP02" in change.group(1)
    assert created.status_code == 303
    [(method, path, body)] = services.writes()
    assert (method, path) == ("POST", "/fairs")
    assert body["kind"] == "promotion_week" and body["host_retailer_id"] == GO
    assert body["store_codes"] == ["HL01", "CP02"] and body["rules"]["commission_percent"] == 15
    page = organizer.get(created.headers["location"])
    assert re.search(r'data-testid="fair-retailer">GO! Việt Nam<', page.text)
    stores = re.search(r'data-testid="fair-stores">(.*?)</dd>', page.text, re.S)
    assert stores and "GO! Hạ Long (HL01)" in stores.group(1)
    assert re.search(r'data-testid="fair-commission">15 %<', page.text)
    # the "Change" link brings the stores back ticked
    again = organizer.get(html.unescape(change.group(1)).split("#")[0])
    assert re.search(r'value="HL01" checked', again.text)
    assert re.search(r'value="CP02" checked', again.text)


def test_registrations_refusals_land_on_the_store_and_the_commission(
    organizer: TestClient, services: KindServices
) -> None:
    STORES[GO].append({"retailer_id": GO, "store_code": "UB03", "name": "GO! Uông Bí"})
    try:
        check = post_form(organizer, {**WEEK, "store_codes": ["HL01", "UB03"]})
    finally:
        STORES[GO].pop()
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', check.text))
    refused = organizer.post("/organizer/fairs", data=hidden)  # UB03 is gone meanwhile
    assert refused.status_code == 422
    message = (
        "UB03 không phải là cửa hàng của nhà bán lẻ đăng cai: hãy chọn trong các cửa hàng của họ"
    )
    assert summary_links(refused.text) == {"store_codes": message}
    assert error_of(refused.text, "store_codes") == message
    services.calls.clear()
    _, too_much = create(organizer, {**WEEK, "store_codes": ["HL01"], "week_commission": "60"})
    assert too_much.status_code == 422
    message = "Hoa hồng phải là số phần trăm nguyên từ 0 đến 50"
    assert summary_links(too_much.text) == {"week_commission": message}
    assert error_of(too_much.text, "week_commission") == message
    assert 'value="60"' in too_much.text


def test_a_retailer_unknown_to_registration_is_named(
    organizer: TestClient, services: KindServices
) -> None:
    other = str(uuid.uuid4())
    check = post_form(organizer, {**WEEK, "host_retailer_id": other, "store_codes": ["HL01"]})
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', check.text))
    refused = organizer.post("/organizer/fairs", data=hidden)
    assert refused.status_code == 422
    assert summary_links(refused.text) == {
        "host_retailer_id": "Chọn nhà bán lẻ đăng cai trong danh sách"
    }


# --- a showroom ---------------------------------------------------------------------------------


def test_an_open_ended_showroom_with_its_hours_checked_created_and_shown(
    organizer: TestClient, services: KindServices
) -> None:
    check, created = create(organizer, SHOWROOM)
    hours = re.search(r'data-testid="check-hours">(.*?)</dd>', check.text, re.S)
    assert hours, check.text
    listed = [re.sub(r"\s+", " ", li) for li in re.findall(r"<li>(.*?)</li>", hours.group(1))]
    assert listed == [
        "Thứ Hai: 08:00–21:00",
        "Thứ Ba: 08:00–21:00",
        "Thứ Tư: 08:00–21:00",
        "Thứ Năm: 08:00–21:00",
        "Thứ Sáu: 08:00–21:00",
        "Thứ Bảy: 08:30–22:00",
        "Chủ Nhật: đóng cửa",
    ]
    assert "Không có ngày kết thúc: mở cửa cho đến khi bạn kết thúc" in check.text
    assert created.status_code == 303
    [(_, _, body)] = services.writes()
    assert body["kind"] == "showroom" and "ends_at" not in body
    assert body["opening_hours"][5] == {"weekday": 5, "opens": "08:30", "closes": "22:00"}
    assert len(body["opening_hours"]) == 6 and body["rules"]["commission_percent"] == 10
    assert "host_retailer_id" not in body and "store_codes" not in body
    page = organizer.get(created.headers["location"])
    assert "Không có ngày kết thúc" in page.text and "2100" not in page.text
    shown = re.search(r'data-testid="fair-hours">(.*?)</dd>', page.text, re.S)
    assert shown and "Chủ Nhật: đóng cửa" in re.sub(r"\s+", " ", shown.group(1))
    listed_page = organizer.get("/organizer/fairs")
    assert "không có ngày kết thúc" in listed_page.text and "31/12/2100" not in listed_page.text
    details = organizer.get(f"{created.headers['location'].split('?')[0]}/details")
    assert 'data-testid="open-ended"' in details.text and 'id="ends_on"' not in details.text


def test_a_showrooms_missing_and_unreadable_hours_are_named_by_weekday(
    organizer: TestClient, services: KindServices
) -> None:
    none = post_form(organizer, {**SHOWROOM, **{k: "" for k in HOURS}})
    assert none.status_code == 422
    message = "Nhập giờ mở cửa của ít nhất một ngày trong tuần"
    assert summary_links(none.text) == {"opening_hours": message}
    assert 'id="opening_hours" tabindex="-1"' in none.text  # the summary's link lands there
    bad = post_form(
        organizer,
        {**SHOWROOM, "hours_1_closes": "", "hours_2_opens": "25:00", "open_ended": ""},
    )
    assert bad.status_code == 422
    links = summary_links(bad.text)
    assert links == {
        "ends_on": (
            "Nhập ngày cuối, hoặc đánh dấu rằng điểm giới thiệu sản phẩm không có ngày kết thúc"
        ),
        "hours_1_closes": (
            "Nhập giờ đóng cửa ngày Thứ Ba, hoặc để trống cả hai giờ nếu ngày đó đóng cửa"
        ),
        "hours_2_opens": "Nhập giờ ngày Thứ Tư theo dạng HH:MM, ví dụ 08:00",
    }
    assert error_of(bad.text, "hours_2_opens") == links["hours_2_opens"]
    assert services.writes() == []


def test_registrations_refusal_of_an_order_lands_on_that_weekdays_closing_time(
    organizer: TestClient, services: KindServices
) -> None:
    # the 3rd open day sent is Thursday (Tuesday closed): registration names opening_hours.2
    hours = {**HOURS, "hours_1_opens": "", "hours_1_closes": "", "hours_3_closes": "07:00"}
    _, refused = create(organizer, {**SHOWROOM, **hours})
    assert refused.status_code == 422
    message = "Ngày Thứ Năm, giờ đóng cửa phải sau giờ mở cửa, trong cùng ngày"
    assert summary_links(refused.text) == {"hours_3_closes": message}
    assert error_of(refused.text, "hours_3_closes") == message


def test_an_exhibition_says_it_has_no_tills(organizer: TestClient, services: KindServices) -> None:
    check, created = create(organizer, {**BASE, "fair_kind": "exhibition"})
    assert "Không có: triển lãm chỉ trưng bày, không bán hàng" in check.text
    assert created.status_code == 303
    [(_, _, body)] = services.writes()
    assert body["kind"] == "exhibition" and "commission_percent" not in body["rules"]
    page = organizer.get(created.headers["location"])
    assert re.search(r'data-testid="fair-sales">Không có: triển lãm chỉ trưng bày', page.text)


# --- the rules page keeps a commission ------------------------------------------------------------


def test_the_rules_page_of_a_promotion_week_changes_its_commission(
    organizer: TestClient, services: KindServices
) -> None:
    week = services.add_fair({**fair("Tuần lễ OCOP", "open", commission_percent=12)})
    week["kind"] = "promotion_week"
    page = organizer.get(f"/organizer/fairs/{week['fair_id']}/rules")
    assert 'id="commission_percent"' in page.text and 'value="12"' in page.text
    data = {
        "min_star": "3",
        "groups": ["2023-1"],
        "max_booths_per_holder": "2",
        "subsidy_percent": "0",
        "subsidy_max_booths": "0",
        "allocation_mode": "self_service",
        "commission_percent": "20",
        "csrf_token": csrf_of(page.text),
    }
    saved = organizer.post(
        f"/organizer/fairs/{week['fair_id']}/rules", data=data, follow_redirects=False
    )
    assert saved.status_code == 303
    [(method, _, body)] = services.writes("PUT")
    assert method == "PUT" and body["commission_percent"] == 20
    plain = services.add_fair(fair("Hội chợ", "open", commission_percent=0))
    page = organizer.get(f"/organizer/fairs/{plain['fair_id']}/rules")
    assert 'id="commission_percent"' not in page.text
    services.calls.clear()
    organizer.post(
        f"/organizer/fairs/{plain['fair_id']}/rules",
        data={**data, "commission_percent": "30", "csrf_token": csrf_of(page.text)},
    )
    [(_, _, body)] = services.writes("PUT")
    assert body["commission_percent"] == 0  # not a kind with one: as the fair has it
