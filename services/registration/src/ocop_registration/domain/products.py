"""Products, the OCOP product-group taxonomies, barcodes, and certificates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from stdnum import ean
from stdnum.exceptions import ValidationError

from ocop_shared.contracts.registration import CertificateSnapshot, CertificateStatus
from ocop_shared.errors import Conflict, InvalidField

# The taxonomy changes between decisions; products keep the version they were classed under.
TAXONOMIES: dict[str, dict[int, str]] = {
    "2023": {  # Decision 148/QĐ-TTg
        1: "Thực phẩm (food)",
        2: "Đồ uống (beverages)",
        3: "Dược liệu và sản phẩm từ dược liệu (medicinal herbs and products)",
        4: "Hàng thủ công mỹ nghệ (handicrafts)",
        5: "Sinh vật cảnh (ornamental plants and animals)",
        6: "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch (community and eco-tourism)",
    },
    "2019": {  # Decision 1048/QĐ-TTg
        1: "Thực phẩm (food)",
        2: "Đồ uống (drinks)",
        3: "Thảo dược (herbal products)",
        4: "Vải và may mặc (textiles and garments)",
        5: "Lưu niệm, nội thất, trang trí (souvenirs, furniture and decoration)",
        6: "Dịch vụ du lịch nông thôn (rural tourism services)",
    },
}

VIETNAM_GS1_PREFIX = "893"
CERTIFICATE_VALIDITY_MONTHS = 36
EXPIRY_NOTICE_DAYS = 30
ISSUING_LEVELS = ("central", "province", "district", "commune")
MAX_PRICE_VND = 10_000_000_000


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


def check_revocable(certificate: CertificateSnapshot) -> None:
    if certificate.status == "revoked":
        raise Conflict(
            f"certificate {certificate.number} is already revoked", field="certificate_numbers"
        )


def admits(certificate: CertificateSnapshot | None, *, min_star: int, through: date) -> str | None:
    """Why a certificate does not admit its product to a fair ending on ``through``, or None."""
    if certificate is None:
        return "has no OCOP certificate"
    if certificate.status == "revoked":
        return f"certificate {certificate.number} is revoked"
    if certificate.valid_to < through:
        return f"certificate {certificate.number} expires on {certificate.valid_to}, before the fair ends"
    if certificate.star < min_star:
        return f"{certificate.star}★ is below the fair's minimum of {min_star}★"
    return None
