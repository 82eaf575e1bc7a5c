"""Issue 15: a delegation's booth subsidy counts per member holder. Its application shows five
holders' products, so it may hold up to 5 x max_booths_per_holder booths and gets up to
5 x subsidy_max_booths of them subsidised, not the cap in total; a holder alone keeps the cap."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ocop_shared.contracts.registration import (
    AdmittedProduct,
    ApplicationApproved,
    ApplicationSnapshot,
    BoothRequest,
)
from ocop_shared.service import Service
from ocop_testkit import certified_product, publish_events, wait_for
from ocop_testkit.identity import issued_credential

from .conftest import BoothFair, bearer


async def _delegation(fair: BoothFair, holders: int, count: int) -> dict[str, Any]:
    delegation_id = uuid.uuid4()
    token, credential = issued_credential("exhibitor", str(delegation_id))
    products = [
        certified_product(uuid.uuid4(), f"Sản phẩm thành viên {i}", 100_000) for i in range(holders)
    ]
    application = ApplicationSnapshot(
        application_id=uuid.uuid4(),
        fair_id=fair.fair_id,
        exhibitor_id=delegation_id,
        exhibitor_name="Sở Công Thương tỉnh Hà Giang",
        exhibitor_kind="delegation",
        province="Hà Giang",
        products=products,
        booth_request=BoothRequest(count=count),
        status="approved",
        submitted_at=datetime.now(UTC) - timedelta(hours=1),
        best_star=4,
        admitted=[
            AdmittedProduct(product_id=p.product_id, until=p.ocop_until)  # type: ignore[arg-type]
            for p in products
        ],
    )
    await publish_events(fair.settings, [credential, ApplicationApproved(application=application)])
    await wait_for(
        lambda: fair.service.pool.fetchval(
            "select count(*) from applications where application_id = $1",
            application.application_id,
        ),
        timeout=60,
    )
    await wait_for(
        lambda: fair.service.pool.fetchval(
            "select count(*) from api_tokens where credential_id = $1", credential.credential_id
        ),
        timeout=60,
    )
    return {"exhibitor_id": delegation_id, "headers": bearer(token)}


async def test_a_delegation_of_five_holders_gets_five_times_the_subsidised_booths(
    booth_fair: BoothFair, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _, client = booths_app
    # booth_fair: max 2 booths per holder, 50 % subsidy for at most 2 booths per holder
    booths = await booth_fair.floorplan(12)
    delegation = await _delegation(booth_fair, holders=5, count=10)
    for booth in booths[:10]:
        held = await client.post(
            f"/fairs/{booth_fair.fair_id}/holds",
            headers=delegation["headers"],
            json={"booth_id": booth["booth_id"]},
        )
        assert held.status_code == 201, held.text
    fees = await client.get(f"/fairs/{booth_fair.fair_id}/fees", headers=delegation["headers"])
    assert fees.status_code == 200, fees.text
    lines = fees.json()["lines"]
    assert len(lines) == 10
    assert sum(1 for line in lines if line["subsidy_vnd"] > 0) == 10  # 5 holders x 2
    assert fees.json()["due_vnd"] == 10 * 2_000_000

    [alone] = await booth_fair.approved_exhibitors(1, count=2)
    for booth in booths[10:12]:
        held = await client.post(
            f"/fairs/{booth_fair.fair_id}/holds",
            headers=alone["headers"],
            json={"booth_id": booth["booth_id"]},
        )
        assert held.status_code == 201, held.text
    fees = await client.get(f"/fairs/{booth_fair.fair_id}/fees", headers=alone["headers"])
    assert [line["subsidy_vnd"] for line in fees.json()["lines"]] == [2_000_000, 2_000_000]
