"""Request bodies and answers: registration's own HTTP models, apart from the event contracts
(an event's payload may change without the API changing, and the other way round). Unknown
fields are refused, and server-owned fields (status, star of a product, reviewer) are simply
not part of any client's body. Answers are read off the domain's entities (``from_attributes``):
an answer shows the fields it declares, nothing an entity gains later.

Every request value goes through issue 11's input classes (``ocop_shared.inputs``), so a bad
value is a 422 naming its field before any rule or lookup: integers strict (``"12.000"`` and
``"5"`` are refused, not read as 12 or 5) and bounded to their column (``Int32`` for
``integer`` columns, ``Vnd`` for money); dates and times within 2000..2100 (``Day``,
``FairTime``); text NFC, without control characters, not blank once invisible characters are
removed, and bounded; every list bounded. Absent and null are not empty: an optional field
left out or null means "none" (no barcode, no tax code), ``""`` is an error naming it. In a
PATCH, null clears a field that may be empty (commune, phone, e-mail, address, traceability
URL) and is refused, naming the field, for one that may not (names, unit, price)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, get_args
from uuid import UUID

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, HttpUrl

from ocop_registration.domain import exhibitors as exhibitor_rules
from ocop_registration.domain import fair_kinds
from ocop_registration.domain.refusals import ReviewReason
from ocop_registration.domain.text import nfc
from ocop_shared.inputs import (
    EARLIEST_DAY,
    LATEST_DAY,
    Day,
    Int32,
    Vnd,
    text,
)

FairKind = Literal["fair", "exhibition", "promotion_week", "showroom"]
ExhibitorKind = Literal[
    "cooperative", "enterprise", "cooperative_group", "household_business", "delegation"
]
BoothType = Literal["standard", "corner", "premium", "outdoor"]
AllocationMode = Literal["self_service", "ranked"]


def checks(input_class: Any) -> tuple[Any, ...]:
    """The validators and bounds of an input class ``ocop_shared.inputs`` builds at run time
    (``text(n)``, ``SearchText``): mypy cannot read ``text(n)`` as a type, so an alias is
    written ``Annotated[str, *checks(text(n))]``, the same class, a ``str`` to mypy."""
    return get_args(input_class)[1:]


# Names as people read them: NFC, inner spaces collapsed (``nfc``), something visible.
Text = Annotated[str, *checks(text(300)), AfterValidator(nfc)]
LongText = Annotated[str, *checks(text(2000, allow_newlines=True))]  # reasons
Address = Annotated[str, *checks(text(2000, allow_newlines=True, allow_empty=True))]
Notes = Address
Number = Annotated[str, *checks(text(60))]  # a certificate's or a decision's number
Unit = Annotated[str, *checks(text(30))]
Gtin = Annotated[str, *checks(text(32))]  # 13 digits, spaces allowed (the rule reads them)
TaxCode = Annotated[str, *checks(text(20))]
Phone = Annotated[str, *checks(text(30))]
Email = Annotated[str, *checks(text(254)), Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Taxonomy = Annotated[str, *checks(text(20))]
# The receiving bank account (domain/exhibitors.py: the same checks the domain makes).
BankBin = Annotated[str, *checks(text(6)), AfterValidator(exhibitor_rules.bank_bin)]
BankAccountNumber = Annotated[
    str, *checks(text(19)), AfterValidator(exhibitor_rules.bank_account_number)
]
BankAccountName = Annotated[
    str,
    *checks(text(exhibitor_rules.ACCOUNT_NAME_MAX)),
    AfterValidator(exhibitor_rules.bank_account_name),
]
Zone = Annotated[str, *checks(text(20))]

MAX_RULE_GROUPS = 50
MAX_CERTIFICATES_REVOKED = 5000
MAX_MEMBERS_INVITED = 500
MAX_PRODUCTS_SHOWN = 200


def _within_years(moment: datetime) -> datetime:
    if not EARLIEST_DAY <= moment.date() <= LATEST_DAY:
        raise ValueError(f"must be between {EARLIEST_DAY:%d/%m/%Y} and {LATEST_DAY:%d/%m/%Y}")
    return moment


# A fair's schedule: local time in Viet Nam unless it carries an offset (``inputs.Moment``
# requires one), within 2000..2100 like every moment: year 1 read as Viet Nam's time
# overflowed on its way to UTC.
FairTime = Annotated[datetime, AfterValidator(_within_years)]


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("cannot be cleared; leave the field out to keep it")
    return value


# A PATCH field that may be left out but not cleared: to pydantic it is the class itself,
# with null refused first, naming the field (a default of None is never validated, so leaving
# it out still works; the schema shows no null); to mypy it is optional, as it is once parsed.
NOT_NULL = BeforeValidator(_not_null)
if TYPE_CHECKING:
    KeptText = str | None
    KeptUnit = str | None
    KeptVnd = int | None
    KeptTime = datetime | None
else:
    KeptText = Annotated[Text, NOT_NULL]
    KeptUnit = Annotated[Unit, NOT_NULL]
    KeptVnd = Annotated[Vnd, NOT_NULL]
    KeptTime = Annotated[FairTime, NOT_NULL]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RulesIn(Strict):
    """Strict and bounded here; their ranges (3-5 stars, groups of the taxonomy, a percent)
    are the rules' own checks (``domain.fairs.check_rules``), which name the field too."""

    min_star: Int32 = 3
    product_groups: Annotated[list[Int32], Field(max_length=MAX_RULE_GROUPS)] = [1, 2, 3, 4, 5, 6]
    taxonomy: Taxonomy = "2023"
    max_booths_per_holder: Int32 = 2
    subsidy_percent: Int32 = 0
    subsidy_max_booths: Int32 = 0
    allocation_mode: AllocationMode = Field(
        default="self_service",
        description="self_service: approved exhibitors hold free booths on the plan (first "
        "come); ranked: they rank booth choices and the organizer allocates with the engine",
    )
    commission_percent: Int32 = Field(
        default=0,
        description="a promotion week's or a showroom's commission on consignment sales, a "
        "whole percent 0..50",
    )
    admits_local_goods: bool = Field(
        default=False,
        description="a district trade fair's rule: products without a valid 3-5 star "
        "certificate are admitted as ordinary local goods (hàng địa phương), sold and "
        "reported apart from OCOP products",
    )


def _store_code(value: str) -> str:
    return fair_kinds.store_code(value)


StoreCode = Annotated[str, *checks(text(20)), AfterValidator(_store_code)]
HourMinute = Annotated[
    str, Field(max_length=5, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["08:00"])
]


class OpeningHoursIn(Strict):
    """A weekday's hours in Viet Nam's time: weekday 0 is Monday, 6 Sunday."""

    weekday: Annotated[Int32, Field(ge=0, le=6)]
    opens: HourMinute
    closes: HourMinute


MAX_STORES = fair_kinds.MAX_STORES_PER_FAIR
StoreCodes = Annotated[list[StoreCode], Field(max_length=MAX_STORES)]
OpeningHoursList = Annotated[list[OpeningHoursIn], Field(max_length=7)]


class FairCreate(Strict):
    name: Text
    kind: FairKind
    venue: Text
    province: Text
    starts_at: FairTime = Field(
        description="local time in Asia/Ho_Chi_Minh unless an offset is given"
    )
    ends_at: FairTime | None = Field(
        default=None,
        description="required but for a showroom; a showroom without one is open-ended (it "
        "runs until its organizer finishes it; answered as 2100-12-31 23:59:59 in Viet Nam, "
        "with open_ended true)",
    )
    applications_open_at: FairTime
    applications_close_at: FairTime
    rules: RulesIn = Field(default_factory=RulesIn)
    host_retailer_id: UUID | None = Field(
        default=None, description="a promotion week's host: a retailer's organization_id"
    )
    store_codes: StoreCodes = Field(
        default=[], description="a promotion week's stores, among its host retailer's"
    )
    opening_hours: OpeningHoursList = Field(
        default=[], description="a showroom's weekly opening hours (required for one)"
    )


class FairAction(Strict):
    action: Literal["open", "close", "start", "finish"]


class ExhibitorCreate(Strict):
    kind: ExhibitorKind
    name: Text
    tax_code: TaxCode | None = Field(default=None, description="null or left out: none")
    province: Text
    commune: Text | None = None
    address: Address = ""
    phone: Phone | None = None
    email: Email | None = None


class ExhibitorUpdate(Strict):
    """The fields set change; null clears commune, address, phone and e-mail. The receiving
    bank account (an owner's, not staff's) is three fields set together, or all three null to
    remove it; the bank is one of ``GET /banks``."""

    name: KeptText = None
    province: KeptText = None
    commune: Text | None = None
    address: Address | None = None
    phone: Phone | None = None
    email: Email | None = None
    bank_bin: BankBin | None = Field(
        default=None, description="the bank's BIN, one of GET /banks (6 digits)"
    )
    bank_account: BankAccountNumber | None = Field(
        default=None, description="the account number: 6 to 19 letters or digits"
    )
    bank_account_name: BankAccountName | None = Field(
        default=None,
        description="the holder's name as the bank prints it: upper-case, no diacritics",
    )


class MembersAdd(Strict):
    member_ids: Annotated[list[UUID], Field(min_length=1, max_length=MAX_MEMBERS_INVITED)]


class ProductCreate(Strict):
    name: Text
    taxonomy: Literal["2023", "2019"] = "2023"
    group: Int32
    gtin: Gtin | None = Field(
        default=None, description='GTIN-13; null or left out: no barcode ("" is an error)'
    )
    unit: Unit
    list_price_vnd: Vnd
    traceability_url: HttpUrl | None = None


class ProductUpdate(Strict):
    """The fields set change; null clears only the traceability URL."""

    name: KeptText = None
    unit: KeptUnit = None
    list_price_vnd: KeptVnd = None
    traceability_url: HttpUrl | None = None


class CertificateCreate(Strict):
    number: Number
    star: Int32
    issuing_level: Literal["central", "province", "district", "commune"]
    issuing_body: Text
    decision_number: Number
    decision_date: Day
    valid_from: Day
    valid_to: Day | None = Field(default=None, description="defaults to 36 months after valid_from")


class Revocation(Strict):
    decision_number: Number
    reason: LongText
    certificate_numbers: Annotated[
        list[Number], Field(min_length=1, max_length=MAX_CERTIFICATES_REVOKED)
    ]


class BoothRequestIn(Strict):
    count: Int32
    booth_type: BoothType = "standard"
    zone: Zone | None = None
    product_group: Int32 | None = None
    notes: Notes = ""


class ApplicationCreate(Strict):
    product_ids: Annotated[list[UUID], Field(min_length=1, max_length=MAX_PRODUCTS_SHOWN)]
    booth_request: BoothRequestIn


class Review(Strict):
    decision: Literal["approved", "rejected", "waitlisted"]
    reason: LongText | None = None
    reason_code: ReviewReason | None = Field(
        default=None,
        description="why, as a code a client words in its reader's language (README: review "
        "reasons); a rejection needs a reason, a reason_code or both",
    )


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
    allocation_mode: AllocationMode = "self_service"
    commission_percent: int = 0
    admits_local_goods: bool = False


class FairStoreOut(Answer):
    store_code: str
    name: str


class OpeningHoursOut(Answer):
    weekday: int
    opens: str
    closes: str


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
    host_retailer_id: UUID | None = None
    stores: list[FairStoreOut] = []
    opening_hours: list[OpeningHoursOut] = []
    open_ended: bool = Field(
        default=False, description="runs until its organizer finishes it (ends_at: 2100-12-31)"
    )


class ProductGroupOut(Answer):
    number: int
    name_vi: str
    name_en: str


class ClassificationOut(Answer):
    taxonomy: str = Field(description="what products' and fairs' `taxonomy` name")
    decision: str = Field(description="the Prime Minister's decision that set it")
    groups: list[ProductGroupOut]


class FairUpdate(Strict):
    """The fields set change (a draft or an open fair); none of them may be cleared. The
    schedule is checked whole once changed."""

    name: KeptText = None
    venue: KeptText = None
    province: KeptText = None
    starts_at: KeptTime = None
    ends_at: KeptTime = None
    applications_open_at: KeptTime = None
    applications_close_at: KeptTime = None
    store_codes: StoreCodes | None = Field(
        default=None, description="a promotion week's stores (a draft or open fair)"
    )
    opening_hours: OpeningHoursList | None = Field(
        default=None, description="a showroom's weekly hours; changed until it finishes"
    )


class ExhibitorOut(Answer):
    """What anyone allowed to see an exhibitor sees: no contact details. The receiving bank
    account only to the exhibitor's own people (``own``); null to others, or when not set."""

    exhibitor_id: UUID
    kind: ExhibitorKind
    name: str
    tax_code: str | None
    province: str
    commune: str | None
    phone: str | None
    member_ids: list[UUID] = []
    bank_bin: str | None = Field(default=None, description="to the exhibitor's own people")
    bank_account: str | None = Field(default=None, description="to the exhibitor's own people")
    bank_account_name: str | None = Field(default=None, description="to the exhibitor's own people")

    @classmethod
    def of(cls, entity: object, *, own: bool = False) -> Self:
        answer = super().of(entity)
        bank = getattr(entity, "bank", None)
        if not own or bank is None:
            return answer
        return answer.model_copy(
            update={
                "bank_bin": bank.bin,
                "bank_account": bank.account,
                "bank_account_name": bank.account_name,
            }
        )


class BankOut(Answer):
    bin: str = Field(description="the bank identification number a VietQR code names")
    short_name: str
    name: str = Field(description="the full name, in Vietnamese")


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
    ocop: bool = Field(
        default=True,
        description="false: admitted as ordinary local goods (the fair's admits_local_goods)",
    )


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
    reason_code: ReviewReason | None = None
    best_star: int
    admitted: list[AdmittedOut]


class RevocationResult(BaseModel):
    decision_number: str
    revoked: list[str]
    products: list[UUID]
    authority_id: str
    decided_by: UUID | None


class PartyOut(Answer):
    exhibitor_id: UUID
    name: str
    kind: ExhibitorKind
    province: str


class MembershipOut(Answer):
    """A delegation's invitation of a holder, and what became of it."""

    delegation_id: UUID
    holder_id: UUID
    status: Literal["pending", "accepted", "declined", "ended"]
    invited_at: datetime
    decided_at: datetime | None = None
    ended_by: UUID | None = None
    other: PartyOut = Field(
        description="the other party: the holder, to the delegation; the delegation, to the holder"
    )


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


# --- retailers and their stores (issue 15) ------------------------------------------------


class StoreCreate(Strict):
    store_code: StoreCode = Field(description="as the retailer's sales file names it, e.g. HL01")
    name: Text
    address: Annotated[str, *checks(text(2000))]


class StoreOut(Answer):
    retailer_id: str
    store_code: str
    name: str
    address: str


class RetailerOut(Answer):
    organization_id: str
    name: str
    province: str | None = None
