"""Stands and shelf slots through booths' API (issue 15): a promotion week's plan names
stands and shelves by the fair's stores (from registration's fair event); a shelf without a
store, or a store that is not the fair's, is 422 naming the field and loads nothing; hall
booths are unchanged; an approved exhibitor holds a stand like a booth."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ocop_shared.contracts.registration import (
    AdmissionRules,
    FairOpenedForApplications,
    FairSnapshot,
    StoreSnapshot,
)
from ocop_shared.service import Service
from ocop_testkit import publish_events, wait_for

from .conftest import BoothFair


async def _promotion_week(fair: BoothFair) -> None:
    now = datetime.now(UTC)
    snapshot = FairSnapshot(
        fair_id=fair.fair_id, organizer_id=fair.organizer_id, name="Tuần lễ OCOP tại siêu thị",
        kind="promotion_week", venue="Siêu thị Hạ Long", province="Quảng Ninh",
        starts_at=now + timedelta(days=20), ends_at=now + timedelta(days=27),
        applications_open_at=now - timedelta(days=1),
        applications_close_at=now + timedelta(days=10),
        rules=AdmissionRules(commission_percent=15), status="open",
        host_retailer_id=fair.fair_id,  # any retailer's id: booths does not read it
        stores=[StoreSnapshot(store_code="HL01", name="Hạ Long"),
                StoreSnapshot(store_code="CP02", name="Cẩm Phả")],
    )  # fmt: skip
    await publish_events(
        fair.settings, [FairOpenedForApplications(fair=snapshot), fair.organizer_credential]
    )
    await wait_for(
        lambda: fair.service.pool.fetchval(
            "select count(*) from fairs where fair_id = $1 and store_codes <> '{}'", fair.fair_id
        )
    )
    await wait_for(
        lambda: fair.service.pool.fetchval(
            "select count(*) from api_tokens where credential_id = $1",
            fair.organizer_credential.credential_id,
        )
    )


def _plan(*booths: dict[str, Any]) -> dict[str, Any]:
    zone = {"code": "A", "name": "Quầy OCOP", "kind": "district_cluster", "product_groups": [1]}
    return {"zones": [zone], "booths": list(booths)}


def _booth(code: str, **kw: Any) -> dict[str, Any]:
    return {"code": code, "zone": "A", "width_m": 2, "depth_m": 1, "price_vnd": 2_000_000, **kw}


async def test_a_promotion_weeks_stands_and_shelves_are_placed_by_its_stores(
    booths_app: tuple[Service, httpx.AsyncClient], stack_settings: Any
) -> None:
    service, client = booths_app
    fair = BoothFair(stack_settings, service, client)
    await _promotion_week(fair)
    url = f"/fairs/{fair.fair_id}/floorplan"

    async def refused(plan: dict[str, Any]) -> list[Any]:
        response = await client.put(url, headers=fair.organizer, json=plan)
        assert response.status_code == 422, response.text
        return response.json()["detail"][0]["loc"]  # type: ignore[no-any-return]

    shelf_without_store = _plan(_booth("K1", kind="stand", store_code="HL01"),
                                _booth("K2", kind="shelf"))  # fmt: skip
    assert (await refused(shelf_without_store))[-3:] == ["booths", "1", "store_code"]
    elsewhere = _plan(_booth("K1", kind="shelf", store_code="WM09"))
    assert (await refused(elsewhere))[-3:] == ["booths", "0", "store_code"]
    hall_without_place = _plan(_booth("H1"))
    assert (await refused(hall_without_place))[-3:] == ["booths", "0", "x"]
    assert await service.pool.fetchval(
        "select count(*) from booths where fair_id = $1", fair.fair_id
    ) == 0  # fmt: skip

    plan = _plan(
        _booth("H1", x=0, y=0), _booth("H2", x=2, y=0),
        _booth("S1", kind="stand", store_code="hl01"), _booth("S2", kind="stand", store_code="HL01"),
        _booth("K1", kind="shelf", store_code="CP02"),
    )  # fmt: skip
    loaded = await client.put(url, headers=fair.organizer, json=plan)
    assert loaded.status_code == 200, loaded.text
    booths = {
        b["code"]: b for b in (await client.get(url, headers=fair.organizer)).json()["booths"]
    }
    assert (booths["H1"]["kind"], booths["H1"].get("store_code"), booths["H1"]["neighbours"]) == (
        "booth", None, ["H2"]
    )  # fmt: skip
    assert (booths["S1"]["kind"], booths["S1"]["store_code"], booths["S1"]["neighbours"]) == (
        "stand", "HL01", []
    )  # fmt: skip
    assert booths["K1"]["kind"] == "shelf" and booths["K1"]["store_code"] == "CP02"
    imported = await client.get(url + "?format=import", headers=fair.organizer)
    again = await client.put(url, headers=fair.organizer, json=imported.json())
    assert again.status_code == 200, again.text  # the plan loads again as exported

    # An approved exhibitor holds a stand as it would a booth.
    [exhibitor] = await fair.approved_exhibitors(1)
    booths = {
        b["code"]: b for b in (await client.get(url, headers=fair.organizer)).json()["booths"]
    }
    held = await client.post(f"/fairs/{fair.fair_id}/holds", headers=exhibitor["headers"],
                             json={"booth_id": booths["S1"]["booth_id"]})  # fmt: skip
    assert held.status_code == 201, held.text
