"""A fair's review queue against fake services: filters and sorting, each applicant's products
with star and certificate validity and its holders' results at past fairs, a decision for one
application (approve at once, or with a named reason) and for every one ticked, and what
registration refused, named per applicant in Vietnamese."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from .conftest import csrf_of
from .organizer_services import Services, application, fair, organizer, product, services

__all__ = ["organizer", "services"]  # fixtures


@pytest.fixture
def queue(services: Services) -> dict[str, Any]:
    past = services.add_fair(fair("Hội chợ OCOP Xuân 2025", "finished"))
    found = services.add_fair(fair("Hội chợ OCOP Quảng Ninh 2026", "closed"))
    fair_id = found["fair_id"]
    tea = product("Chè Đường Hoa túi 200 g", 4)
    apps = {
        "tea": services.add_application(
            application(
                fair_id,
                "Hợp tác xã Chè Đường Hoa",
                "Quảng Ninh",
                [tea],
                submitted_at="2026-06-01T03:00:00Z",
                history=[
                    {
                        "fair_id": past["fair_id"],
                        "sales": 412,
                        "gross_vnd": 61_800_000,
                        "refunded_vnd": 0,
                        "net_vnd": 61_800_000,
                    },
                    {
                        "fair_id": "1d1e0f00-0000-4000-8000-000000000000",
                        "sales": 3,
                        "gross_vnd": 450_000,
                        "refunded_vnd": 0,
                        "net_vnd": 450_000,
                    },
                ],
            )
        ),
        "mushroom": services.add_application(
            application(
                fair_id,
                "Hợp tác xã Nấm Hương Bình Liêu",
                "Quang Ninh",
                [product("Nấm hương khô", 3, "expiring")],
                submitted_at="2026-06-02T03:00:00Z",
            )
        ),
        "fish": services.add_application(
            application(
                fair_id,
                "Công ty Nước mắm Cái Rồng",
                "Hải Phòng",
                [product("Nước mắm Cái Rồng", 5)],
                submitted_at="2026-06-03T03:00:00Z",
            )
        ),
        "done": services.add_application(
            application(
                fair_id,
                "Hộ kinh doanh Miến Dong",
                "Quảng Ninh",
                [product("Miến dong", 3)],
                status="approved",
            )
        ),
    }
    return {"fair_id": fair_id, "past": past, **apps}


def names_shown(html: str) -> list[str]:
    return re.findall(r'data-testid="application" data-name="([^"]+)"', html)


def test_the_queue_shows_waiting_applications_with_products_and_past_results(
    organizer: TestClient, queue: dict[str, Any]
) -> None:
    page = organizer.get(f"/organizer/fairs/{queue['fair_id']}/applications")
    assert page.status_code == 200
    assert names_shown(page.text) == [
        "Hợp tác xã Chè Đường Hoa",
        "Hợp tác xã Nấm Hương Bình Liêu",
        "Công ty Nước mắm Cái Rồng",
    ]  # waiting ones, oldest first
    assert "Chờ duyệt (3)" in page.text and "Đã duyệt (1)" in page.text
    assert "Chè Đường Hoa túi 200 g" in page.text and "4 sao" in page.text
    assert "Còn hiệu lực" in page.text and "Sắp hết hạn" in page.text
    assert "hiệu lực đến 09/01/2028" in page.text
    assert "Hội chợ OCOP Xuân 2025" in page.text and "61.800.000\u00a0₫" in page.text
    assert "Hội chợ của đơn vị tổ chức khác" in page.text
    assert "Chưa có kết quả tại các hội chợ trước." in page.text


def test_filters_and_sorting(organizer: TestClient, queue: dict[str, Any]) -> None:
    base = f"/organizer/fairs/{queue['fair_id']}/applications"
    by_province = organizer.get(base, params={"province": "Quảng Ninh"})
    # provinces are compared without diacritics: "Quang Ninh" is the same province
    assert names_shown(by_province.text) == [
        "Hợp tác xã Chè Đường Hoa",
        "Hợp tác xã Nấm Hương Bình Liêu",
    ]
    by_star = organizer.get(base, params={"star": "5"})
    assert names_shown(by_star.text) == ["Công ty Nước mắm Cái Rồng"]
    sorted_by_star = organizer.get(base, params={"sort": "star"})
    assert names_shown(sorted_by_star.text)[0] == "Công ty Nước mắm Cái Rồng"
    everyone = organizer.get(base, params={"status": "all", "sort": "name"})
    assert names_shown(everyone.text) == sorted(
        names_shown(everyone.text), key=lambda n: n.casefold().replace("ộ", "o")
    )
    assert len(names_shown(everyone.text)) == 4
    nobody = organizer.get(base, params={"status": "withdrawn"})
    assert "Không có đơn đăng ký phù hợp." in nobody.text


def test_approving_one_at_once(
    organizer: TestClient, services: Services, queue: dict[str, Any]
) -> None:
    base = f"/organizer/fairs/{queue['fair_id']}/applications"
    page = organizer.get(base)
    answer = organizer.post(
        base,
        data={"approve": queue["tea"]["application_id"], "csrf_token": csrf_of(page.text)},
    )
    assert answer.status_code == 200
    assert "Đã duyệt 1 đơn đăng ký." in answer.text
    [(_, path, body)] = services.writes()
    assert path == f"/applications/{queue['tea']['application_id']}/review"
    assert body == {"decision": "approved"}
    assert "Hợp tác xã Chè Đường Hoa" not in names_shown(answer.text)


def test_refusing_needs_a_reason_which_goes_out_in_vietnamese(
    organizer: TestClient, services: Services, queue: dict[str, Any]
) -> None:
    base = f"/organizer/fairs/{queue['fair_id']}/applications/{queue['fish']['application_id']}"
    page = organizer.get(base)
    assert "Nước mắm Cái Rồng" in page.text and "Quyết định của bạn" in page.text
    missing = organizer.post(
        base, data={"review_decision": "rejected", "csrf_token": csrf_of(page.text)}
    )
    assert missing.status_code == 422
    assert '<a href="#review_reason">Chọn lý do từ chối</a>' in missing.text
    assert 'id="review_reason-error"' in missing.text
    other = organizer.post(
        base,
        data={
            "review_decision": "rejected",
            "review_reason": "other",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert '<a href="#review_details">Ghi rõ lý do từ chối</a>' in other.text
    assert services.writes() == []

    organizer.get("/organizer?lang=en")  # the organizer reads English; the exhibitor its own
    refused = organizer.post(
        base,
        data={
            "review_decision": "rejected",
            "review_reason": "products_not_eligible",
            "review_details": "Hội chợ năm nay dành cho nông sản.",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert "1 application refused." in refused.text
    [(_, _, body)] = services.writes()
    assert body == {  # registration's reason code, worded on the exhibitor's page; the details
        "decision": "rejected",
        "reason_code": "products_not_eligible",
        "reason": "Hội chợ năm nay dành cho nông sản.",
    }


def test_bulk_decisions_record_each_and_name_each_refusal(
    organizer: TestClient, services: Services, queue: dict[str, Any]
) -> None:
    base = f"/organizer/fairs/{queue['fair_id']}/applications"
    page = organizer.get(base)
    nothing = organizer.post(
        base, data={"review_decision": "approved", "csrf_token": csrf_of(page.text)}
    )
    assert nothing.status_code == 422
    assert '<a href="#application_id">Chọn ít nhất một đơn đăng ký</a>' in nothing.text
    assert services.writes() == []

    services.blocked.add(queue["mushroom"]["application_id"])
    ticked = [queue[k]["application_id"] for k in ("tea", "mushroom", "fish")]
    answer = organizer.post(
        base,
        data={
            "application_id": ticked,
            "review_decision": "approved",
            "request_key": "5b0e5c4e-8f3c-4a44-9a57-3d0f3c8a1b22",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert answer.status_code == 200
    assert "Đã duyệt 2 đơn đăng ký." in answer.text
    refused = re.search(r'data-testid="refused".*?</div>', answer.text, re.S)
    assert refused, "the refusals are listed"
    assert "Chưa ghi nhận được 1 quyết định" in refused.group(0)
    assert (
        f'<a href="#application-{queue["mushroom"]["application_id"]}">Hợp tác xã Nấm Hương Bình Liêu: '
        "có sản phẩm không còn đủ điều kiện tham gia" in refused.group(0)
    )
    assert len(services.writes()) == 3
    assert queue["tea"]["status"] == "approved" and queue["fish"]["status"] == "approved"
    assert queue["mushroom"]["status"] == "submitted"


def test_a_decided_application_is_named_as_decided(
    organizer: TestClient, services: Services, queue: dict[str, Any]
) -> None:
    base = f"/organizer/fairs/{queue['fair_id']}/applications"
    page = organizer.get(base, params={"status": "all"})
    answer = organizer.post(
        base,
        data={
            "application_id": [queue["done"]["application_id"]],
            "review_decision": "waitlisted",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert answer.status_code == 422
    assert "Hộ kinh doanh Miến Dong: đơn đăng ký này đã được xử lý hoặc đã rút" in answer.text
