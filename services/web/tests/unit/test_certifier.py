"""A certifying council's pages against a fake registration: finding its province's holders
and products without diacritics, issuing a certificate (check your answers with the 36
months; a 5★ refused on the star field, in Vietnamese), revoking by one decision (check your
answers listing every number; the all-or-nothing refusal named per number), importing the
register (the report row by row in Vietnamese, then the valid rows only)."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from .authority_fakes import QN_HOLDER, Registration, client, post, registration, sign_in

__all__ = ["client", "registration"]  # fixtures


def certifier(client: TestClient) -> TestClient:
    return sign_in(client)


def test_a_council_lands_on_its_certificates_and_finds_its_province_holders_without_accents(
    client: TestClient, registration: Registration
) -> None:
    c = certifier(client)
    home = c.get("/", follow_redirects=False)
    assert home.headers["location"] == "/certifier"
    page = c.get("/certifier", params={"q": "che"})
    assert page.status_code == 200
    assert "Hợp tác xã Chè Đường Hoa" in page.text
    assert "Hợp tác xã Chè Cát Hải" not in page.text  # Hải Phòng: not its jurisdiction
    assert "QN-2025-0001" in page.text and "Trà hoa vàng" in page.text
    assert 'name="numbers" type="checkbox" value="QN-2025-0001"' in page.text
    assert "Hội đồng quyết định 3★ và 4★" in page.text or "3★" in page.text
    products = [c for c in registration.calls if c.url.path == "/products"]
    assert any(QN_HOLDER in str(p.url) for p in products)


def test_the_central_council_sees_every_province(
    client: TestClient, registration: Registration
) -> None:
    registration.acting = "central"
    page = certifier(client).get("/certifier", params={"q": "che"})
    assert "Hợp tác xã Chè Cát Hải" in page.text and "Hợp tác xã Chè Đường Hoa" in page.text


def test_issuing_shows_the_validity_then_issues_once(
    client: TestClient, registration: Registration
) -> None:
    c = certifier(client)
    tea = registration.products[2]
    form = c.get(f"/certifier/products/{tea['product_id']}/certificate")
    assert form.status_code == 200 and "Hội đồng OCOP tỉnh Quảng Ninh" in form.text
    answers = {
        "number": "QN-2026-0100",
        "star": "4",
        "issuing_body": "UBND tỉnh Quảng Ninh",
        "decision_number": "1234/QĐ-UBND",
        "decision_date": "27/03/2026",
        "valid_from": "01/04/2026",
    }
    check = post(c, f"/certifier/products/{tea['product_id']}/certificate/check", answers)
    assert check.status_code == 200
    assert "31/03/2029" in check.text and "36" in check.text
    assert "Thay đổi" in check.text
    assert not registration.sent("POST", f"/products/{tea['product_id']}/certificates")
    key = re.search(r'name="request_key" value="([^"]+)"', check.text)
    assert key
    done = post(
        c,
        f"/certifier/products/{tea['product_id']}/certificate",
        {**answers, "request_key": key.group(1)},
    )
    assert done.status_code == 303
    sent = registration.sent("POST", f"/products/{tea['product_id']}/certificates")
    assert len(sent) == 1
    assert sent[0].headers["idempotency-key"] == key.group(1)
    assert json.loads(sent[0].content) == {
        "number": "QN-2026-0100",
        "star": 4,
        "issuing_level": "province",
        "issuing_body": "UBND tỉnh Quảng Ninh",
        "decision_number": "1234/QĐ-UBND",
        "decision_date": "2026-03-27",
        "valid_from": "2026-04-01",
    }
    shown = c.get(done.headers["location"])
    assert "Giấy chứng nhận đã được cấp" in shown.text and "QN-2026-0100" in shown.text


def test_a_star_beyond_the_councils_level_is_refused_on_the_star_field_in_vietnamese(
    client: TestClient, registration: Registration
) -> None:
    c = certifier(client)
    tea = registration.products[2]
    answer = post(
        c,
        f"/certifier/products/{tea['product_id']}/certificate",
        {
            "number": "QN-2026-0101",
            "star": "5",
            "issuing_body": "UBND tỉnh Quảng Ninh",
            "decision_number": "1235/QĐ-UBND",
            "decision_date": "27/03/2026",
            "valid_from": "01/04/2026",
        },
    )
    assert answer.status_code == 422
    error = re.search(r'<p id="star-error" class="ocop-error-message">(.*?)</p>', answer.text, re.S)
    assert error and "Hội đồng OCOP Trung ương" in error.group(1)
    assert 'href="#star"' in answer.text
    assert tea["certificate"] is None


def test_bad_answers_are_named_on_their_fields_and_nothing_is_sent(
    client: TestClient, registration: Registration
) -> None:
    c = certifier(client)
    tea = registration.products[2]
    answer = post(
        c,
        f"/certifier/products/{tea['product_id']}/certificate/check",
        {"number": "QN-1", "star": "4", "issuing_body": "UBND", "decision_date": "31/02/2026"},
    )
    assert answer.status_code == 422
    assert 'id="decision_number-error"' in answer.text and "Nhập số quyết định" in answer.text
    assert 'id="decision_date-error"' in answer.text and 'id="valid_from-error"' in answer.text
    assert not [c for c in registration.calls if c.url.path.endswith("/certificates")]


def test_revoking_by_one_decision_lists_every_certificate_before_confirming(
    client: TestClient, registration: Registration
) -> None:
    c = certifier(client)
    form = c.get("/certifier/revocations?numbers=QN-2025-0001&numbers=QN-2025-0002")
    assert "QN-2025-0001\nQN-2025-0002" in form.text
    answers = {
        "certificate_numbers": "QN-2025-0001, QN-2025-0002",
        "reason": "Không còn đáp ứng tiêu chuẩn sau kiểm tra",
        "decision_number": "567/QĐ-UBND",
    }
    check = post(c, "/certifier/revocations/check", answers)
    assert check.status_code == 200
    listed = re.search(r'data-testid="check-numbers">(.*?)</ul>', check.text, re.S)
    assert listed and listed.group(1).count("<li>") == 2
    assert check.text.count("Thay đổi") == 3
    assert not registration.sent("POST", "/certificates/revocations")
    done = post(c, "/certifier/revocations", answers)
    assert done.status_code == 303
    sent = json.loads(registration.sent("POST", "/certificates/revocations")[0].content)
    assert sent == {
        "decision_number": "567/QĐ-UBND",
        "reason": "Không còn đáp ứng tiêu chuẩn sau kiểm tra",
        "certificate_numbers": ["QN-2025-0001", "QN-2025-0002"],
    }
    shown = c.get(done.headers["location"])
    assert "567/QĐ-UBND" in shown.text and "QN-2025-0002" in shown.text


def test_the_all_or_nothing_refusal_is_named_per_number_in_vietnamese(
    client: TestClient, registration: Registration
) -> None:
    c = certifier(client)
    answer = post(
        c,
        "/certifier/revocations",
        {
            "certificate_numbers": "QN-2025-0001\nHP-2025-0007\nQN-9999",
            "reason": "Vi phạm",
            "decision_number": "568/QĐ-UBND",
        },
    )
    assert answer.status_code == 422
    refused = re.search(r'data-testid="refused-numbers">(.*?)</div>', answer.text, re.S)
    assert refused
    assert "HP-2025-0007" in refused.group(1) and "QN-9999" in refused.group(1)
    assert "QN-2025-0001" not in refused.group(1)
    assert "Không tìm thấy trong các giấy chứng nhận thuộc thẩm quyền" in refused.group(1)
    assert 'id="certificate_numbers-error"' in answer.text
    assert registration.products[0]["certificate"]["status"] == "valid"  # nothing revoked


def test_an_empty_revocation_names_each_field(
    client: TestClient, registration: Registration
) -> None:
    answer = post(certifier(client), "/certifier/revocations/check", {"certificate_numbers": " "})
    assert answer.status_code == 422
    for name in ("certificate_numbers", "reason", "decision_number"):
        assert f'id="{name}-error"' in answer.text
    assert "Nhập lý do thu hồi" in answer.text


REPORT = {
    "rows": 3,
    "imported": 0,
    "rejected": 1,
    "applied": False,
    "errors": [
        {
            "line": 3,
            "errors": [
                {"field": "star", "message": "5★ is decided by the central OCOP council, not a province's"},
                {"field": "decision_date", "message": "not a date (YYYY-MM-DD or DD/MM/YYYY): '31/13/2025'"},
                {"field": "tax_code", "message": "a brand new reason"},
            ],
        }
    ],
}  # fmt: skip


def test_the_import_report_is_shown_row_by_row_then_the_valid_rows_are_imported(
    client: TestClient, registration: Registration
) -> None:
    def report(valid_rows_only: bool) -> object:
        import httpx

        if valid_rows_only:
            return httpx.Response(200, json={**REPORT, "imported": 2, "applied": True})
        return httpx.Response(200, json=REPORT)

    registration.import_report = report  # type: ignore[assignment]
    c = certifier(client)
    assert c.get("/certifier/import").status_code == 200
    content = b"holder_name,...\n" * 3
    first = post(
        c, "/certifier/import", {}, files={"file": ("so-dang-ky.csv", content, "text/csv")}
    )
    assert first.status_code == 200
    rows = re.search(r'data-testid="row-errors">(.*?)</table>', first.text, re.S)
    assert rows
    assert "Hạng sao" in rows.group(1) and "Hội đồng OCOP Trung ương" in rows.group(1)
    assert "dd/mm/yyyy" in rows.group(1)
    assert 'lang="en">(a brand new reason)' in rows.group(1)  # unknown: its own words beside
    assert "Chưa có gì được nhập" in first.text
    carried = re.search(r'name="carried" value="([^"]+)"', first.text)
    assert carried
    second = post(
        c,
        "/certifier/import",
        {"carried": carried.group(1), "filename": "so-dang-ky.csv", "valid_rows_only": "1"},
    )
    assert second.status_code == 200 and 'data-testid="import-applied"' in second.text
    sent = registration.sent("POST", "/imports/register")
    assert len(sent) == 2
    assert b'name="valid_rows_only"\r\n\r\nfalse' in sent[0].content
    assert b'name="valid_rows_only"\r\n\r\ntrue' in sent[1].content
    assert content in sent[1].content


def test_a_file_registration_cannot_read_is_named_on_the_file_field(
    client: TestClient, registration: Registration
) -> None:
    import httpx

    registration.import_report = lambda _only: httpx.Response(
        422,
        json={
            "detail": [
                {
                    "type": "value_error",
                    "loc": ["body", "file"],
                    "msg": "missing columns: star, unit",
                }
            ]
        },
    )
    c = certifier(client)
    answer = post(c, "/certifier/import", {}, files={"file": ("x.csv", b"a,b\n", "text/csv")})
    assert answer.status_code == 422
    assert 'id="file-error"' in answer.text and "star, unit" in answer.text
    no_file = post(c, "/certifier/import", {})
    assert no_file.status_code == 422 and "Chọn tệp sổ đăng ký" in no_file.text


def test_other_roles_cannot_open_the_certifier_pages(
    client: TestClient, registration: Registration
) -> None:
    registration.acting = "organizer"
    c = sign_in(client)
    assert c.get("/certifier").status_code == 403
    assert c.get("/certifier/import").status_code == 403
