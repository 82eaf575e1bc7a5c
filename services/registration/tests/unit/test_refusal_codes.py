"""Each rule an application or a fair's edit breaks has a code of its own
(``domain/refusals.py``), so a client words the refusal by code, not by matching the English;
the README lists them, and the review's reason codes. A fair's edit, its allocation mode and
the memberships' other party too. No I/O.

Before: every rule broken was ``value_error`` (a 422) or ``conflict`` (a 409), the fair's
state a 409, and the web matched the English text to tell them apart."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ocop_registration.domain import applications, delegations, fairs, refusals
from ocop_registration.domain.applications import BoothRequest
from ocop_registration.domain.delegations import Membership
from ocop_registration.domain.events import application_snapshot, fair_snapshot
from ocop_registration.domain.products import CLASSIFICATIONS, TAXONOMIES
from ocop_shared.contracts.registration import AdmissionRules, FairRulesChanged
from ocop_shared.errors import DomainError

from .builders import NOW, certificate, fair, holder, product

README = Path(__file__).resolve().parents[2] / "README.md"


def _between(marker: str) -> str:
    text = README.read_text()
    return text.split(f"<!-- {marker}:begin -->\n", 1)[1].split(f"\n<!-- {marker}:end -->", 1)[0]


def test_the_readme_lists_every_refusal_and_review_reason() -> None:
    assert _between("refusals") == refusals.markdown()
    assert _between("review-reasons") == refusals.review_reasons_markdown()
    codes = [cls.code for cls in refusals.refusals()]
    assert len(codes) == len(set(codes))  # one meaning per code


def _submit(f: Any = None, **kw: Any) -> Callable[[], Any]:
    applicant = kw.pop("applicant", None) or holder()
    shown = kw.pop("products", None)
    if shown is None:
        shown = [product(applicant.exhibitor_id, certificate())]
    request = kw.pop("request", BoothRequest(count=1))
    now = kw.pop("now", NOW)
    return lambda: applications.submit(
        f or fair(), applicant, shown, request, application_id=uuid.uuid4(), now=now
    )


ME = holder()
MINE = ME.exhibitor_id
DELEGATION = holder("delegation", [])
CASES: list[tuple[str, Callable[[], Any], str, str]] = [
    ("a closed fair", _submit(fair("closed")), "fair_not_open", "fair_id"),
    ("after the window", _submit(now=NOW + timedelta(days=11)), "applications_closed", "fair_id"),
    ("no products", _submit(products=[]), "no_products", "product_ids"),
    ("another's product", _submit(applicant=ME, products=[product(None, certificate())]),
     "not_your_product", "product_ids.0"),
    ("not a member's", _submit(applicant=DELEGATION, products=[product(None, certificate())]),
     "member_not_accepted", "product_ids.0"),
    ("2019 taxonomy", _submit(applicant=ME, products=[
        product(MINE, certificate()).model_copy(update={"taxonomy": "2019"})]),
     "taxonomy_mismatch", "product_ids.0"),
    ("group 9", _submit(applicant=ME, products=[
        product(MINE, certificate()).model_copy(update={"group": 9})]),
     "group_unknown", "product_ids.0"),
    ("group not admitted", _submit(fair(product_groups=[2]), applicant=ME),
     "group_not_admitted", "product_ids.0"),
    ("no certificate", _submit(applicant=ME, products=[product(MINE, None)]),
     "no_certificate", "product_ids.0"),
    ("revoked", _submit(applicant=ME, products=[
        product(MINE, certificate()), product(MINE, certificate(status="revoked"))]),
     "certificate_revoked", "product_ids.1"),
    ("expires first", _submit(applicant=ME, products=[
        product(MINE, certificate(valid_to=date(2026, 3, 10)))]),
     "certificate_expires_before_fair_ends", "product_ids.0"),
    ("3 stars at a 4-star fair", _submit(fair(min_star=4), applicant=ME, products=[
        product(MINE, certificate(star=3))]), "below_min_star", "product_ids.0"),
    ("three booths", _submit(applicant=ME, request=BoothRequest(count=3)),
     "booth_limit", "booth_request.count"),
    ("booth for group 4", _submit(fair(product_groups=[1]), applicant=ME,
                                  request=BoothRequest(count=1, product_group=4)),
     "booth_group_not_admitted", "booth_request.product_group"),
    ("a product twice", lambda: applications.check_distinct([MINE, MINE]),
     "product_listed_twice", "product_ids"),
    ("ends first", lambda: fairs.check_schedule(NOW, NOW, NOW, NOW), "ends_before_start",
     "ends_at"),
    ("window backwards", lambda: fairs.check_schedule(
        NOW, NOW + timedelta(1), NOW, NOW - timedelta(1)), "window_closes_before_opening",
     "applications_close_at"),
    ("window past the start", lambda: fairs.check_schedule(
        NOW, NOW + timedelta(1), NOW - timedelta(1), NOW + timedelta(hours=1)),
     "window_closes_after_start", "applications_close_at"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "call", "code", "field"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_broken_is_refused_with_its_code_on_its_field(
    case: str, call: Callable[[], Any], code: str, field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        call()
    assert (refused.value.code, refused.value.field) == (code, field), refused.value.message
    assert refused.value.status_code == 422


def test_an_approval_of_a_product_no_longer_admitted_is_a_coded_409() -> None:
    f = fair()
    submitted = _submit(f, applicant=ME)().state
    revoked = product(MINE, certificate(status="revoked"))
    changed = submitted.model_copy(update={"products": [revoked]})
    with pytest.raises(DomainError) as refused:
        applications.review(changed, f, decision="approved", reason=None, reviewer="o", now=NOW)
    assert (refused.value.status_code, refused.value.code) == (409, "product_no_longer_admitted")
    with pytest.raises(DomainError) as gone:
        applications.review(
            submitted, f, decision="approved", reason=None, reviewer="o", now=NOW, holders=set()
        )
    assert gone.value.code == "holder_no_longer_member" and gone.value.field == "products.0"


def test_a_review_may_carry_a_reason_code_which_is_kept_and_announced() -> None:
    f = fair()
    submitted = _submit(f, applicant=ME)().state
    decided = applications.review(
        submitted, f, decision="rejected", reason=None, reviewer="o", now=NOW,
        reason_code="no_booths_left",
    )  # fmt: skip
    assert decided.state.reason_code == "no_booths_left" and decided.state.reason is None
    assert decided.events[0].application.reason_code == "no_booths_left"  # type: ignore[attr-defined]
    assert application_snapshot(decided.state).reason_code == "no_booths_left"
    with pytest.raises(DomainError) as unknown:
        applications.check_review("submitted", "rejected", None, "because")
    assert unknown.value.field == "reason_code"
    with pytest.raises(DomainError) as silent:
        applications.check_review("submitted", "rejected", None, None)
    assert silent.value.field == "reason"


def test_a_fair_is_edited_while_a_draft_or_open_and_its_schedule_stays_whole() -> None:
    draft = fair("draft")
    renamed = fairs.edit(draft, {"name": "Hội chợ mùa thu", "venue": None})
    assert renamed.state.name == "Hội chợ mùa thu" and renamed.state.venue == draft.venue
    assert renamed.events == []  # a draft is private
    opened = fair("open")
    later = fairs.edit(opened, {"ends_at": opened.ends_at + timedelta(days=2)})
    [event] = later.events
    assert isinstance(event, FairRulesChanged) and event.fair == fair_snapshot(later.state)
    # Naive times are Viet Nam's: 09:00 there is 02:00 UTC.
    local = fairs.edit(opened, {"starts_at": datetime(2026, 3, 21, 9, 0)})
    assert local.state.starts_at.hour == 2
    with pytest.raises(DomainError) as backwards:
        fairs.edit(opened, {"ends_at": opened.starts_at - timedelta(days=1)})
    assert (backwards.value.code, backwards.value.field) == ("ends_before_start", "ends_at")
    for status in ("closed", "running", "finished"):
        with pytest.raises(DomainError) as late:
            fairs.edit(fair(status), {"name": "x"})
        assert (late.value.status_code, late.value.code) == (409, "fair_not_editable")
    assert fairs.edit(opened, {}).events == []  # nothing changed, nothing announced


def test_the_allocation_mode_is_a_rule_carried_to_the_other_services() -> None:
    assert fair().rules.allocation_mode == "self_service"
    ranked = fair(allocation_mode="ranked")
    assert fair_snapshot(ranked).rules.allocation_mode == "ranked"
    # A message from before the field still decodes, as self-service.
    old = AdmissionRules.model_validate({"min_star": 3, "product_groups": [1]})
    assert old.allocation_mode == "self_service"


def test_the_product_groups_have_one_source() -> None:
    assert {c.taxonomy for c in CLASSIFICATIONS} == set(TAXONOMIES) == {"2023", "2019"}
    for c in CLASSIFICATIONS:
        assert [g.number for g in c.groups] == sorted(TAXONOMIES[c.taxonomy])
        assert all(g.name_vi and g.name_en for g in c.groups)
    assert TAXONOMIES["2023"][1] == "Thực phẩm (food)"


def test_a_membership_names_the_other_party() -> None:
    holder_ = holder()
    delegation = holder("delegation").model_copy(update={"province": "Lạng Sơn"})
    m = Membership(
        delegation_id=delegation.exhibitor_id, holder_id=holder_.exhibitor_id,
        status="pending", invited_at=NOW,
    )  # fmt: skip
    parties = {holder_.exhibitor_id: holder_, delegation.exhibitor_id: delegation}
    [to_delegation] = delegations.named([m], parties, delegation.exhibitor_id)
    [to_holder] = delegations.named([m], parties, holder_.exhibitor_id)
    assert to_delegation.other.exhibitor_id == holder_.exhibitor_id
    assert (to_holder.other.name, to_holder.other.kind, to_holder.other.province) == (
        delegation.name, "delegation", "Lạng Sơn",
    )  # fmt: skip
