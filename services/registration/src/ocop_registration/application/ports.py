"""What the handlers need from storage: one protocol per repository, and the bundle of them a
unit of work carries (``uow.repos``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from ocop_registration.domain import identity
from ocop_registration.domain.applications import Application
from ocop_registration.domain.authority import Authority, Held
from ocop_registration.domain.delegations import Membership
from ocop_registration.domain.exhibitors import Exhibitor
from ocop_registration.domain.fairs import Fair
from ocop_registration.domain.holder_results import FairResult
from ocop_registration.domain.inspections import Exhibit, Inspection, Referral
from ocop_registration.domain.products import (
    Certificate,
    ExpiryCandidate,
    NewProduct,
    Product,
    ProductChanges,
)
from ocop_shared import auth

# identity (H1) ---------------------------------------------------------------------------


class OrganizationRepository(Protocol):
    async def add(self, organization: identity.Organization) -> None: ...

    async def get(
        self, organization_id: str, *, lock: bool = False
    ) -> identity.Organization | None: ...

    async def set_suspended(self, organization_id: str, at: datetime | None) -> None: ...


class UserRepository(Protocol):
    async def taken(self, email: str | None, phone: str | None) -> list[str]: ...

    async def add(self, user: identity.User, password_hash: str, now: datetime) -> None: ...

    async def get(self, user_id: UUID) -> identity.StoredUser | None: ...

    async def by_login(self, login: identity.Login) -> identity.StoredUser | None: ...

    async def set_password(self, user_id: UUID, password_hash: str, now: datetime) -> None: ...

    async def add_membership(
        self, user_id: UUID, organization_id: str, org_role: str, now: datetime
    ) -> None: ...

    async def remove_membership(self, user_id: UUID, organization_id: str) -> bool: ...

    async def memberships(self, user_id: UUID) -> list[identity.Membership]: ...

    async def members(
        self, organization_id: str, *, lock: bool = False
    ) -> list[identity.Member]: ...


class SessionRepository(Protocol):
    async def add(self, session: identity.SessionRecord, token_sha256: bytes) -> None: ...

    async def get(self, session_id: UUID) -> identity.SessionRecord | None: ...

    async def live(
        self, *, user_id: UUID | None = None, organization_id: str | None = None
    ) -> list[identity.SessionRecord]: ...

    async def due(
        self, now: datetime, idle_since: datetime, limit: int
    ) -> list[identity.SessionRecord]: ...

    async def revoke(self, session_ids: Sequence[UUID], reason: str, now: datetime) -> None: ...

    async def touch(
        self, session_id: UUID, now: datetime, before: datetime, alive_after: datetime
    ) -> None: ...


class InvitationRepository(Protocol):
    async def add(
        self, invitation: identity.Invitation, code_sha256: bytes, created_by: UUID | None
    ) -> None: ...

    async def by_code(self, code_sha256: bytes) -> identity.Invitation | None: ...

    async def get(
        self, invitation_id: UUID, organization_id: str
    ) -> identity.Invitation | None: ...

    async def of_organization(self, organization_id: str) -> list[identity.Invitation]: ...

    async def mark_used(self, invitation_id: UUID, user_id: UUID, now: datetime) -> None: ...

    async def revoke(self, invitation_id: UUID, now: datetime) -> None: ...


class ResetCodeRepository(Protocol):
    async def add(
        self,
        code: identity.ResetCode,
        code_sha256: bytes,
        created_by: UUID | None,
        now: datetime,
    ) -> None: ...

    async def by_code(self, code_sha256: bytes) -> identity.ResetCode | None: ...

    async def mark_used(self, code_id: UUID, now: datetime) -> None: ...


class ApiKeyRepository(Protocol):
    async def add(
        self, key: identity.ApiKey, token_sha256: bytes, created_by: UUID | None
    ) -> None: ...

    async def get(self, key_id: UUID, organization_id: str) -> identity.ApiKey | None: ...

    async def of_organization(self, organization_id: str) -> list[identity.ApiKey]: ...

    async def live_of_organization(self, organization_id: str) -> list[identity.ApiKey]: ...

    async def revoke(self, key_ids: Sequence[UUID], now: datetime) -> None: ...


class SignInThrottleRepository(Protocol):
    async def hold(self, login: str) -> identity.Throttle: ...

    async def failed(self, login: str, now: datetime) -> None: ...

    async def succeeded(self, login: str) -> None: ...

    async def purge(self, before: datetime) -> int: ...


class CredentialRepository(Protocol):
    """The credentials registration authenticates (its own ``api_tokens``)."""

    async def store(self, grant: auth.Grant) -> None: ...

    async def revoke(self, credential_ids: Sequence[UUID]) -> None: ...

    async def revoke_subject(self, role: auth.Role, subject: str) -> None: ...


# ------------------------------------------------------------------------------------------


class FairRepository(Protocol):
    async def get(self, fair_id: UUID, *, lock: bool = False) -> Fair | None: ...

    async def list(self, *, organizer_id: str | None, public_only: bool) -> list[Fair]: ...

    async def add(self, fair: Fair) -> None: ...

    async def save(self, fair: Fair) -> None: ...


class ExhibitorRepository(Protocol):
    async def get(self, exhibitor_id: UUID, *, lock: bool = False) -> Exhibitor | None: ...

    async def get_many(self, ids: Sequence[UUID]) -> dict[UUID, Exhibitor]: ...

    async def by_tax_code(self, tax_code: str) -> Exhibitor | None: ...

    async def holder_named(self, name: str, province: str) -> Exhibitor | None: ...

    async def search(
        self, folded: str, limit: int, *, applied_to: str | None = None
    ) -> list[Exhibitor]:
        """By folded name; ``applied_to``: only those that applied to that organizer's fairs."""
        ...

    async def applied_to(self, exhibitor_id: UUID, organizer_id: str) -> bool:
        """Whether the exhibitor applied (ever) to a fair of that organizer."""
        ...

    async def save(self, exhibitor: Exhibitor) -> None: ...

    async def memberships(
        self, *, delegation_id: UUID | None = None, holder_id: UUID | None = None
    ) -> list[Membership]: ...

    async def membership(
        self, delegation_id: UUID, holder_id: UUID, *, lock: bool = False
    ) -> Membership | None: ...

    async def save_memberships(self, memberships: Sequence[Membership]) -> None: ...


class ProductRepository(Protocol):
    async def get(self, product_id: UUID, *, lock: bool = False) -> Product | None: ...

    async def get_many(self, ids: Sequence[UUID], *, lock: bool = False) -> dict[UUID, Product]: ...

    async def search(
        self, *, folded: str, group: int | None, holder_id: UUID | None, limit: int
    ) -> list[Product]: ...

    async def add(self, new: NewProduct) -> None: ...

    async def update(self, product_id: UUID, changes: ProductChanges) -> None: ...

    async def taken_gtins(self, gtins: Sequence[str]) -> set[str]: ...

    async def of_holders(self, holder_ids: Sequence[UUID]) -> list[Product]: ...


class CertificateRepository(Protocol):
    async def add(self, product_id: UUID, certificate: Certificate) -> None: ...

    async def held(self, numbers: Sequence[str]) -> dict[str, Held]:
        """Each known certificate's product, star and holder's province; locked."""
        ...

    async def revoke(
        self, number: str, decision_number: str, reason: str, authority: Authority
    ) -> None: ...

    async def taken_numbers(self, numbers: Sequence[str]) -> set[str]: ...

    async def expiry_candidates(self, today: date, notice_days: int) -> list[ExpiryCandidate]: ...

    async def upcoming_expiry(self, today: date, notice_days: int) -> list[ExpiryCandidate]: ...

    async def mark_announced(self, certificate_id: UUID, *, expired: bool) -> None: ...


class ApplicationRepository(Protocol):
    async def get(self, application_id: UUID, *, lock: bool = False) -> Application | None: ...

    async def list(
        self,
        *,
        fair_id: UUID | None = None,
        exhibitor_id: UUID | None = None,
        status: str | None = None,
    ) -> list[Application]: ...

    async def add(self, application: Application) -> None: ...

    async def save(self, application: Application) -> None: ...


class HolderResultRepository(Protocol):
    async def add_sales(self, fair_id: UUID, gross: Mapping[UUID, int]) -> None: ...

    async def add_refunds(self, fair_id: UUID, refunded: Mapping[UUID, int]) -> None: ...

    async def history(self, holder_ids: Sequence[UUID]) -> dict[UUID, list[FairResult]]: ...


class InspectionRepository(Protocol):
    """Inspections at fairs (issue 15)."""

    async def exhibits(self, fair_id: UUID) -> list[Exhibit]: ...

    async def get(self, inspection_id: UUID) -> Inspection | None: ...

    async def add(self, inspection: Inspection) -> bool: ...

    async def of_fair(self, fair_id: UUID) -> list[Inspection]: ...

    async def of_product(self, product_id: UUID) -> list[Inspection]: ...

    async def referrals(self, limit: int) -> list[Referral]: ...


class Repositories(Protocol):
    @property
    def organizations(self) -> OrganizationRepository: ...

    @property
    def users(self) -> UserRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...

    @property
    def invitations(self) -> InvitationRepository: ...

    @property
    def reset_codes(self) -> ResetCodeRepository: ...

    @property
    def api_keys(self) -> ApiKeyRepository: ...

    @property
    def sign_in_throttle(self) -> SignInThrottleRepository: ...

    @property
    def credentials(self) -> CredentialRepository: ...

    @property
    def fairs(self) -> FairRepository: ...

    @property
    def exhibitors(self) -> ExhibitorRepository: ...

    @property
    def products(self) -> ProductRepository: ...

    @property
    def certificates(self) -> CertificateRepository: ...

    @property
    def applications(self) -> ApplicationRepository: ...

    @property
    def holder_results(self) -> HolderResultRepository: ...

    @property
    def inspections(self) -> InspectionRepository: ...
