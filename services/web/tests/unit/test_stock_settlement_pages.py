"""Stock at the booth, the consignment settlement and a host retailer's sales file (issue 15),
against fakes answering as sales' routes do (their error bodies included): the exhibitor's
"Hàng mang đến" (the report with "bán vượt tồn", XLSX; goods declared, taken back, corrected:
empty or bad quantities named on the product's field before any call, sales' 409
``out_of_stock`` and 422 ``lines.N.*`` on the product it names, the form's movement id sent
as the idempotency key and renewed after a refusal); the organizer's stock and settlement
(a showroom's month chooser, a month not offered named on its field, XLSX links); the
retailer's week: a file with refused rows reported row by row in Vietnamese, nothing
imported, then "import only the valid rows" sending the same file with ``valid_rows_only``;
another retailer's week 404."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from ocop_web.app import build
from ocop_web.settings import WebSettings

from .conftest import HOLDER, ORGANIZER, PASSWORD, TOKEN, csrf_of, membership
from .organizer_services import Services, application, fair, product

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GO = "5d0c7a52-3f7e-4a57-9c1e-2c4e6a1b0001"
OTHER = "5d0c7a52-3f7e-4a57-9c1e-2c4e6a1b0002"
BOOTH = "b0000000-0000-4000-8000-000000000001"


def stock_row(p: dict[str, Any], **figures: int) -> dict[str, Any]:
    base = {"received": 24, "sold": 20, "returned": 0, "adjusted": 0, "on_hand": 4, "oversold": 0}
    return {
        "booth_id": BOOTH,
        "booth_code": "A01",
        "product_id": p["product_id"],
        "product_name": p["name"],
        "producer_id": p["holder_id"],
        "producer_name": "HTX Chè Đường Hoa",
        **base,
        **figures,
    }


class StockServices(Services):
    def __init__(self) -> None:
        super().__init__()
        self.tea = product("Chè Đường Hoa hộp 200 g", 4)
        self.honey = product("Mật ong Bình Liêu", 3)
        self.tea["holder_id"] = self.honey["holder_id"] = HOLDER["organization_id"]
        self.fair = self.add_fair(fair("Hội chợ OCOP Quảng Ninh 2026", "running"))
        approved = application(
            self.fair["fair_id"], "HTX Chè Đường Hoa", "Quảng Ninh", [self.tea, self.honey]
        )
        approved.update(status="approved", exhibitor_id=HOLDER["organization_id"])
        self.add_application(approved)
        self.stock_rows = [
            stock_row(self.tea, sold=27, on_hand=-3, oversold=3),
            stock_row(self.honey),
        ]
        self.moves: list[tuple[str, dict[str, Any], str]] = []  # (route, body, idempotency key)
        self.refuse: httpx.Response | None = None
        self.uploads: list[dict[str, Any]] = []
        self.settlement_asked: list[str | None] = []

    def answer(self, host: str, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        parts = path.strip("/").split("/")
        authorized = request.headers.get("authorization") == f"Bearer {TOKEN}"
        if host == "sales" and authorized and parts[0] == "fairs":
            return self.sales_stock(method, parts, request)
        if host == "booths" and authorized and parts[-1] == "my-booths":
            return httpx.Response(200, json=[{"booth_id": BOOTH, "code": "A01"}])
        if (host, method) == ("registration", "GET") and authorized:
            if parts[0] == "retailers" and parts[-1] == "stores":
                return httpx.Response(200, json=[])
            if path == "/applications":
                return httpx.Response(200, json=list(self.applications.values()))
            if parts[0] == "fairs" and len(parts) == 2 and parts[1] in self.fairs:
                return httpx.Response(200, json=self.fairs[parts[1]])
        return super().answer(host, request)

    def sales_stock(self, method: str, parts: list[str], request: httpx.Request) -> httpx.Response:
        if parts[1] not in self.fairs:
            return httpx.Response(404, json={"detail": "no such fair", "code": "not_found"})
        if method == "POST" and parts[2] == "stock":
            if self.refuse is not None:
                return self.refuse
            body = json.loads(request.content)
            self.moves.append((parts[3], body, request.headers["idempotency-key"]))
            return httpx.Response(201, json={"movement_id": body["movement_id"]})
        if method == "POST" and parts[2] == "retailer-sales":
            return self.import_file(parts[1], request)
        if method == "GET" and parts[2:] == ["reports", "stock"]:
            if request.url.params.get("format") == "xlsx":
                return httpx.Response(
                    200,
                    content=b"PK-stock",
                    headers={
                        "content-type": XLSX,
                        "content-disposition": 'attachment; filename="stock.xlsx"',
                    },
                )
            return httpx.Response(
                200,
                json={
                    "fair_id": parts[1],
                    "products": [],
                    "producers": [],
                    "booths": self.stock_rows,
                    "oversold": 3,
                    "generated_at": "2026-08-30T03:00:00Z",
                },
            )
        if method == "GET" and parts[2:] == ["reports", "settlement"]:
            month = request.url.params.get("month")
            self.settlement_asked.append(month)
            if request.url.params.get("format") == "xlsx":
                return httpx.Response(200, content=b"PK-settlement", headers={"content-type": XLSX})
            return httpx.Response(
                200,
                json={
                    "fair_id": parts[1],
                    "period": month or "fair",
                    "start": None,
                    "end": None,
                    "commission_percent": 10,
                    "rows": [
                        {
                            "producer_id": self.tea["holder_id"],
                            "producer_name": "HTX Chè Đường Hoa",
                            "received": 24,
                            "sold_quantity": 20,
                            "sold_vnd": 3_000_000,
                            "returned": 4,
                            "amount_vnd": 3_000_000,
                            "commission_vnd": 300_000,
                            "amount_due_vnd": 2_700_000,
                        }
                    ],
                    "amount_vnd": 3_000_000,
                    "commission_vnd": 300_000,
                    "amount_due_vnd": 2_700_000,
                },
            )
        return httpx.Response(404, json={"detail": "not found", "code": "not_found"})

    def import_file(self, fair_id: str, request: httpx.Request) -> httpx.Response:
        text = request.content.decode("utf-8", "replace")
        only = re.search(r'name="valid_rows_only"\r\n\r\n(\w+)', text)
        valid_rows_only = bool(only and only.group(1) == "true")
        self.uploads.append({"valid_rows_only": valid_rows_only, "content": text})
        if "store,date" not in text:
            return httpx.Response(
                422,
                json={
                    "detail": [
                        {
                            "type": "value_error",
                            "loc": ["body", "file"],
                            "msg": "missing columns: gtin, quantity",
                        }
                    ]
                },
            )
        good = {
            "line": 2,
            "status": "imported" if valid_rows_only else "valid",
            "store": "HL01",
            "date": "2026-11-02",
            "gtin": "8934567890123",
            "quantity": 3,
            "amount_vnd": 450_000,
            "product_id": self.tea["product_id"],
            "producer_id": self.tea["holder_id"],
            "errors": [],
        }
        bad = {
            "line": 3,
            "status": "rejected",
            "store": "HN09",
            "date": "2026-11-02",
            "gtin": "8930000000000",
            "quantity": -1,
            "amount_vnd": 10_000,
            "product_id": None,
            "producer_id": None,
            "errors": [
                {"field": "store", "code": "unknown_store", "message": "not one of the stores"},
                {"field": "gtin", "code": "unknown_gtin", "message": "no product"},
                {"field": "quantity", "code": "negative_quantity", "message": "cannot be negative"},
            ],
        }
        return httpx.Response(
            200,
            json={
                "import_id": str(uuid.uuid4()),
                "fair_id": fair_id,
                "filename": "go-2026-11-02.csv",
                "rows": 2,
                "imported": 1 if valid_rows_only else 0,
                "already_imported": 0,
                "rejected": 1,
                "not_imported": 0 if valid_rows_only else 1,
                "applied": valid_rows_only,
                "valid_rows_only": valid_rows_only,
                "imported_vnd": 450_000 if valid_rows_only else 0,
                "replayed": False,
                "report": [good, bad],
            },
        )


@pytest.fixture
def services() -> StockServices:
    return StockServices()


def signed_in(services: StockServices, acting: dict[str, Any]) -> Iterator[TestClient]:
    services.acting = acting
    app = build(
        WebSettings(env="test", check_assets=False, log_format="console", log_level="WARNING"),
        transports={name: services.transport(name) for name in ("registration", "booths", "sales")},
    )
    with TestClient(app, base_url="http://testserver") as client:
        page = client.get("/sign-in")
        signed = client.post(
            "/sign-in",
            data={"login": "an@example.vn", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        services.calls.clear()
        yield client


@pytest.fixture
def exhibitor(services: StockServices) -> Iterator[TestClient]:
    yield from signed_in(services, HOLDER)


@pytest.fixture
def organizer(services: StockServices) -> Iterator[TestClient]:
    yield from signed_in(services, ORGANIZER)


@pytest.fixture
def retailer(services: StockServices) -> Iterator[TestClient]:
    yield from signed_in(services, membership(GO, "GO! Việt Nam", "retailer", "retailer"))


def field_error(html: str, name: str) -> str:
    found = re.search(rf'id="{re.escape(name)}-error"[^>]*>(.*?)</p>', html, re.S)
    assert found, f"no error on {name}"
    return re.sub(r"<[^>]+>", "", found.group(1)).replace("Lỗi:", "").strip()


# --- the exhibitor ----------------------------------------------------------------------------


def test_the_exhibitors_stock_shows_oversold_plainly_and_links_the_xlsx(
    exhibitor: TestClient, services: StockServices
) -> None:
    fair_id = services.fair["fair_id"]
    page = exhibitor.get(f"/exhibitor/fairs/{fair_id}/stock")
    assert page.status_code == 200, page.text
    assert '<h1 class="ocop-heading-l">Hàng mang đến</h1>' in page.text
    table = re.search(r'data-testid="stock">(.*?)</table>', page.text, re.S)
    assert table and "Chè Đường Hoa hộp 200 g" in table.group(1)
    assert "bán vượt tồn: 3" in table.group(1)  # in words, not only red
    assert "Bán vượt tồn" in table.group(1)  # the column's heading
    assert 'data-testid="oversold-total"' in page.text
    assert f'href="/exhibitor/fairs/{fair_id}/stock.xlsx"' in page.text
    download = exhibitor.get(f"/exhibitor/fairs/{fair_id}/stock.xlsx")
    assert download.status_code == 200
    assert download.headers["content-type"] == XLSX and download.content == b"PK-stock"
    assert 'filename="stock.xlsx"' in download.headers["content-disposition"]


def test_declaring_goods_names_empty_and_bad_quantities_before_any_call(
    exhibitor: TestClient, services: StockServices
) -> None:
    fair_id = services.fair["fair_id"]
    form = exhibitor.get(f"/exhibitor/fairs/{fair_id}/stock/receive")
    assert form.status_code == 200 and "Khai báo hàng mang đến" in form.text
    token = csrf_of(form.text)
    empty = exhibitor.post(
        f"/exhibitor/fairs/{fair_id}/stock/receive",
        data={"csrf_token": token, "movement_id": str(uuid.uuid4()), "booth_id": BOOTH},
    )
    assert empty.status_code == 422
    tea = f"qty-{services.tea['product_id']}"
    honey = f"qty-{services.honey['product_id']}"
    first = sorted([(services.tea["name"], tea), (services.honey["name"], honey)])[0][1]
    assert field_error(empty.text, first) == "Nhập số lượng của ít nhất một sản phẩm"
    assert f'href="#{first}"' in empty.text  # the summary links to the field
    bad = exhibitor.post(
        f"/exhibitor/fairs/{fair_id}/stock/receive",
        data={"csrf_token": token, "booth_id": BOOTH, tea: "hai", honey: "0"},
    )
    assert bad.status_code == 422
    assert field_error(bad.text, tea) == "Nhập một số nguyên, ví dụ 24"
    assert field_error(bad.text, honey) == "Nhập một số từ 1 đến 1.000.000"
    assert services.moves == []


def test_goods_declared_go_to_sales_with_the_forms_movement_id(
    exhibitor: TestClient, services: StockServices
) -> None:
    fair_id = services.fair["fair_id"]
    form = exhibitor.get(f"/exhibitor/fairs/{fair_id}/stock/receive")
    movement = re.search(r'name="movement_id" value="([^"]+)"', form.text)
    assert movement
    tea = f"qty-{services.tea['product_id']}"
    done = exhibitor.post(
        f"/exhibitor/fairs/{fair_id}/stock/receive",
        data={
            "csrf_token": csrf_of(form.text),
            "movement_id": movement.group(1),
            "booth_id": BOOTH,
            tea: "24",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/exhibitor/fairs/{fair_id}/stock?notice=receive"
    [(route, body, key)] = services.moves
    assert route == "receipts" and key == movement.group(1)
    assert body == {
        "movement_id": movement.group(1),
        "booth_id": BOOTH,
        "lines": [{"product_id": services.tea["product_id"], "quantity": 24}],
    }
    shown = exhibitor.get(done.headers["location"])
    assert "Đã ghi nhận hàng bạn mang đến." in shown.text


def test_a_return_needs_its_reason_and_sales_out_of_stock_lands_on_the_product(
    exhibitor: TestClient, services: StockServices
) -> None:
    fair_id = services.fair["fair_id"]
    honey = f"qty-{services.honey['product_id']}"
    form = exhibitor.get(f"/exhibitor/fairs/{fair_id}/stock/return")
    token = csrf_of(form.text)
    no_reason = exhibitor.post(
        f"/exhibitor/fairs/{fair_id}/stock/return",
        data={"csrf_token": token, "booth_id": BOOTH, honey: "5"},
    )
    assert no_reason.status_code == 422
    assert field_error(no_reason.text, "reason") == "Hãy nêu lý do"
    services.refuse = httpx.Response(
        409,
        json={
            "detail": "only 4 left at this booth, 5 asked: not enough stock",
            "code": "out_of_stock",
            "field": "lines.0.quantity",
        },
    )
    sent_id = str(uuid.uuid4())
    short = exhibitor.post(
        f"/exhibitor/fairs/{fair_id}/stock/return",
        data={
            "csrf_token": token,
            "movement_id": sent_id,
            "booth_id": BOOTH,
            honey: "5",
            "reason": "Nhà sản xuất nhận lại hàng còn lại",
        },
    )
    assert short.status_code == 422
    assert field_error(short.text, honey) == "Không đủ hàng: gian hàng chỉ còn 4"
    renewed = re.search(r'name="movement_id" value="([^"]+)"', short.text)
    assert renewed and renewed.group(1) != sent_id  # nothing recorded: a new movement
    assert 'value="5"' in short.text and "Nhà sản xuất nhận lại hàng còn lại" in short.text


def test_a_correction_may_be_negative_but_not_zero(
    exhibitor: TestClient, services: StockServices
) -> None:
    fair_id = services.fair["fair_id"]
    tea = f"qty-{services.tea['product_id']}"
    form = exhibitor.get(f"/exhibitor/fairs/{fair_id}/stock/adjust")
    token = csrf_of(form.text)
    zero = exhibitor.post(
        f"/exhibitor/fairs/{fair_id}/stock/adjust",
        data={"csrf_token": token, "booth_id": BOOTH, tea: "0", "reason": "đếm lại"},
    )
    assert field_error(zero.text, tea) == "Nhập số điều chỉnh khác 0, ví dụ 5 hoặc -2"
    done = exhibitor.post(
        f"/exhibitor/fairs/{fair_id}/stock/adjust",
        data={"csrf_token": token, "booth_id": BOOTH, tea: "-2", "reason": "Vỡ 2 hộp"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    [(route, body, _key)] = services.moves
    assert route == "adjustments" and body["lines"][0]["quantity"] == -2
    assert body["reason"] == "Vỡ 2 hộp"


def test_the_stock_pages_are_for_an_approved_exhibitor_only(
    exhibitor: TestClient, services: StockServices
) -> None:
    other = services.add_fair(fair("Hội chợ khác", "running"))
    assert exhibitor.get(f"/exhibitor/fairs/{other['fair_id']}/stock").status_code == 404
    fair_id = services.fair["fair_id"]
    assert exhibitor.get(f"/exhibitor/fairs/{fair_id}/stock/steal").status_code == 404


# --- the organizer ----------------------------------------------------------------------------


def test_the_organizers_stock_and_settlement_with_xlsx(
    organizer: TestClient, services: StockServices
) -> None:
    fair_id = services.fair["fair_id"]
    page = organizer.get(f"/organizer/fairs/{fair_id}")
    assert f'href="/organizer/fairs/{fair_id}/stock"' in page.text
    assert f'href="/organizer/fairs/{fair_id}/settlement"' in page.text
    stock = organizer.get(f"/organizer/fairs/{fair_id}/stock")
    assert stock.status_code == 200 and "A01" in stock.text and "bán vượt tồn: 3" in stock.text
    assert f'href="/organizer/fairs/{fair_id}/stock.xlsx"' in stock.text
    assert organizer.get(f"/organizer/fairs/{fair_id}/stock.xlsx").content == b"PK-stock"
    settlement = organizer.get(f"/organizer/fairs/{fair_id}/settlement")
    assert settlement.status_code == 200
    table = re.search(r'data-testid="settlement">(.*?)</table>', settlement.text, re.S)
    assert table and "HTX Chè Đường Hoa" in table.group(1)
    assert "300.000\u00a0₫" in table.group(1) and "2.700.000\u00a0₫" in table.group(1)
    assert 'name="month"' not in settlement.text  # a fair settles as a whole
    assert f'href="/organizer/fairs/{fair_id}/settlement.xlsx"' in settlement.text
    download = organizer.get(f"/organizer/fairs/{fair_id}/settlement.xlsx")
    assert download.content == b"PK-settlement"


def test_a_showroom_settles_by_the_month_chosen(
    organizer: TestClient, services: StockServices
) -> None:
    showroom = services.add_fair(fair("Trung tâm OCOP Quảng Ninh", "running"))
    showroom.update(kind="showroom", starts_at="2026-01-05T01:00:00Z", open_ended=True)
    fair_id = showroom["fair_id"]
    page = organizer.get(f"/organizer/fairs/{fair_id}/settlement", params={"month": "2026-02"})
    assert page.status_code == 200
    assert '<option value="2026-02" selected>02/2026</option>' in page.text
    assert '<option value="2026-01">01/2026</option>' in page.text
    assert services.settlement_asked[-1] == "2026-02"
    assert "Tháng 02/2026" in page.text
    assert f'href="/organizer/fairs/{fair_id}/settlement.xlsx?month=2026-02"' in page.text
    wrong = organizer.get(f"/organizer/fairs/{fair_id}/settlement", params={"month": "2025-12"})
    assert wrong.status_code == 422
    assert field_error(wrong.text, "month") == "Hãy chọn một tháng trong danh sách"
    assert services.settlement_asked[-1] == "2026-02"  # not asked for a month not offered


def test_another_organizers_fair_is_not_found(organizer: TestClient) -> None:
    assert organizer.get(f"/organizer/fairs/{uuid.uuid4()}/stock").status_code == 404
    assert organizer.get(f"/organizer/fairs/{uuid.uuid4()}/settlement").status_code == 404


# --- the host retailer ------------------------------------------------------------------------


def hosted(services: StockServices, host: str = GO) -> str:
    week = services.add_fair(fair("Tuần lễ OCOP Quảng Ninh tại GO! Hạ Long", "running"))
    week.update(kind="promotion_week", host_retailer_id=host, stores=[])
    return str(week["fair_id"])


CSV = "store,date,gtin,quantity,amount\nHL01,02/11/2026,8934567890123,3,450000\n"


def test_a_sales_file_with_refused_rows_is_reported_then_its_valid_rows_imported(
    retailer: TestClient, services: StockServices
) -> None:
    fair_id = hosted(services)
    home = retailer.get("/retailer")
    assert f'href="/retailer/weeks/{fair_id}"' in home.text
    page = retailer.get(f"/retailer/weeks/{fair_id}")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    assert f'href="/retailer/weeks/{fair_id}/settlement"' in page.text
    report = retailer.post(
        f"/retailer/weeks/{fair_id}/sales",
        data={"csrf_token": csrf_of(page.text)},
        files={"file": ("go-2026-11-02.csv", CSV.encode(), "text/csv")},
    )
    assert report.status_code == 200, report.text
    assert services.uploads[-1]["valid_rows_only"] is False
    assert "Chưa có gì được nhập." in report.text
    errors = re.search(r'data-testid="row-errors">(.*?)</table>', report.text, re.S)
    assert errors
    cells = [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", errors.group(1), re.S)
    ]
    assert cells[:4] == [
        "3",
        "Cửa hàng",
        "HN09",
        "Không phải cửa hàng của bạn tham gia tuần lễ xúc tiến này",
    ]
    assert "Không có sản phẩm nào được duyệt ở tuần lễ xúc tiến này mang mã vạch này" in cells
    assert "Số lượng không được âm" in cells
    carried = re.search(r'name="carried" value="([^"]+)"', report.text)
    assert carried and 'name="valid_rows_only" value="1"' in report.text
    imported = retailer.post(
        f"/retailer/weeks/{fair_id}/sales",
        data={
            "csrf_token": csrf_of(report.text),
            "carried": carried.group(1),
            "filename": "go-2026-11-02.csv",
            "valid_rows_only": "1",
        },
    )
    assert imported.status_code == 200
    assert services.uploads[-1]["valid_rows_only"] is True
    assert CSV.splitlines()[1] in services.uploads[-1]["content"]  # the same file again
    rows = re.search(r'data-testid="imported-rows">(.*?)</table>', imported.text, re.S)
    assert rows and "8934567890123" in rows.group(1) and "Đã nhập" in rows.group(1)
    assert "450.000\u00a0₫" in rows.group(1)


def test_a_file_sales_cannot_read_is_named_on_the_file_field(
    retailer: TestClient, services: StockServices
) -> None:
    fair_id = hosted(services)
    page = retailer.get(f"/retailer/weeks/{fair_id}")
    none = retailer.post(
        f"/retailer/weeks/{fair_id}/sales", data={"csrf_token": csrf_of(page.text)}
    )
    assert none.status_code == 422
    assert field_error(none.text, "file") == "Hãy chọn tệp doanh số hằng ngày"
    assert services.uploads == []
    bad = retailer.post(
        f"/retailer/weeks/{fair_id}/sales",
        data={"csrf_token": csrf_of(page.text)},
        files={"file": ("sales.csv", b"cua_hang;ngay\n", "text/csv")},
    )
    assert bad.status_code == 422
    assert "gtin, quantity" in field_error(bad.text, "file")


def test_another_retailers_week_is_not_found(retailer: TestClient, services: StockServices) -> None:
    fair_id = hosted(services, OTHER)
    assert retailer.get(f"/retailer/weeks/{fair_id}").status_code == 404
    assert retailer.get(f"/retailer/weeks/{fair_id}/settlement").status_code == 404
    page = retailer.get("/retailer")
    assert (
        retailer.post(
            f"/retailer/weeks/{fair_id}/sales",
            data={"csrf_token": csrf_of(page.text)},
            files={"file": ("go.csv", CSV.encode(), "text/csv")},
        ).status_code
        == 404
    )
    assert services.uploads == []


def test_the_retailers_settlement_and_stock(retailer: TestClient, services: StockServices) -> None:
    fair_id = hosted(services)
    settlement = retailer.get(f"/retailer/weeks/{fair_id}/settlement")
    assert settlement.status_code == 200 and "2.700.000\u00a0₫" in settlement.text
    assert f'href="/retailer/weeks/{fair_id}/settlement.xlsx"' in settlement.text
    stock = retailer.get(f"/retailer/weeks/{fair_id}/stock")
    assert stock.status_code == 200 and f'href="/retailer/weeks/{fair_id}/stock.xlsx"' in stock.text
