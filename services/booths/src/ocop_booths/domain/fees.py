"""Booth fees in integer VND, and the VietQR payload to pay them by bank transfer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ocop_shared.errors import InvalidField


@dataclass(frozen=True, slots=True)
class FeeRules:
    corner_surcharge_percent: int = 10
    subsidy_percent: int = 0  # share of a booth's cost the organizer pays
    subsidy_max_booths: int = 0  # for at most this many booths per holder


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
    """``booths``: (code, type, price) of one holder's booths. The subsidy goes to the
    most expensive booths first, up to the rule's number of booths."""
    priced = []
    for code, booth_type, price in booths:
        surcharge = _percent(price, rules.corner_surcharge_percent) if booth_type == "corner" else 0
        priced.append((code, booth_type, price, surcharge))
    subsidised = {
        c
        for c, *_ in sorted(priced, key=lambda p: (-(p[2] + p[3]), p[0]))[
            : rules.subsidy_max_booths
        ]
    }
    lines = []
    for code, booth_type, price, surcharge in sorted(priced):
        subsidy = _percent(price + surcharge, rules.subsidy_percent) if code in subsidised else 0
        lines.append(
            FeeLine(code, booth_type, price, surcharge, subsidy, price + surcharge - subsidy)
        )
    return lines


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
