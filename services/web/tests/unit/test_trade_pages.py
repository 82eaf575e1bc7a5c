"""Trade matching pages against a fake registration (issue 15): the organizer's trade page and
report by named group, province, exhibitor and buyer's country; recording a meeting and a
contract (form, check your answers, record), each form's errors named on their field in
Vietnamese before any call and registration's refusals on the field it names; an exhibitor
records its own without naming itself."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from .conftest import csrf_of
from .money_tills_fakes import CHE, NAM
from .trade_fakes import TradeFakes, holder, org, trade_fakes

__all__ = ["holder", "org", "trade_fakes"]  # fixtures

BUYER = {
    "buyer_name": "Tanaka Hiroshi",
    "buyer_organization": "Aeon Việt Nam",
    "buyer_country": "JP",
    "buyer_province": "",
    "buyer_contact": "tanaka@example.jp",
}


def products_of(fakes: TradeFakes, exhibitor: str) -> list[str]:
    return sorted(fakes.exhibitor_products(exhibitor))


def error_on(html: str, field: str) -> str:
    found = re.search(rf'<p id="{field}-error" class="ocop-error-message">(.*?)</p>', html, re.S)
    assert found, f"no error on {field}"
    return re.sub(r"<[^>]+>", "", found.group(1)).replace("Lỗi:", "").strip()


def test_the_trade_page_reports_by_group_province_exhibitor_and_country(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    trade_fakes.contracts.append({
        "contract_id": "c1", "kind": "contract", "exhibitor_id": CHE,
        "exhibitor_name": "Hợp tác xã Chè Đường Hoa", "fair_id": trade_fakes.fair_id,
        "buyer": {**{k[6:]: v for k, v in BUYER.items()}, "province": None},
        "product_ids": products_of(trade_fakes, CHE), "value_vnd": 120_000_000,
        "signed_on": "2026-08-30", "meeting_id": None, "recorded_at": "2026-08-30T03:00:00Z",
    })  # fmt: skip
    page = org.get(f"/organizer/fairs/{trade_fakes.fair_id}/trade")
    assert page.status_code == 200, page.text
    assert '<h1 class="ocop-heading-l">Giao thương</h1>' in page.text
    group = re.search(r'data-testid="trade-by-group".*?</table>', page.text, re.S)
    assert group and "Thực phẩm" in group.group(0) and "120.000.000\u00a0₫" in group.group(0)
    country = re.search(r'data-testid="trade-by-country".*?</table>', page.text, re.S)
    assert country and "Nhật Bản" in country.group(0)
    exhibitor = re.search(r'data-testid="trade-by-exhibitor".*?</table>', page.text, re.S)
    assert exhibitor and "Hợp tác xã Chè Đường Hoa" in exhibitor.group(0)
    assert 'data-testid="trade-by-province"' in page.text
    contracts = re.search(r'data-testid="contracts".*?</table>', page.text, re.S)
    assert contracts and "Hợp đồng" in contracts.group(0) and "30/08/2026" in contracts.group(0)


def test_a_meeting_left_empty_is_named_field_by_field_and_nothing_is_sent(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    form = org.get(f"/organizer/fairs/{trade_fakes.fair_id}/trade/meetings/new")
    assert form.status_code == 200
    sent = org.post(
        f"/organizer/fairs/{trade_fakes.fair_id}/trade/meetings",
        data={"csrf_token": csrf_of(form.text), "buyer_country": "VN"},
    )
    assert sent.status_code == 422
    assert error_on(sent.text, "exhibitor") == "Chọn đơn vị trưng bày"
    assert error_on(sent.text, "buyer_name") == "Nhập tên người mua"
    assert error_on(sent.text, "held_on") == "Nhập ngày gặp"
    assert error_on(sent.text, "outcome") == "Chọn kết quả buổi gặp"
    assert 'href="#buyer_contact"' in sent.text  # the summary links to the field
    assert trade_fakes.posted == []


def test_a_meeting_outside_the_fair_is_refused_on_its_day(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    form = org.get(f"/organizer/fairs/{trade_fakes.fair_id}/trade/meetings/new")
    data = {"csrf_token": csrf_of(form.text), "exhibitor": CHE, **BUYER,
            "held_on": "15/10/2026", "held_time": "9h30", "outcome": "agreed"}  # fmt: skip
    sent = org.post(f"/organizer/fairs/{trade_fakes.fair_id}/trade/meetings", data=data)
    assert sent.status_code == 422
    assert error_on(sent.text, "held_on") == (
        "Buổi gặp phải vào một ngày của hội chợ, hoặc ngày trước hay ngày sau hội chợ"
    )
    assert trade_fakes.meetings == []
    data["held_on"] = "31/02/2026"
    sent = org.post(f"/organizer/fairs/{trade_fakes.fair_id}/trade/meetings", data=data)
    assert sent.status_code == 422 and "held_on-error" in sent.text
    assert len(trade_fakes.posted) == 1  # the impossible date never reached registration


def test_a_meeting_is_recorded_once_even_when_sent_twice(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    form = org.get(f"/organizer/fairs/{trade_fakes.fair_id}/trade/meetings/new")
    meeting_id = re.search(r'name="meeting_id" value="([^"]+)"', form.text)
    assert meeting_id
    data = {"csrf_token": csrf_of(form.text), "meeting_id": meeting_id.group(1),
            "exhibitor": NAM, **BUYER, "held_on": "30/08/2026", "held_time": "09:30",
            "outcome": "follow_up", "note": "Gửi mẫu sau hội chợ"}  # fmt: skip
    for _ in range(2):
        sent = org.post(
            f"/organizer/fairs/{trade_fakes.fair_id}/trade/meetings",
            data=data,
            follow_redirects=False,
        )
        assert sent.status_code == 303
        assert sent.headers["location"].endswith("/trade?notice=meeting")
    assert len(trade_fakes.meetings) == 1
    body = trade_fakes.posted[0][1]
    assert body["held_at"] == "2026-08-30T09:30:00" and body["exhibitor_id"] == NAM
    assert body["buyer"]["country"] == "JP" and body["buyer"]["province"] is None
    page = org.get(f"/organizer/fairs/{trade_fakes.fair_id}/trade?notice=meeting")
    assert "Đã ghi nhận buổi gặp." in page.text and "Hẹn trao đổi tiếp" in page.text


def test_a_contract_is_checked_then_recorded_with_its_value_in_dong(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    form = org.get(f"/organizer/fairs/{trade_fakes.fair_id}/trade/contracts/new")
    assert form.status_code == 200 and 'hx-get="/organizer/fairs/' in form.text
    products = products_of(trade_fakes, CHE)
    data = {"csrf_token": csrf_of(form.text), "contract_kind": "contract", "exhibitor": CHE,
            **BUYER, "product_ids": products, "value": "120.000.000 ₫",
            "signed_on": "30/08/2026"}  # fmt: skip
    check = org.post(f"/organizer/fairs/{trade_fakes.fair_id}/trade/contracts/check", data=data)
    assert check.status_code == 200, check.text
    summary = re.search(r'data-testid="check-contract".*?</dl>', check.text, re.S)
    assert summary and "120.000.000\u00a0₫" in summary.group(0)
    assert "Nhật Bản" in summary.group(0) and "Hợp tác xã Chè Đường Hoa" in summary.group(0)
    assert "/trade/contracts/new?" in summary.group(0) and "Thay đổi" in summary.group(0)
    assert trade_fakes.posted == []  # nothing recorded before the check page is confirmed
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', check.text))
    recorded = org.post(
        f"/organizer/fairs/{trade_fakes.fair_id}/trade/contracts",
        data=hidden,
        follow_redirects=False,
    )
    assert recorded.status_code == 303, recorded.text
    body = trade_fakes.posted[0][1]
    assert body["value_vnd"] == 120_000_000 and body["kind"] == "contract"
    assert body["product_ids"] == products and body["exhibitor_id"] == CHE
    assert body["contract_id"] == hidden["contract_id"]


def test_a_contract_form_names_each_wrong_answer(org: TestClient, trade_fakes: TradeFakes) -> None:
    form = org.get(f"/organizer/fairs/{trade_fakes.fair_id}/trade/contracts/new")
    url = f"/organizer/fairs/{trade_fakes.fair_id}/trade/contracts/check"
    empty = org.post(url, data={"csrf_token": csrf_of(form.text)})
    assert empty.status_code == 422
    assert error_on(empty.text, "contract_kind") == (
        "Chọn loại văn bản đã ký: hợp đồng hay biên bản ghi nhớ"
    )
    assert error_on(empty.text, "product_ids") == "Chọn ít nhất một sản phẩm"
    assert error_on(empty.text, "value") == "Nhập giá trị bằng đồng"
    assert error_on(empty.text, "signed_on") == "Nhập ngày ký"
    wrong = org.post(url, data={
        "csrf_token": csrf_of(form.text), "contract_kind": "contract", "exhibitor": CHE, **BUYER,
        "product_ids": products_of(trade_fakes, NAM), "value": "0", "signed_on": "30/08/2026",
    })  # fmt: skip
    assert wrong.status_code == 422
    assert error_on(wrong.text, "product_ids") == "Chọn sản phẩm của đơn vị trưng bày đã chọn"
    assert error_on(wrong.text, "value") == "Giá trị hợp đồng phải lớn hơn 0 đồng"
    words = org.post(url, data={
        "csrf_token": csrf_of(form.text), "contract_kind": "mou", "exhibitor": CHE, **BUYER,
        "product_ids": products_of(trade_fakes, CHE), "value": "một trăm", "signed_on": "30/08/2026",
    })  # fmt: skip
    assert error_on(words.text, "value") == (
        "Nhập giá trị bằng đồng, là số nguyên, ví dụ 120.000.000"
    )
    assert trade_fakes.posted == []


def test_registrations_refusal_of_a_product_lands_on_the_products(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    form = org.get(f"/organizer/fairs/{trade_fakes.fair_id}/trade/contracts/new")
    products = products_of(trade_fakes, CHE)
    trade_fakes.not_shown.add(products[0])  # e.g. suspended meanwhile: registration refuses
    sent = org.post(f"/organizer/fairs/{trade_fakes.fair_id}/trade/contracts", data={
        "csrf_token": csrf_of(form.text), "contract_id": "6f1c1e36-8a7e-4c8b-9a55-3d8c2f7f0c11",
        "contract_kind": "contract", "exhibitor": CHE, **BUYER, "product_ids": products,
        "value": "45.000.000", "signed_on": "30/08/2026",
    })  # fmt: skip
    assert sent.status_code == 422
    assert error_on(sent.text, "product_ids") == (
        "Chọn sản phẩm mà đơn vị trưng bày bày bán tại hội chợ này, mỗi sản phẩm một lần"
    )
    assert len(trade_fakes.posted) == 1 and trade_fakes.contracts == []
    assert 'value="45.000.000"' in sent.text  # what was typed is kept


def test_choosing_an_exhibitor_narrows_the_products_htmx(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    fragment = org.get(
        f"/organizer/fairs/{trade_fakes.fair_id}/trade/products", params={"exhibitor": NAM}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert all(p in fragment.text for p in products_of(trade_fakes, NAM))
    assert not any(p in fragment.text for p in products_of(trade_fakes, CHE))


def test_an_exhibitor_records_its_own_contract_without_naming_itself(
    holder: TestClient, trade_fakes: TradeFakes
) -> None:
    page = holder.get(f"/exhibitor/fairs/{trade_fakes.fair_id}/trade")
    assert page.status_code == 200, page.text
    assert 'data-testid="trade-by-group"' not in page.text  # the organizer's report only
    form = holder.get(f"/exhibitor/fairs/{trade_fakes.fair_id}/trade/contracts/new")
    assert 'name="exhibitor"' not in form.text
    products = products_of(trade_fakes, CHE)
    assert all(p in form.text for p in products)
    assert not any(p in form.text for p in products_of(trade_fakes, NAM))
    check = holder.post(f"/exhibitor/fairs/{trade_fakes.fair_id}/trade/contracts/check", data={
        "csrf_token": csrf_of(form.text), "contract_kind": "mou", **BUYER,
        "product_ids": products, "value": "0", "signed_on": "31/08/2026",
    })  # fmt: skip
    assert check.status_code == 200, check.text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', check.text))
    done = holder.post(
        f"/exhibitor/fairs/{trade_fakes.fair_id}/trade/contracts",
        data=hidden,
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert (
        done.headers["location"] == f"/exhibitor/fairs/{trade_fakes.fair_id}/trade?notice=contract"
    )
    body = trade_fakes.posted[0][1]
    assert "exhibitor_id" not in body and body["value_vnd"] == 0 and body["kind"] == "mou"
    page = holder.get(done.headers["location"])
    assert "Biên bản ghi nhớ" in page.text and "Aeon Việt Nam" in page.text


def test_after_a_refusal_the_meeting_form_carries_a_new_meeting_id(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    form = org.get(f"/organizer/fairs/{trade_fakes.fair_id}/trade/meetings/new")
    first = re.search(r'name="meeting_id" value="([^"]+)"', form.text)
    assert first
    data = {"csrf_token": csrf_of(form.text), "meeting_id": first.group(1), "exhibitor": CHE,
            **BUYER, "held_on": "15/10/2026", "held_time": "09:30", "outcome": "agreed"}  # fmt: skip
    refused = org.post(f"/organizer/fairs/{trade_fakes.fair_id}/trade/meetings", data=data)
    assert refused.status_code == 422
    again = re.search(r'name="meeting_id" value="([^"]+)"', refused.text)
    assert again and again.group(1) != first.group(1)
