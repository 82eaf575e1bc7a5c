"""The organizer's home against fake services: what needs attention fair by fair, from the
service that owns each figure, and a figure a service cannot give shown as not available."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from .organizer_services import Services, application, fair, organizer, product, services

__all__ = ["organizer", "services"]  # fixtures


def test_the_home_opens_on_what_needs_attention(organizer: TestClient, services: Services) -> None:
    running = services.add_fair(fair("Hội chợ OCOP Quảng Ninh 2026", "open"))
    draft = services.add_fair(fair("Tuần lễ xúc tiến tại GO! Hạ Long", "draft"))
    services.add_fair(fair("Hội chợ OCOP Xuân 2025", "finished"))
    for name in ("Hợp tác xã Chè Đường Hoa", "Hợp tác xã Nấm Hương Bình Liêu"):
        services.add_application(
            application(running["fair_id"], name, "Quảng Ninh", [product("Chè", 4)])
        )
    services.floorplans[running["fair_id"]] = {
        "fair_id": running["fair_id"],
        "zones": [],
        "booths": [
            {"code": f"A-{i}", "state": s}
            for i, s in enumerate(["held", "held", "available", "confirmed"])
        ],
    }
    services.terminals[running["fair_id"]] = [
        {"terminal_id": "t1", "status": "active", "session_open": True},
        {"terminal_id": "t2", "status": "active", "session_open": False},
        {"terminal_id": "t3", "status": "suspended", "session_open": False},
    ]
    home = organizer.get("/")
    assert home.status_code == 200
    assert '<h1 class="ocop-heading-l">Việc cần xử lý</h1>' in home.text
    assert 'data-testid="acting-for"' in home.text and "Sở Công Thương Quảng Ninh" in home.text
    cards = re.search(r'data-testid="attention".*?</ul>', home.text, re.S)
    assert cards
    figures = re.findall(r'ocop-console-card__figure">(\d+)<', cards.group(0))
    assert figures == ["2", "2", "1"]
    assert "đơn đăng ký đang chờ duyệt" in cards.group(0)
    assert "gian hàng đang được giữ chỗ, chờ thanh toán" in cards.group(0)
    table = re.search(r'data-testid="fair-attention".*?</table>', home.text, re.S)
    assert table
    assert f'<a href="/organizer/fairs/{running["fair_id"]}/applications">2</a>' in table.group(0)
    assert "1 / 1 / 3" in table.group(0)
    assert draft["name"] in table.group(0) and "chưa mở nhận đơn" in table.group(0)
    assert "Hội chợ OCOP Xuân 2025" not in table.group(0)  # finished: nothing to do


def test_a_figure_a_service_cannot_give_is_shown_as_not_available(
    organizer: TestClient, services: Services
) -> None:
    services.add_fair(fair("Hội chợ OCOP Quảng Ninh 2026", "open"))  # no plan, no tills yet
    home = organizer.get("/organizer")
    assert home.status_code == 200
    assert home.text.count("không có số liệu") == 4  # booths on hold, and the tills' three


def test_no_fair_yet(organizer: TestClient) -> None:
    home = organizer.get("/organizer")
    assert "Chưa có hội chợ nào đang triển khai" in home.text
    assert 'href="/organizer/fairs/new"' in home.text
