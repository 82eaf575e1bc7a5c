"""The exhibitor's receiving bank account on its organization page (issue 13), against a fake
registration: shown to its people, set by an owner through a form (the bank from GET /banks,
the number without spaces, the holder's name upper case without diacritics), refusals on
their fields in Vietnamese, staff sent away, nothing sent when a field is empty."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from ocop_web.pages.exhibitor_org import account_holder_name, account_number

from .exhibitor_fakes import Portal, exhibitor, web
from .test_exhibitor_portal import post, summary_of

__all__ = ["exhibitor", "web"]  # fixtures

BANKS = [
    {"bin": "970436", "short_name": "Vietcombank", "name": "Ngân hàng TMCP Ngoại Thương Việt Nam"},
    {"bin": "970418", "short_name": "BIDV", "name": "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam"},
]
PAGE = "/exhibitor/organization/bank"


class BankPortal(Portal):
    """The portal's registration, with the bank account's routes as registration answers."""

    bank: dict[str, Any] | None = None
    patches: list[dict[str, Any]]
    org_role: str = "owner"

    def membership(self) -> dict[str, Any]:
        return {**super().membership(), "org_role": self.org_role}

    def registration(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        if (method, path) == ("GET", "/banks"):
            return httpx.Response(200, json=BANKS)
        if path == f"/exhibitors/{self.organization_id}" and self.authorized(request):
            if method == "GET":
                record = {"exhibitor_id": self.organization_id, "member_ids": []}
                return httpx.Response(200, json={**record, **(self.bank or {})})
            if method == "PATCH":
                return self.patch(json.loads(request.content))
        return super().registration(request)

    def patch(self, body: dict[str, Any]) -> httpx.Response:
        self.patches.append(body)
        if self.org_role != "owner":
            return httpx.Response(
                403,
                json={"detail": "only an owner", "code": "forbidden", "field": "bank_bin"},
            )
        if body["bank_bin"] not in {b["bin"] for b in BANKS}:
            return _invalid("unknown_bank", "bank_bin")
        if not 6 <= len(body["bank_account"]) <= 19 or not body["bank_account"].isalnum():
            return _invalid("value_error", "bank_account")
        self.bank = body
        return httpx.Response(200, json={"exhibitor_id": self.organization_id, **body})


def _invalid(code: str, field: str) -> httpx.Response:
    detail = [{"type": code, "loc": ["body", field], "msg": "refused"}]
    return httpx.Response(422, json={"detail": detail})


@pytest.fixture
def portal() -> BankPortal:
    made = BankPortal()
    made.patches = []
    return made


def test_the_name_is_written_as_banks_print_it() -> None:
    assert account_holder_name("  Nguyễn Văn  Đức ") == "NGUYEN VAN DUC"
    assert account_holder_name("Hợp tác xã Chè Đường Hoa") == "HOP TAC XA CHE DUONG HOA"
    assert account_number(" 0011 0012-345.67 ") == "0011001234567"
    assert account_number("vcb123456") == "VCB123456"


def test_no_account_yet_is_said_and_an_owner_is_offered_the_form(
    exhibitor: TestClient, portal: BankPortal
) -> None:
    page = exhibitor.get("/exhibitor/organization")
    assert page.status_code == 200
    assert "Tài khoản nhận tiền" in page.text and "Chưa có tài khoản nhận tiền" in page.text
    assert 'href="/exhibitor/organization/bank"' in page.text
    form = exhibitor.get(PAGE)
    assert form.status_code == 200
    assert '<option value="970436">Vietcombank – Ngân hàng TMCP Ngoại Thương Việt Nam</option>' in (
        form.text
    )
    assert "chữ in hoa không dấu" in form.text  # the hint says why


def test_an_owner_saves_the_account_and_sees_it(exhibitor: TestClient, portal: BankPortal) -> None:
    answer = post(
        exhibitor,
        PAGE,
        {
            "bank_bin": "970436",
            "bank_account": "0011 0012 34567",
            "bank_account_name": "Hợp tác xã Chè Đường Hoa",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/exhibitor/organization?notice=bank_saved")
    assert portal.patches == [
        {
            "bank_bin": "970436",
            "bank_account": "0011001234567",
            "bank_account_name": "HOP TAC XA CHE DUONG HOA",
        }
    ]
    page = exhibitor.get(answer.headers["location"])
    assert "Đã lưu tài khoản nhận tiền của bạn." in page.text
    assert 'data-testid="bank-account"' in page.text
    assert "Vietcombank" in page.text and "0011001234567" in page.text
    assert "HOP TAC XA CHE DUONG HOA" in page.text
    assert "Thay đổi tài khoản nhận tiền" in page.text
    again = exhibitor.get(PAGE)  # the form shows what is saved
    assert (
        'value="0011001234567"' in again.text and '<option value="970436" selected>' in again.text
    )


def test_empty_fields_are_named_and_nothing_is_sent(
    exhibitor: TestClient, portal: BankPortal
) -> None:
    answer = post(exhibitor, PAGE, {"bank_bin": "", "bank_account": "", "bank_account_name": ""})
    assert answer.status_code == 422
    summary = summary_of(answer.text)
    for message, field in (
        ("Chọn ngân hàng", "bank_bin"),
        ("Nhập số tài khoản", "bank_account"),
        ("Nhập tên chủ tài khoản", "bank_account_name"),
    ):
        assert f'href="#{field}">{message}' in summary
        assert f'id="{field}-error"' in answer.text
    assert portal.patches == []


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"bank_bin": "999999"}, "bank_bin", "Chọn ngân hàng trong danh sách"),
        ({"bank_account": "12 34"}, "bank_account", "Nhập số tài khoản như ngân hàng cấp"),
    ],
)
def test_a_refusal_is_shown_on_its_field_in_vietnamese(
    exhibitor: TestClient, portal: BankPortal, typed: dict[str, str], field: str, message: str
) -> None:
    values = {
        "bank_bin": "970418",
        "bank_account": "12345678",
        "bank_account_name": "Nguyễn Văn An",
        **typed,
    }
    answer = post(exhibitor, PAGE, values)
    assert answer.status_code == 422
    assert f'href="#{field}">{message}' in summary_of(answer.text)
    assert f'id="{field}-error"' in answer.text
    assert 'value="Nguyễn Văn An"' in answer.text  # what was typed is kept
    assert portal.bank is None


def test_staff_see_the_account_but_cannot_change_it(
    exhibitor: TestClient, portal: BankPortal
) -> None:
    portal.org_role = "staff"
    portal.bank = {
        "bank_bin": "970418",
        "bank_account": "12345678",
        "bank_account_name": "NGUYEN VAN AN",
    }
    page = exhibitor.get("/exhibitor/organization")
    assert "BIDV" in page.text and "12345678" in page.text
    assert 'href="/exhibitor/organization/bank"' not in page.text
    assert "Chỉ chủ tài khoản tổ chức" in page.text
    assert exhibitor.get(PAGE).status_code == 403
    values = {"bank_bin": "970436", "bank_account": "0011001234567", "bank_account_name": "A B"}
    refused = post(exhibitor, PAGE, values, page="/exhibitor/organization")
    assert refused.status_code == 403
    assert portal.patches == []
