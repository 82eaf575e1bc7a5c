from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ocop_registration.adapters.http.deps import Wiring
from ocop_registration.app import RegistrationSettings, build
from ocop_registration.application.ports import Repositories
from ocop_registration.domain.text import fold
from ocop_registration.domain.timezone import VN
from ocop_shared.service import Service
from ocop_shared.settings import CommonSettings
from ocop_shared.uow import UnitOfWorkFactory
from ocop_testkit import running_app, valid_gtin, valid_tax_code


@pytest.fixture(scope="session")
def reg_settings(stack_settings: CommonSettings, test_database: str) -> RegistrationSettings:
    return RegistrationSettings(
        env="test", pg_database=test_database, topic_prefix=stack_settings.topic_prefix
    )


@pytest.fixture(scope="session")
def reg_built(reg_settings: RegistrationSettings) -> tuple[Service, FastAPI]:
    return build(reg_settings)


@pytest.fixture(scope="session")
async def reg_app(
    reg_built: tuple[Service, FastAPI],
) -> AsyncIterator[tuple[Service, httpx.AsyncClient]]:
    service, app = reg_built
    async with running_app(app) as client:
        yield service, client


@pytest.fixture(scope="session")
def reg_uow(reg_built: tuple[Service, FastAPI]) -> UnitOfWorkFactory[Repositories]:
    """The unit-of-work factory the app was wired with (what its jobs run on)."""
    wiring: Wiring = reg_built[1].state.wiring
    return wiring.uow


@pytest.fixture(scope="session")
def reg_client(reg_app: tuple[Service, httpx.AsyncClient]) -> httpx.AsyncClient:
    return reg_app[1]


class Registration:
    """Drives the registration API as its users would."""

    def __init__(self, client: httpx.AsyncClient, admin_token: str) -> None:
        self.client = client
        self.admin = {"Authorization": f"Bearer {admin_token}"}

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    async def ok(
        self, method: str, url: str, headers: dict[str, str], expect: int = 200, **kw: Any
    ) -> Any:
        response = await self.client.request(method, url, headers=headers, **kw)
        assert response.status_code == expect, response.text
        return response.json()

    # identity (H1): people sign up, accept invitations and sign in through the API -----------

    async def accept(self, code: str, name: str = "Trần Thị Bình") -> dict[str, str]:
        """A new person accepts an invitation code; their session."""
        tag = uuid.uuid4().hex[:10]
        body = await self.ok(
            "POST",
            "/invitations/accept",
            {},
            201,
            json={
                "code": code,
                "account": {
                    "name": name,
                    "email": f"person-{tag}@example.vn",
                    "password": f"mat-khau-{tag}",
                },
            },
        )
        return self.bearer(body["token"])

    async def organization(
        self,
        kind: str = "organizer",
        *,
        name: str = "Sở Công Thương Quảng Ninh",
        province: str | None = None,
        level: str | None = None,
    ) -> tuple[str, dict[str, str]]:
        """The admin creates an organizer or an authority; its first owner accepts the
        invitation. Its id and the owner's session."""
        organization_id = f"{kind}-{uuid.uuid4().hex[:8]}"
        body: dict[str, Any] = {"kind": kind, "organization_id": organization_id, "name": name}
        if province is not None:
            body["province"] = province
        if level is not None:
            body["level"] = level
        created = await self.ok("POST", "/organizations", self.admin, 201, json=body)
        return organization_id, await self.accept(created["owner_invitation"]["code"])

    async def organizer(self) -> dict[str, str]:
        """A new organizer's owner's session."""
        return (await self.organization("organizer", province="Quảng Ninh"))[1]

    async def certifier(
        self, province: str | None = "Quảng Ninh", level: str = "provincial"
    ) -> tuple[str, dict[str, str]]:
        """A province's OCOP council (``level="central"``: the central one, no province)."""
        return await self.organization(
            "certifier",
            name=f"Hội đồng OCOP {province or 'Trung ương'}",
            province=province if level == "provincial" else None,
            level=level,
        )

    async def inspector(self, province: str = "Quảng Ninh") -> tuple[str, dict[str, str]]:
        """A province's market surveillance (Quản lý thị trường)."""
        return await self.organization(
            "inspector", name=f"Quản lý thị trường {province}", province=province
        )

    async def staff_of(
        self, owner: dict[str, str], organization_id: str, org_role: str = "staff"
    ) -> dict[str, str]:
        """A new person the owner invited into the organization; their session."""
        invitation = await self.ok(
            "POST",
            f"/organizations/{organization_id}/invitations",
            owner,
            201,
            json={"org_role": org_role},
        )
        return await self.accept(invitation["code"])

    async def exhibitor(
        self,
        kind: str = "cooperative",
        name: str = "Hợp tác xã Mật ong Bạch Đằng",
        province: str = "Quảng Ninh",
    ) -> tuple[str, dict[str, str]]:
        """A holder or a delegation signs up with its owner; its id and the owner's session."""
        tag = uuid.uuid4().hex[:10]
        body = await self.ok(
            "POST",
            "/exhibitors",
            {},
            201,
            json={
                "kind": kind,
                "name": name,
                "tax_code": valid_tax_code() if kind != "delegation" else None,
                "province": province,
                "commune": "Hạ Long",
                "phone": "0912 345 678",
                "owner": {
                    "name": "Nguyễn Văn An",
                    "email": f"owner-{tag}@example.vn",
                    "password": f"mat-khau-{tag}",
                },
            },
        )
        return body["exhibitor"]["exhibitor_id"], self.bearer(body["token"])

    async def product(
        self,
        holder: dict[str, str],
        *,
        name: str = "Mật ong rừng Ba Chẽ",
        group: int = 1,
        price: int = 250_000,
        holder_id: str | None = None,
    ) -> dict[str, Any]:
        body = {
            "name": name,
            "group": group,
            "gtin": valid_gtin(),
            "unit": "chai 500ml",
            "list_price_vnd": price,
        }
        if holder_id:
            body["holder_id"] = holder_id
        return await self.ok("POST", "/products", holder, 201, json=body)  # type: ignore[no-any-return]

    async def certify(
        self,
        organizer: dict[str, str],
        product_id: str,
        *,
        star: int = 4,
        valid_from: str | None = None,
        valid_to: str | None = None,
    ) -> dict[str, Any]:
        number = f"QN-{uuid.uuid4().hex[:10]}"
        body = {
            "number": number,
            "star": star,
            "issuing_level": "province",
            "issuing_body": "UBND tỉnh Quảng Ninh",
            "decision_number": f"{uuid.uuid4().hex[:4]}/QĐ-UBND",
            "decision_date": "2025-06-01",
            "valid_from": valid_from or "2025-06-01",
        }
        if valid_to:
            body["valid_to"] = valid_to
        return await self.ok(
            "POST", f"/products/{product_id}/certificates", organizer, 201, json=body
        )  # type: ignore[no-any-return]

    async def open_fair(self, organizer: dict[str, str], **rules: Any) -> dict[str, Any]:
        now = datetime.now(VN).replace(tzinfo=None, microsecond=0)
        body = {
            "name": "Hội chợ OCOP khu vực Đông Bắc",
            "kind": "fair",
            "venue": "Cung Quy hoạch, Hội chợ và Triển lãm Quảng Ninh",
            "province": "Quảng Ninh",
            "applications_open_at": (now - timedelta(days=1)).isoformat(),
            "applications_close_at": (now + timedelta(days=10)).isoformat(),
            "starts_at": (now + timedelta(days=20)).isoformat(),
            "ends_at": (now + timedelta(days=25)).isoformat(),
            "rules": {"min_star": 3, "max_booths_per_holder": 2, **rules},
        }
        fair = await self.ok("POST", "/fairs", organizer, 201, json=body)
        return await self.ok(
            "POST", f"/fairs/{fair['fair_id']}/lifecycle", organizer, json={"action": "open"}
        )  # type: ignore[no-any-return]


@pytest.fixture
def reg(reg_client: httpx.AsyncClient, reg_settings: RegistrationSettings) -> Registration:
    assert reg_settings.admin_token is not None
    return Registration(reg_client, reg_settings.admin_token.get_secret_value())


# --- credentials installed directly (authority tests and the authorization matrix) ----------


class Grants:
    """Credentials of any role installed straight into registration's ``api_tokens`` (what a
    sign-in would store), so authority tests need no account of each kind; each call gives a
    new credential (its own person). Organizations and exhibitors are still created through
    the API (``organizer``, ``exhibitor``)."""

    def __init__(self, service: Service, client: httpx.AsyncClient, admin_token: str) -> None:
        self.service = service
        self.client = client
        self.admin = {"Authorization": f"Bearer {admin_token}"}

    async def __call__(
        self,
        role: str,
        subject: str,
        *,
        org_role: str = "owner",
        province: str | None = None,
        level: str | None = None,
    ) -> dict[str, str]:
        from ocop_shared import auth

        token = auth.new_token(role)  # type: ignore[arg-type]
        grant = auth.Grant(
            auth.hash_token(token),
            role,  # type: ignore[arg-type]
            subject,
            credential_id=uuid.uuid4(),
            kind="session",
            user_id=uuid.uuid4(),
            org_role=org_role,  # type: ignore[arg-type]
            province=province,
            level=level,
        )
        async with self.service.pool.acquire() as conn:
            await auth.store_grant(conn, grant)
        return {"Authorization": f"Bearer {token}"}

    async def certifier(self, province: str | None = "Quảng Ninh") -> dict[str, str]:
        """A province's OCOP council (or, with ``province=None``, the central one)."""
        if province is None:
            return await self("certifier", "hoi-dong-ocop-trung-uong", level="central")
        slug = "hoi-dong-ocop-" + "-".join(fold(province).split())
        return await self("certifier", slug, province=province, level="provincial")

    async def organizer(self) -> tuple[str, dict[str, str]]:
        """A new organizer (``POST /organizations``) and a credential of its owner."""
        organization_id = f"so-cong-thuong-{uuid.uuid4().hex[:8]}"
        response = await self.client.post(
            "/organizations",
            headers=self.admin,
            json={
                "kind": "organizer",
                "organization_id": organization_id,
                "name": "Sở Công Thương Quảng Ninh",
                "province": "Quảng Ninh",
            },
        )
        assert response.status_code == 201, response.text
        return organization_id, await self("organizer", organization_id)

    async def exhibitor(
        self,
        kind: str = "cooperative",
        name: str = "Hợp tác xã Mật ong Bạch Đằng",
        province: str = "Quảng Ninh",
    ) -> tuple[str, dict[str, str]]:
        """A holder or a delegation signed up with its owner's account; the owner's session."""
        tag = uuid.uuid4().hex[:10]
        response = await self.client.post(
            "/exhibitors",
            json={
                "kind": kind,
                "name": name,
                "tax_code": valid_tax_code() if kind != "delegation" else None,
                "province": province,
                "owner": {
                    "name": "Nguyễn Văn An",
                    "email": f"owner-{tag}@example.vn",
                    "password": f"mat-khau-{tag}",
                },
            },
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return body["exhibitor"]["exhibitor_id"], {"Authorization": f"Bearer {body['token']}"}


@pytest.fixture
def grants(
    reg_app: tuple[Service, httpx.AsyncClient], reg_settings: RegistrationSettings
) -> Grants:
    assert reg_settings.admin_token is not None
    service, client = reg_app
    return Grants(service, client, reg_settings.admin_token.get_secret_value())
