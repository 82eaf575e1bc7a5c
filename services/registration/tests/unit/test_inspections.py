"""On-site quality inspection's decisions (issue 15), without I/O: which fairs an inspector
reaches, a product not at the fair, the decision for the tills, retries by inspection id,
the fair's counts, and who sees which inspection."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from ocop_registration.domain import inspections
from ocop_registration.domain.authority import Authority
from ocop_registration.domain.fairs import Fair
from ocop_registration.domain.inspections import (
    Exhibit,
    FairNotInspectable,
    Inspection,
    InspectionDraft,
    InspectionIdTaken,
    Inspector,
)
from ocop_shared.contracts.registration import InspectionRecorded
from ocop_shared.errors import InvalidField, NotFound

from .builders import NOW, fair

QN = Inspector("qltt-quang-ninh", "quang ninh", uuid.uuid4())  # provinces compare folded
LS = Inspector("qltt-lang-son", "Lạng Sơn")


def exhibit(product_id: uuid.UUID | None = None, exhibitor_id: uuid.UUID | None = None) -> Exhibit:
    return Exhibit(
        product_id=product_id or uuid.uuid4(),
        product_name="Mật ong rừng Ba Chẽ",
        holder_id=uuid.uuid4(),
        exhibitor_id=exhibitor_id or uuid.uuid4(),
        exhibitor_name="HTX Bạch Đằng",
    )


def draft(product_id: uuid.UUID, decision: str = "suspend", **kw: Any) -> InspectionDraft:
    base: dict[str, Any] = {
        "inspection_id": uuid.uuid4(), "product_id": product_id, "exhibitor_id": None,
        "booth_code": "A-12", "sample": "2 hũ 500 g, lô 2311", "finding": "Nhãn thiếu hạn dùng",
        "decision": decision,
    }  # fmt: skip
    return InspectionDraft(**{**base, **kw})


def recorded(f: Fair, d: InspectionDraft, shown: list[Exhibit], at: Any = NOW) -> Inspection:
    return inspections.record(d, f, QN, shown, at).state


def test_an_inspector_reaches_only_the_fairs_of_its_province() -> None:
    f = fair("running")
    assert inspections.check_reaches(QN, f) is f
    for outside in (LS, replace(QN, province="Hà Nội")):
        with pytest.raises(NotFound) as e:
            inspections.check_reaches(outside, f)
        assert e.value.field == "fair_id"
    with pytest.raises(NotFound):
        inspections.check_reaches(QN, fair("draft"))  # a draft is no one's to inspect
    with pytest.raises(NotFound):
        inspections.check_reaches(QN, None)


def test_a_product_not_exhibited_at_the_fair_is_not_found_and_nothing_is_decided() -> None:
    f, shown = fair("running"), [exhibit()]
    with pytest.raises(NotFound) as e:
        inspections.record(draft(uuid.uuid4()), f, QN, shown, NOW)
    assert e.value.field == "product_id"
    # another fair's inspector is told the fair is missing first
    with pytest.raises(NotFound) as e:
        inspections.record(draft(shown[0].product_id), f, LS, shown, NOW)
    assert e.value.field == "fair_id"


def test_suspend_and_refer_suspend_at_the_fair_and_pass_lifts_announced_for_the_tills() -> None:
    f = fair("running")
    shown = [exhibit()]
    product_id = shown[0].product_id
    for decision, suspended in (("suspend", True), ("refer", True), ("pass", False)):
        decided = inspections.record(draft(product_id, decision), f, QN, shown, NOW)
        assert decided.state.suspended is suspended
        assert decided.state.exhibitor_id == shown[0].exhibitor_id
        [event] = decided.events
        assert isinstance(event, InspectionRecorded)
        assert event.partition_key() == str(product_id)
        assert event.inspection.suspended is suspended
        assert event.inspection.fair_id == f.fair_id
        assert event.inspection.inspector_id == QN.inspector_id
        assert event.inspection.inspected_by == QN.inspected_by
        assert event.inspection.recorded_at == NOW


def test_only_a_fair_set_up_or_selling_is_inspected() -> None:
    shown = [exhibit()]
    for status in ("open", "finished"):
        with pytest.raises(FairNotInspectable) as e:
            inspections.record(draft(shown[0].product_id), fair(status), QN, shown, NOW)
        assert e.value.field == "fair_id" and e.value.code == "fair_not_inspectable"
    inspections.record(draft(shown[0].product_id), fair("closed"), QN, shown, NOW)


def test_two_exhibitors_showing_one_product_need_the_exhibitor_named() -> None:
    product_id = uuid.uuid4()
    a, b = exhibit(product_id), exhibit(product_id)
    f = fair("running")
    with pytest.raises(InvalidField) as e:
        inspections.record(draft(product_id), f, QN, [a, b], NOW)
    assert e.value.field == "exhibitor_id"
    chosen = recorded(f, draft(product_id, exhibitor_id=b.exhibitor_id), [a, b])
    assert chosen.exhibitor_id == b.exhibitor_id
    with pytest.raises(NotFound) as e:
        inspections.record(draft(product_id, exhibitor_id=uuid.uuid4()), f, QN, [a, b], NOW)
    assert e.value.field == "exhibitor_id"


def test_a_retry_with_the_same_content_is_the_first_recording_other_content_a_conflict() -> None:
    f, shown = fair("running"), [exhibit()]
    d = draft(shown[0].product_id)
    first = recorded(f, d, shown)
    again = inspections.replay(d, f.fair_id, QN, first)
    assert again.replayed and again.inspection is first
    for other in (
        replace(d, finding="Khác"),
        replace(d, decision="pass"),
        replace(d, booth_code="B-1"),
    ):
        with pytest.raises(InspectionIdTaken) as e:
            inspections.replay(other, f.fair_id, QN, first)
        assert e.value.field == "inspection_id"
    with pytest.raises(InspectionIdTaken):
        inspections.replay(d, uuid.uuid4(), QN, first)  # another fair
    with pytest.raises(InspectionIdTaken):
        inspections.replay(d, f.fair_id, replace(QN, inspector_id="other"), first)


def test_the_fair_counts_inspections_suspensions_and_what_is_suspended_now() -> None:
    f = fair("running")
    p, q, r = exhibit(), exhibit(), exhibit()
    shown = [p, q, r]
    done = [
        recorded(f, draft(p.product_id, "suspend"), shown, NOW),
        recorded(f, draft(p.product_id, "pass"), shown, NOW + timedelta(minutes=5)),
        recorded(f, draft(q.product_id, "refer"), shown, NOW + timedelta(minutes=1)),
        recorded(f, draft(r.product_id, "pass"), shown, NOW + timedelta(minutes=2)),
    ]
    summary = inspections.summarize(list(reversed(done)))  # in any order
    assert (summary.inspections, summary.passed, summary.suspensions, summary.referrals) == (
        4,
        2,
        2,
        1,
    )
    assert summary.suspended_now == [q.product_id]  # p's suspension was lifted


def test_who_sees_a_products_inspections() -> None:
    qn = fair("running")
    ls = fair("running").model_copy(update={"province": "Lạng Sơn", "organizer_id": "org-ls"})
    shown = [exhibit()]
    at_qn = recorded(qn, draft(shown[0].product_id), shown)
    at_ls = replace(at_qn, fair_id=ls.fair_id, fair_province="Lạng Sơn", fair_organizer_id="org-ls")
    both = [at_qn, at_ls]
    assert inspections.seen_by_inspector("QUẢNG NINH", both) == [at_qn]
    assert inspections.seen_by_organizer("org-ls", both) == [at_ls]
    assert inspections.seen_by_organizer("org-x", both) == []


def test_a_referral_is_the_council_whose_jurisdiction_the_certificate_is() -> None:
    provincial = Authority("hd-qn", "provincial", "Quảng Ninh")
    central = Authority("hd-tw", "central", None)
    assert inspections.refers_to(provincial, "quang ninh", 4)
    assert not inspections.refers_to(provincial, "Lạng Sơn", 4)
    assert not inspections.refers_to(provincial, "Quảng Ninh", 5)
    assert inspections.refers_to(central, "Lạng Sơn", 5)
    assert not inspections.refers_to(central, "Quảng Ninh", 3)
    # no certificate: the province's council
    assert inspections.refers_to(provincial, "Quảng Ninh", None)
    assert not inspections.refers_to(central, "Quảng Ninh", None)
