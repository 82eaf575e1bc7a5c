"""The organizer's money pages against fake services: each exhibitor's fee statement with
its subsidy, a payment recorded by hand (bad input shown on its field in Vietnamese and
nothing recorded), a bank statement imported with its match report."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from .conftest import csrf_of
from .money_tills_fakes import CHE, NAM, Fakes, fakes, organizer3

__all__ = ["fakes", "organizer3"]  # fixtures


def test_the_fee_statements_of_every_exhibitor_with_the_subsidy(
    organizer3: TestClient, fakes: Fakes
) -> None:
    page = organizer3.get(f"/organizer/fairs/{fakes.fair_id}/money")
    assert page.status_code == 200, page.text
    assert '<h1 class="ocop-heading-l">Phí gian hàng và thanh toán</h1>' in page.text
    table = re.search(r'data-testid="statements".*?</table>', page.text, re.S)
    assert table
    rows = re.findall(r"<tr data-exhibitor=\"([^\"]+)\">(.*?)</tr>", table.group(0), re.S)
    assert [r[0] for r in rows] == [NAM, CHE]  # by name
    che = dict(rows)[CHE]
    assert "Hợp tác xã Chè Đường Hoa" in che and "A-01" in che
    assert "2.000.000\u00a0₫" in che  # subsidy and due
    assert 'data-payment="unpaid"' in che and "Chưa thanh toán" in che
    nam = dict(rows)[NAM]
    assert 'data-payment="paid"' in nam and "Đã nộp" in nam
    totals = re.search(r'data-testid="money-totals".*?</dl>', page.text, re.S)
    assert totals and "4.000.000\u00a0₫" in totals.group(0)  # due after subsidy, both
    # the area's links: tills and live sales
    assert f"/organizer/fairs/{fakes.fair_id}/tills" in page.text
    assert f"/organizer/fairs/{fakes.fair_id}/live" in page.text


def test_a_payment_recorded_by_hand_confirms_the_booth(
    organizer3: TestClient, fakes: Fakes
) -> None:
    url = f"/organizer/fairs/{fakes.fair_id}/money/exhibitors/{CHE}"
    page = organizer3.get(url)
    assert page.status_code == 200
    assert (
        "Bảng kê phí gian hàng" in page.text and "− 2.000.000\u00a0₫" in page.text
    )  # the subsidy line
    form = {
        "csrf_token": csrf_of(page.text),
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1),  # type: ignore[union-attr]
        "amount": "2.000.000",
        "payment_reference": "FT26241 chuyển khoản VCB",
    }
    done = organizer3.post(f"{url}/payments", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert fakes.writes()[-1][2] == {
        "exhibitor_id": CHE,
        "amount_vnd": 2_000_000,
        "reference": "FT26241 chuyển khoản VCB",
    }
    after = organizer3.get(done.headers["location"])
    assert "Đã ghi nhận khoản thanh toán" in after.text
    assert 'data-booth-state="confirmed"' in after.text
    assert re.search(r'data-testid="balance">0\u00a0₫<', after.text)


def test_bad_amounts_are_shown_on_their_field_in_vietnamese_and_nothing_is_recorded(
    organizer3: TestClient, fakes: Fakes
) -> None:
    url = f"/organizer/fairs/{fakes.fair_id}/money/exhibitors/{CHE}"
    token = csrf_of(organizer3.get(url).text)
    for amount, words in (
        ("", "Nhập số tiền đã nhận"),
        ("hai triệu", "Nhập số tiền bằng đồng, là số nguyên, ví dụ 4.000.000"),
        ("0", "Số tiền phải lớn hơn 0 đồng"),
    ):
        answer = organizer3.post(
            f"{url}/payments",
            data={"csrf_token": token, "amount": amount, "payment_reference": ""},
        )
        assert answer.status_code == 422
        assert '<p id="amount-error" class="ocop-error-message">' in answer.text
        assert words in answer.text
        assert 'href="#amount"' in answer.text and 'href="#payment_reference"' in answer.text
        assert "Nhập mã tham chiếu của khoản thanh toán" in answer.text
    assert fakes.writes() == []
    # booths' own refusal, on its field
    twice = organizer3.post(
        f"{url}/payments",
        data={"csrf_token": token, "amount": "100.000", "payment_reference": "FT-TWICE"},
    )
    assert twice.status_code == 422
    assert 'id="payment_reference-error"' in twice.text
    assert "Khoản thanh toán này (cùng mã tham chiếu và số tiền) đã được ghi nhận" in twice.text


def test_a_bank_statement_and_its_match_report(organizer3: TestClient, fakes: Fakes) -> None:
    url = f"/organizer/fairs/{fakes.fair_id}/money/bank-statement"
    page = organizer3.get(url)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    csv = b"amount_vnd,description,transaction_id\r\n2000000,OCOP CK,FT1\r\n"
    report = organizer3.post(
        url,
        data={"csrf_token": csrf_of(page.text)},
        files={"statement_file": ("sao-ke.csv", csv, "text/csv")},
    )
    assert report.status_code == 200, report.text
    assert fakes.uploads and csv in fakes.uploads[0]
    matched = re.search(r'data-testid="matched".*?</table>', report.text, re.S)
    assert matched and "Hợp tác xã Chè Đường Hoa" in matched.group(0) and "A-01" in matched.group(0)
    unmatched = re.search(r'data-testid="unmatched".*?</table>', report.text, re.S)
    assert (
        unmatched
        and "Không tìm thấy mã tham chiếu thanh toán nào của hội chợ này" in unmatched.group(0)
    )
    assert "Số tiền không phải là số đồng nguyên" in unmatched.group(0)  # its words alone
    duplicates = re.search(r'data-testid="duplicates".*?</table>', report.text, re.S)
    assert duplicates and "giao dịch FT2609" in duplicates.group(0)


def test_a_statement_file_refused_names_its_line_in_vietnamese(
    organizer3: TestClient, fakes: Fakes
) -> None:
    url = f"/organizer/fairs/{fakes.fair_id}/money/bank-statement"
    token = csrf_of(organizer3.get(url).text)
    empty = organizer3.post(url, data={"csrf_token": token})
    assert empty.status_code == 422
    assert 'id="statement_file-error"' in empty.text
    assert "Chọn tệp CSV sao kê ngân hàng" in empty.text
    assert fakes.uploads == []
    import httpx

    fakes.statement_answer = httpx.Response(
        422,
        json={
            "detail": [
                {
                    "type": "value_error",
                    "loc": ["body", "file"],
                    "msg": "line 7 has 1 value(s) where the header has 3 columns (amount_vnd, description, date)",
                }
            ]
        },
    )
    refused = organizer3.post(
        url,
        data={"csrf_token": token},
        files={"statement_file": ("s.csv", b"amount_vnd,description,date\n1\n", "text/csv")},
    )
    assert refused.status_code == 422
    assert 'id="statement_file-error"' in refused.text
    assert "Dòng 7 có ít giá trị hơn số cột của dòng đầu tiên" in refused.text
    assert 'href="#statement_file"' in refused.text


def test_the_bank_lines_left_unmatched_are_listed_with_their_reason_in_words(
    organizer3: TestClient, fakes: Fakes
) -> None:
    empty = organizer3.get(f"/organizer/fairs/{fakes.fair_id}/money")
    assert 'data-testid="no-unmatched"' in empty.text
    line = {"line": 3, "amount": "4.500.000", "amount_vnd": 4_500_000, "transaction_id": "FT9",
            "booked_at": "05/06/2026", "reason_params": {}, "imported_by": "x",
            "imported_at": "2026-06-05T03:00:00Z"}  # fmt: skip
    fakes.unmatched[fakes.fair_id] = [
        {**line, "description": "CK gian hang", "reason": "no payment reference of this fair",
         "reason_code": "no_payment_reference"},
        {**line, "line": 4, "amount": "12,5", "amount_vnd": None, "description": "ung ho",
         "reason": "amount is not a whole number", "reason_code": "amount_not_whole",
         "imported_at": "2026-06-06T03:00:00Z"},
    ]  # fmt: skip
    page = organizer3.get(f"/organizer/fairs/{fakes.fair_id}/money")
    table = re.search(r'data-testid="unmatched-lines".*?</table>', page.text, re.S)
    assert table
    rows = re.findall(r"<tr>.*?</tr>", table.group(0).split("<tbody>")[1], re.S)
    assert "ung ho" in rows[0] and "12,5" in rows[0]  # the latest imported first
    assert "Số tiền không phải là số đồng nguyên" in rows[0]
    assert "CK gian hang" in rows[1] and "4.500.000\u00a0₫" in rows[1]
    assert "Không tìm thấy mã tham chiếu thanh toán nào của hội chợ này" in rows[1]
    assert "no payment reference" not in table.group(0)  # booths' English never shown
