"""The banks an exhibitor's receiving account may be at (domain/banks.py): shipped data, so
its shape is checked here."""

from __future__ import annotations

import re

from ocop_registration.domain.banks import BANKS, BY_BIN, bank


def test_every_bin_is_six_digits() -> None:
    wrong = [b.bin for b in BANKS if not re.fullmatch(r"[0-9]{6}", b.bin)]
    assert wrong == []


def test_every_bin_is_unique() -> None:
    bins = [b.bin for b in BANKS]
    assert sorted({b for b in bins if bins.count(b) > 1}) == []
    assert len(BY_BIN) == len(BANKS)


def test_short_names_are_unique_and_every_bank_is_named() -> None:
    short = [b.short_name.casefold() for b in BANKS]
    assert len(set(short)) == len(short)
    assert all(b.short_name.strip() and b.name.strip() for b in BANKS)


def test_the_big_banks_have_their_napas_bins() -> None:
    expected = {
        "970436": "Vietcombank",
        "970415": "VietinBank",
        "970418": "BIDV",
        "970405": "Agribank",
        "970422": "MBBank",
        "970407": "Techcombank",
        "970416": "ACB",
        "970432": "VPBank",
        "970423": "TPBank",
        "970403": "Sacombank",
    }
    assert {b: (found.short_name if (found := bank(b)) else None) for b in expected} == expected
    assert bank("970499") is None
