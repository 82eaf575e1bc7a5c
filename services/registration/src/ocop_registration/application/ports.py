"""What the handlers need from storage: one protocol per repository, and the bundle of them a
unit of work carries (``uow.repos``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Protocol
from uuid import UUID

from ocop_registration.domain.applications import Application
from ocop_registration.domain.authority import Authority, Held
from ocop_registration.domain.delegations import Membership
from ocop_registration.domain.exhibitors import Exhibitor
from ocop_registration.domain.fairs import Fair
from ocop_registration.domain.holder_results import FairResult
from ocop_registration.domain.products import (
    Certificate,
    ExpiryCandidate,
    NewProduct,
    Product,
    ProductChanges,
)
from ocop_shared.auth import Role


class OrganizerRepository(Protocol):
    async def add(self, organizer_id: str, name: str) -> None: ...


class CredentialRepository(Protocol):
    async def add(self, token_sha256: bytes, role: Role, subject: str, label: str) -> None: ...


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


class Repositories(Protocol):
    @property
    def organizers(self) -> OrganizerRepository: ...

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
