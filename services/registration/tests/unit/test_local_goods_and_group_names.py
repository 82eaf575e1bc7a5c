"""Issue 15: a fair admitting ordinary local goods (district trade fairs), and product groups
carried with their Vietnamese name and taxonomy in registration's events."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from ocop_registration.domain import applications
from ocop_registration.domain.applications import Admitted, BoothRequest
from ocop_registration.domain.events import application_snapshot, fair_snapshot, product_snapshot
from ocop_registration.domain.products import GROUP_NAMES, group_name
from ocop_registration.domain.timezone import local_date
from ocop_shared.errors import InvalidField

from .builders import NOW, certificate, fair, holder, product


def test_a_fair_without_the_rule_refuses_a_product_without_a_certificate() -> None:
    applicant = holder()
    with pytest.raises(InvalidField) as refused:
        applications.submit(
            fair(),
            applicant,
            [product(applicant.exhibitor_id, None)],
            BoothRequest(count=1),
            application_id=uuid.uuid4(),
            now=NOW,
        )
    assert refused.value.field == "product_ids.0"


def test_a_fair_admitting_local_goods_admits_them_as_not_ocop_until_its_last_day() -> None:
    applicant = holder()
    the_fair = fair(admits_local_goods=True, min_star=4)
    ocop = product(applicant.exhibitor_id, certificate(star=4, valid_to=date(2027, 6, 30)))
    uncertified = product(applicant.exhibitor_id, None, name="Bánh gai")
    three_star = product(applicant.exhibitor_id, certificate(star=3), name="Nước mắm")
    decided = applications.submit(
        the_fair,
        applicant,
        [ocop, uncertified, three_star],
        BoothRequest(count=1),
        application_id=uuid.uuid4(),
        now=NOW,
    )
    last_day = local_date(the_fair.ends_at)
    assert decided.state.admitted == [
        Admitted(product_id=ocop.product_id, until=date(2027, 6, 30)),
        Admitted(product_id=uncertified.product_id, until=last_day, ocop=False),
        Admitted(product_id=three_star.product_id, until=last_day, ocop=False),
    ]
    assert decided.state.best_star == 4  # local goods bring no star
    snapshot = application_snapshot(decided.state)
    assert [a.ocop for a in snapshot.admitted] == [True, False, False]


def test_an_application_of_local_goods_only_has_no_star() -> None:
    applicant = holder()
    decided = applications.submit(
        fair(admits_local_goods=True),
        applicant,
        [product(applicant.exhibitor_id, None)],
        BoothRequest(count=1),
        application_id=uuid.uuid4(),
        now=NOW,
    )
    assert decided.state.best_star == 0
    assert [a.ocop for a in decided.state.admitted] == [False]


def test_a_revoked_certificate_is_never_admitted_as_local_goods() -> None:
    applicant = holder()
    with pytest.raises(InvalidField, match="revoked") as refused:
        applications.submit(
            fair(admits_local_goods=True),
            applicant,
            [product(applicant.exhibitor_id, certificate(status="revoked"))],
            BoothRequest(count=1),
            application_id=uuid.uuid4(),
            now=NOW,
        )
    assert refused.value.field == "product_ids.0"


def test_the_rule_is_announced_with_the_fair() -> None:
    assert fair(admits_local_goods=True).rules.admits_local_goods is True
    assert fair_snapshot(fair(admits_local_goods=True)).rules.admits_local_goods is True
    assert fair_snapshot(fair()).rules.admits_local_goods is False


def test_a_product_event_carries_its_group_name_in_its_taxonomy() -> None:
    snapshot = product_snapshot(product(group=4))
    assert (snapshot.group, snapshot.taxonomy, snapshot.product_group_name) == (
        4,
        "2023",
        "Hàng thủ công mỹ nghệ",
    )
    assert group_name("2019", 4) == "Vải và may mặc"
    assert group_name("2023", 9) is None
    assert GROUP_NAMES["2023"][1] == "Thực phẩm"
