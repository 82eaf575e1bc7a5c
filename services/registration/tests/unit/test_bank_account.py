"""An exhibitor's receiving bank account (domain/exhibitors.py): three fields together or
none, a bank of the list, the account and the holder's name as banks keep them; announced."""

from __future__ import annotations

import pytest

from ocop_registration.domain import exhibitors
from ocop_registration.domain.exhibitors import BankAccount
from ocop_registration.domain.refusals import BankAccountIncomplete, UnknownBank
from ocop_shared.contracts.registration import ExhibitorUpdated
from ocop_shared.errors import InvalidField

from .builders import holder

ACCOUNT = {
    "bank_bin": "970436",
    "bank_account": "0011001234567",
    "bank_account_name": "HTX MAT ONG BACH DANG",
}


def test_a_bank_account_is_set_and_announced() -> None:
    decided = exhibitors.update(holder(), ACCOUNT)
    assert decided.state.bank == BankAccount("970436", "0011001234567", "HTX MAT ONG BACH DANG")
    [event] = decided.events
    assert isinstance(event, ExhibitorUpdated)
    snapshot = event.exhibitor
    assert (snapshot.bank_bin, snapshot.bank_account, snapshot.bank_account_name) == (
        "970436",
        "0011001234567",
        "HTX MAT ONG BACH DANG",
    )


def test_all_three_null_remove_the_account() -> None:
    with_account = exhibitors.update(holder(), ACCOUNT).state
    decided = exhibitors.update(with_account, dict.fromkeys(ACCOUNT))
    assert decided.state.bank is None
    assert decided.events[0].exhibitor.bank_bin is None  # type: ignore[attr-defined]


def test_other_changes_keep_the_account() -> None:
    with_account = exhibitors.update(holder(), ACCOUNT).state
    renamed = exhibitors.update(with_account, {"name": "HTX Bạch Đằng mới"}).state
    assert renamed.bank == with_account.bank


@pytest.mark.parametrize("missing", ["bank_bin", "bank_account", "bank_account_name"])
@pytest.mark.parametrize("how", ["left_out", "null"])
def test_one_field_missing_is_refused_naming_it(missing: str, how: str) -> None:
    changes: dict[str, str | None] = dict(ACCOUNT)
    if how == "left_out":
        del changes[missing]
    else:
        changes[missing] = None
    with pytest.raises(BankAccountIncomplete) as refused:
        exhibitors.update(holder(), changes)
    assert refused.value.field == missing
    assert refused.value.code == "bank_account_incomplete"


def test_a_bin_no_bank_has_is_refused() -> None:
    with pytest.raises(UnknownBank) as refused:
        exhibitors.update(holder(), {**ACCOUNT, "bank_bin": "970499"})
    assert (refused.value.field, refused.value.code) == ("bank_bin", "unknown_bank")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bank_bin", "97043"),
        ("bank_bin", "97043a"),
        ("bank_account", "12345"),  # too short
        ("bank_account", "1" * 20),  # too long
        ("bank_account", "0011 0012"),  # a space
        ("bank_account", "001100123456ı"),  # not ASCII (upper-cases to I)
        ("bank_account", "001100123456\n"),
        ("bank_account_name", "Nguyễn Văn An"),  # diacritics, lower case
        ("bank_account_name", "NGUYỄN VĂN AN"),
        ("bank_account_name", "nguyen van an"),
        ("bank_account_name", "A"),
        ("bank_account_name", "N" * 71),
        ("bank_account_name", "NGUYEN VAN AN!"),
    ],
)
def test_a_malformed_value_is_refused_naming_its_field(field: str, value: str) -> None:
    with pytest.raises(InvalidField) as refused:
        exhibitors.update(holder(), {**ACCOUNT, field: value})
    assert refused.value.field == field


def test_values_are_kept_as_banks_keep_them() -> None:
    decided = exhibitors.update(
        holder(),
        {**ACCOUNT, "bank_account": "vcb0011001234", "bank_account_name": " CONG TY  TNHH A.B "},
    )
    assert decided.state.bank == BankAccount("970436", "VCB0011001234", "CONG TY TNHH A.B")
