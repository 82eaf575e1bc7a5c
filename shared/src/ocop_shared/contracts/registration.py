"""Events the registration service publishes. Each carries the state its consumers need, and
the decisions registration made, so no consumer re-derives registration's rules.

Version 2 of the product and application events carries those decisions:
``ProductSnapshot.ocop_until`` (the last day the product counts as OCOP-certified; ``None``
when no certificate is in force) and ``ApplicationSnapshot.admitted`` (which products the
application admits, and until when). Version 1 messages still decode: the upcasters below
fill the new fields the way registration decided them when v1 was current.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from ocop_shared.events import Event, register_upcaster
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
    # How booths are given out: "self_service" (first come: approved exhibitors hold free
    # booths on the plan) or "ranked" (exhibitors rank booth choices; the organizer runs the
    # allocation engine and commits). Absent in messages older than the field: self-service.
    allocation_mode: Literal["self_service", "ranked"] = "self_service"
    # Whether the fair sells at its booths (issue 15): an exhibition (kind ``exhibition``) is
    # display-only, no tills; registration decides it from the kind. Absent in older
    # messages: True (every fair sold before the field).
    selling: bool = True
    # The host retailer's (a promotion week) or the showroom's commission on consignment
    # sales, a whole percent 0..50 of the sales amount (issue 15). Absent in older messages: 0.
    commission_percent: int = 0
    # Whether the fair admits ordinary local goods besides OCOP products (issue 15: district
    # trade fairs): a product without a valid 3-5 star certificate is then admitted as local
    # goods (``AdmittedProduct.ocop`` False), sold and flagged apart in every report. Absent
    # in older messages: False.
    admits_local_goods: bool = False


class StoreSnapshot(_Snapshot):
    """One of the host retailer's stores taking part in a promotion week."""

    store_code: str
    name: str


class OpeningHours(_Snapshot):
    """A weekday's opening hours in Viet Nam's time (Asia/Ho_Chi_Minh): ``weekday`` 0 is
    Monday (Python's ``date.weekday()``), ``opens`` before ``closes``, both "HH:MM"."""

    weekday: int
    opens: str
    closes: str


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
    # Issue 15, all absent in older messages. A promotion week names its host retailer (an
    # organization of kind retailer: its id, the subject of its people's credentials) and its
    # stores taking part. A showroom is open-ended: it runs until its organizer finishes it,
    # and its ``ends_at`` is then 2100-12-31 23:59:59 in Viet Nam (a far date, never null, so
    # a check "before ends_at plus a grace" stays right). ``opening_hours``: the weekdays it
    # sells on and when (none: no weekly hours, sell from starts_at to ends_at).
    host_retailer_id: UUID | None = None
    stores: list[StoreSnapshot] = []
    opening_hours: list[OpeningHours] = []
    open_ended: bool = False


class _FairEvent(Event):
    topic: ClassVar[Topic] = REGISTRATION_FAIRS
    fair: FairSnapshot

    def partition_key(self) -> str:
        return str(self.fair.fair_id)


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


# Every event that carries a fair's new state (a consumer keeps the latest).
FairChanged = (
    FairOpenedForApplications
    | FairApplicationsClosed
    | FairStarted
    | FairFinished
    | FairRulesChanged
)


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
    # The exhibitor's receiving bank account (VietQR at its tills): the NAPAS member bank's
    # BIN (6 digits), the account number and the holder's name as the bank prints it
    # (upper-case ASCII). All three or none; absent in messages older than the fields.
    bank_bin: str | None = None
    bank_account: str | None = None
    bank_account_name: str | None = None


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
    # Registration's decision: the last day (Viet Nam time) this product may be sold as an
    # OCOP product; None while no certificate is in force (none, expired or revoked).
    ocop_until: date | None
    # Issue 15: the group's Vietnamese name in its taxonomy ("Thực phẩm" for group 1 of
    # "2023"), so consumers show names, not numbers. Absent in older messages: None.
    product_group_name: str | None = None


class _ProductEvent(Event):
    topic: ClassVar[Topic] = REGISTRATION_PRODUCTS
    version: ClassVar[int] = 2
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


class AdmittedProduct(_Snapshot):
    product_id: UUID
    until: date
    # Issue 15: False for a product admitted as ordinary local goods (a fair whose rules
    # ``admits_local_goods``; no valid 3-5 star certificate): sold until ``until`` (the fair's
    # last day), no certificate decision applies to it there. Absent in older messages: True.
    ocop: bool = True


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
    # The review's reason as a code (registration's README: review reasons), beside the text;
    # absent in messages older than the field.
    reason_code: str | None = None
    best_star: int
    # Registration's decision on this application's products: the ones admitted to the fair
    # (at submission, and again at approval), each until the day it stops being admitted.
    admitted: list[AdmittedProduct]


class _ApplicationEvent(Event):
    topic: ClassVar[Topic] = REGISTRATION_APPLICATIONS
    version: ClassVar[int] = 2
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


# --- reading version 1 ---------------------------------------------------------------------
# v1 carried certificates only, and every consumer took "valid" or "expiring" to mean "may be
# sold until valid_to". These upcasters apply that same reading once, here, so consumers see
# only v2's decisions.

_IN_FORCE = ("valid", "expiring")


def _v1_ocop_until(product: dict[str, Any]) -> str | None:
    cert = product.get("certificate")
    if cert is not None and cert["status"] in _IN_FORCE:
        return str(cert["valid_to"])
    return None


def _upcast_product_v1(payload: dict[str, Any]) -> dict[str, Any]:
    product = {**payload["product"], "ocop_until": _v1_ocop_until(payload["product"])}
    return {**payload, "product": product}


def _upcast_application_v1(payload: dict[str, Any]) -> dict[str, Any]:
    application = dict(payload["application"])
    products = [{**p, "ocop_until": _v1_ocop_until(p)} for p in application["products"]]
    application["products"] = products
    application["admitted"] = [
        {"product_id": p["product_id"], "until": p["ocop_until"]}
        for p in products
        if p["ocop_until"] is not None
    ]
    return {**payload, "application": application}


for _product_event in (
    ProductRegistered,
    ProductUpdated,
    CertificateIssued,
    CertificateExpiring,
    CertificateExpired,
    CertificateRevoked,
):
    register_upcaster(_product_event.event_type, 1, _upcast_product_v1)
for _application_event in (
    ApplicationSubmitted,
    ApplicationApproved,
    ApplicationRejected,
    ApplicationWaitlisted,
    ApplicationWithdrawn,
):
    register_upcaster(_application_event.event_type, 1, _upcast_application_v1)


# --- on-site quality inspection (issue 15) ---------------------------------------------------

InspectionDecision = Literal["pass", "suspend", "refer"]


class InspectionSnapshot(_Snapshot):
    """An inspection a province's inspectors recorded at a fair: the product, the exhibitor
    showing it there (from the fair's approved applications) and its booth as seen on site,
    the sample taken, the finding and the decision. ``suspended`` is registration's decision
    for the tills: whether the product may not be sold at this fair from ``recorded_at`` on
    (a suspension or a referral for revocation suspends; a pass lifts an earlier one)."""

    inspection_id: UUID
    fair_id: UUID
    product_id: UUID
    holder_id: UUID
    exhibitor_id: UUID
    booth_code: str
    sample: str | None
    finding: str
    decision: InspectionDecision
    suspended: bool
    inspector_id: str
    inspected_by: UUID | None
    recorded_at: datetime


class InspectionRecorded(Event):
    """On registration.products, keyed by the product: a product's inspections and its
    certificate decisions (a referral's revocation) reach consumers in the order made."""

    event_type: ClassVar[str] = "registration.inspection_recorded"
    topic: ClassVar[Topic] = REGISTRATION_PRODUCTS
    inspection: InspectionSnapshot

    def partition_key(self) -> str:
        return str(self.inspection.product_id)
