"""Certifying authorities (OCOP councils) and what each may decide.

A province's council decides 3★ and 4★ for the holders of its province; the central council
decides 5★, whatever the province. (Who reviews which star is policy that changed in 2025,
Decision 1489/QĐ-TTg; it is kept here, as data, in one place.) Outside its territory a
council is answered as if the product did not exist (404); in its territory but beyond its
level it is told why, naming ``star`` (403)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from ocop_registration.domain.text import fold
from ocop_shared.errors import Forbidden, NotFound

Level = Literal["provincial", "central"]

# The stars each level decides.
STARS_OF: dict[Level, frozenset[int]] = {
    "provincial": frozenset({3, 4}),
    "central": frozenset({5}),
}


@dataclass(frozen=True, slots=True)
class Authority:
    """A certifying council acting through one of its people (``decided_by``; None for an API
    key). ``province`` is the council's province; None for the central council."""

    authority_id: str
    level: Level
    province: str | None
    decided_by: UUID | None = None


@dataclass(frozen=True, slots=True)
class Refusal:
    field: str
    message: str
    outside: bool  # outside the council's territory (as if missing), not beyond its level


def same_province(a: str | None, b: str | None) -> bool:
    """Provinces compare folded: "Quảng Ninh", "quang ninh" and "QUẢNG NINH" are one."""
    return a is not None and b is not None and fold(a) == fold(b)


def refusal(authority: Authority, holder_province: str, star: int) -> Refusal | None:
    """Why ``authority`` may not decide a ``star`` certificate for a holder of
    ``holder_province``, or None when it may."""
    if authority.level == "provincial" and not same_province(authority.province, holder_province):
        return Refusal(
            "province",
            f"the holder is in {holder_province}; {authority.authority_id} decides for "
            f"{authority.province}",
            outside=True,
        )
    if star not in STARS_OF[authority.level]:
        if authority.level == "provincial":
            why = f"{star}★ is decided by the central OCOP council, not a province's"
        else:
            why = f"{star}★ is decided by the province's OCOP council, not the central one"
        return Refusal("star", why, outside=False)
    return None


def check_decides(authority: Authority, holder_province: str, star: int) -> None:
    """Issue or renew: 404 outside the territory, 403 naming ``star`` beyond the level."""
    found = refusal(authority, holder_province, star)
    if found is None:
        return
    if found.outside:
        raise NotFound("no such product")
    raise Forbidden(found.message, field="star")


@dataclass(frozen=True, slots=True)
class Held:
    """A certificate named in a revocation: its product, star and holder's province."""

    product_id: UUID
    star: int
    province: str


def check_revokes(authority: Authority, held: Mapping[str, Held], numbers: Sequence[str]) -> None:
    """Bulk revocation, all or nothing: a number unknown or outside the council's territory
    answers 404 for the whole request (the two look alike); then one beyond its level, 403
    naming ``star``."""

    def outside(number: str) -> bool:
        if number not in held:
            return True
        found = refusal(authority, held[number].province, held[number].star)
        return found is not None and found.outside

    missing = [n for n in numbers if outside(n)]
    if missing:
        raise NotFound(
            f"no certificates numbered {', '.join(missing[:20])} in your jurisdiction",
            field="certificate_numbers",
        )
    for number in numbers:
        found = refusal(authority, held[number].province, held[number].star)
        if found is not None:
            raise Forbidden(f"certificate {number}: {found.message}", field="star")
