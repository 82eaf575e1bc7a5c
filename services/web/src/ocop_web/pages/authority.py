"""What the authority pages share (certifying councils, inspectors, the platform admin): the
viewer's jurisdiction in words, provinces compared folded, and the role checks that spare a
person a page of refusals (the services refuse them anyway: every rule stays there)."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from typing import Any

from ocop_web.api import ApiError
from ocop_web.i18n import N_
from ocop_web.session import Viewer

# A province's council decides 3★ and 4★ of its province's holders; the central council 5★
# (registration's ``domain/authority.py`` decides; these are only the words and the hints).
STARS_OF: dict[str, tuple[int, ...]] = {"provincial": (3, 4), "central": (5,)}
LEVELS: dict[str, str] = {
    "provincial": N_("Provincial OCOP council"),
    "central": N_("Central OCOP council"),
}
# The issuing level a council's certificates carry (registration's ISSUING_LEVELS).
ISSUING_LEVEL_OF: dict[str, str] = {"provincial": "province", "central": "central"}
VALIDITY_MONTHS = 36


def fold(text: str | None) -> str:
    """Without diacritics, case-insensitive: "Quảng Ninh" == "quang ninh" (as registration
    compares provinces)."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def same_province(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and fold(a) == fold(b)


def require_role(viewer: Viewer, *roles: str) -> None:
    if viewer.role not in roles:
        raise ApiError(403, {"detail": "not for this role", "code": "forbidden"})


def require_platform_admin(viewer: Viewer) -> None:
    """A person signed in to the ``platform`` organization (role admin)."""
    if viewer.role != "admin":
        raise ApiError(403, {"detail": "for the platform's administrators", "code": "forbidden"})


def level_of(viewer: Viewer) -> str:
    level = viewer.organization.level
    return level if level in STARS_OF else "provincial"


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def default_valid_to(valid_from: date) -> date:
    """36 months: to the day before the same date three years on (as registration decides)."""
    return add_months(valid_from, VALIDITY_MONTHS) - timedelta(days=1)


def certificate_in_force(product: dict[str, Any]) -> bool:
    certificate = product.get("certificate") or {}
    return certificate.get("status") in ("valid", "expiring")
