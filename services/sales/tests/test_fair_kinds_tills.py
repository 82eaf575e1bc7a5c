"""Registration's fair kinds at the tills (issue 15): an exhibition is display-only (no till
is enrolled there), a showroom sells within its weekly opening hours only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from ocop_shared.contracts.registration import (
    AdmissionRules,
    FairRulesChanged,
    FairSnapshot,
    OpeningHours,
)
from ocop_shared.service import Service
from ocop_testkit import wait_for

VN = ZoneInfo("Asia/Ho_Chi_Minh")
App = tuple[Service, httpx.AsyncClient]


def changed(upstream: Any, **parts: Any) -> FairRulesChanged:
    now = datetime.now(UTC)
    rules = parts.pop("rules", AdmissionRules())
    fair = FairSnapshot(
        fair_id=upstream.fair_id,
        organizer_id=upstream.organizer,
        name="Trung tâm OCOP Quảng Ninh",
        kind=parts.pop("kind", "fair"),
        venue="Hạ Long",
        province="Quảng Ninh",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=3),
        applications_open_at=now - timedelta(days=30),
        applications_close_at=now - timedelta(days=2),
        rules=rules,
        status="running",
        **parts,
    )
    return FairRulesChanged(fair=fair)


async def stored(sales_app: App, fair_id: Any, column: str, expected: Any) -> None:
    service, _client = sales_app

    async def arrived() -> bool:
        value = await service.pool.fetchval(
            f"select {column} from fairs where fair_id = $1", fair_id
        )
        return bool(value == expected)

    await wait_for(arrived, timeout=30, interval=0.05)


async def test_no_till_is_enrolled_at_an_exhibition(upstream: Any, sales_app: App) -> None:
    booth = await upstream.exhibitor_at_booth([("Chè Đường Hoa", 120_000)])
    await upstream.publish(
        [changed(upstream, kind="exhibition", rules=AdmissionRules(selling=False))]
    )
    await stored(sales_app, upstream.fair_id, "selling", False)
    _service, client = sales_app
    response = await client.post(
        f"/fairs/{upstream.fair_id}/terminals",
        headers=upstream.organizer_headers,
        json={"booth_id": str(booth["booth_id"]), "label": "Quầy trưng bày"},
    )
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["code"] == "fair_not_selling" and body["field"] == "fair_id"


async def test_a_showroom_sells_within_its_opening_hours_only(
    upstream: Any, sales_app: App, sale: Any
) -> None:
    _service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Mật ong bạc hà", 250_000)])
    today = datetime.now(VN)
    other_day = (today.weekday() + 3) % 7  # open only on a day three days away
    closed = [OpeningHours(weekday=other_day, opens="08:00", closes="17:30")]
    await upstream.publish([changed(upstream, kind="showroom", opening_hours=closed)])
    await stored(sales_app, upstream.fair_id, "jsonb_array_length(opening_hours)", 1)
    refused = await client.post("/sales", headers=booth["headers"], json=sale(booth["products"]))
    assert refused.status_code == 422, refused.text
    assert "device_time" in refused.text and "opening hours" in refused.text
    open_now = [OpeningHours(weekday=today.weekday(), opens="00:00", closes="23:59")]
    await upstream.publish([changed(upstream, kind="showroom", opening_hours=open_now)])

    async def reopened() -> bool:
        hours = await _service.pool.fetchval(
            "select opening_hours from fairs where fair_id = $1", upstream.fair_id
        )
        return bool(hours and hours[0]["weekday"] == today.weekday())

    await wait_for(reopened, timeout=30, interval=0.05)
    accepted = await client.post("/sales", headers=booth["headers"], json=sale(booth["products"]))
    assert accepted.status_code == 201, accepted.text
