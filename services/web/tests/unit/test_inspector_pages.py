"""The inspector's pages (issue 15) against a fake registration: the province's fairs, a
fair's inspections and products, recording an inspection through a check-your-answers page
(empty answers named before any call, registration's refusal on its field, one
inspection_id per check page), and the holder's and the council's views."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from ocop_web.app import build
from ocop_web.settings import WebSettings

from .authority_fakes import QN_HOLDER, Registration, post, problem, registration, sign_in

__all__ = ["registration"]  # fixtures

FAIR = "5f0c1e00-0000-4000-8000-0000000000f1"
ELSEWHERE = "5f0c1e00-0000-4000-8000-0000000000f2"


@dataclass
class Inspections:
    """Registration's inspection routes, kept in front of the authority fake."""

    inner: Registration
    recorded: list[dict[str, Any]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)

    def product(self) -> dict[str, Any]:
        return self.inner.products[0]

    def exhibits(self) -> list[dict[str, Any]]:
        p = self.product()
        suspended = bool(self.recorded) and self.recorded[-1]["suspended"]
        return [{"product_id": p["product_id"], "product_name": p["name"], "holder_id": QN_HOLDER,
                 "exhibitor_id": QN_HOLDER, "exhibitor_name": "Hợp tác xã Chè Đường Hoa",
                 "suspended": suspended}]  # fmt: skip

    def fair_answer(self) -> dict[str, Any]:
        suspensions = sum(1 for i in self.recorded if i["suspended"])
        return {
            "fair_id": FAIR, "fair_name": "Hội chợ OCOP Hạ Long", "province": "Quảng Ninh",
            "status": "running", "exhibits": self.exhibits(), "inspections": self.recorded,
            "summary": {"inspections": len(self.recorded),
                        "passed": sum(1 for i in self.recorded if i["decision"] == "pass"),
                        "suspensions": suspensions,
                        "referrals": sum(1 for i in self.recorded if i["decision"] == "refer"),
                        "suspended_now": [e["product_id"] for e in self.exhibits() if e["suspended"]]},
        }  # fmt: skip

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method, path = request.method, request.url.path
        if (method, path) == ("GET", "/fairs"):
            fair = {"fair_id": FAIR, "name": "Hội chợ OCOP Hạ Long", "venue": "Hạ Long",
                    "province": "Quảng Ninh", "status": "running",
                    "starts_at": "2026-03-27T01:00:00+00:00", "ends_at": "2026-03-30T10:00:00+00:00"}  # fmt: skip
            elsewhere = {
                **fair,
                "fair_id": ELSEWHERE,
                "name": "Hội chợ Hà Nội",
                "province": "Hà Nội",
            }
            return httpx.Response(200, json=[fair, elsewhere])
        if path == f"/fairs/{FAIR}/inspections":
            if method == "GET":
                return httpx.Response(200, json=self.fair_answer())
            body = json.loads(request.content)
            self.posts.append(body)
            if body["booth_code"] == "Z-404":  # registration's refusal, on product_id
                return problem(
                    404, "the product is not exhibited at this fair", "not_found", "product_id"
                )
            inspection = {**body, "fair_id": FAIR, "fair_name": "Hội chợ OCOP Hạ Long",
                          "product_name": self.product()["name"], "holder_id": QN_HOLDER,
                          "exhibitor_name": "Hợp tác xã Chè Đường Hoa",
                          "suspended": body["decision"] != "pass", "inspector_id": "qltt-quang-ninh",
                          "inspected_by": None, "recorded_at": "2026-03-28T02:00:00+00:00"}  # fmt: skip
            self.recorded.append(inspection)
            return httpx.Response(201, json=inspection)
        if method == "GET" and re.fullmatch(r"/products/[^/]+/inspections", path):
            return httpx.Response(200, json=self.recorded)
        if (method, path) == ("GET", "/inspection-referrals"):
            referred = [
                {"inspection": i, "holder_province": "Quảng Ninh", "star": 4,
                 "certificate_number": "QN-2025-0001", "certificate_revoked": False}
                for i in self.recorded if i["decision"] == "refer"
            ]  # fmt: skip
            return httpx.Response(200, json=referred)
        return self.inner(request)


@pytest.fixture
def inspections(registration: Registration) -> Inspections:
    return Inspections(registration)


@pytest.fixture
def client(inspections: Inspections) -> Iterator[TestClient]:
    transport = httpx.MockTransport(inspections)
    app = build(
        WebSettings(env="test", check_assets=False, log_format="console", log_level="WARNING"),
        transports={"registration": transport, "booths": transport, "sales": transport},
    )
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def test_an_inspector_records_a_suspension_through_a_check_page_and_sees_it_counted(
    client: TestClient, registration: Registration, inspections: Inspections
) -> None:
    registration.acting = "inspector"
    c = sign_in(client)
    home = c.get("/inspector")
    assert home.status_code == 200
    assert f"/inspector/fairs/{FAIR}" in home.text and ELSEWHERE not in home.text
    assert "chưa được xây dựng" not in home.text

    fair = c.get(f"/inspector/fairs/{FAIR}")
    assert fair.status_code == 200 and "Chè Đường Hoa" in fair.text
    new = f"/inspector/fairs/{FAIR}/inspections"
    # Nothing answered: each empty answer named, in Vietnamese, nothing sent.
    empty = post(c, f"{new}/check", {})
    assert empty.status_code == 422
    for words in (
        "Chọn sản phẩm đã kiểm tra",
        "Nhập gian hàng",
        "Ghi kết quả kiểm tra",
        "Chọn quyết định",
    ):
        assert words in empty.text
    assert inspections.posts == []

    product = inspections.exhibits()[0]
    answers = {"product": f"{product['product_id']}:{product['exhibitor_id']}", "booth_code": "A-12",
               "sample": "2 hộp 100 g", "finding": "Nhãn thiếu hạn sử dụng", "decision": "suspend"}  # fmt: skip
    check = post(c, f"{new}/check", answers)
    assert check.status_code == 200, check.text
    assert (
        "Kiểm tra lại trước khi ghi nhận" in check.text and "Nhãn thiếu hạn sử dụng" in check.text
    )
    assert "Đình chỉ bán tại hội chợ này" in check.text
    inspection_id = re.search(r'name="inspection_id" value="([^"]+)"', check.text)
    assert inspection_id is not None
    done = post(c, new, {**answers, "inspection_id": inspection_id.group(1)})
    assert done.status_code == 303 and done.headers["location"].endswith("notice=recorded")
    assert inspections.posts[-1]["inspection_id"] == inspection_id.group(1)
    assert inspections.posts[-1]["product_id"] == product["product_id"]
    assert inspections.posts[-1]["sample"] == "2 hộp 100 g"
    page = c.get(done.headers["location"])
    assert 'data-count="suspensions">1<' in page.text and 'data-suspended="true"' in page.text

    # Registration's refusal lands on the product, in words; nothing recorded.
    refused = post(c, new, {**answers, "booth_code": "Z-404", "inspection_id": str(uuid.uuid4())})
    assert refused.status_code == 422
    assert "Sản phẩm này không được trưng bày tại hội chợ" in refused.text
    assert len(inspections.recorded) == 1


def test_the_holder_and_the_council_see_the_inspections_and_referrals(
    client: TestClient, inspections: Inspections
) -> None:
    inspections.recorded.append(
        {
            "inspection_id": str(uuid.uuid4()),
            "fair_id": FAIR,
            "fair_name": "Hội chợ OCOP Hạ Long",
            "product_id": inspections.product()["product_id"],
            "product_name": inspections.product()["name"],
            "holder_id": QN_HOLDER,
            "exhibitor_id": QN_HOLDER,
            "exhibitor_name": "HTX Chè Đường Hoa",
            "booth_code": "A-12",
            "sample": None,
            "finding": "Mẫu không đạt vi sinh",
            "decision": "refer",
            "suspended": True,
            "inspector_id": "qltt",
            "inspected_by": None,
            "recorded_at": "2026-03-28T02:00:00+00:00",
        }
    )
    c = sign_in(client)  # the provincial council
    referrals = c.get("/certifier/referrals")
    assert referrals.status_code == 200
    assert "Mẫu không đạt vi sinh" in referrals.text and "QN-2025-0001" in referrals.text
    assert "/certifier/revocations?numbers=QN-2025-0001" in referrals.text
    assert "/certifier/referrals" in c.get("/certifier").text
