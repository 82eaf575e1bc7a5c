"""The organizer's fair report against fake services (issue 15): revenue by named product
group, star, producer and province (sales'), visitors per day, contracts signed and
inspections (registration's), as a page, an XLSX whose figures are the services' figures, and
a PDF carrying the Vietnamese title in an embedded Unicode font; a part a service cannot give
is "—", never 0; another organization's fair is 404."""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from ocop_web.app import build
from ocop_web.settings import WebSettings

from .conftest import PASSWORD, csrf_of
from .money_tills_fakes import Fakes

VISITORS = {"fair_id": "", "fair_name": "", "total": 5230,
            "days": [{"day": "2026-08-28", "visitors": 2100, "counts": 3},
                     {"day": "2026-08-29", "visitors": 3130, "counts": 4}]}  # fmt: skip


def tally(contracts: int, mous: int, value: int) -> dict[str, int]:
    return {"contracts": contracts, "mous": mous, "value_vnd": value, "contract_value_vnd": value}


TRADE = {
    "fair_id": "", "fair_name": "", "meetings": 7,
    "meetings_by_outcome": {"agreed": 3, "follow_up": 3, "no_deal": 1},
    "total": tally(2, 1, 450_000_000),
    "by_exhibitor": [{"exhibitor_id": "e1", "exhibitor_name": "Hợp tác xã Chè Đường Hoa",
                      "province": "Quảng Ninh", **tally(2, 1, 450_000_000)}],
    "by_province": [{"province": "Quảng Ninh", **tally(2, 1, 450_000_000)}],
    "by_group": [{"taxonomy": "2023", "product_group": 1, "product_group_name": "Thực phẩm",
                  **tally(2, 1, 450_000_000)}],
    "by_buyer_country": [],
}  # fmt: skip
INSPECTIONS = {"summary": {"inspections": 4, "passed": 2, "suspensions": 2, "referrals": 1,
                           "suspended_now": []}, "exhibits": [], "inspections": []}  # fmt: skip


class ReportFakes(Fakes):
    def __init__(self) -> None:
        super().__init__()
        self.parts: dict[str, Any] = {
            "visitor-counts": VISITORS,
            "trade-report": TRADE,
            "inspections": INSPECTIONS,
        }
        self.local_goods = 0  # of the net revenue, sold as non-OCOP local goods

    def answer(self, host: str, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.strip("/").split("/")
        if host == "registration" and len(parts) == 3 and parts[0] == "fairs":
            if parts[1] != self.fair_id:
                return httpx.Response(404, json={"detail": "no such fair", "code": "not_found"})
            found = self.parts.get(parts[2])
            if found is None and parts[2] in ("visitor-counts", "trade-report", "inspections"):
                return httpx.Response(404, json={"detail": "Not Found"})
            if found is not None:
                return httpx.Response(200, json=found)
        answered = super().answer(host, request)
        if host == "sales" and request.url.path.endswith("/reports/revenue") and self.local_goods:
            body = answered.json()  # sales splits its totals: OCOP and local goods
            body["total_local_goods_net_vnd"] = self.local_goods
            body["total_ocop_net_vnd"] = body["total_net_vnd"] - self.local_goods
            return httpx.Response(200, json=body)
        return answered


@pytest.fixture
def fakes() -> ReportFakes:
    return ReportFakes()


@pytest.fixture
def organizer(fakes: ReportFakes) -> Iterator[TestClient]:
    app = build(
        WebSettings(env="test", check_assets=False, log_format="console", log_level="WARNING"),
        transports={name: fakes.transport(name) for name in ("registration", "booths", "sales")},
    )
    with TestClient(app, base_url="http://testserver") as client:
        page = client.get("/sign-in")
        signed = client.post(
            "/sign-in",
            data={"login": "an@example.vn", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        yield client


def test_the_page_shows_each_services_figures_with_groups_named(
    organizer: TestClient, fakes: ReportFakes
) -> None:
    fakes.sell(250_000, group=1, star=4)
    fakes.sell(120_000, group=3, star=5)
    page = organizer.get(f"/organizer/fairs/{fakes.fair_id}/report")
    assert page.status_code == 200, page.text
    assert "Báo cáo kết quả hội chợ" in page.text
    summary = re.search(r'data-testid="report-summary".*?</table>', page.text, re.S)
    assert summary
    assert "370.000\u00a0₫" in summary.group(0)
    assert "5.230" in summary.group(0)  # visitors
    assert "450.000.000\u00a0₫" in summary.group(0)
    assert "Thực phẩm" in page.text and "Dược liệu và sản phẩm từ dược liệu" in page.text
    assert "4 sao" in page.text and "Hợp tác xã Chè Đường Hoa" in page.text
    assert 'data-testid="report-missing"' not in page.text


def test_a_part_a_service_cannot_give_is_a_dash_not_zero(
    organizer: TestClient, fakes: ReportFakes
) -> None:
    del fakes.parts["inspections"]  # an older registration without the route
    page = organizer.get(f"/organizer/fairs/{fakes.fair_id}/report")
    assert page.status_code == 200
    summary = re.search(r'data-testid="report-summary".*?</table>', page.text, re.S)
    assert summary
    row = re.search(r"Số lần kiểm tra</th>\s*<td[^>]*>([^<]*)<", summary.group(0))
    assert row and row.group(1) == "—"
    assert 'data-testid="report-missing"' in page.text


def test_the_xlsx_figures_are_the_services_figures(
    organizer: TestClient, fakes: ReportFakes
) -> None:
    fakes.sell(250_000, group=1, star=4)
    fakes.sell(120_000, group=3, star=5)
    got = organizer.get(f"/organizer/fairs/{fakes.fair_id}/report.xlsx")
    assert got.status_code == 200 and got.content.startswith(b"PK")
    assert "bao-cao-hoi-cho" in got.headers["content-disposition"]
    book = load_workbook(io.BytesIO(got.content))
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True) if row}
    revenue_total = sum(r["net_vnd"] for r in fakes.reports["product_group"])
    assert summary["Doanh thu thuần"] == revenue_total == 370_000
    assert summary["Khách tham quan"] == VISITORS["total"]
    assert summary["Hợp đồng đã ký"] == TRADE["total"]["contracts"]  # type: ignore[index]
    assert summary["Số lần kiểm tra"] == INSPECTIONS["summary"]["inspections"]  # type: ignore[index]
    by_group = next(s for s in book.worksheets if "nhóm sản phẩm" in str(s.title))
    rows = {r[0]: r[2] for r in by_group.iter_rows(min_row=2, values_only=True)}
    assert rows == {"Thực phẩm": 250_000, "Dược liệu và sản phẩm từ dược liệu": 120_000}
    days = next(s for s in book.worksheets if "theo ngày" in str(s.title))
    assert [r[1] for r in days.iter_rows(min_row=2, values_only=True)] == [2100, 3130]


def _pdf_text(data: bytes) -> str:
    """The PDF's document title (UTF-16BE in its Info) and the font names it embeds."""
    found = []
    for m in re.finditer(rb"/Title \(((?:\\.|[^\\)])*)\)", data):
        raw = re.sub(rb"\\(.)", lambda x: x.group(1), m.group(1))
        found.append(raw.decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode())
    for m in re.finditer(rb"/Title <([0-9A-Fa-f]+)>", data):
        found.append(bytes.fromhex(m.group(1).decode()).decode("utf-16"))
    return "\n".join(found)


def test_the_pdf_carries_the_vietnamese_title_in_an_embedded_font(
    organizer: TestClient, fakes: ReportFakes
) -> None:
    fakes.sell(250_000)
    got = organizer.get(f"/organizer/fairs/{fakes.fair_id}/report.pdf")
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    assert got.content.startswith(b"%PDF-")
    assert "Báo cáo kết quả hội chợ" in _pdf_text(got.content)
    assert b"DejaVuSans" in got.content and b"/FontFile2" in got.content
    # The page's text, read back through the fonts' ToUnicode maps, has the title.
    assert any("Báo cáo kết quả hội chợ" in text for text in _page_texts(got.content))


def _page_texts(data: bytes) -> list[str]:
    """The page's text decoded with each embedded font's ToUnicode map (fpdf2 writes glyph
    ids as hex strings; a map per font, so each is tried)."""
    maps = []
    for cmap in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        pairs = re.findall(rb"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]+)>", cmap)
        maps.append({int(a, 16): bytes.fromhex(b.decode()).decode("utf-16-be") for a, b in pairs})
    contents = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            contents.append(zlib.decompress(raw))
        except zlib.error:
            continue
    texts = []
    for glyphs in (m for m in maps if m):
        for content in contents:
            shown = [_unescape(s) for s in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", content, re.S)]
            texts.append("".join(
                glyphs.get(int.from_bytes(s[i:i + 2], "big"), "?")
                for s in shown for i in range(0, len(s), 2)
            ))  # fmt: skip
    return texts


ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(literal: bytes) -> bytes:
    """A PDF literal string's bytes (its backslash escapes undone)."""

    def one(m: re.Match[bytes]) -> bytes:
        code = m.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8)])
        return ESCAPES.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal, flags=re.S)


def test_another_organizations_fair_has_no_report(organizer: TestClient) -> None:
    other = "99999999-0000-4000-8000-000000000009"
    for suffix in ("", ".xlsx", ".pdf"):
        assert organizer.get(f"/organizer/fairs/{other}/report{suffix}").status_code == 404


def test_local_goods_are_said_apart_from_ocop_products(
    organizer: TestClient, fakes: ReportFakes
) -> None:
    """A district fair admitting non-OCOP local goods: the report flags their revenue."""
    fakes.sell(250_000, group=1, star=4)
    fakes.sell(120_000, group=1, star=0)
    plain = organizer.get(f"/organizer/fairs/{fakes.fair_id}/report")
    assert "hàng địa phương" not in plain.text.lower()  # no local goods: nothing to flag
    fakes.local_goods = 120_000
    page = organizer.get(f"/organizer/fairs/{fakes.fair_id}/report")
    summary = re.search(r'data-testid="report-summary".*?</table>', page.text, re.S)
    assert summary
    text = summary.group(0)
    assert "Trong đó sản phẩm OCOP" in text and "250.000\u00a0₫" in text
    assert "Trong đó hàng địa phương (không phải OCOP)" in text and "120.000\u00a0₫" in text
