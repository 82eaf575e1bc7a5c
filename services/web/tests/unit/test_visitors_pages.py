"""The organizer's visitors page against a fake registration (issue 15): visitors per day and
the total; adding a count (an increment, a correction with a negative number), each wrong
answer named on its field in Vietnamese before any call, registration's refusals (a day
outside the fair, a day below zero) on theirs; sending the form twice counts once."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from .conftest import csrf_of
from .test_trade_pages import error_on
from .trade_fakes import TradeFakes, org, trade_fakes

__all__ = ["org", "trade_fakes"]  # fixtures


def test_visitors_per_day_and_the_total(org: TestClient, trade_fakes: TradeFakes) -> None:
    trade_fakes.counts += [
        {"count_id": "a", "day": "2026-08-29", "increment": 1200, "gate": None},
        {"count_id": "b", "day": "2026-08-29", "increment": 300, "gate": "Cổng chính"},
        {"count_id": "c", "day": "2026-08-30", "increment": 2500, "gate": None},
    ]
    page = org.get(f"/organizer/fairs/{trade_fakes.fair_id}/visitors")
    assert page.status_code == 200, page.text
    days = re.search(r'data-testid="visitor-days".*?</table>', page.text, re.S)
    assert days and "29/08/2026" in days.group(0) and "1.500" in days.group(0)
    total = re.search(r'data-testid="visitors-total">([^<]*)<', page.text)
    assert total and total.group(1) == "4.000"
    assert "Một ngày của hội chợ, từ 29/08/2026 đến 03/09/2026" in page.text


def test_each_wrong_answer_is_named_and_nothing_is_sent(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    url = f"/organizer/fairs/{trade_fakes.fair_id}/visitors"
    token = csrf_of(org.get(url).text)
    empty = org.post(url, data={"csrf_token": token, "day": "", "increment": ""})
    assert empty.status_code == 422
    assert error_on(empty.text, "day") == "Nhập ngày"
    assert error_on(empty.text, "increment") == "Nhập số lượt khách đã đếm"
    words = org.post(url, data={"csrf_token": token, "day": "30/02/2026", "increment": "nhiều"})
    assert error_on(words.text, "increment") == (
        "Nhập số lượt khách là số nguyên, ví dụ 250 hoặc -20"
    )
    assert "day-error" in words.text
    zero = org.post(url, data={"csrf_token": token, "day": "30/08/2026", "increment": "0"})
    assert error_on(zero.text, "increment") == "Nhập một số khác 0"
    assert trade_fakes.posted == []


def test_registrations_refusals_land_on_their_fields(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    url = f"/organizer/fairs/{trade_fakes.fair_id}/visitors"
    token = csrf_of(org.get(url).text)
    outside = org.post(url, data={"csrf_token": token, "day": "15/10/2026", "increment": "50"})
    assert outside.status_code == 422
    assert error_on(outside.text, "day") == "Nhập một ngày trong thời gian hội chợ"
    below = org.post(url, data={"csrf_token": token, "day": "30/08/2026", "increment": "-20"})
    assert below.status_code == 422
    assert error_on(below.text, "increment") == (
        "Số điều chỉnh này làm số lượt khách của ngày đó nhỏ hơn 0"
    )
    assert trade_fakes.counts == []


def test_a_count_and_a_correction_are_added_once_each(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    url = f"/organizer/fairs/{trade_fakes.fair_id}/visitors"
    for increment in ("1.250", "-50"):
        page = org.get(url)
        count_id = re.search(r'name="count_id" value="([^"]+)"', page.text)
        assert count_id
        data = {"csrf_token": csrf_of(page.text), "count_id": count_id.group(1),
                "day": "30/08/2026", "increment": increment, "gate": "Cổng chính"}  # fmt: skip
        for _ in range(2):  # sent twice: counted once
            sent = org.post(url, data=data, follow_redirects=False)
            assert sent.status_code == 303 and sent.headers["location"].endswith("notice=counted")
    assert [c["increment"] for c in trade_fakes.counts] == [1250, -50]
    assert trade_fakes.counts[0]["gate"] == "Cổng chính"
    page = org.get(f"{url}?notice=counted")
    assert "Đã thêm số lượt khách." in page.text
    total = re.search(r'data-testid="visitors-total">([^<]*)<', page.text)
    assert total and total.group(1) == "1.200"


def test_after_a_refusal_the_form_carries_a_new_count_id(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    """A refused count records nothing, so the corrected one is a new count: the same id
    (and idempotency key) with other content would be refused or replay the refusal."""
    url = f"/organizer/fairs/{trade_fakes.fair_id}/visitors"
    page = org.get(url)
    first = re.search(r'name="count_id" value="([^"]+)"', page.text)
    assert first
    below = org.post(url, data={"csrf_token": csrf_of(page.text), "count_id": first.group(1),
                                "day": "30/08/2026", "increment": "-20"})  # fmt: skip
    assert below.status_code == 422
    again = re.search(r'name="count_id" value="([^"]+)"', below.text)
    assert again and again.group(1) != first.group(1)
