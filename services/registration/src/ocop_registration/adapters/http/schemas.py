"""Request bodies and answers. Unknown fields are refused, and server-owned fields (status, star of a
product, reviewer) are simply not part of any client's body."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl

from ocop_registration.domain.text import nfc
from ocop_shared.contracts.registration import (
    AdmissionRules,
    ApplicationSnapshot,
    BoothRequest,
    ExhibitorSnapshot,
    ProductSnapshot,
)

Text = Annotated[str, AfterValidator(nfc), Field(min_length=1, max_length=300)]
LongText = Annotated[str, AfterValidator(nfc), Field(max_length=2000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OrganizerCreate(Strict):
    organizer_id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{1,62}$")]
    name: Text


class RulesBody(Strict, AdmissionRules):
    pass


class FairCreate(Strict):
    name: Text
    kind: Literal["fair", "exhibition", "promotion_week", "showroom"]
    venue: Text
    province: Text
    starts_at: datetime = Field(
        description="local time in Asia/Ho_Chi_Minh unless an offset is given"
    )
    ends_at: datetime
    applications_open_at: datetime
    applications_close_at: datetime
    rules: RulesBody = Field(default_factory=RulesBody)


class FairAction(Strict):
    action: Literal["open", "close", "start", "finish"]


class ExhibitorCreate(Strict):
    kind: Literal[
        "cooperative", "enterprise", "cooperative_group", "household_business", "delegation"
    ]
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
    holder_id: UUID | None = Field(
        default=None, description="organizers only: the holder to register it for"
    )


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


class BoothRequestBody(Strict, BoothRequest):
    pass


class ApplicationCreate(Strict):
    product_ids: Annotated[list[UUID], Field(min_length=1, max_length=200)]
    booth_request: BoothRequestBody


class Review(Strict):
    decision: Literal["approved", "rejected", "waitlisted"]
    reason: LongText | None = None


# --- answers -------------------------------------------------------------------------------


class Issued(BaseModel):
    token: str
    note: str = "shown once; only a hash is stored"


class OrganizerIssued(Issued):
    organizer_id: str


class ExhibitorIssued(Issued):
    exhibitor: ExhibitorSnapshot


class ProductOut(ProductSnapshot):
    gtin_vietnamese: bool | None = None


class RevocationResult(BaseModel):
    decision_number: str
    revoked: list[str]
    products: list[UUID]


class HolderResultOut(BaseModel):
    fair_id: UUID
    sales: int
    gross_vnd: int
    refunded_vnd: int
    net_vnd: int


class ApplicationForReview(ApplicationSnapshot):
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
