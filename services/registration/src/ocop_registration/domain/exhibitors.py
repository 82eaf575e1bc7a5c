"""Exhibitors: OCOP holders, and delegations that exhibit for several member holders."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from stdnum.exceptions import ValidationError
from stdnum.vn import mst

from ocop_registration.domain import banks
from ocop_registration.domain.decision import Decision
from ocop_registration.domain.events import exhibitor_snapshot
from ocop_registration.domain.refusals import BankAccountIncomplete, UnknownBank
from ocop_shared.contracts.registration import ExhibitorRegistered, ExhibitorUpdated
from ocop_shared.errors import InvalidField

ExhibitorKind = Literal[
    "cooperative", "enterprise", "cooperative_group", "household_business", "delegation"
]

HOLDER_KINDS: tuple[ExhibitorKind, ...] = (
    "cooperative",
    "enterprise",
    "cooperative_group",
    "household_business",
)
KINDS: tuple[ExhibitorKind, ...] = (*HOLDER_KINDS, "delegation")

_PHONE = re.compile(r"^(?:\+?84|0)((?:3|5|7|8|9)\d{8}|2\d{9})$")


def parse_tax_code(raw: str) -> str:
    """Mã số thuế: 10 digits, or 13 as 10 + "-" + 3-digit branch, with a valid check digit."""
    try:
        return str(mst.format(mst.validate(raw)))
    except ValidationError as exc:
        raise InvalidField("tax_code", f"not a valid Vietnamese tax code: {exc}") from None


def parse_phone(raw: str) -> str:
    """A Vietnamese mobile or landline number, stored as E.164 (+84...)."""
    digits = re.sub(r"[\s.\-()]", "", raw)
    match = _PHONE.match(digits)
    if not match:
        raise InvalidField(
            "phone", "not a Vietnamese phone number (e.g. 0912 345 678 or +84 912 345 678)"
        )
    return "+84" + match.group(1)


def parse_kind(raw: str) -> ExhibitorKind:
    for kind in KINDS:
        if raw == kind:
            return kind
    raise InvalidField("kind", f"one of {', '.join(KINDS)}")


def check_kind(kind: str, tax_code: str | None) -> None:
    if kind not in KINDS:
        raise InvalidField("kind", f"one of {', '.join(KINDS)}")
    if kind in ("cooperative", "enterprise") and not tax_code:
        raise InvalidField("tax_code", f"a {kind} must give its tax code")


# A receiving account as banks print it: the account number 6 to 19 ASCII letters or digits
# (VietQR's bounds), the holder's name upper-case ASCII without diacritics (letters, digits,
# spaces and . , - & ' ( ) /), one space between words.
_ACCOUNT = re.compile(r"[A-Z0-9]{6,19}")
_ACCOUNT_NAME = re.compile(r"[A-Z0-9](?:[A-Z0-9.,&'()/-]| (?! ))*[A-Z0-9.)]")
ACCOUNT_NAME_MAX = 70
BANK_FIELDS = ("bank_bin", "bank_account", "bank_account_name")


@dataclass(frozen=True)
class BankAccount:
    """Where the exhibitor receives VietQR transfers at its tills: announced (sales makes the
    codes), answered to the exhibitor's own people only, never in the public directory."""

    bin: str  # a NAPAS member bank's BIN (``domain.banks``)
    account: str
    account_name: str


def bank_account_number(raw: str) -> str:
    """An account number as banks keep it: letters upper-cased; else ValueError."""
    account = raw.upper()
    if not raw.isascii() or not _ACCOUNT.fullmatch(account):
        raise ValueError("6 to 19 letters or digits, no spaces")
    return account


def bank_account_name(raw: str) -> str:
    """The holder's name as the bank prints it (one space between words); else ValueError."""
    name = " ".join(raw.split())
    if len(name) > ACCOUNT_NAME_MAX or not _ACCOUNT_NAME.fullmatch(name):
        raise ValueError(
            "upper-case letters without diacritics, as the bank prints it (e.g. NGUYEN VAN AN)"
        )
    return name


def bank_bin(raw: str) -> str:
    """Six digits; else ValueError (whether a bank has it is ``parse_bank_account``'s rule)."""
    if not re.fullmatch(r"[0-9]{6}", raw):
        raise ValueError("the bank's BIN: 6 digits (see GET /banks)")
    return raw


def parse_bank_account(values: Mapping[str, str | None]) -> BankAccount | None:
    """The three fields together: all set (an account) or all null (none). One missing or null
    while another is set is refused naming it; a BIN no bank of the list has is refused."""
    given = {name: values.get(name) for name in BANK_FIELDS}
    if all(value is None for value in given.values()):
        return None
    for name, value in given.items():
        if value is None:
            raise BankAccountIncomplete(
                name, "give the bank, the account number and the account name together"
            )
    checks = zip(BANK_FIELDS, (bank_bin, bank_account_number, bank_account_name), strict=True)
    parsed: list[str] = []
    for name, check in checks:
        try:
            parsed.append(check(str(given[name])))
        except ValueError as exc:
            raise InvalidField(name, str(exc)) from None
    if banks.bank(parsed[0]) is None:
        raise UnknownBank("bank_bin", "not the BIN of a NAPAS member bank (see GET /banks)")
    return BankAccount(*parsed)


@dataclass(frozen=True)
class Contact:
    """How to reach an exhibitor; kept by registration, never announced."""

    address: str = ""
    email: str | None = None


class Exhibitor(BaseModel):
    """An OCOP holder or a delegation (exhibiting for its member holders)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    exhibitor_id: UUID
    kind: ExhibitorKind
    name: str
    tax_code: str | None
    province: str
    commune: str | None
    phone: str | None
    member_ids: list[UUID] = []  # a delegation's member holders
    contact: Contact = Contact()
    bank: BankAccount | None = None  # the receiving bank account, set by an owner


@dataclass(frozen=True)
class ExhibitorDraft:
    kind: ExhibitorKind
    name: str
    province: str
    tax_code: str | None = None
    commune: str | None = None
    phone: str | None = None
    contact: Contact = field(default_factory=Contact)


def register(draft: ExhibitorDraft, exhibitor_id: UUID) -> Decision[Exhibitor]:
    """A holder or a delegation joins: tax code and phone normalized, the kind's needs checked."""
    tax_code = parse_tax_code(draft.tax_code) if draft.tax_code else None
    check_kind(draft.kind, tax_code)
    exhibitor = Exhibitor(
        exhibitor_id=exhibitor_id,
        kind=draft.kind,
        name=draft.name,
        tax_code=tax_code,
        province=draft.province,
        commune=draft.commune,
        phone=parse_phone(draft.phone) if draft.phone else None,
        contact=draft.contact,
    )
    return Decision(exhibitor, [ExhibitorRegistered(exhibitor=exhibitor_snapshot(exhibitor))])


ANNOUNCED_FIELDS = ("name", "province", "commune")


def update(current: Exhibitor, changes: Mapping[str, str | None]) -> Decision[Exhibitor]:
    """Applies the fields a client set (a field set to None clears it); announced. The bank
    account's three fields change together (``parse_bank_account``)."""
    fields: dict[str, object] = {k: v for k, v in changes.items() if k in ANNOUNCED_FIELDS}
    if any(name in changes for name in BANK_FIELDS):
        fields["bank"] = parse_bank_account(changes)
    if "phone" in changes:
        phone = changes["phone"]
        fields["phone"] = parse_phone(phone) if phone else None
    contact = Contact(
        address=changes.get("address", current.contact.address) or "",
        email=changes.get("email", current.contact.email),
    )
    updated = current.model_copy(update={**fields, "contact": contact})
    return Decision(updated, [ExhibitorUpdated(exhibitor=exhibitor_snapshot(updated))])
