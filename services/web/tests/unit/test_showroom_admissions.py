"""A showroom's rolling admissions in the web console (issue 15): an open showroom's page
offers "start" besides "close" (a fair's does not), with the showroom's own wording; a running
showroom taking applications offers closing them, says until when, and is listed to exhibitors
as open for applications; once its window has closed (or for any other running kind) it is
not, and only "finish" is offered."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ocop_web.pages.fairs import steps_of, takes_applications

from . import exhibitor_fakes, organizer_services
from .conftest import csrf_of
from .exhibitor_fakes import FAIR_ID, exhibitor, portal, web
from .organizer_services import Services, fair, organizer, services

__all__ = ["exhibitor", "organizer", "portal", "services", "web"]  # fixtures

NOW = datetime.now(UTC)
HOURS = [{"weekday": 0, "opens": "08:00", "closes": "17:30"}]


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def showroom(status: str, *, closes_in: timedelta = timedelta(days=10)) -> dict[str, Any]:
    """A showroom that started a week ago, open-ended; its window closes ``closes_in``."""
    return {
        **fair("Trung tâm OCOP Quảng Ninh", status),
        "kind": "showroom",
        "opening_hours": HOURS,
        "open_ended": True,
        "starts_at": _iso(NOW - timedelta(days=7)),
        "ends_at": "2100-12-31T16:59:59Z",
        "applications_open_at": _iso(NOW - timedelta(days=30)),
        "applications_close_at": _iso(NOW + closes_in),
    }


def _steps(html: str) -> list[str]:
    return re.findall(r'data-testid="step-(\w+)"', html)


def test_the_steps_and_the_window_by_kind_status_and_time() -> None:
    assert [s.action for s in steps_of(showroom("open"), NOW)] == ["close", "start"]
    assert [s.action for s in steps_of(showroom("running"), NOW)] == ["close", "finish"]
    closed = showroom("running", closes_in=-timedelta(days=1))
    assert [s.action for s in steps_of(closed, NOW)] == ["finish"]
    assert not takes_applications(closed, NOW)
    assert takes_applications(showroom("running"), NOW)
    for kind in ("fair", "exhibition", "promotion_week"):
        other = {**showroom("running"), "kind": kind}
        assert [s.action for s in steps_of(other, NOW)] == ["finish"], kind
        assert not takes_applications(other, NOW)
        opened = {**showroom("open"), "kind": kind}
        assert [s.action for s in steps_of(opened, NOW)] == ["close"], kind
        assert takes_applications(opened, NOW)


def test_an_open_showroom_offers_start_with_its_own_wording_and_sends_it(
    organizer: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = services.add_fair(showroom("open"))
    page = organizer.get(f"/organizer/fairs/{found['fair_id']}")
    assert page.status_code == 200, page.text
    assert _steps(page.text) == ["close", "start"]
    assert "Mở cửa điểm giới thiệu sản phẩm" in page.text
    plain = services.add_fair(fair("Hội chợ OCOP Xuân", "open"))
    assert _steps(organizer.get(f"/organizer/fairs/{plain['fair_id']}").text) == ["close"]

    confirm = organizer.get(f"/organizer/fairs/{found['fair_id']}/steps/start")
    assert confirm.status_code == 200
    assert "Việc nhận đơn vẫn tiếp tục trong khi điểm hoạt động" in confirm.text
    assert services.writes() == []
    # Registration starts a showroom from open (the fake as registration answers it).
    monkeypatch.setitem(organizer_services.TRANSITIONS, "start", ("open", "running"))
    started = organizer.post(
        f"/organizer/fairs/{found['fair_id']}/steps/start",
        data={"csrf_token": csrf_of(confirm.text)},
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text
    [(_, path, body)] = services.writes()
    assert path.endswith(f"/fairs/{found['fair_id']}/lifecycle") and body == {"action": "start"}
    assert found["status"] == "running"


def test_a_running_showroom_offers_closing_its_applications_until_its_window_ends(
    organizer: TestClient, services: Services
) -> None:
    running = services.add_fair(showroom("running"))
    page = organizer.get(f"/organizer/fairs/{running['fair_id']}")
    assert _steps(page.text) == ["close", "finish"]
    assert 'data-testid="rolling-admissions"' in page.text
    assert "nhận đơn đăng ký trong khi hoạt động" in page.text
    confirm = organizer.get(f"/organizer/fairs/{running['fair_id']}/steps/close")
    assert "Điểm giới thiệu sản phẩm vẫn hoạt động và bán hàng" in confirm.text

    over = services.add_fair(showroom("running", closes_in=-timedelta(hours=1)))
    page = organizer.get(f"/organizer/fairs/{over['fair_id']}")
    assert _steps(page.text) == ["finish"]
    assert 'data-testid="rolling-admissions"' not in page.text
    plain = services.add_fair(fair("Hội chợ OCOP Xuân", "running"))
    assert _steps(organizer.get(f"/organizer/fairs/{plain['fair_id']}").text) == ["finish"]


def _as(monkeypatch: pytest.MonkeyPatch, **changes: Any) -> None:
    for key, value in changes.items():
        monkeypatch.setitem(exhibitor_fakes.FAIR, key, value)


def test_a_running_showroom_within_its_window_is_listed_to_exhibitors(
    exhibitor: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as(monkeypatch, **{k: v for k, v in showroom("running").items() if k != "fair_id"})
    page = exhibitor.get("/exhibitor/fairs")
    assert "Trung tâm OCOP Quảng Ninh" in page.text
    assert f"/exhibitor/fairs/{FAIR_ID}/apply" in page.text
    assert "Đang mở cửa" in page.text and "không có ngày kết thúc" in page.text
    assert "2100" not in page.text.split('data-testid="fairs"', 1)[1].split("Hạn cuối")[0]


@pytest.mark.parametrize(
    "changes",
    [
        {"applications_close_at": _iso(NOW - timedelta(hours=1))},  # its window closed
        {"kind": "fair"},  # any other running kind
        {"status": "finished"},
    ],
)
def test_a_running_showroom_past_its_window_or_another_running_kind_is_not_listed(
    exhibitor: TestClient, monkeypatch: pytest.MonkeyPatch, changes: dict[str, Any]
) -> None:
    listed = {k: v for k, v in showroom("running").items() if k != "fair_id"}
    _as(monkeypatch, **{**listed, **changes})
    page = exhibitor.get("/exhibitor/fairs")
    assert page.status_code == 200
    assert f"/exhibitor/fairs/{FAIR_ID}/apply" not in page.text
    assert "Trung tâm OCOP Quảng Ninh" not in page.text
