"""The demo's showroom sells within its opening hours only, as sales enforces them (a demo
loaded at night must not try a sale the centre's tills would be refused)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ocop_cli.demo import showroom_open

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_the_centre_is_open_in_its_hours_in_viet_nam_time() -> None:
    monday = datetime(2026, 11, 30, tzinfo=VN)  # a Monday: 08:00-17:30
    saturday = datetime(2026, 12, 5, tzinfo=VN)  # the weekend: 08:00-21:00
    assert showroom_open(monday.replace(hour=9))
    assert not showroom_open(monday.replace(hour=7, minute=59))
    assert not showroom_open(monday.replace(hour=17, minute=30))
    assert showroom_open(saturday.replace(hour=20, minute=59))
    assert not showroom_open(saturday.replace(hour=21))
    # 02:00 UTC is 09:00 in Viet Nam
    assert showroom_open(datetime.fromisoformat("2026-11-30T02:00:00+00:00"))
