"""Which council decides which certificate: a province's council 3-4★ for its province's
holders, the central council 5★ anywhere; outside the territory 404, beyond the level 403."""

from __future__ import annotations

import uuid

import pytest

from ocop_registration.domain import authority
from ocop_registration.domain.authority import Authority, Held
from ocop_shared.errors import Forbidden, NotFound

QUANG_NINH = Authority("hoi-dong-ocop-quang-ninh", "provincial", "Quảng Ninh", uuid.uuid4())
CENTRAL = Authority("hoi-dong-ocop-trung-uong", "central", None, uuid.uuid4())


@pytest.mark.parametrize(
    ("council", "province", "star", "decides"),
    [
        (QUANG_NINH, "Quảng Ninh", 3, True),
        (QUANG_NINH, "quang ninh", 4, True),  # provinces compare folded
        (QUANG_NINH, "QUẢNG  NINH", 4, True),
        (QUANG_NINH, "Lạng Sơn", 4, False),
        (QUANG_NINH, "Quảng Ninh", 5, False),
        (CENTRAL, "Lạng Sơn", 5, True),
        (CENTRAL, "Quảng Ninh", 4, False),
    ],
)
def test_a_council_decides_its_province_and_level_only(
    council: Authority, province: str, star: int, decides: bool
) -> None:
    assert (authority.refusal(council, province, star) is None) is decides


def test_outside_its_province_a_council_is_answered_as_if_the_product_did_not_exist() -> None:
    with pytest.raises(NotFound):
        authority.check_decides(QUANG_NINH, "Lạng Sơn", 4)
    # ...even for a star it could never decide: the territory is checked first.
    with pytest.raises(NotFound):
        authority.check_decides(QUANG_NINH, "Lạng Sơn", 5)


@pytest.mark.parametrize(("council", "star"), [(QUANG_NINH, 5), (CENTRAL, 3), (CENTRAL, 4)])
def test_beyond_its_level_a_council_is_told_naming_star(council: Authority, star: int) -> None:
    with pytest.raises(Forbidden) as refused:
        authority.check_decides(council, "Quảng Ninh", star)
    assert refused.value.field == "star"


def _held(province: str, star: int = 4) -> Held:
    return Held(uuid.uuid4(), star, province)


def test_a_bulk_revocation_with_one_certificate_outside_the_province_is_refused_whole() -> None:
    held = {"QN-1": _held("Quảng Ninh"), "QN-2": _held("Quảng Ninh"), "LS-1": _held("Lạng Sơn")}
    with pytest.raises(NotFound) as refused:
        authority.check_revokes(QUANG_NINH, held, ["QN-1", "LS-1", "QN-2"])
    assert refused.value.field == "certificate_numbers" and "LS-1" in refused.value.message
    assert "QN-1" not in refused.value.message


def test_an_unknown_number_looks_like_one_outside_the_jurisdiction() -> None:
    with pytest.raises(NotFound, match="NO-SUCH"):
        authority.check_revokes(QUANG_NINH, {"QN-1": _held("Quảng Ninh")}, ["QN-1", "NO-SUCH"])


def test_a_bulk_revocation_beyond_the_level_is_forbidden_naming_star() -> None:
    held = {"QN-1": _held("Quảng Ninh"), "QN-5": _held("Quảng Ninh", star=5)}
    with pytest.raises(Forbidden) as refused:
        authority.check_revokes(QUANG_NINH, held, ["QN-1", "QN-5"])
    assert refused.value.field == "star" and "QN-5" in refused.value.message
    authority.check_revokes(QUANG_NINH, held, ["QN-1"])
    authority.check_revokes(CENTRAL, held, ["QN-5"])
    with pytest.raises(Forbidden):
        authority.check_revokes(CENTRAL, held, ["QN-5", "QN-1"])
