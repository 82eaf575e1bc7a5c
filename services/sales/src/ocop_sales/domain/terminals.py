"""Tills (terminals) and the booths they sell at; pairing a device, receipt prefixes, the
till's view of its catalogue and a fair's till rules. Pure Python."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from uuid import UUID

import orjson

from ocop_sales.domain.sales import VN
from ocop_shared.errors import Conflict, InvalidField, NotFound


class FairNotSelling(Conflict):
    """A till for a fair whose rules let no till sell (an exhibition)."""

    code = "fair_not_selling"


@dataclass(frozen=True, slots=True)
class BoothHolder:
    """Which exhibitor holds a booth now (assigned or confirmed), as booths announced it."""

    booth_id: UUID
    fair_id: UUID
    booth_code: str
    exhibitor_id: UUID
    status: str


@dataclass(frozen=True, slots=True)
class Enrolment:
    terminal_id: UUID
    fair_id: UUID
    booth_id: UUID
    booth_code: str
    exhibitor_id: UUID
    label: str
    enrolled_by: str


def enrol(
    terminal_id: UUID,
    fair_id: UUID,
    label: str,
    holder: BoothHolder | None,
    *,
    enrolled_by: str,
    selling: bool = True,
) -> Enrolment:
    """A till sells at a booth that an exhibitor holds at this fair (a booth of another fair,
    even the organizer's own other fair, is not found here), at a fair whose rules let tills
    sell (an exhibition is display-only: registration's ``rules.selling``)."""
    if not selling:
        raise FairNotSelling(
            "this fair is an exhibition: its booths display products and no till sells there",
            field="fair_id",
        )
    if holder is None or holder.fair_id != fair_id:
        raise NotFound("no exhibitor holds this booth at this fair", field="booth_id")
    return Enrolment(
        terminal_id,
        fair_id,
        holder.booth_id,
        holder.booth_code,
        holder.exhibitor_id,
        label,
        enrolled_by,
    )


# --- pairing and receipts (issue 13) ---------------------------------------------------------

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
PAIRING_CODE_LENGTH = 12  # 60 bits
PAIRING_VALID = timedelta(hours=24)
RECEIPT_PREFIX_LENGTH = 5
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_pairing_code() -> str:
    """12 Crockford base32 characters (60 random bits), as stored: no dashes."""
    return "".join(secrets.choice(CROCKFORD) for _ in range(PAIRING_CODE_LENGTH))


def show_pairing_code(code: str) -> str:
    """As people read and type it: ``XXXX-XXXX-XXXX``."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_pairing_code(typed: str) -> str | None:
    """The code as stored, from what a person typed or a camera read: upper case, spaces and
    dashes dropped, O read as 0, I and L as 1. None if it cannot be a code (then it is not
    found, like any other code that is not there)."""
    code = "".join(typed.split()).replace("-", "").upper().translate(_READ_AS)
    if len(code) != PAIRING_CODE_LENGTH or any(c not in CROCKFORD for c in code):
        return None
    return code


def pairing_code_hash(code: str) -> bytes:
    """What is stored of a code (a 60-bit random one-time secret, valid a day and rate
    limited per client: a fast hash suffices)."""
    return hashlib.sha256(code.encode()).digest()


def new_receipt_prefix() -> str:
    """5 random Crockford base32 characters; unique per till (the store draws again on a
    collision)."""
    return "".join(secrets.choice(CROCKFORD) for _ in range(RECEIPT_PREFIX_LENGTH))


def receipt_label(prefix: str, receipt_no: int) -> str:
    """The receipt number as printed: ``K7Q2M-000123``."""
    return f"{prefix}-{receipt_no:06d}"


def pairing_not_found() -> NotFound:
    """The one answer for an unknown, used or expired code, or a till that cannot pair: no
    oracle telling which."""
    return NotFound("no such pairing code, or it was used or has expired", field="code")


@dataclass(frozen=True, slots=True)
class PairingCode:
    terminal_id: UUID
    code: str  # shown once, as ``show_pairing_code``; only its hash is stored
    expires_at: datetime


def check_can_get_code(status: str) -> None:
    """Only an active till gets a pairing code (a suspended one is resumed by no code; an
    unpaired one is gone for good)."""
    if status != "active":
        raise Conflict(f"this till is {status}: it cannot be paired", field="terminal")


# --- the till's view of its catalogue ---------------------------------------------------------

UnsellableReason = Literal["revoked", "expired", "suspended"]


def unsellable_reason(
    blocked_at: datetime | None,
    blocked_reason: str | None,
    ocop_until: date | None,
    now: datetime,
) -> UnsellableReason | None:
    """Why a listed product cannot be sold now (None: it can). A block is a revoked or an
    expired certificate (``catalog.block``); past its ``ocop_until`` it has expired."""
    if blocked_at is not None and now >= blocked_at:
        return "expired" if (blocked_reason or "").startswith("certificate expired") else "revoked"
    if ocop_until is not None and now.astimezone(VN).date() > ocop_until:
        return "expired"
    return None


def catalog_etag(items: Sequence[Mapping[str, object]]) -> str:
    """A strong ETag of the till's catalogue: the hash of exactly what is answered."""
    body = orjson.dumps({"items": items}, option=orjson.OPT_SORT_KEYS)
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """``If-None-Match`` names this ETag (or ``*``): the till has the content already."""
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


# --- till rules -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TillRules:
    """A fair's rules for its tills. The offline caps are enforced by the till (it stops
    selling offline at a cap; the server never refuses a sale for them, no sale is lost);
    ``max_discount_percent`` is what ``check_price`` applies at the fair."""

    offline_max_hours: int = 24
    offline_max_sale_vnd: int = 20_000_000
    offline_max_unsynced_vnd: int = 200_000_000
    offline_max_unsynced_count: int = 500
    max_discount_percent: int = 20


def check_till_rules(rules: TillRules) -> TillRules:
    """The caps hold together: a single offline sale fits in what may be held unsynced."""
    if rules.offline_max_sale_vnd > rules.offline_max_unsynced_vnd:
        raise InvalidField(
            "offline_max_sale_vnd",
            f"is {rules.offline_max_sale_vnd} VND, more than offline_max_unsynced_vnd "
            f"({rules.offline_max_unsynced_vnd} VND): one offline sale must fit in what a till "
            "may hold unsynced",
        )
    return rules


def default_till_rules(max_discount_percent: int) -> TillRules:
    """A fair's rules before its organizer sets them: the discount limit is the service's."""
    return TillRules(max_discount_percent=max_discount_percent)


@dataclass(frozen=True, slots=True)
class BankAccount:
    """Where a VietQR transfer to the exhibitor goes (registration's, all three or none)."""

    bin: str
    account: str
    account_name: str


def bank_account(
    bank_bin: str | None, account: str | None, account_name: str | None
) -> BankAccount | None:
    """The exhibitor's receiving account, if all three parts are known."""
    if bank_bin and account and account_name:
        return BankAccount(bank_bin, account, account_name)
    return None
