"""A retailer's pages (issue 15) against a fake registration answering as its retailers'
routes do: a retailer's people land on its home after signing in, with "Cửa hàng" in the
menu; its stores listed; its owner adds one (empty answers named before any call,
registration's 422 and 409 on the store's code in Vietnamese), its staff read only (no form,
the add page and registration both answer 403); the promotion weeks naming it as host,
those registration lists (opened), with their stores and commission."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from ocop_web.app import build
from ocop_web.settings import WebSettings

from .conftest import ORGANIZER, PASSWORD, csrf_of, membership
from .organizer_services import Services, conflict, fair, invalid

GO = "5d0c7a52-3f7e-4a57-9c1e-2c4e6a1b0001"
OTHER = "5d0c7a52-3f7e-4a57-9c1e-2c4e6a1b0002"


def retailer(org_role: str = "owner") -> dict[str, Any]:
    return {**membership(GO, "GO! Việt Nam", "retailer", "retailer"), "org_role": org_role}


class RetailerServices(Services):
    """Registration's ``GET/POST /retailers/{id}/stores`` (its owner adds; staff 403; another
    retailer's 404) and the public ``GET /fairs``."""

    def __init__(self) -> None:
        super().__init__()
        self.stores: dict[str, list[dict[str, Any]]] = {
            GO: [{"retailer_id": GO, "store_code": "HL01", "name": "GO! Hạ Long", "address": "HL"}],
            OTHER: [],
        }

    def registration(
        self, method: str, path: str, body: Any, request: httpx.Request
    ) -> httpx.Response:
        parts = path.strip("/").split("/")
        if parts[0] == "retailers" and len(parts) == 3 and parts[2] == "stores":
            if parts[1] != self.acting["organization_id"]:
                return httpx.Response(404, json={"detail": "no such retailer", "code": "not_found"})
            if method == "GET":
                return httpx.Response(200, json=self.stores[parts[1]])
            if self.acting["org_role"] != "owner":
                return httpx.Response(403, json={"detail": "owners only", "code": "forbidden"})
            code = str(body["store_code"]).upper()
            if not re.fullmatch(r"[A-Z0-9][A-Z0-9_-]{0,19}", code):
                return invalid("store_code", "1-20 letters, digits, '-' or '_' (e.g. HL01)")
            if any(s["store_code"] == code for s in self.stores[parts[1]]):
                return conflict(f"store {code} is already one of this retailer's", "store_code")
            store = {"retailer_id": parts[1], **body, "store_code": code}
            self.stores[parts[1]].append(store)
            return httpx.Response(201, json=store)
        return super().registration(method, path, body, request)


@pytest.fixture
def services() -> RetailerServices:
    return RetailerServices()


def signed_in_as(
    services: RetailerServices, acting: dict[str, Any], lands: str = "/retailer"
) -> Iterator[TestClient]:
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
        assert signed.headers["location"] == lands  # a retailer lands on its home
        services.calls.clear()
        yield client


@pytest.fixture
def owner(services: RetailerServices) -> Iterator[TestClient]:
    yield from signed_in_as(services, retailer("owner"))


@pytest.fixture
def staff(services: RetailerServices) -> Iterator[TestClient]:
    yield from signed_in_as(services, retailer("staff"))


def week(name: str, status: str, host: str | None, **rules: Any) -> dict[str, Any]:
    found = fair(name, status, **rules)
    found.update(
        kind="promotion_week" if host else "fair",
        host_retailer_id=host,
        stores=[{"store_code": "HL01", "name": "GO! Hạ Long"}] if host else [],
    )
    return found


def test_the_retailers_home_lists_the_weeks_it_hosts(
    owner: TestClient, services: RetailerServices
) -> None:
    services.add_fair(week("Tuần lễ OCOP Quảng Ninh tại GO!", "open", GO, commission_percent=15))
    services.add_fair(week("Tuần lễ nháp", "draft", GO))  # registration lists no drafts
    services.add_fair(week("Tuần lễ ở nơi khác", "running", OTHER))
    services.add_fair(week("Hội chợ OCOP Xuân", "open", None))
    home = owner.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/retailer"
    page = owner.get("/retailer")
    assert page.status_code == 200
    nav = re.search(r'<nav class="ocop-nav".*?</nav>', page.text, re.S)
    assert nav and 'href="/retailer/stores"' in nav.group(0) and ">Cửa hàng<" in nav.group(0)
    assert 'href="/retailer"' in nav.group(0) and 'href="/organization"' in nav.group(0)
    weeks = re.search(r'data-testid="weeks">(.*?)</table>', page.text, re.S)
    assert weeks, page.text
    assert "Tuần lễ OCOP Quảng Ninh tại GO!" in weeks.group(1)
    assert "GO! Hạ Long (HL01)" in weeks.group(1) and "15 %" in weeks.group(1)
    assert "Mở nhận đơn" in weeks.group(1)  # its status in words
    for other in ("Tuần lễ nháp", "Tuần lễ ở nơi khác", "Hội chợ OCOP Xuân"):
        assert other not in page.text
    assert "Có 1 cửa hàng." in page.text


def test_no_week_yet_is_said(owner: TestClient) -> None:
    page = owner.get("/retailer")
    assert 'data-testid="no-weeks"' in page.text
    assert "Chưa có tuần lễ xúc tiến nào chọn bạn làm nhà bán lẻ đăng cai." in page.text


def test_the_owner_adds_a_store(owner: TestClient, services: RetailerServices) -> None:
    listed = owner.get("/retailer/stores")
    assert listed.status_code == 200
    assert "GO! Hạ Long" in listed.text and 'data-testid="add-store"' in listed.text
    form = owner.get("/retailer/stores/new")
    assert form.status_code == 200 and "Thêm cửa hàng" in form.text
    added = owner.post(
        "/retailer/stores/new",
        data={
            "store_code": "cp02",
            "store_name": "GO! Cẩm Phả",
            "address": "Cẩm Phả, Quảng Ninh",
            "csrf_token": csrf_of(form.text),
        },
        follow_redirects=False,
    )
    assert added.status_code == 303 and added.headers["location"] == "/retailer/stores?notice=added"
    [(method, path, body)] = services.writes()
    assert (method, path) == ("POST", f"/retailers/{GO}/stores")
    assert body == {"store_code": "cp02", "name": "GO! Cẩm Phả", "address": "Cẩm Phả, Quảng Ninh"}
    page = owner.get(added.headers["location"])
    assert "Đã thêm cửa hàng." in page.text and "CP02" in page.text


def summary_links(page: str) -> dict[str, str]:
    found = re.search(r'<div class="ocop-error-summary".*?</div>', page, re.S)
    assert found, "no error summary"
    return dict(re.findall(r'<a href="#([^"]+)">([^<]+)</a>', found.group(0)))


def test_a_stores_bad_answers_are_named_in_vietnamese(
    owner: TestClient, services: RetailerServices
) -> None:
    form = owner.get("/retailer/stores/new")
    token = csrf_of(form.text)
    empty = owner.post(
        "/retailer/stores/new",
        data={"store_code": " ", "store_name": "", "address": "", "csrf_token": token},
    )
    assert empty.status_code == 422
    assert summary_links(empty.text) == {
        "store_code": "Nhập mã cửa hàng",
        "store_name": "Nhập tên cửa hàng",
        "address": "Nhập địa chỉ cửa hàng",
    }
    assert services.writes() == []
    good = {"store_name": "GO! Uông Bí", "address": "Uông Bí", "csrf_token": token}
    bad_code = owner.post("/retailer/stores/new", data={**good, "store_code": "HL 01!"})
    assert bad_code.status_code == 422
    assert summary_links(bad_code.text) == {
        "store_code": (
            "Nhập mã như tệp doanh thu của bạn ghi cửa hàng: tối đa 20 chữ cái, chữ số, - hoặc _,"
            " ví dụ HL01"
        )
    }
    assert re.search(r'id="store_code-error"', bad_code.text)
    assert 'value="GO! Uông Bí"' in bad_code.text  # kept
    taken = owner.post("/retailer/stores/new", data={**good, "store_code": "hl01"})
    assert taken.status_code == 422
    assert summary_links(taken.text) == {"store_code": "Một cửa hàng của bạn đã có mã này"}
    assert len(services.stores[GO]) == 1  # nothing added


def test_staff_read_the_stores_only(staff: TestClient, services: RetailerServices) -> None:
    listed = staff.get("/retailer/stores")
    assert listed.status_code == 200 and "GO! Hạ Long" in listed.text
    assert 'data-testid="add-store"' not in listed.text
    assert "Chỉ chủ sở hữu tổ chức của bạn mới thêm được cửa hàng." in listed.text
    assert staff.get("/retailer/stores/new").status_code == 403
    refused = staff.post(
        "/retailer/stores/new",
        data={
            "store_code": "CP02",
            "store_name": "GO! Cẩm Phả",
            "address": "Cẩm Phả",
            "csrf_token": csrf_of(listed.text),
        },
    )
    assert refused.status_code == 403
    assert services.writes() == [] and len(services.stores[GO]) == 1


def test_anyone_else_is_not_shown_a_retailers_pages(services: RetailerServices) -> None:
    for client in signed_in_as(services, ORGANIZER, lands="/organizer"):
        for path in ("/retailer", "/retailer/stores", "/retailer/stores/new"):
            assert client.get(path).status_code == 403, path
        page = client.get("/organizer/fairs")
        assert 'href="/retailer/stores"' not in page.text
