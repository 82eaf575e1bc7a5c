"""Products, the OCOP product-group taxonomies, barcodes, and certificates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal, NamedTuple
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from stdnum import ean
from stdnum.exceptions import ValidationError

from ocop_registration.domain.authority import Authority
from ocop_registration.domain.decision import Decision
from ocop_registration.domain.events import product_snapshot
from ocop_registration.domain.timezone import start_of
from ocop_shared.contracts.registration import (
    CertificateExpired,
    CertificateExpiring,
    CertificateIssued,
    CertificateRevoked,
    ProductRegistered,
    ProductUpdated,
)
from ocop_shared.errors import Conflict, InvalidField
from ocop_shared.events import Event

if TYPE_CHECKING:
    from ocop_registration.domain.exhibitors import Exhibitor


@dataclass(frozen=True, slots=True)
class ProductGroup:
    number: int
    name_vi: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Classification:
    """One of the OCOP programme's classifications of products into groups, by the decision
    that set it. The one source of the groups' numbers and names (``GET /product-groups``)."""

    taxonomy: str
    decision: str
    groups: tuple[ProductGroup, ...]


# The taxonomy changes between decisions; products keep the version they were classed under.
CLASSIFICATIONS: tuple[Classification, ...] = (
    Classification(
        "2023",
        "148/QĐ-TTg",
        (
            ProductGroup(1, "Thực phẩm", "Food"),
            ProductGroup(2, "Đồ uống", "Beverages"),
            ProductGroup(3, "Dược liệu và sản phẩm từ dược liệu", "Medicinal herbs and products"),
            ProductGroup(4, "Hàng thủ công mỹ nghệ", "Handicrafts"),
            ProductGroup(5, "Sinh vật cảnh", "Ornamental plants and animals"),
            ProductGroup(
                6,
                "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
                "Community and eco-tourism",
            ),
        ),
    ),
    Classification(
        "2019",
        "1048/QĐ-TTg",
        (
            ProductGroup(1, "Thực phẩm", "Food"),
            ProductGroup(2, "Đồ uống", "Drinks"),
            ProductGroup(3, "Thảo dược", "Herbal products"),
            ProductGroup(4, "Vải và may mặc", "Textiles and garments"),
            ProductGroup(5, "Lưu niệm, nội thất, trang trí", "Souvenirs, furniture and decoration"),
            ProductGroup(6, "Dịch vụ du lịch nông thôn", "Rural tourism services"),
        ),
    ),
)
# taxonomy -> group number -> "Vietnamese name (English name)", read off CLASSIFICATIONS.
TAXONOMIES: dict[str, dict[int, str]] = {
    c.taxonomy: {g.number: f"{g.name_vi} ({g.name_en.lower()})" for g in c.groups}
    for c in CLASSIFICATIONS
}
# taxonomy -> group number -> its Vietnamese name, as events, reports and exports show it.
GROUP_NAMES: dict[str, dict[int, str]] = {
    c.taxonomy: {g.number: g.name_vi for g in c.groups} for c in CLASSIFICATIONS
}


def group_name(taxonomy: str, group: int) -> str | None:
    """The group's Vietnamese name in its taxonomy ("Thực phẩm" for 1 in "2023"); None for a
    group the taxonomy does not have."""
    return GROUP_NAMES.get(taxonomy, {}).get(group)


VIETNAM_GS1_PREFIX = "893"
CERTIFICATE_VALIDITY_MONTHS = 36
EXPIRY_NOTICE_DAYS = 30
ISSUING_LEVELS = ("central", "province", "district", "commune")
MAX_PRICE_VND = 10_000_000_000


CertificateStatus = Literal["valid", "expiring", "expired", "revoked"]


class Certificate(BaseModel):
    """An OCOP certificate (*giấy chứng nhận*); its status as of the day it was read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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
    # Who decided it: the certifying council and the person who recorded the decision
    # (None for certificates recorded before councils signed their decisions, or by an API key).
    authority_id: str | None = None
    decided_by: UUID | None = None


class Product(BaseModel):
    """A product with the certificate in force for it (the one valid from the latest date),
    and the last day it counts as OCOP (``ocop_until``, decided as of the day it was read)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    product_id: UUID
    holder_id: UUID
    name: str
    group: int
    taxonomy: str
    gtin: str | None
    unit: str
    list_price_vnd: int
    certificate: Certificate | None
    ocop_until: date | None


@dataclass(frozen=True)
class Gtin:
    code: str
    vietnamese: bool  # GS1 Viet Nam prefix 893; others are accepted but flagged


def check_group(taxonomy: str, group: int, field: str = "group") -> None:
    groups = TAXONOMIES.get(taxonomy)
    if groups is None:
        raise InvalidField("taxonomy", f"unknown taxonomy; known: {', '.join(TAXONOMIES)}")
    if group not in groups:
        raise InvalidField(
            field, f"group {group} is not in the {taxonomy} taxonomy (1-{len(groups)})"
        )


def parse_gtin(raw: str, field: str = "gtin") -> Gtin:
    code = raw.strip().replace(" ", "")
    if len(code) != 13 or not code.isdigit():
        raise InvalidField(field, "a GTIN-13 has exactly 13 digits")
    try:
        ean.validate(code)
    except ValidationError:
        raise InvalidField(
            field, f"check digit is wrong (expected {ean.calc_check_digit(code[:12])})"
        ) from None
    return Gtin(code, code.startswith(VIETNAM_GS1_PREFIX))


def check_price(price: int, field: str = "list_price_vnd") -> None:
    if price < 0:
        raise InvalidField(field, "a price cannot be negative")
    if price > MAX_PRICE_VND:
        raise InvalidField(field, f"a price above {MAX_PRICE_VND} VND is not plausible")


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def default_valid_to(valid_from: date) -> date:
    """A certificate runs 36 months: to the day before the same date three years on."""
    return add_months(valid_from, CERTIFICATE_VALIDITY_MONTHS) - timedelta(days=1)


def check_certificate(star: int, issuing_level: str, valid_from: date, valid_to: date) -> None:
    if star not in (3, 4, 5):
        raise InvalidField("star", "OCOP certifies 3, 4 or 5 stars")
    if issuing_level not in ISSUING_LEVELS:
        raise InvalidField("issuing_level", f"one of {', '.join(ISSUING_LEVELS)}")
    if valid_to <= valid_from:
        raise InvalidField("valid_to", "must be after valid_from")
    if valid_to > add_months(valid_from, CERTIFICATE_VALIDITY_MONTHS):
        raise InvalidField("valid_to", "a certificate is valid at most 36 months")


def certificate_status(valid_to: date, revoked: bool, today: date) -> CertificateStatus:
    if revoked:
        return "revoked"
    if valid_to < today:
        return "expired"
    if valid_to <= today + timedelta(days=EXPIRY_NOTICE_DAYS):
        return "expiring"
    return "valid"


class NotAdmitted(NamedTuple):
    """Why a certificate does not admit its product: a code of ``domain.refusals`` and the
    English words (after the product's name)."""

    code: str
    text: str


def admits(certificate: Certificate | None, *, min_star: int, through: date) -> NotAdmitted | None:
    """Why a certificate does not admit its product to a fair ending on ``through``, or None."""
    if certificate is None:
        return NotAdmitted("no_certificate", "has no OCOP certificate")
    if certificate.status == "revoked":
        return NotAdmitted("certificate_revoked", f"certificate {certificate.number} is revoked")
    if certificate.valid_to < through:
        return NotAdmitted(
            "certificate_expires_before_fair_ends",
            f"certificate {certificate.number} expires on {certificate.valid_to}, before the fair ends",
        )
    if certificate.star < min_star:
        return NotAdmitted(
            "below_min_star", f"{certificate.star}★ is below the fair's minimum of {min_star}★"
        )
    return None


def ocop_until(certificate: Certificate | None, today: date) -> date | None:
    """Registration's decision for the other services: the last day the product may be sold as
    an OCOP product: its certificate's valid_to while that certificate is in force (valid or
    expiring), None otherwise (no certificate, expired or revoked)."""
    if certificate is None or certificate.status == "revoked" or certificate.valid_to < today:
        return None
    return certificate.valid_to


# --- registering and changing a product --------------------------------------------------


@dataclass(frozen=True)
class ProductDraft:
    name: str
    group: int
    unit: str
    list_price_vnd: int
    taxonomy: str = "2023"
    gtin: str | None = None
    traceability_url: str | None = None


@dataclass(frozen=True)
class NewProduct:
    product: Product
    gtin_vietnamese: bool | None
    traceability_url: str | None


def new_product(draft: ProductDraft, product_id: UUID, holder_id: UUID) -> NewProduct:
    """Checks a product as registered (group, price, barcode); it has no certificate yet."""
    check_group(draft.taxonomy, draft.group)
    check_price(draft.list_price_vnd)
    gtin = parse_gtin(draft.gtin) if draft.gtin else None
    product = Product(
        product_id=product_id,
        holder_id=holder_id,
        name=draft.name,
        group=draft.group,
        taxonomy=draft.taxonomy,
        gtin=gtin.code if gtin else None,
        unit=draft.unit,
        list_price_vnd=draft.list_price_vnd,
        certificate=None,
        ocop_until=None,
    )
    return NewProduct(product, gtin.vietnamese if gtin else None, draft.traceability_url)


def register(new: NewProduct, holder: Exhibitor | None) -> Decision[NewProduct]:
    """A product belongs to an OCOP holder, never to a delegation (its members hold them)."""
    if holder is None:
        raise InvalidField("holder_id", "no such holder")
    if holder.kind == "delegation":
        raise InvalidField("holder_id", "a delegation holds no products: its members do")
    return Decision(new, [ProductRegistered(product=product_snapshot(new.product))])


@dataclass(frozen=True)
class ProductChanges:
    """The fields a PATCH sets; None for a field leaves it as it is."""

    name: str | None = None
    unit: str | None = None
    list_price_vnd: int | None = None
    traceability_url: str | None = None
    clears_traceability_url: bool = False


def check_changes(changes: ProductChanges) -> None:
    if changes.list_price_vnd is not None:
        check_price(changes.list_price_vnd)


def update(current: Product, changes: ProductChanges) -> Decision[Product]:
    """Name, unit and list price change; the change is announced (also an empty one)."""
    check_changes(changes)
    fields = {"name": changes.name, "unit": changes.unit, "list_price_vnd": changes.list_price_vnd}
    updated = current.model_copy(update={k: v for k, v in fields.items() if v is not None})
    return Decision(updated, [ProductUpdated(product=product_snapshot(updated))])


# --- certificates --------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateDraft:
    number: str
    star: int
    issuing_level: str
    issuing_body: str
    decision_number: str
    decision_date: date
    valid_from: date
    valid_to: date | None = None  # 36 months after valid_from unless given


def new_certificate(
    draft: CertificateDraft,
    certificate_id: UUID,
    today: date,
    *,
    authority: Authority | None = None,
) -> Certificate:
    """The certificate as the council decided it (``authority``, checked by the caller for
    its jurisdiction: ``authority.check_decides``)."""
    valid_to = draft.valid_to or default_valid_to(draft.valid_from)
    check_certificate(draft.star, draft.issuing_level, draft.valid_from, valid_to)
    return Certificate(
        certificate_id=certificate_id,
        number=draft.number,
        star=draft.star,
        issuing_level=draft.issuing_level,
        issuing_body=draft.issuing_body,
        decision_number=draft.decision_number,
        decision_date=draft.decision_date,
        valid_from=draft.valid_from,
        valid_to=valid_to,
        status=certificate_status(valid_to, False, today),
        authority_id=authority.authority_id if authority else None,
        decided_by=authority.decided_by if authority else None,
    )


def certify(product: Product, certificate: Certificate, today: date) -> Decision[Product]:
    """A product's certificate is the one valid from the latest date (the newest on a tie):
    a certificate issued late for an earlier period is recorded but does not replace it."""
    current = product.certificate
    if current is not None and current.valid_from > certificate.valid_from:
        certified = product
    else:
        certified = product.model_copy(
            update={"certificate": certificate, "ocop_until": ocop_until(certificate, today)}
        )
    return Decision(certified, [CertificateIssued(product=product_snapshot(certified))])


def check_revocable(certificate: Certificate) -> None:
    if certificate.status == "revoked":
        raise Conflict(
            f"certificate {certificate.number} is already revoked", field="certificate_numbers"
        )


def check_reason(reason: str) -> None:
    if not reason:
        raise InvalidField("reason", "a revocation must say why")


def revoke(
    numbers: Sequence[str],
    held_by: Mapping[str, Product],
    *,
    reason: str,
    decision_number: str,
) -> Decision[list[tuple[str, Product]]]:
    """One decision revokes many certificates, all or none: one event per certificate, carrying
    its product as it is after the revocation. ``held_by`` maps each known number to its product.
    A number listed twice counts once."""
    numbers = list(dict.fromkeys(numbers))
    check_reason(reason)
    missing = [n for n in numbers if n not in held_by]
    if missing:
        raise InvalidField(
            "certificate_numbers", f"unknown certificates: {', '.join(missing[:20])}"
        )
    state = {p.product_id: p for p in held_by.values()}
    events: list[Event] = []
    for number in numbers:
        product = state[held_by[number].product_id]
        certificate = product.certificate
        if certificate is not None and certificate.number == number:
            check_revocable(certificate)
            product = product.model_copy(
                update={
                    "certificate": certificate.model_copy(update={"status": "revoked"}),
                    "ocop_until": None,
                }
            )
            state[product.product_id] = product
        events.append(
            CertificateRevoked(
                product=product_snapshot(product), reason=reason, decision_number=decision_number
            )
        )
    return Decision([(n, state[held_by[n].product_id]) for n in numbers], events)


# --- expiry --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiryCandidate:
    """A certificate that is not revoked, not yet announced as expired, and ends within the
    notice period (or already ended)."""

    certificate_id: UUID
    product_id: UUID
    valid_to: date
    expiring_announced: bool


@dataclass(frozen=True)
class Announced:
    certificate_id: UUID
    expired: bool  # True: nothing more to announce about this certificate


def announce_expiry(
    candidates: Sequence[ExpiryCandidate],
    products: Mapping[UUID, Product],
    today: date,
) -> Decision[list[Announced]]:
    """Each certificate is announced once as expiring and once as expired. A certificate that
    a newer one replaced is closed silently: nothing for the fairs to act on."""
    marks: list[Announced] = []
    events: list[Event] = []
    for candidate in candidates:
        expired = candidate.valid_to < today
        if not expired and candidate.expiring_announced:
            continue
        product = products.get(candidate.product_id)
        if (
            product is None
            or product.certificate is None
            or product.certificate.certificate_id != candidate.certificate_id
        ):
            marks.append(Announced(candidate.certificate_id, expired=True))
            continue
        announced = product_snapshot(as_of(product, today))
        events.append(
            CertificateExpired(product=announced)
            if expired
            else CertificateExpiring(product=announced)
        )
        marks.append(Announced(candidate.certificate_id, expired=expired))
    return Decision(marks, events)


def as_of(product: Product, today: date) -> Product:
    """The product as it stands on ``today``: its certificate's status and ``ocop_until``
    decided again (an announcement made at midnight tells what holds from that day)."""
    certificate = product.certificate
    if certificate is None:
        return product
    status = certificate_status(certificate.valid_to, certificate.status == "revoked", today)
    dated = certificate.model_copy(update={"status": status})
    return product.model_copy(update={"certificate": dated, "ocop_until": ocop_until(dated, today)})


def expiry_moments(candidate: ExpiryCandidate) -> list[datetime]:
    """When there is something to announce about a certificate: it enters its notice period
    at the start of the day ``EXPIRY_NOTICE_DAYS`` before its last day (unless announced
    already), and it has expired at the end of its last day, midnight in Viet Nam."""
    ends = start_of(candidate.valid_to + timedelta(days=1))
    if candidate.expiring_announced:
        return [ends]
    return [start_of(candidate.valid_to - timedelta(days=EXPIRY_NOTICE_DAYS)), ends]


def next_expiry_scan(
    candidates: Sequence[ExpiryCandidate], now: datetime, every: timedelta
) -> datetime:
    """When the expiry scan runs next: at the first moment after ``now`` that something is due
    about one of the ``candidates``, and at the latest ``every`` after ``now`` (certificates
    are issued meanwhile). A moment already past was the scan's just now."""
    due = [m for c in candidates for m in expiry_moments(c) if m > now]
    return min([now + every, *due])
