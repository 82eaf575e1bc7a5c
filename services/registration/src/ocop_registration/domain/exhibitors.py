"""Exhibitors: OCOP holders, and delegations that exhibit for several member holders."""

from __future__ import annotations

import re

from stdnum.exceptions import ValidationError
from stdnum.vn import mst

from ocop_shared.errors import InvalidField

HOLDER_KINDS = ("cooperative", "enterprise", "cooperative_group", "household_business")
KINDS = (*HOLDER_KINDS, "delegation")

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


def check_kind(kind: str, tax_code: str | None) -> None:
    if kind not in KINDS:
        raise InvalidField("kind", f"one of {', '.join(KINDS)}")
    if kind in ("cooperative", "enterprise") and not tax_code:
        raise InvalidField("tax_code", f"a {kind} must give its tax code")


def check_members(delegation_kind: str, member_kinds: dict[str, str]) -> None:
    if delegation_kind != "delegation":
        raise InvalidField("member_ids", "only a delegation has member holders")
    for member, kind in member_kinds.items():
        if kind == "delegation":
            raise InvalidField("member_ids", f"{member} is a delegation, not a holder")
