"""Events the registration service publishes. Each carries the state its consumers need."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from ocop_shared.events import Event
from ocop_shared.topics import (
    REGISTRATION_APPLICATIONS,
    REGISTRATION_EXHIBITORS,
    REGISTRATION_FAIRS,
    REGISTRATION_PRODUCTS,
    Topic,
)

FairStatus = Literal["draft", "open", "closed", "running", "finished"]
CertificateStatus = Literal["valid", "expiring", "expired", "revoked"]
ApplicationStatus = Literal["submitted", "approved", "rejected", "waitlisted", "withdrawn"]


class _Snapshot(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AdmissionRules(_Snapshot):
    min_star: int = 3
    product_groups: list[int] = [1, 2, 3, 4, 5, 6]
    taxonomy: str = "2023"
    max_booths_per_holder: int = 2
    subsidy_percent: int = 0
    subsidy_max_booths: int = 0


class FairSnapshot(_Snapshot):
    fair_id: UUID
    organizer_id: str
    name: str
    kind: Literal["fair", "exhibition", "promotion_week", "showroom"]
    venue: str
    province: str
    starts_at: datetime
    ends_at: datetime
    applications_open_at: datetime
    applications_close_at: datetime
    rules: AdmissionRules
    status: FairStatus


class _FairEvent(Event):
    topic: ClassVar[Topic] = REGISTRATION_FAIRS
    fair: FairSnapshot

    def partition_key(self) -> str:
        return str(self.fair.fair_id)


class FairPublished(_FairEvent):
    event_type: ClassVar[str] = "registration.fair_published"


class FairOpenedForApplications(_FairEvent):
    event_type: ClassVar[str] = "registration.fair_opened_for_applications"


class FairApplicationsClosed(_FairEvent):
    event_type: ClassVar[str] = "registration.fair_applications_closed"


class FairStarted(_FairEvent):
    event_type: ClassVar[str] = "registration.fair_started"


class FairFinished(_FairEvent):
    event_type: ClassVar[str] = "registration.fair_finished"


class FairRulesChanged(_FairEvent):
    event_type: ClassVar[str] = "registration.fair_rules_changed"


class ExhibitorSnapshot(_Snapshot):
    exhibitor_id: UUID
    kind: Literal[
        "cooperative", "enterprise", "cooperative_group", "household_business", "delegation"
    ]
    name: str
    tax_code: str | None
    province: str
    commune: str | None
    phone: str | None
    member_ids: list[UUID] = []  # a delegation's member holders


class _ExhibitorEvent(Event):
    topic: ClassVar[Topic] = REGISTRATION_EXHIBITORS
    exhibitor: ExhibitorSnapshot

    def partition_key(self) -> str:
        return str(self.exhibitor.exhibitor_id)


class ExhibitorRegistered(_ExhibitorEvent):
    event_type: ClassVar[str] = "registration.exhibitor_registered"


class ExhibitorUpdated(_ExhibitorEvent):
    event_type: ClassVar[str] = "registration.exhibitor_updated"


class CertificateSnapshot(_Snapshot):
    certificate_id: UUID
    number: str
    star: int
    issuing_level: str
    issuing_body: str
    decision_number: str
    decision_date: date
    valid_from: date
    valid_to: date
    status: CertificateStatus


class ProductSnapshot(_Snapshot):
    product_id: UUID
    holder_id: UUID
    name: str
    group: int
    taxonomy: str
    gtin: str | None
    unit: str
    list_price_vnd: int
    certificate: CertificateSnapshot | None


class _ProductEvent(Event):
    topic: ClassVar[Topic] = REGISTRATION_PRODUCTS
    product: ProductSnapshot

    def partition_key(self) -> str:
        return str(self.product.product_id)


class ProductRegistered(_ProductEvent):
    event_type: ClassVar[str] = "registration.product_registered"


class ProductUpdated(_ProductEvent):
    event_type: ClassVar[str] = "registration.product_updated"


class CertificateIssued(_ProductEvent):
    event_type: ClassVar[str] = "registration.certificate_issued"


class CertificateExpiring(_ProductEvent):
    event_type: ClassVar[str] = "registration.certificate_expiring"


class CertificateExpired(_ProductEvent):
    event_type: ClassVar[str] = "registration.certificate_expired"


class CertificateRevoked(_ProductEvent):
    event_type: ClassVar[str] = "registration.certificate_revoked"
    reason: str
    decision_number: str


class BoothRequest(_Snapshot):
    count: int
    booth_type: Literal["standard", "corner", "premium", "outdoor"] = "standard"
    zone: str | None = None
    product_group: int | None = None
    notes: str = ""


class ApplicationSnapshot(_Snapshot):
    application_id: UUID
    fair_id: UUID
    exhibitor_id: UUID
    exhibitor_name: str
    exhibitor_kind: str
    province: str
    products: list[ProductSnapshot]
    booth_request: BoothRequest
    status: ApplicationStatus
    submitted_at: datetime
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    reason: str | None = None
    best_star: int


class _ApplicationEvent(Event):
    topic: ClassVar[Topic] = REGISTRATION_APPLICATIONS
    application: ApplicationSnapshot

    def partition_key(self) -> str:
        return str(self.application.fair_id)


class ApplicationSubmitted(_ApplicationEvent):
    event_type: ClassVar[str] = "registration.application_submitted"


class ApplicationApproved(_ApplicationEvent):
    event_type: ClassVar[str] = "registration.application_approved"


class ApplicationRejected(_ApplicationEvent):
    event_type: ClassVar[str] = "registration.application_rejected"


class ApplicationWaitlisted(_ApplicationEvent):
    event_type: ClassVar[str] = "registration.application_waitlisted"


class ApplicationWithdrawn(_ApplicationEvent):
    event_type: ClassVar[str] = "registration.application_withdrawn"
