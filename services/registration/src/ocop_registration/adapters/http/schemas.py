"""Request bodies and answers: registration's own HTTP models, apart from the event contracts
(an event's payload may change without the API changing, and the other way round). Unknown
fields are refused, and server-owned fields (status, star of a product, reviewer) are simply
not part of any client's body. Answers are read off the domain's entities (``from_attributes``):
an answer shows the fields it declares, nothing an entity gains later."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Self
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl

from ocop_registration.domain.text import nfc

FairKind = Literal["fair", "exhibition", "promotion_week", "showroom"]
ExhibitorKind = Literal[
    "cooperative", "enterprise", "cooperative_group", "household_business", "delegation"
]
BoothType = Literal["standard", "corner", "premium", "outdoor"]

Text = Annotated[str, AfterValidator(nfc), Field(min_length=1, max_length=300)]
LongText = Annotated[str, AfterValidator(nfc), Field(max_length=2000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RulesIn(Strict):
    min_star: int = 3
    product_groups: list[int] = [1, 2, 3, 4, 5, 6]
    taxonomy: str = "2023"
    max_booths_per_holder: int = 2
    subsidy_percent: int = 0
    subsidy_max_booths: int = 0


class FairCreate(Strict):
    name: Text
    kind: FairKind
    venue: Text
    province: Text
    starts_at: datetime = Field(
        description="local time in Asia/Ho_Chi_Minh unless an offset is given"
    )
    ends_at: datetime
    applications_open_at: datetime
    applications_close_at: datetime
    rules: RulesIn = Field(default_factory=RulesIn)


class FairAction(Strict):
    action: Literal["open", "close", "start", "finish"]


class ExhibitorCreate(Strict):
    kind: ExhibitorKind
    name: Text
    tax_code: str | None = None
    province: Text
    commune: Text | None = None
    address: LongText = ""
    phone: str | None = None
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None


class ExhibitorUpdate(Strict):
    name: Text | None = None
    province: Text | None = None
    commune: Text | None = None
    address: LongText | None = None
    phone: str | None = None
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None


class MembersAdd(Strict):
    member_ids: Annotated[list[UUID], Field(min_length=1, max_length=500)]


class ProductCreate(Strict):
    name: Text
    taxonomy: Literal["2023", "2019"] = "2023"
    group: int
    gtin: str | None = None
    unit: Annotated[str, AfterValidator(nfc), Field(min_length=1, max_length=30)]
    list_price_vnd: int
    traceability_url: HttpUrl | None = None


class ProductUpdate(Strict):
    name: Text | None = None
    unit: Annotated[str, AfterValidator(nfc), Field(min_length=1, max_length=30)] | None = None
    list_price_vnd: int | None = None
    traceability_url: HttpUrl | None = None


class CertificateCreate(Strict):
    number: Annotated[str, Field(min_length=1, max_length=60)]
    star: int
    issuing_level: Literal["central", "province", "district", "commune"]
    issuing_body: Text
    decision_number: Annotated[str, Field(min_length=1, max_length=60)]
    decision_date: date
    valid_from: date
    valid_to: date | None = Field(
        default=None, description="defaults to 36 months after valid_from"
    )


class Revocation(Strict):
    decision_number: Annotated[str, Field(min_length=1, max_length=60)]
    reason: LongText
    certificate_numbers: Annotated[list[str], Field(min_length=1, max_length=5000)]


class BoothRequestIn(Strict):
    count: int
    booth_type: BoothType = "standard"
    zone: str | None = None
    product_group: int | None = None
    notes: str = ""


class ApplicationCreate(Strict):
    product_ids: Annotated[list[UUID], Field(min_length=1, max_length=200)]
    booth_request: BoothRequestIn


class Review(Strict):
    decision: Literal["approved", "rejected", "waitlisted"]
    reason: LongText | None = None


# --- answers -------------------------------------------------------------------------------


class Answer(BaseModel):
    """Defaults as documented in OpenAPI; every answer carries every field it declares."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    @classmethod
    def of(cls, entity: object) -> Self:
        """The answer read off an entity (or a query's result), by this model's fields."""
        return cls.model_validate(entity)


class RulesOut(Answer):
    min_star: int = 3
    product_groups: list[int] = [1, 2, 3, 4, 5, 6]
    taxonomy: str = "2023"
    max_booths_per_holder: int = 2
    subsidy_percent: int = 0
    subsidy_max_booths: int = 0


class FairOut(Answer):
    fair_id: UUID
    organizer_id: str
    name: str
    kind: FairKind
    venue: str
    province: str
    starts_at: datetime
    ends_at: datetime
    applications_open_at: datetime
    applications_close_at: datetime
    rules: RulesOut
    status: Literal["draft", "open", "closed", "running", "finished"]


class ExhibitorOut(Answer):
    """What anyone allowed to see an exhibitor sees: no contact details."""

    exhibitor_id: UUID
    kind: ExhibitorKind
    name: str
    tax_code: str | None
    province: str
    commune: str | None
    phone: str | None
    member_ids: list[UUID] = []


class CertificateOut(Answer):
    certificate_id: UUID
    number: str
    star: int
    issuing_level: str
    issuing_body: str
    decision_number: str
    decision_date: date
    valid_from: date
    valid_to: date
    status: Literal["valid", "expiring", "expired", "revoked"]
    authority_id: str | None = Field(
        default=None, description="the certifying council that decided it"
    )
    decided_by: UUID | None = Field(default=None, description="the person who recorded it")


class ProductOut(Answer):
    product_id: UUID
    holder_id: UUID
    name: str
    group: int
    taxonomy: str
    gtin: str | None
    unit: str
    list_price_vnd: int
    certificate: CertificateOut | None
    ocop_until: date | None  # the last day it counts as OCOP; None while no certificate is in force


class RegisteredProductOut(ProductOut):
    gtin_vietnamese: bool | None = None


class BoothRequestOut(Answer):
    count: int
    booth_type: BoothType = "standard"
    zone: str | None = None
    product_group: int | None = None
    notes: str = ""


class AdmittedOut(Answer):
    product_id: UUID
    until: date


class ApplicationOut(Answer):
    application_id: UUID
    fair_id: UUID
    exhibitor_id: UUID
    exhibitor_name: str
    exhibitor_kind: str
    province: str
    products: list[ProductOut]
    booth_request: BoothRequestOut
    status: Literal["submitted", "approved", "rejected", "waitlisted", "withdrawn"]
    submitted_at: datetime
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    reason: str | None = None
    best_star: int
    admitted: list[AdmittedOut]


class RevocationResult(BaseModel):
    decision_number: str
    revoked: list[str]
    products: list[UUID]
    authority_id: str
    decided_by: UUID | None


class MembershipOut(Answer):
    """A delegation's invitation of a holder, and what became of it."""

    delegation_id: UUID
    holder_id: UUID
    status: Literal["pending", "accepted", "declined", "ended"]
    invited_at: datetime
    decided_at: datetime | None = None
    ended_by: UUID | None = None


class ListedProductOut(Answer):
    product_id: UUID
    name: str
    group: int
    star: int
    valid_until: date


class ListingOut(Answer):
    """The public directory's entry: never tax code, phone, e-mail or address."""

    exhibitor_id: UUID
    name: str
    kind: ExhibitorKind
    province: str
    products: list[ListedProductOut]


class HolderResultOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    fair_id: UUID
    sales: int
    gross_vnd: int
    refunded_vnd: int
    net_vnd: int


class ApplicationForReview(ApplicationOut):
    history: dict[UUID, list[HolderResultOut]]


class RowErrorOut(BaseModel):
    field: str
    message: str


class RejectedRow(BaseModel):
    line: int
    errors: list[RowErrorOut]


class ImportReportOut(BaseModel):
    rows: int
    imported: int
    rejected: int
    applied: bool
    errors: list[RejectedRow]
