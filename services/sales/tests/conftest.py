from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from ocop_sales.app import SalesSettings, build
from ocop_shared.contracts.booths import BoothAssigned, Occupancy
from ocop_shared.contracts.identity import CredentialIssued, CredentialRole, OrgRole
from ocop_shared.contracts.registration import (
    AdmissionRules,
    AdmittedProduct,
    ApplicationApproved,
    ApplicationSnapshot,
    BoothRequest,
    ExhibitorRegistered,
    ExhibitorSnapshot,
    FairSnapshot,
    FairStarted,
    ProductSnapshot,
)
from ocop_shared.events import Event
from ocop_shared.service import Service
from ocop_shared.settings import CommonSettings
from ocop_testkit import certified_product, publish_events, running_app, valid_gtin, wait_for
from ocop_testkit.identity import issued_credential


@pytest.fixture(scope="session")
def sales_settings(stack_settings: CommonSettings, test_database: str) -> SalesSettings:
    return SalesSettings(
        env="test", pg_database=test_database, topic_prefix=stack_settings.topic_prefix
    )


@pytest.fixture(scope="session")
async def sales_app(
    sales_settings: SalesSettings,
) -> AsyncIterator[tuple[Service, httpx.AsyncClient]]:
    service, app = build(sales_settings)
    async with running_app(app) as client:
        yield service, client


class UpstreamFair:
    """Publishes, as registration and booths would, the events that set up a selling booth."""

    def __init__(
        self,
        settings: CommonSettings,
        service: Service,
        client: httpx.AsyncClient,
        *,
        organized_by: UpstreamFair | None = None,
    ) -> None:
        self.settings = settings
        self.service = service
        self.client = client
        self.fair_id = uuid.uuid4()
        if organized_by is None:
            self.organizer = f"org-{uuid.uuid4().hex[:6]}"
            self.organizer_token, self.organizer_credential = issued_credential(
                "organizer", self.organizer
            )
        else:  # another fair of the same organizer
            self.organizer = organized_by.organizer
            self.organizer_token = organized_by.organizer_token
            self.organizer_credential = organized_by.organizer_credential

    @property
    def organizer_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.organizer_token}"}

    async def another_fair(self) -> UpstreamFair:
        """A second running fair of the same organizer."""
        fair = UpstreamFair(self.settings, self.service, self.client, organized_by=self)
        await fair.start()
        return fair

    async def publish(self, events: list[Event]) -> None:
        await publish_events(self.settings, events)

    async def credential(
        self, role: CredentialRole, subject: str, *, org_role: OrgRole = "owner"
    ) -> tuple[dict[str, str], CredentialIssued]:
        """A credential announced as registration does, once sales has installed it."""
        token, event = issued_credential(role, subject, org_role=org_role)
        await self.publish([event])

        async def installed() -> bool:
            found = await self.service.pool.fetchval(
                "select true from api_tokens where credential_id = $1", event.credential_id
            )
            return bool(found)

        await wait_for(installed, timeout=30, interval=0.05)
        return {"Authorization": f"Bearer {token}"}, event

    def product(
        self, holder: uuid.UUID, name: str, price: int, *, star: int = 4, group: int = 1
    ) -> ProductSnapshot:
        product: ProductSnapshot = certified_product(
            holder, name, price, star=star, group=group, gtin=valid_gtin()
        )
        return product

    async def start(self) -> None:
        now = datetime.now(UTC)
        fair = FairSnapshot(
            fair_id=self.fair_id,
            organizer_id=self.organizer,
            name="Hội chợ OCOP Hạ Long",
            kind="fair",
            venue="Hạ Long",
            province="Quảng Ninh",
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=3),
            applications_open_at=now - timedelta(days=30),
            applications_close_at=now - timedelta(days=2),
            rules=AdmissionRules(),
            status="running",
        )
        await self.publish([FairStarted(fair=fair), self.organizer_credential])

    async def exhibitor_at_booth(
        self,
        products: list[tuple[str, int]],
        *,
        kind: str = "cooperative",
        members: int = 0,
        admitted_until: date | None = None,
    ) -> dict[str, Any]:
        """An approved exhibitor assigned a booth; returns ids, products and a terminal token."""
        exhibitor = ExhibitorSnapshot(
            exhibitor_id=uuid.uuid4(),
            kind=kind,
            name=f"HTX {uuid.uuid4().hex[:4]}",
            tax_code=None,
            province="Quảng Ninh",
            commune=None,
            phone=None,
        )  # type: ignore[arg-type]
        producers = (
            [exhibitor.exhibitor_id] if members == 0 else [uuid.uuid4() for _ in range(members)]
        )
        shown = [
            self.product(
                producers[i % len(producers)], name, price, star=3 + i % 3, group=1 + i % 6
            )
            for i, (name, price) in enumerate(products)
        ]
        application = ApplicationSnapshot(
            application_id=uuid.uuid4(),
            fair_id=self.fair_id,
            exhibitor_id=exhibitor.exhibitor_id,
            exhibitor_name=exhibitor.name,
            exhibitor_kind=exhibitor.kind,
            province="Quảng Ninh",
            products=shown,
            booth_request=BoothRequest(count=1),
            status="approved",
            submitted_at=datetime.now(UTC),
            best_star=5,
            admitted=[
                AdmittedProduct(product_id=p.product_id, until=admitted_until or p.ocop_until)
                for p in shown
                if p.ocop_until is not None
            ],
        )
        booth_id = uuid.uuid4()
        occupancy = Occupancy(
            fair_id=self.fair_id,
            booth_id=booth_id,
            booth_code=f"A-{uuid.uuid4().hex[:3]}",
            zone="A",
            exhibitor_id=exhibitor.exhibitor_id,
            application_id=application.application_id,
            status="assigned",
        )
        await self.publish(
            [
                ExhibitorRegistered(exhibitor=exhibitor),
                ApplicationApproved(application=application),
                BoothAssigned(occupancy=occupancy, reason="test", actor="test"),
            ]
        )
        headers = {"Authorization": f"Bearer {self.organizer_token}"}

        async def enrolled() -> Any:
            response = await self.client.post(
                f"/fairs/{self.fair_id}/terminals",
                headers=headers,
                json={"booth_id": str(booth_id), "label": "Quầy 1"},
            )
            if response.status_code == 201:
                count = await self.service.pool.fetchval(
                    "select count(*) from catalog where exhibitor_id = $1", exhibitor.exhibitor_id
                )
                return response.json() if count == len(shown) else None
            return None

        terminal = await wait_for(enrolled, timeout=30, interval=0.2)
        return {
            "exhibitor": exhibitor,
            "products": shown,
            "booth_id": booth_id,
            "terminal": terminal,
            "headers": {"Authorization": f"Bearer {terminal['token']}"},
            "producers": producers,
        }


@pytest.fixture
async def upstream(
    sales_app: tuple[Service, httpx.AsyncClient], stack_settings: CommonSettings
) -> UpstreamFair:
    service, client = sales_app
    fair = UpstreamFair(stack_settings, service, client)
    await fair.start()
    return fair


@pytest.fixture
def new_upstream(
    sales_app: tuple[Service, httpx.AsyncClient], stack_settings: CommonSettings
) -> Callable[[], Awaitable[UpstreamFair]]:
    """Makes further fairs, each of its own organizer."""
    service, client = sales_app

    async def make() -> UpstreamFair:
        fair = UpstreamFair(stack_settings, service, client)
        await fair.start()
        return fair

    return make


def sale_body(
    products: list[ProductSnapshot],
    quantities: list[int] | None = None,
    *,
    method: str = "cash",
    discount: int = 0,
    device_time: datetime | None = None,
) -> dict[str, Any]:
    quantities = quantities or [1] * len(products)
    lines = [
        {
            "product_id": str(p.product_id),
            "quantity": q,
            "unit_price_vnd": p.list_price_vnd,
            "discount_vnd": discount if i == 0 else 0,
            **({"discount_reason": "khuyến mãi khai trương"} if discount and i == 0 else {}),
        }
        for i, (p, q) in enumerate(zip(products, quantities, strict=True))
    ]
    total = sum(p.list_price_vnd * q for p, q in zip(products, quantities, strict=True)) - discount
    return {
        "sale_id": str(uuid.uuid4()),
        "device_time": (device_time or datetime.now(UTC)).isoformat(),
        "lines": lines,
        "payments": [{"method": method, "amount_vnd": total}],
        "total_vnd": total,
    }


@pytest.fixture
def sale() -> Any:
    return sale_body
