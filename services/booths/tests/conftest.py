from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ocop_booths.adapters import jobs
from ocop_booths.adapters.http.deps import Wiring
from ocop_booths.app import BoothsSettings, build
from ocop_shared.contracts.registration import (
    AdmissionRules,
    AdmittedProduct,
    ApplicationApproved,
    ApplicationSnapshot,
    BoothRequest,
    FairOpenedForApplications,
    FairSnapshot,
)
from ocop_shared.service import Service
from ocop_shared.settings import CommonSettings
from ocop_testkit import certified_product, publish_events, running_app, wait_for
from ocop_testkit.identity import issued_credential


@pytest.fixture(scope="session")
def booths_built(stack_settings: CommonSettings, test_database: str) -> tuple[Service, FastAPI]:
    settings = BoothsSettings(
        env="test",
        pg_database=test_database,
        topic_prefix=stack_settings.topic_prefix,
        sweep_seconds=0.5,
        pool_max=40,
        waitlist_offer_minutes=45,
        corner_surcharge_percent=25,
    )
    return build(settings)


@pytest.fixture(scope="session")
async def booths_app(
    booths_built: tuple[Service, FastAPI],
) -> AsyncIterator[tuple[Service, httpx.AsyncClient]]:
    service, app = booths_built
    async with running_app(app) as client:
        yield service, client


@pytest.fixture
def sweep_deadlines(booths_built: tuple[Service, FastAPI]) -> Callable[[], Awaitable[int]]:
    """One pass of the deadline sweeper, as its job runs it."""
    wiring: Wiring = booths_built[1].state.wiring
    return lambda: jobs.sweep_deadlines(wiring.uow, wiring.terms)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class BoothFair:
    """A fair as registration announces it, with exhibitors whose applications are approved."""

    def __init__(
        self, settings: CommonSettings, service: Service, client: httpx.AsyncClient
    ) -> None:
        self.settings, self.service, self.client = settings, service, client
        self.fair_id = uuid.uuid4()
        self.organizer_id = f"org-{uuid.uuid4().hex[:6]}"
        self.organizer_token, self.organizer_credential = issued_credential(
            "organizer", self.organizer_id
        )
        self.organizer = bearer(self.organizer_token)

    def sibling(self) -> BoothFair:
        """Another fair of the same organizer (not opened yet)."""
        other = BoothFair(self.settings, self.service, self.client)
        other.organizer_id, other.organizer = self.organizer_id, self.organizer
        other.organizer_token, other.organizer_credential = (
            self.organizer_token,
            self.organizer_credential,
        )
        return other

    async def open(self, **rules: Any) -> None:
        now = datetime.now(UTC)
        fair = FairSnapshot(
            fair_id=self.fair_id,
            organizer_id=self.organizer_id,
            name="Hội chợ OCOP",
            kind="fair",
            venue="Hạ Long",
            province="Quảng Ninh",
            starts_at=now + timedelta(days=20),
            ends_at=now + timedelta(days=25),
            applications_open_at=now - timedelta(days=1),
            applications_close_at=now + timedelta(days=10),
            rules=AdmissionRules(**rules),
            status="open",
        )
        await publish_events(
            self.settings,
            [
                FairOpenedForApplications(fair=fair),
                self.organizer_credential,
            ],
        )
        await wait_for(
            lambda: self.service.pool.fetchval(
                "select count(*) from api_tokens where credential_id = $1",
                self.organizer_credential.credential_id,
            )
        )
        await wait_for(  # the fair too: its topic is not the credentials' topic
            lambda: self.service.pool.fetchval(
                "select count(*) from fairs where fair_id = $1", self.fair_id
            )
        )

    async def approved_exhibitors(
        self,
        n: int,
        *,
        count: int = 1,
        booth_type: str = "standard",
        star: int = 4,
        exhibitor_ids: list[uuid.UUID] | None = None,
    ) -> list[dict[str, Any]]:
        """``n`` exhibitors approved at the fair (``exhibitor_ids``: these, which may have
        applied to other fairs too), each with a new session."""
        events: list[Any] = []
        out = []
        start = datetime.now(UTC) - timedelta(days=1)
        for i in range(n):
            exhibitor_id = exhibitor_ids[i] if exhibitor_ids else uuid.uuid4()
            token, credential = issued_credential("exhibitor", str(exhibitor_id))
            product = certified_product(exhibitor_id, f"Sản phẩm {i}", 100_000, star=star)
            application = ApplicationSnapshot(
                application_id=uuid.uuid4(),
                fair_id=self.fair_id,
                exhibitor_id=exhibitor_id,
                exhibitor_name=f"HTX {i}",
                exhibitor_kind="cooperative",
                province="Quảng Ninh",
                products=[product],
                booth_request=BoothRequest(count=count, booth_type=booth_type),
                status="approved",
                submitted_at=start + timedelta(minutes=i),
                best_star=star,
                admitted=[AdmittedProduct(product_id=product.product_id, until=product.ocop_until)],
            )  # type: ignore[arg-type]
            events += [credential, ApplicationApproved(application=application)]
            out.append(
                {
                    "exhibitor_id": exhibitor_id,
                    "headers": bearer(token),
                    "credential": credential,
                    "application": application,
                    "product": product,
                }
            )
        await publish_events(self.settings, events)
        ids = [a["application"].application_id for a in out]
        await wait_for(
            lambda: self.service.pool.fetchval(
                "select count(*) = $2 from applications where application_id = any($1::uuid[])",
                ids,
                len(ids),
            ),
            timeout=60,
        )
        await wait_for(
            lambda: self.service.pool.fetchval(
                "select count(*) = $2 from api_tokens where credential_id = any($1::uuid[])",
                [a["credential"].credential_id for a in out],
                len(out),
            ),
            timeout=60,
        )
        return out

    async def floorplan(
        self, n: int, *, per_row: int = 10, kinds: list[str] | None = None
    ) -> list[dict[str, Any]]:
        booths = [
            {
                "code": f"A-{i + 1:03d}",
                "zone": "A",
                "booth_type": (kinds or ["standard"])[i % len(kinds or ["standard"])],
                "width_m": 3,
                "depth_m": 3,
                "price_vnd": 4_000_000,
                "x": (i % per_row) * 3.0,
                "y": (i // per_row) * 6.0,
            }
            for i in range(n)
        ]
        plan = {
            "zones": [
                {
                    "code": "A",
                    "name": "Khu A — cụm huyện",
                    "kind": "district_cluster",
                    "product_groups": [1, 2],
                }
            ],
            "booths": booths,
        }
        response = await self.client.put(
            f"/fairs/{self.fair_id}/floorplan", headers=self.organizer, json=plan
        )
        assert response.status_code == 200, response.text
        exported = await self.client.get(f"/fairs/{self.fair_id}/floorplan", headers=self.organizer)
        return list(exported.json()["booths"])


@pytest.fixture
async def booth_fair(
    booths_app: tuple[Service, httpx.AsyncClient], stack_settings: CommonSettings
) -> BoothFair:
    service, client = booths_app
    fair = BoothFair(stack_settings, service, client)
    await fair.open(max_booths_per_holder=2, subsidy_percent=50, subsidy_max_booths=2)
    return fair
