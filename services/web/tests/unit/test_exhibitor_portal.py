"""The exhibitor portal's pages against fakes of the three services: sign-up step by step
(the draft kept, errors on their step in Vietnamese, nothing created), the organization
(invitation code shown once, a delegation's invitation accepted, holders invited), products
with certificates, applying (the rule a refusal names), the booth plan, a hold (and a booth
taken meanwhile), the fee statement with its VietQR image, sales and tills."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx
from fastapi.testclient import TestClient

from ocop_web.pages.exhibitor_fairs import plan_of, qr_svg
from ocop_web.pages.exhibitor_signup import DRAFT_COOKIE

from .conftest import csrf_of
from .exhibitor_fakes import (
    BOOTH_A,
    BOOTH_B,
    BOOTH_C,
    DELEGATION_ID,
    FAIR_ID,
    PASSWORD,
    TOKEN,
    VIETQR,
    Portal,
    certificate,
    exhibitor,
    portal,
    product,
    web,
)

__all__ = ["exhibitor", "portal", "web"]  # fixtures

ORGANIZATION = {
    "kind": "cooperative",
    "name": "Hợp tác xã Chè Đường Hoa",
    "tax_code": "5701234567",
    "province": "Quảng Ninh",
    "commune": "",
    "address": "",
    "phone": "",
    "email": "",
}
OWNER = {"owner_name": "Nguyễn Văn An", "owner_email": "an@example.vn", "owner_phone": ""}


def post(
    client: TestClient, path: str, data: Mapping[str, Any], page: str | None = None
) -> httpx.Response:
    token = csrf_of(client.get(page or path).text)
    answer: httpx.Response = client.post(
        path, data={**data, "csrf_token": token}, follow_redirects=False
    )
    return answer


def summary_of(html: str) -> str:
    found = re.search(r'<div class="ocop-error-summary".*?</div>', html, re.S)
    assert found, "no error summary"
    return found.group(0)


def fill_steps(web: TestClient, organization: dict[str, str] | None = None) -> None:
    answer = post(web, "/sign-up/organization", organization or ORGANIZATION)
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-up/owner"
    answer = post(web, "/sign-up/owner", OWNER)
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-up/check"


# --- sign-up -----------------------------------------------------------------------------------


def test_sign_up_steps_are_kept_and_checked_before_anything_is_sent(
    web: TestClient, portal: Portal
) -> None:
    start = web.get("/sign-up")
    assert start.status_code == 200 and "Đăng ký" in start.text
    fill_steps(web)
    assert DRAFT_COOKIE in web.cookies
    check = web.get("/sign-up/check")
    assert check.status_code == 200
    assert "Kiểm tra thông tin trước khi đăng ký" in check.text
    assert "Hợp tác xã Chè Đường Hoa" in check.text and "5701234567" in check.text
    assert check.text.count(">Thay đổi<") == 11
    assert 'href="/sign-up/organization?check=1#tax_code"' in check.text
    assert not portal.signed_up  # nothing sent before the last page
    # "Thay đổi" brings the step back filled in, and saving it returns to the check page
    again = web.get("/sign-up/organization?check=1")
    assert 'value="5701234567"' in again.text and 'name="check" value="1"' in again.text
    answer = post(
        web, "/sign-up/organization", {**ORGANIZATION, "name": "HTX Chè Hoa", "check": "1"}
    )
    assert answer.headers["location"] == "/sign-up/check"
    assert "HTX Chè Hoa" in web.get("/sign-up/check").text


def test_the_draft_survives_a_new_visit_and_is_never_told_the_password(web: TestClient) -> None:
    fill_steps(web)
    draft = web.cookies[DRAFT_COOKIE]
    web.cookies.clear()
    web.cookies.set(DRAFT_COOKIE, draft, path="/sign-up")
    assert "Nguyễn Văn An" in web.get("/sign-up/check").text
    assert PASSWORD not in draft
    web.cookies.set(DRAFT_COOKIE, draft[:-3] + "xyz", path="/sign-up")  # tampered: ignored
    assert web.get("/sign-up/check", follow_redirects=False).headers["location"] == (
        "/sign-up/organization"
    )


def test_empty_answers_are_named_on_their_step_before_any_call(
    web: TestClient, portal: Portal
) -> None:
    answer = post(web, "/sign-up/organization", {"kind": "", "name": "", "province": ""})
    assert answer.status_code == 422
    text = answer.text
    summary = summary_of(text)
    assert '<a href="#kind">Chọn loại tổ chức</a>' in summary
    assert '<a href="#name">Nhập tên</a>' in summary
    assert 'id="province-error"' in text
    owner = post(web, "/sign-up/owner", {"owner_name": "An"}, page="/sign-up/organization")
    assert owner.status_code == 422
    assert "Nhập email hoặc số điện thoại của bạn" in owner.text
    assert not [c for c in portal.calls if c.method == "POST"]


def test_a_bad_tax_code_comes_back_on_its_step_in_vietnamese_and_nothing_is_created(
    web: TestClient, portal: Portal
) -> None:
    fill_steps(web, {**ORGANIZATION, "tax_code": "57O1234567"})
    answer = post(web, "/sign-up/check", {"owner_password": PASSWORD})
    assert answer.status_code == 422
    text = answer.text
    assert "Về tổ chức của bạn" in text  # the step where the tax code was answered
    message = "Nhập mã số thuế hợp lệ"
    assert message in summary_of(text) and '<a href="#tax_code">' in summary_of(text)
    assert re.search(r'id="tax_code-error"[^>]*>.*' + message, text)
    assert 'value="57O1234567"' in text
    assert not portal.signed_up
    assert "ocop_session" not in web.cookies


def test_a_tax_code_already_registered_and_a_bad_phone_say_so(
    web: TestClient, portal: Portal
) -> None:
    fill_steps(web, {**ORGANIZATION, "tax_code": "0101243150"})
    text = post(web, "/sign-up/check", {"owner_password": PASSWORD}).text
    assert "Mã số thuế này đã được đăng ký" in text
    post(web, "/sign-up/organization", ORGANIZATION)
    post(web, "/sign-up/owner", {**OWNER, "owner_phone": "12345"})
    text = post(web, "/sign-up/check", {"owner_password": PASSWORD}).text
    assert "Về bạn" in text and 'id="owner_phone-error"' in text
    assert "Nhập số điện thoại Việt Nam" in text
    assert not portal.signed_up


def test_a_weak_password_stays_on_the_check_page_and_is_not_sent_back(web: TestClient) -> None:
    fill_steps(web)
    answer = post(web, "/sign-up/check", {"owner_password": "ngan"})
    text = answer.text
    assert answer.status_code == 422
    assert "Mật khẩu phải có ít nhất 10 ký tự" in text and 'id="owner_password-error"' in text
    assert 'value="ngan"' not in text
    common = post(web, "/sign-up/check", {"owner_password": "MatKhau123"})
    assert common.status_code == 422
    assert "mật khẩu người ta dùng nhiều nhất" in common.text


def test_signing_up_signs_in_and_forgets_the_draft(web: TestClient, portal: Portal) -> None:
    fill_steps(web)
    answer = post(web, "/sign-up/check", {"owner_password": PASSWORD})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/exhibitor?welcome=1"
    cookies = answer.headers.get_list("set-cookie")
    assert any(c.startswith(f"ocop_session={TOKEN};") and "HttpOnly" in c for c in cookies)
    assert any(c.startswith(f"{DRAFT_COOKIE}=") and "Max-Age=0" in c for c in cookies)
    sent = portal.signed_up[0]
    assert sent["kind"] == "cooperative" and sent["tax_code"] == "5701234567"
    assert sent["owner"] == {
        "name": "Nguyễn Văn An",
        "email": "an@example.vn",
        "phone": None,
        "password": PASSWORD,
    }
    assert sent["commune"] is None and sent["phone"] is None
    keys = {c.headers["idempotency-key"] for c in portal.calls if c.url.path == "/exhibitors"}
    assert len(keys) == 1
    home = web.get("/exhibitor?welcome=1")
    assert home.status_code == 200 and 'data-testid="welcome"' in home.text


def test_joining_with_an_invitation_code(web: TestClient, portal: Portal) -> None:
    page = web.get("/join")
    assert page.status_code == 200 and "Tham gia bằng mã mời" in page.text
    wrong = post(
        web,
        "/join",
        {"new_code": "SAI", "account_name": "Lê Thị Cúc", "account_phone": "0912345678",
         "account_password": PASSWORD},
    )  # fmt: skip
    assert wrong.status_code == 422
    assert "Mã này không dùng được" in wrong.text and 'id="new_code-error"' in wrong.text
    assert PASSWORD not in wrong.text and not portal.joined
    existing = post(
        web, "/join", {"has_account": "1", "existing_code": "", "login": "", "password": ""}
    )
    assert "Nhập mã mời" in existing.text and 'id="login-error"' in existing.text
    joined = post(
        web,
        "/join",
        {"new_code": "MOT-LAN-DUY-NHAT-42", "account_name": "Lê Thị Cúc",
         "account_phone": "0912345678", "account_password": PASSWORD},
    )  # fmt: skip
    assert joined.status_code == 303 and f"ocop_session={TOKEN}" in joined.headers["set-cookie"]
    assert portal.joined[0]["account"]["phone"] == "0912345678"


def test_joining_names_the_password_rule_broken_in_vietnamese(
    web: TestClient, portal: Portal
) -> None:
    expected = {
        "ngan": "Mật khẩu phải có ít nhất 10 ký tự",
        "aaaaaaaaaaaa": "Mật khẩu không được là một ký tự lặp lại",
        "0912345678": "Mật khẩu không được là địa chỉ email hoặc số điện thoại của bạn",
        "1234567890": "Đây là một trong những mật khẩu người ta dùng nhiều nhất",
    }
    for password, message in expected.items():
        answer = post(
            web,
            "/join",
            {"new_code": "MOT-LAN-DUY-NHAT-42", "account_name": "Lê Thị Cúc",
             "account_phone": "0912345678", "account_password": password},
            "/join",
        )  # fmt: skip
        assert answer.status_code == 422, password
        assert message in summary_of(answer.text) and 'id="account_password-error"' in answer.text
        assert f'value="{password}"' not in answer.text.replace('value="0912345678"', "", 1)
    assert not portal.joined


# --- organization ------------------------------------------------------------------------------


def test_an_invitation_code_is_shown_once(exhibitor: TestClient) -> None:
    page = exhibitor.get("/exhibitor/organization")
    assert page.status_code == 200 and "Nguyễn Văn An" in page.text
    answer = post(
        exhibitor,
        "/exhibitor/organization/invitations",
        {"org_role": "staff"},
        "/exhibitor/organization",
    )
    assert answer.status_code == 200
    assert "MOT-LAN-DUY-NHAT-42" in answer.text
    assert "chỉ hiện một lần" in answer.text
    assert "MOT-LAN-DUY-NHAT-42" not in exhibitor.get("/exhibitor/organization").text


def test_a_holder_accepts_a_delegations_invitation(exhibitor: TestClient, portal: Portal) -> None:
    portal.memberships = [
        {
            "delegation_id": DELEGATION_ID,
            "holder_id": portal.organization_id,
            "status": "pending",
            "invited_at": "2026-03-20T02:00:00+00:00",
            "decided_at": None,
            "ended_by": None,
            "other": {
                "exhibitor_id": DELEGATION_ID,
                "name": "Đoàn Quảng Ninh",
                "kind": "delegation",
                "province": "Quảng Ninh",
            },
        }
    ]
    home = exhibitor.get("/exhibitor").text
    assert 'data-testid="pending-delegations"' in home and "Đoàn Quảng Ninh" in home
    page = exhibitor.get("/exhibitor/organization")
    assert "Đoàn Quảng Ninh" in page.text and "Chấp nhận" in page.text and "Từ chối" in page.text
    assert not [c for c in portal.calls if c.url.path == "/directory/exhibitors"]  # named by it
    answer = post(
        exhibitor,
        f"/exhibitor/organization/delegations/{DELEGATION_ID}/accept",
        {},
        "/exhibitor/organization",
    )
    assert answer.status_code == 303
    assert portal.decisions == [
        f"/exhibitors/{portal.organization_id}/delegations/{DELEGATION_ID}/accept"
    ]


def test_a_delegation_finds_and_invites_holders(web: TestClient, portal: Portal) -> None:
    portal.kind = "delegation"
    web.cookies.set("ocop_session", TOKEN)
    page = web.get("/exhibitor/organization?q=che")
    assert "HTX Chè Đường Hoa" in page.text and "Mời các chủ thể đã chọn" in page.text
    nothing = post(
        web, "/exhibitor/organization/members?q=che", {}, "/exhibitor/organization?q=che"
    )
    assert nothing.status_code == 422
    assert "Chọn ít nhất một chủ thể để mời" in nothing.text
    chosen = post(
        web,
        "/exhibitor/organization/members?q=che",
        {"member_ids": portal.organization_id.replace("dd", "aa")},
        "/exhibitor/organization?q=che",
    )
    assert chosen.status_code == 303 and portal.invited_members


# --- products ----------------------------------------------------------------------------------


def test_products_show_their_certificates_read_only(exhibitor: TestClient, portal: Portal) -> None:
    portal.products = [
        product("Chè Đường Hoa túi 200 g", certificate(4)),
        product("Mật ong Ba Chẽ", certificate(3, status="revoked")),
        product("Trà hoa vàng", None),
    ]
    page = exhibitor.get("/exhibitor/products")
    assert page.status_code == 200
    assert "4 sao" in page.text and "QN-2025-0042" in page.text and "31/12/2028" in page.text
    assert "Đã bị thu hồi" in page.text and "Chưa được chứng nhận" in page.text
    assert "Đồ uống" in page.text  # the group by name
    assert "120.000" in page.text
    assert "/certificates" not in page.text  # nothing to change a certificate with


def test_adding_a_product_with_a_bad_barcode_then_a_good_one(
    exhibitor: TestClient, portal: Portal
) -> None:
    form = {
        "name": "Chè Đường Hoa",
        "group": "2",
        "gtin": "8935049500011",
        "unit": "túi 200 g",
        "list_price_vnd": "120.000",
    }
    bad = post(exhibitor, "/exhibitor/products/new", form)
    assert bad.status_code == 422
    assert "Nhập đúng 13 chữ số dưới mã vạch" in bad.text
    assert not portal.products
    price = post(
        exhibitor, "/exhibitor/products/new", {**form, "gtin": "", "list_price_vnd": "nhiều"}
    )
    assert "Nhập giá niêm yết bằng đồng" in price.text
    good = post(exhibitor, "/exhibitor/products/new", {**form, "gtin": "893 5049 500018"})
    assert good.status_code == 303
    assert portal.products[0]["list_price_vnd"] == 120000 and portal.products[0]["group"] == 2


# --- fairs and applications --------------------------------------------------------------------


def test_open_fairs_show_their_rules_by_name(exhibitor: TestClient) -> None:
    page = exhibitor.get("/exhibitor/fairs")
    assert "Hội chợ OCOP Quảng Ninh 2026" in page.text
    assert "Thực phẩm, Đồ uống, Dược liệu" in page.text
    assert "OCOP từ 3 sao trở lên" in page.text
    assert f"/exhibitor/fairs/{FAIR_ID}/apply" in page.text


def test_a_refused_application_names_the_rule_in_vietnamese(
    exhibitor: TestClient, portal: Portal
) -> None:
    uncertified = product("Trà hoa vàng", None)
    portal.products = [product("Chè Đường Hoa", certificate(4)), uncertified]
    apply_path = f"/exhibitor/fairs/{FAIR_ID}/apply"
    answer = post(
        exhibitor,
        apply_path,
        {
            "product_ids": [p["product_id"] for p in portal.products],
            "count": "1",
            "booth_type": "standard",
        },
    )
    assert answer.status_code == 422
    text = answer.text
    rule = "Trà hoa vàng chưa có giấy chứng nhận OCOP"
    assert rule in summary_of(text) and 'id="product_ids-error"' in text
    assert not portal.applications
    none = post(exhibitor, apply_path, {"count": "1", "booth_type": "standard"})
    assert "Chọn ít nhất một sản phẩm" in none.text


def test_applying_then_seeing_the_status_and_a_refusals_reason(
    exhibitor: TestClient, portal: Portal
) -> None:
    portal.products = [product("Chè Đường Hoa", certificate(4))]
    answer = post(
        exhibitor,
        f"/exhibitor/fairs/{FAIR_ID}/apply",
        {"product_ids": portal.products[0]["product_id"], "count": "1", "booth_type": "standard"},
    )
    assert answer.status_code == 303
    page = exhibitor.get(answer.headers["location"])
    assert "Đã gửi đơn đăng ký" in page.text and "Chờ duyệt" in page.text
    portal.applications[0].update(
        status="rejected", reason="Gian hàng đã kín", reviewed_at="2026-03-28T02:00:00+00:00"
    )
    page = exhibitor.get(f"/exhibitor/applications/{portal.applications[0]['application_id']}")
    assert "Bị từ chối" in page.text and "Gian hàng đã kín" in page.text
    listing = exhibitor.get("/exhibitor/applications")
    assert "Hội chợ OCOP Quảng Ninh 2026" in listing.text and "Bị từ chối" in listing.text


def test_refusals_are_worded_by_their_code_not_their_english(
    exhibitor: TestClient, portal: Portal
) -> None:
    portal.products = [product("Chè Đường Hoa", certificate(4)), product("Mật ong", certificate(2))]
    apply_path = f"/exhibitor/fairs/{FAIR_ID}/apply"
    data = {"product_ids": [p["product_id"] for p in portal.products], "count": "1"}
    below = post(exhibitor, apply_path, {**data, "booth_type": "standard"})
    assert below.status_code == 422
    assert "Mật ong có ít sao hơn mức hội chợ nhận" in summary_of(below.text)
    assert "below the fair" not in below.text  # registration's English never shown
    portal.products.pop()
    first = post(
        exhibitor,
        apply_path,
        {**data, "product_ids": portal.products[0]["product_id"], "booth_type": "standard"},
    )
    assert first.status_code == 303
    again = post(
        exhibitor,
        apply_path,
        {**data, "product_ids": portal.products[0]["product_id"], "booth_type": "standard"},
    )
    assert again.status_code == 422
    assert "Bạn đã nộp đơn đăng ký vào hội chợ này" in summary_of(again.text)


def test_a_review_reason_code_is_worded_for_the_exhibitor(
    exhibitor: TestClient, portal: Portal
) -> None:
    approved(portal)
    portal.applications[0].update(
        status="rejected",
        reason="Thiếu nhãn truy xuất",
        reason_code="quality_concerns",
        reviewed_at="2026-03-28T02:00:00+00:00",
    )
    page = exhibitor.get(f"/exhibitor/applications/{portal.applications[0]['application_id']}")
    assert 'data-testid="reason-code"' in page.text
    assert "Ban tổ chức lo ngại về chất lượng, nhãn mác hoặc truy xuất nguồn gốc" in page.text
    assert "Thiếu nhãn truy xuất" in page.text


# --- booths and fees ---------------------------------------------------------------------------


def approved(portal: Portal) -> None:
    portal.products = [product("Chè Đường Hoa", certificate(4))]
    portal.apply(
        {
            "product_ids": [portal.products[0]["product_id"]],
            "booth_request": {"count": 1, "booth_type": "standard", "notes": ""},
        }
    )
    portal.applications[0]["status"] = "approved"


def test_the_plan_shows_free_booths_as_links_and_every_state_in_words(
    exhibitor: TestClient, portal: Portal
) -> None:
    not_yet = exhibitor.get(f"/exhibitor/fairs/{FAIR_ID}/booths")
    assert "khi đơn đăng ký" in not_yet.text and f"/booths/{BOOTH_A}" not in not_yet.text
    approved(portal)
    page = exhibitor.get(f"/exhibitor/fairs/{FAIR_ID}/booths")
    assert "<svg" in page.text and "style=" not in page.text
    assert f'href="/exhibitor/fairs/{FAIR_ID}/booths/{BOOTH_A}"' in page.text
    assert f"/booths/{BOOTH_B}" not in page.text  # taken: not selectable
    assert "Còn trống" in page.text and "Đã có người" in page.text  # states in words
    assert "9.000.000" in page.text


def test_holding_a_booth_shows_the_deadline_the_fees_and_the_vietqr_code(
    exhibitor: TestClient, portal: Portal
) -> None:
    approved(portal)
    booth_page = f"/exhibitor/fairs/{FAIR_ID}/booths/{BOOTH_A}"
    answer = post(
        exhibitor,
        f"/exhibitor/fairs/{FAIR_ID}/holds",
        {"booth_id": BOOTH_A, "idempotency_key": "k1"},
        booth_page,
    )
    assert answer.status_code == 303
    page = exhibitor.get(answer.headers["location"])
    assert "Giữ cho bạn đến" in page.text and "27/03/2026 10:30" in page.text  # a time, no JS
    assert 'datetime="2026-03-27T03:30:00+00:00"' in page.text and "js/exhibitor.js" in page.text
    assert "4.500.000" in page.text and "Chưa thanh toán" in page.text
    assert (
        f'src="/exhibitor/fairs/{FAIR_ID}/vietqr.svg"' in page.text and "OCOP F01 001" in page.text
    )
    image = exhibitor.get(f"/exhibitor/fairs/{FAIR_ID}/vietqr.svg")
    assert image.status_code == 200 and image.headers["content-type"].startswith("image/svg+xml")
    assert image.content.startswith(b"<svg") and b"<script" not in image.content


def test_a_booth_taken_meanwhile_says_so(exhibitor: TestClient, portal: Portal) -> None:
    approved(portal)
    portal.booth_taken_meanwhile = True
    booth_page = f"/exhibitor/fairs/{FAIR_ID}/booths/{BOOTH_A}"
    answer = post(exhibitor, f"/exhibitor/fairs/{FAIR_ID}/holds", {"booth_id": BOOTH_A}, booth_page)
    assert answer.status_code == 422
    assert "Đơn vị khác vừa giữ gian hàng này" in answer.text


def test_giving_a_hold_back_asks_first_then_frees_the_booth(
    exhibitor: TestClient, portal: Portal
) -> None:
    approved(portal)
    portal.holds.append(BOOTH_A)
    mine = exhibitor.get(f"/exhibitor/fairs/{FAIR_ID}/booth")
    confirm_url = f"/exhibitor/fairs/{FAIR_ID}/holds/{BOOTH_A}/drop"
    assert f'href="{confirm_url}"' in mine.text  # a link to the confirmation, not a form
    assert f'action="{confirm_url}"' not in mine.text
    confirm = exhibitor.get(confirm_url)
    assert confirm.status_code == 200
    assert "Trả lại gian A01?" in confirm.text
    assert 'data-testid="drop-consequences"' in confirm.text and "27/03/2026 10:30" in confirm.text
    assert "ocop-button--warning" in confirm.text and f'action="{confirm_url}"' in confirm.text
    assert f'href="/exhibitor/fairs/{FAIR_ID}/booth" data-testid="cancel"' in confirm.text
    assert portal.holds == [BOOTH_A]  # asking changes nothing
    answer = post(exhibitor, confirm_url, {"idempotency_key": "drop-1"}, confirm_url)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/exhibitor/fairs/{FAIR_ID}/booths?given_back=A01"
    assert portal.holds == []
    delete = [c for c in portal.calls if c.method == "DELETE"][-1]
    assert delete.headers["idempotency-key"] == "drop-1"
    plan = exhibitor.get(answer.headers["location"])
    assert "Bạn đã trả lại gian A01" in plan.text
    assert exhibitor.get(confirm_url, follow_redirects=False).status_code == 303  # nothing held


def test_a_hold_ended_meanwhile_is_said_in_words(exhibitor: TestClient, portal: Portal) -> None:
    approved(portal)
    portal.holds.append(BOOTH_A)
    confirm_url = f"/exhibitor/fairs/{FAIR_ID}/holds/{BOOTH_A}/drop"
    token = csrf_of(exhibitor.get(confirm_url).text)
    portal.hold_ended_meanwhile = True
    answer = exhibitor.post(confirm_url, data={"csrf_token": token})
    assert answer.status_code == 422
    assert "Bạn không còn giữ gian hàng này" in summary_of(answer.text)


def test_withdrawing_an_application_asks_first(exhibitor: TestClient, portal: Portal) -> None:
    approved(portal)
    portal.holds.append(BOOTH_A)
    application_id = portal.applications[0]["application_id"]
    page = exhibitor.get(f"/exhibitor/applications/{application_id}")
    confirm_url = f"/exhibitor/applications/{application_id}/withdraw"
    assert f'href="{confirm_url}"' in page.text and f'action="{confirm_url}"' not in page.text
    confirm = exhibitor.get(confirm_url)
    assert confirm.status_code == 200
    assert "Rút đơn đăng ký?" in confirm.text
    consequences = re.search(r'data-testid="withdraw-consequences">.*?</ul>', confirm.text, re.S)
    assert consequences and "A01" in consequences.group(0)  # the booth it gives up, named
    assert "ocop-button--warning" in confirm.text and f'action="{confirm_url}"' in confirm.text
    assert f'href="/exhibitor/applications/{application_id}" data-testid="cancel"' in confirm.text
    assert portal.applications[0]["status"] == "approved"  # asking changes nothing
    answer = post(exhibitor, confirm_url, {"idempotency_key": "w-1"}, confirm_url)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/exhibitor/applications/{application_id}?withdrawn=1"
    assert portal.applications[0]["status"] == "withdrawn"
    done = exhibitor.get(answer.headers["location"])
    assert 'data-testid="withdrawn"' in done.text and 'data-testid="withdraw"' not in done.text
    # withdrawn already: the confirmation is not offered again
    assert exhibitor.get(confirm_url, follow_redirects=False).status_code == 303


def test_plan_geometry_and_qr() -> None:
    plan = plan_of(Portal().floorplan(), {BOOTH_B})
    assert (plan.width, plan.height) == (168, 96)  # 24 units a metre, half a metre around
    a01 = next(b for b in plan.booths if b.code == "A01")
    assert (a01.x, a01.y, a01.w, a01.h) == (12, 12, 72, 72)
    assert [b.code for b in plan.free] == ["A01"]
    assert next(b for b in plan.booths if b.code == "A02").mine
    assert qr_svg(VIETQR).startswith(b"<svg")


# --- sales -------------------------------------------------------------------------------------


def test_sales_by_day_product_and_producer_with_tills_from_the_sales(
    exhibitor: TestClient, portal: Portal
) -> None:
    approved(portal)
    portal.sales = [
        {
            "sale_id": "s1",
            "fair_id": FAIR_ID,
            "terminal_id": "7e000000-0000-4000-8000-000000000001",
            "booth_id": BOOTH_A,
            "exhibitor_id": portal.organization_id,
            "receipt_no": 1,
            "device_time": "2026-04-25T03:00:00+00:00",
            "total_vnd": 240000,
            "payments": {"cash": 240000},
            "offline": False,
            "recorded_at": "2026-04-25T03:00:01+00:00",
        }
    ]
    portal.holds.append(BOOTH_A)
    portal.tills = [
        {"terminal_id": "7e000000-0000-4000-8000-000000000002", "fair_id": FAIR_ID,
         "booth_id": BOOTH_A, "booth_code": "A01", "exhibitor_id": portal.organization_id,
         "label": "Quầy mới", "status": "active", "session_open": False,
         "enrolled_at": "2026-04-24T01:00:00+00:00", "last_online_at": None},
    ]  # fmt: skip
    page = exhibitor.get("/exhibitor/sales")
    assert page.status_code == 200
    assert "Quầy mới" in page.text  # a till with no sale yet, from my-terminals
    by_day = page.text[page.text.index('data-testid="by-day"') :]
    assert by_day.index("24/04/2026") < by_day.index("25/04/2026")
    assert "Chè Đường Hoa túi 200 g" in page.text and "HTX Mật ong Ba Chẽ" in page.text
    assert "1.200.000" in page.text  # the total
    assert 'data-testid="tills"' in page.text and "240.000" in page.text and "A01" in page.text


def test_a_delegation_sees_each_members_share(web: TestClient, portal: Portal) -> None:
    portal.kind = "delegation"
    web.cookies.set("ocop_session", TOKEN)
    portal.applications.append({**_application(), "status": "approved"})
    page = web.get(f"/exhibitor/sales?fair_id={FAIR_ID}")
    assert "Phần của từng thành viên" in page.text and "50 %" in page.text


def _application() -> dict[str, object]:
    return {
        "application_id": "a0000000-0000-4000-8000-000000000001",
        "fair_id": FAIR_ID,
        "status": "approved",
        "submitted_at": "2026-03-27T03:00:00+00:00",
    }


def test_other_roles_are_refused_the_portal(web: TestClient, portal: Portal) -> None:
    portal.kind = "organizer"
    web.cookies.set("ocop_session", TOKEN)
    for path in ("/exhibitor", "/exhibitor/products", "/exhibitor/fairs", "/exhibitor/sales"):
        assert web.get(path).status_code == 403
    assert not [c for c in portal.calls if c.url.path in ("/products", "/applications")]


# --- a ranked fair: booth choices --------------------------------------------------------------


def test_a_ranked_fair_takes_choices_through_a_check_page(
    exhibitor: TestClient, portal: Portal
) -> None:
    portal.ranked = True
    portal.more_booths = True
    approved(portal)
    application = exhibitor.get(
        f"/exhibitor/applications/{portal.applications[0]['application_id']}"
    )
    assert (
        f"/exhibitor/fairs/{FAIR_ID}/choices" in application.text and "Xếp hạng" in application.text
    )
    plan = exhibitor.get(f"/exhibitor/fairs/{FAIR_ID}/booths", follow_redirects=False)
    assert plan.status_code == 303 and plan.headers["location"].endswith("/choices")
    page = exhibitor.get(f"/exhibitor/fairs/{FAIR_ID}/choices")
    assert page.status_code == 200 and "<svg" in page.text
    assert 'name="choice_1"' in page.text and 'name="choice_2"' in page.text
    assert f'value="{BOOTH_B}"' not in page.text  # taken: not a choice
    twice = post(
        exhibitor,
        f"/exhibitor/fairs/{FAIR_ID}/choices",
        {"choice_1": BOOTH_C, "choice_2": BOOTH_C},
    )
    assert twice.status_code == 422 and 'id="choice_2-error"' in twice.text
    assert "Bạn đã chọn gian hàng này rồi" in summary_of(twice.text)
    check = post(
        exhibitor,
        f"/exhibitor/fairs/{FAIR_ID}/choices",
        {"choice_1": BOOTH_C, "choice_2": BOOTH_A},
    )
    assert check.status_code == 200 and 'data-testid="check-choices"' in check.text
    assert check.text.index("A03") < check.text.index("A01")
    assert "Thay đổi" in check.text and "choice_1=" in check.text
    assert not portal.choices  # nothing sent before the check page is confirmed
    sent = exhibitor.post(
        f"/exhibitor/fairs/{FAIR_ID}/choices/confirm",
        data={
            "choice_1": BOOTH_C,
            "choice_2": BOOTH_A,
            "idempotency_key": "k1",
            "csrf_token": csrf_of(check.text),
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303 and portal.choices == [BOOTH_C, BOOTH_A]
    saved = exhibitor.get(sent.headers["location"])
    assert 'data-testid="current-choices"' in saved.text and "Lựa chọn 1" in saved.text


def test_a_choice_booths_refuses_is_named_on_its_field(
    exhibitor: TestClient, portal: Portal
) -> None:
    portal.ranked = True
    portal.more_booths = True
    approved(portal)
    portal.choice_refused = {
        "detail": "booth A03 was taken",
        "code": "booth_taken",
        "field": "booth_ids.1",
    }
    page = exhibitor.get(f"/exhibitor/fairs/{FAIR_ID}/choices")
    answer = exhibitor.post(
        f"/exhibitor/fairs/{FAIR_ID}/choices/confirm",
        data={"choice_1": BOOTH_A, "choice_2": BOOTH_C, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 422 and 'id="choice_2-error"' in answer.text
    assert "Đơn vị khác vừa giữ gian hàng này" in answer.text
    assert not portal.choices


def test_holding_in_a_ranked_fair_is_refused_in_words(
    exhibitor: TestClient, portal: Portal
) -> None:
    portal.ranked = True
    approved(portal)
    booth_page = f"/exhibitor/fairs/{FAIR_ID}/booths/{BOOTH_A}"
    answer = post(exhibitor, f"/exhibitor/fairs/{FAIR_ID}/holds", {"booth_id": BOOTH_A}, booth_page)
    assert answer.status_code == 422
    assert "không giữ gian hàng trên sơ đồ" in answer.text
