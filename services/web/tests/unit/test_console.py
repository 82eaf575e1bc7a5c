"""The organizer's home against fake services: what needs attention fair by fair, from the
service that owns each figure (holds about to expire, soonest first; bank payments left
unmatched), and a figure a service cannot give shown as not available."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from ocop_web.pages.tills import is_offline, offline_tills, selling_now

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
    holder = services.add_application(
        application(
            running["fair_id"], "Hợp tác xã Mật ong Ba Chẽ", "Quảng Ninh", [product("Mật ong", 4)],
            status="approved",
        )
    )  # fmt: skip
    now = datetime.now(UTC)

    def held(code: str, until: datetime | None) -> dict[str, object]:
        return {"booth_id": f"b-{code}", "code": code, "state": "held",
                "exhibitor_id": holder["exhibitor_id"],
                "held_until": until.isoformat() if until else None}  # fmt: skip

    services.floorplans[running["fair_id"]] = {
        "fair_id": running["fair_id"],
        "zones": [],
        "booths": [
            held("A-0", now + timedelta(hours=20)),
            held("A-1", now + timedelta(minutes=25)),
            held("A-5", now + timedelta(days=3)),  # not soon
            {"booth_id": "b-A-2", "code": "A-2", "state": "available"},
            {"booth_id": "b-A-3", "code": "A-3", "state": "confirmed"},
        ],
    }
    services.unmatched[running["fair_id"]] = [
        {"line": 3, "amount": "4.500.000", "amount_vnd": 4_500_000, "description": "CK gian hang",
         "transaction_id": "FT1", "booked_at": "2026-06-05", "reason": "no payment reference",
         "reason_code": "no_payment_reference", "reason_params": {}, "imported_by": "x",
         "imported_at": "2026-06-05T03:00:00Z"},
        {"line": 4, "amount": "1.000.000", "amount_vnd": 1_000_000, "description": "ung ho",
         "transaction_id": "FT2", "booked_at": "2026-06-05", "reason": "no payment reference",
         "reason_code": "no_payment_reference", "reason_params": {}, "imported_by": "x",
         "imported_at": "2026-06-05T03:00:00Z"},
    ]  # fmt: skip
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
    # waiting, held, ending soon, unmatched, tills offline (the fair is not selling), suspended
    assert figures == ["2", "3", "2", "2", "0", "1"]
    assert "đơn đăng ký đang chờ duyệt" in cards.group(0)
    assert "gian hàng đang được giữ chỗ, chờ thanh toán" in cards.group(0)
    assert "lượt giữ chỗ sắp hết hạn" in cards.group(0)
    assert "khoản chuyển khoản chưa khớp với đơn vị nào" in cards.group(0)
    expiring = re.search(r'data-testid="expiring-holds".*?</table>', home.text, re.S)
    assert expiring
    rows = re.findall(r"<tr>.*?</tr>", expiring.group(0).split("<tbody>")[1], re.S)
    assert [re.search(r">(A-\d)</a>", r).group(1) for r in rows] == ["A-1", "A-0"]  # type: ignore[union-attr]
    assert "Hợp tác xã Mật ong Ba Chẽ" in rows[0]
    assert f'href="/organizer/fairs/{running["fair_id"]}/floorplan/booths/b-A-1"' in rows[0]
    table = re.search(r'data-testid="fair-attention".*?</table>', home.text, re.S)
    assert table
    assert f'<a href="/organizer/fairs/{running["fair_id"]}/applications">2</a>' in table.group(0)
    assert "1 / 1 / 3" in table.group(0)
    unmatched = re.search(r'data-testid="unmatched">(.*?)</td>', table.group(0), re.S)
    assert unmatched and f'/organizer/fairs/{running["fair_id"]}/money">2</a>' in unmatched.group(1)
    assert "5.500.000" in unmatched.group(1)
    assert draft["name"] in table.group(0) and "chưa mở nhận đơn" in table.group(0)
    assert "Hội chợ OCOP Xuân 2025" not in table.group(0)  # finished: nothing to do


def test_a_figure_a_service_cannot_give_is_shown_as_not_available(
    organizer: TestClient, services: Services
) -> None:
    services.add_fair(fair("Hội chợ OCOP Quảng Ninh 2026", "open"))  # no plan, no tills yet
    home = organizer.get("/organizer")
    assert home.status_code == 200
    # booths on hold, bank payments unmatched, and the tills' three
    assert home.text.count("không có số liệu") == 5
    assert 'data-testid="no-expiring-holds"' in home.text


def test_no_fair_yet(organizer: TestClient) -> None:
    home = organizer.get("/organizer")
    assert "Chưa có hội chợ nào đang triển khai" in home.text
    assert 'href="/organizer/fairs/new"' in home.text


def selling_fair(now: datetime) -> dict[str, object]:
    """A running fair whose daily hours are now (it opened an hour before now's time of day,
    two days ago, and closes an hour after it, two days on)."""
    found = fair("Hội chợ OCOP Quảng Ninh 2026", "running")
    found["starts_at"] = (now - timedelta(days=2, hours=1)).isoformat()
    found["ends_at"] = (now + timedelta(days=2, hours=1)).isoformat()
    return found


def test_tills_offline_while_the_fair_sells_are_shown(
    organizer: TestClient, services: Services
) -> None:
    now = datetime.now(UTC)
    running = services.add_fair(selling_fair(now))
    enrolled = {"exhibitor_id": None, "enrolled_at": "2026-08-28T01:00:00Z"}
    services.terminals[running["fair_id"]] = [
        {**enrolled, "terminal_id": "t1", "label": "Quầy 1", "booth_code": "A-01", "status": "active",
         "session_open": True, "last_online_at": (now - timedelta(minutes=5)).isoformat()},
        {**enrolled, "terminal_id": "t2", "label": "Quầy 2", "booth_code": "A-02", "status": "active",
         "session_open": True, "last_online_at": (now - timedelta(hours=2)).isoformat()},
        {**enrolled, "terminal_id": "t3", "label": "Quầy 3", "booth_code": "A-03", "status": "active",
         "session_open": True, "last_online_at": None},
        {**enrolled, "terminal_id": "t4", "label": "Quầy 4", "booth_code": "A-04", "status": "active",
         "session_open": False, "last_online_at": None},
        {**enrolled, "terminal_id": "t5", "label": "Quầy 5", "booth_code": "A-05", "status": "suspended",
         "session_open": False, "last_online_at": (now - timedelta(hours=3)).isoformat()},
    ]  # fmt: skip
    home = organizer.get("/organizer")
    card = re.search(r'data-testid="tills-offline-count".*?</li>', home.text, re.S)
    assert card and 'ocop-console-card__figure">2<' in card.group(0)
    assert "quầy thu ngân mất kết nối" in card.group(0)
    table = re.search(r'data-testid="offline-tills".*?</table>', home.text, re.S)
    assert table
    rows = re.findall(r"<tr>.*?</tr>", table.group(0).split("<tbody>")[1], re.S)
    assert ["Quầy 3" in rows[0], "Quầy 2" in rows[1]] == [True, True]  # never heard of: first
    assert "Chưa bao giờ, dù ca bán đang mở" in rows[0]
    tills = organizer.get(f"/organizer/fairs/{running['fair_id']}/tills")
    assert 'data-testid="tills-offline"' in tills.text
    assert tills.text.count("data-offline") == 2


def test_offline_is_told_only_while_the_fair_sells() -> None:
    now = datetime(2026, 8, 30, 5, 0, tzinfo=UTC)  # 12:00 in Viet Nam
    days = fair("Hội chợ", "running")  # opens 08:00, closes 22:00 (Viet Nam) each day
    silent = {"status": "active", "session_open": True,
              "last_online_at": (now - timedelta(minutes=31)).isoformat()}  # fmt: skip
    assert selling_now(days, now) and is_offline(silent, now)
    assert offline_tills(days, [silent], now) == [
        {**silent, "last_heard_at": now - timedelta(minutes=31)}
    ]
    night = datetime(2026, 8, 30, 17, 0, tzinfo=UTC)  # 00:00 in Viet Nam: closed
    assert not selling_now(days, night)
    early = datetime(2026, 8, 30, 1, 20, tzinfo=UTC)  # 08:20: not 30 minutes open yet
    assert not selling_now(days, early)
    assert not selling_now({**days, "status": "closed"}, now)
    assert not is_offline(
        {**silent, "last_online_at": (now - timedelta(minutes=29)).isoformat()}, now
    )
    assert not is_offline({**silent, "status": "suspended"}, now)
    assert not is_offline({"status": "active", "session_open": False, "last_online_at": None}, now)


def test_a_browser_till_reading_its_catalogue_is_not_offline() -> None:
    """A browser till uploads its sales in batches (judged offline: no last online sale),
    and reads its catalogue every second while online: that is hearing of it."""
    now = datetime(2026, 8, 30, 5, 0, tzinfo=UTC)  # 12:00 in Viet Nam
    days = fair("Hội chợ", "running")
    polling = {"status": "active", "session_open": True, "last_online_at": None,
               "last_seen_at": (now - timedelta(seconds=20)).isoformat()}  # fmt: skip
    assert not is_offline(polling, now)
    assert offline_tills(days, [polling], now) == []
    gone = {**polling, "last_seen_at": (now - timedelta(minutes=45)).isoformat(),
            "last_online_at": (now - timedelta(hours=2)).isoformat()}  # fmt: skip
    assert is_offline(gone, now)
    [listed] = offline_tills(days, [gone], now)
    assert listed["last_heard_at"] == now - timedelta(minutes=45)  # the later of the two
