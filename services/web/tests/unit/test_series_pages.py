"""Fair series against fake registration and sales (issue 15): naming a series, putting a fair
in one (or none) from the fair's page, each form's errors in Vietnamese; the comparison
year by year with registration's figures and sales' revenue of each fair (a fair sales
knows no sale of: "—", never 0), by named product group and province, and the bar charts
drawn as accessible SVG without script or inline style."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from .conftest import csrf_of
from .test_trade_pages import error_on
from .trade_fakes import TradeFakes, org, trade_fakes

__all__ = ["org", "trade_fakes"]  # fixtures

S1 = "5e71e2a0-4b2c-4f7e-9f00-000000000001"


def test_a_series_is_named_once_and_an_empty_name_is_refused(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    page = org.get("/organizer/series")
    assert page.status_code == 200 and "Bạn chưa có chuỗi hội chợ nào." in page.text
    series_id = re.search(r'name="series_id" value="([^"]+)"', page.text)
    assert series_id
    empty = org.post("/organizer/series", data={"csrf_token": csrf_of(page.text),
                                               "series_id": series_id.group(1), "series_name": " "})  # fmt: skip
    assert empty.status_code == 422
    assert error_on(empty.text, "series_name") == "Nhập tên chuỗi hội chợ"
    assert trade_fakes.posted == []
    data = {"csrf_token": csrf_of(page.text), "series_id": series_id.group(1),
            "series_name": "Hội chợ OCOP Xuân Quảng Ninh"}  # fmt: skip
    for _ in range(2):
        made = org.post("/organizer/series", data=data, follow_redirects=False)
        assert made.status_code == 303
    assert list(trade_fakes.series) == [series_id.group(1)]
    listed = org.get("/organizer/series?notice=created")
    assert "Hội chợ OCOP Xuân Quảng Ninh" in listed.text and "Đã tạo chuỗi hội chợ." in listed.text
    assert 'href="/organizer/series"' in listed.text  # in the console's menu


def test_a_fair_is_put_in_a_series_and_taken_out(org: TestClient, trade_fakes: TradeFakes) -> None:
    trade_fakes.series[S1] = {"series_id": S1, "name": "Hội chợ OCOP Hè", "organizer_id": "x"}
    url = f"/organizer/fairs/{trade_fakes.fair_id}/series"
    page = org.get(url)
    assert page.status_code == 200 and "Hội chợ này không thuộc chuỗi nào." in page.text
    none = org.post(url, data={"csrf_token": csrf_of(page.text)})
    assert none.status_code == 422
    assert error_on(none.text, "series_id") == "Chọn một chuỗi, hoặc “Không thuộc chuỗi nào”"
    gone = org.post(url, data={"csrf_token": csrf_of(page.text), "series_id": "not-mine"})
    assert gone.status_code == 422
    assert error_on(gone.text, "series_id") == "Chọn một chuỗi hội chợ của bạn"
    put = org.post(url, data={"csrf_token": csrf_of(page.text), "series_id": S1},
                   follow_redirects=False)  # fmt: skip
    assert put.status_code == 303 and trade_fakes.placed == {trade_fakes.fair_id: S1}
    again = org.get(f"{url}?notice=placed")
    assert "Hội chợ này thuộc chuỗi" in again.text and "Đã lưu chuỗi hội chợ" in again.text
    out = org.post(url, data={"csrf_token": csrf_of(page.text), "series_id": "none"},
                   follow_redirects=False)  # fmt: skip
    assert out.status_code == 303 and trade_fakes.placed == {}
    assert trade_fakes.posted[-1] == (f"/fairs/{trade_fakes.fair_id}/series", {"series_id": None})


def test_the_comparison_puts_sales_revenue_beside_registrations_figures(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    last = trade_fakes.last_year()
    trade_fakes.series[S1] = {"series_id": S1, "name": "Hội chợ OCOP Hè", "organizer_id": "x"}
    trade_fakes.placed = {last["fair_id"]: S1, trade_fakes.fair_id: S1}
    trade_fakes.sell(250_000, group=1)
    trade_fakes.sell(150_000, group=4)
    page = org.get(f"/organizer/series/{S1}")
    assert page.status_code == 200, page.text
    years = re.search(r'data-testid="series-years".*?</table>', page.text, re.S)
    assert years
    rows = dict(re.findall(r'<tr data-year="(\d+)">(.*?)</tr>', years.group(0), re.S))
    assert list(rows) == ["2025", "2026"]
    assert re.search(r"data-revenue>\s*—", rows["2025"])  # sales knows no sale there
    assert "400.000\u00a0₫" in rows["2026"]
    groups = re.search(r'data-testid="series-by-group".*?</table>', page.text, re.S)
    assert groups and "Thực phẩm" in groups.group(0) and "Hàng thủ công mỹ nghệ" in groups.group(0)
    assert "250.000\u00a0₫" in groups.group(0)
    chart = re.search(r'<svg class="ocop-chart".*?</svg>', page.text, re.S)
    assert chart and 'role="img"' in chart.group(0) and "<title" in chart.group(0)
    assert "2026: 400.000\u00a0₫" in chart.group(0)  # the description says every figure
    assert "style=" not in page.text and "<script>" not in page.text
    bars = re.findall(r'class="ocop-chart__bar"[^>]*width="(\d+)"', chart.group(0))
    assert bars[0] == "0" and int(bars[1]) > 0  # no revenue known for 2025: no bar


def test_another_organizations_series_is_not_found(org: TestClient) -> None:
    assert org.get(f"/organizer/series/{S1}").status_code == 404
