"""Booth fees in integer VND, and the VietQR payload to pay them by bank transfer."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from ocop_shared.errors import InvalidField


@dataclass(frozen=True, slots=True)
class FeeRules:
    corner_surcharge_percent: int = 10
    subsidy_percent: int = 0  # share of a booth's cost the organizer pays
    subsidy_max_booths: int = 0  # for at most this many booths per holder
    # The holders the exhibitor shows at the fair (a delegation: its member holders whose
    # products its application shows; issue 15): the subsidy cap counts per holder.
    holders: int = 1

    @property
    def subsidised_booths(self) -> int:
        """How many of the exhibitor's booths are subsidised at most: the cap per holder."""
        return self.subsidy_max_booths * max(1, self.holders)


@dataclass(frozen=True, slots=True)
class FeeLine:
    booth_code: str
    booth_type: str
    price_vnd: int
    surcharge_vnd: int
    subsidy_vnd: int
    due_vnd: int


def _percent(amount: int, percent: int) -> int:
    # Round half up, in whole dong.
    return (amount * percent + 50) // 100


def fee_lines(booths: Sequence[tuple[str, str, int]], rules: FeeRules) -> list[FeeLine]:
    """``booths``: (code, type, price) of one exhibitor's booths. The subsidy goes to the
    most expensive booths first, up to the rule's number of booths per holder it shows (a
    delegation of five holders: five times the cap)."""
    priced = []
    for code, booth_type, price in booths:
        surcharge = _percent(price, rules.corner_surcharge_percent) if booth_type == "corner" else 0
        priced.append((code, booth_type, price, surcharge))
    subsidised = {
        c
        for c, *_ in sorted(priced, key=lambda p: (-(p[2] + p[3]), p[0]))[: rules.subsidised_booths]
    }
    lines = []
    for code, booth_type, price, surcharge in sorted(priced):
        subsidy = _percent(price + surcharge, rules.subsidy_percent) if code in subsidised else 0
        lines.append(
            FeeLine(code, booth_type, price, surcharge, subsidy, price + surcharge - subsidy)
        )
    return lines


def payment_reference(fair_id: UUID, exhibitor_id: UUID) -> str:
    """A short code the exhibitor puts in the transfer, so a bank statement can be matched."""
    return "OCOP" + hashlib.sha256(f"{fair_id}:{exhibitor_id}".encode()).hexdigest()[:8].upper()


@dataclass(frozen=True, slots=True)
class BilledBooth:
    code: str
    booth_type: str
    price_vnd: int
    status: str


@dataclass(frozen=True, slots=True)
class Statement:
    fair_id: UUID
    exhibitor_id: UUID
    lines: list[tuple[FeeLine, str]]  # each line with its booth's status
    due_vnd: int
    paid_vnd: int
    payment_reference: str

    @property
    def balance_vnd(self) -> int:
        return self.due_vnd - self.paid_vnd

    @property
    def settled(self) -> bool:
        """The payments cover every booth: held and assigned booths may be confirmed."""
        return self.balance_vnd <= 0


def statement(
    fair_id: UUID,
    exhibitor_id: UUID,
    booths: Sequence[BilledBooth],
    *,
    paid_vnd: int,
    rules: FeeRules,
) -> Statement:
    """One exhibitor's fees at one fair, against what it has paid."""
    lines = fee_lines([(b.code, b.booth_type, b.price_vnd) for b in booths], rules)
    status = {b.code: b.status for b in booths}
    return Statement(
        fair_id=fair_id,
        exhibitor_id=exhibitor_id,
        lines=[(line, status[line.booth_code]) for line in lines],
        due_vnd=sum(line.due_vnd for line in lines),
        paid_vnd=paid_vnd,
        payment_reference=payment_reference(fair_id, exhibitor_id),
    )


# --- VietQR (NAPAS, EMVCo merchant-presented QR) ----------------------------------------

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"


def crc16_ccitt_false(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise InvalidField(tag, "an EMVCo field holds at most 99 characters")
    return f"{tag}{len(value):02d}{value}"


def vietqr_payload(*, bank_bin: str, account: str, amount_vnd: int, purpose: str) -> str:
    """A dynamic VietQR for a transfer of ``amount_vnd`` to ``account`` at the bank ``bank_bin``."""
    if not (len(bank_bin) == 6 and bank_bin.isdigit()):
        raise InvalidField("bank_bin", "a bank BIN has 6 digits")
    if not (account.isalnum() and 1 <= len(account) <= 19):
        raise InvalidField("account", "1 to 19 letters or digits")
    if amount_vnd <= 0:
        raise InvalidField("amount_vnd", "must be positive")
    purpose = "".join(c for c in purpose if c.isascii() and (c.isalnum() or c in " -._"))[:25]
    beneficiary = _tlv("00", bank_bin) + _tlv("01", account)
    merchant = _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", SERVICE_TO_ACCOUNT)
    body = (
        _tlv("00", "01")
        + _tlv("01", "12")  # dynamic: one amount, one payment
        + _tlv("38", merchant)
        + _tlv("53", "704")
        + _tlv("54", str(amount_vnd))
        + _tlv("58", "VN")
        + _tlv("62", _tlv("08", purpose))
        + "6304"
    )
    return body + f"{crc16_ccitt_false(body.encode()):04X}"
