"""Applications: submission admits the products, review re-admits them at approval, withdrawal."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from ocop_registration.domain import applications
from ocop_registration.domain.applications import Admitted, Application, BoothRequest
from ocop_registration.domain.events import application_snapshot
from ocop_registration.domain.products import Product
from ocop_shared.contracts.registration import (
    ApplicationApproved,
    ApplicationRejected,
    ApplicationSubmitted,
    ApplicationWaitlisted,
    ApplicationWithdrawn,
)
from ocop_shared.errors import Conflict, InvalidField

from .builders import NOW, certificate, fair, holder, product

APPLICATION_STATUSES = ["submitted", "approved", "rejected", "waitlisted", "withdrawn"]


def _submitted(**rules: object) -> tuple[Application, list[Product]]:
    applicant = holder()
    shown = [
        product(applicant.exhibitor_id, certificate(star=4, valid_to=date(2027, 6, 30))),
        product(applicant.exhibitor_id, certificate(star=5, valid_to=date(2028, 1, 31))),
    ]
    decided = applications.submit(
        fair(**rules),
        applicant,
        shown,
        BoothRequest(count=1),
        application_id=uuid.uuid4(),
        now=NOW,
    )
    return decided.state, shown


def test_a_submitted_application_admits_its_products_until_their_certificates_end() -> None:
    application, shown = _submitted()
    assert application.status == "submitted" and application.best_star == 5
    assert application.submitted_at == NOW
    assert application.admitted == [
        Admitted(product_id=shown[0].product_id, until=date(2027, 6, 30)),
        Admitted(product_id=shown[1].product_id, until=date(2028, 1, 31)),
    ]


def test_a_submission_is_announced_with_the_application() -> None:
    applicant = holder()
    decided = applications.submit(
        fair(),
        applicant,
        [product(applicant.exhibitor_id, certificate())],
        BoothRequest(count=2),
        application_id=uuid.uuid4(),
        now=NOW,
    )
    [event] = decided.events
    assert isinstance(event, ApplicationSubmitted)
    assert event.application == application_snapshot(decided.state)


def test_an_application_outside_the_window_is_refused() -> None:
    applicant = holder()
    with pytest.raises(InvalidField, match="window") as refused:
        applications.submit(
            fair(),
            applicant,
            [product(applicant.exhibitor_id, certificate())],
            BoothRequest(count=1),
            application_id=uuid.uuid4(),
            now=NOW + timedelta(days=11),
        )
    assert refused.value.code == "applications_closed" and refused.value.field == "fair_id"


@pytest.mark.parametrize(
    ("shown", "field"),
    [
        (lambda h: [product(h, None)], "product_ids.0"),  # no certificate
        (
            lambda h: [product(h, certificate()), product(h, certificate(), group=9)],
            "product_ids.1",
        ),
        (lambda h: [], "product_ids"),
    ],
)
def test_an_application_with_a_product_the_fair_does_not_admit_is_refused(
    shown: object, field: str
) -> None:
    applicant = holder()
    with pytest.raises(InvalidField) as refused:
        applications.submit(
            fair(),
            applicant,
            shown(applicant.exhibitor_id),  # type: ignore[operator]
            BoothRequest(count=1),
            application_id=uuid.uuid4(),
            now=NOW,
        )
    assert refused.value.field == field


def test_a_product_listed_twice_is_refused() -> None:
    same = uuid.uuid4()
    with pytest.raises(InvalidField, match="twice") as refused:
        applications.check_distinct([same, uuid.uuid4(), same])
    assert refused.value.field == "product_ids"
    applications.check_distinct([uuid.uuid4(), uuid.uuid4()])


REVIEWS = {
    "approved": ("approved", ApplicationApproved),
    "rejected": ("rejected", ApplicationRejected),
    "waitlisted": ("waitlisted", ApplicationWaitlisted),
}


@pytest.mark.parametrize(
    ("source", "decision"),
    [(s, d) for d, sources in applications.REVIEW_DECISIONS.items() for s in sorted(sources)],
)
def test_each_review_decision_moves_the_application_and_announces_it(
    source: str, decision: str
) -> None:
    application, _ = _submitted()
    application = application.model_copy(update={"status": source})
    decided = applications.review(
        application, fair(), decision=decision, reason="full", reviewer="org", now=NOW
    )
    status, event_type = REVIEWS[decision]
    assert decided.state.status == status
    assert decided.state.reviewed_by == "org" and decided.state.reviewed_at == NOW
    assert decided.state.reason == "full"
    [event] = decided.events
    assert type(event) is event_type
    assert event.application == application_snapshot(decided.state)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("source", "decision"),
    [
        (s, d)
        for d, sources in applications.REVIEW_DECISIONS.items()
        for s in APPLICATION_STATUSES
        if s not in sources
    ],
)
def test_every_other_review_is_refused(source: str, decision: str) -> None:
    application, _ = _submitted()
    with pytest.raises(Conflict, match=f"that is {source} cannot be {decision}"):
        applications.review(
            application.model_copy(update={"status": source}),
            fair(),
            decision=decision,
            reason="why",
            reviewer="org",
            now=NOW,
        )


def test_a_rejection_must_say_why_and_an_unknown_decision_is_refused() -> None:
    application, _ = _submitted()
    for decision, reason, field in [("rejected", "  ", "reason"), ("maybe", None, "decision")]:
        with pytest.raises(InvalidField) as refused:
            applications.review(
                application, fair(), decision=decision, reason=reason, reviewer="org", now=NOW
            )
        assert refused.value.field == field


def test_approval_re_admits_the_products_as_they_are_now() -> None:
    application, shown = _submitted()
    renewed = shown[0].model_copy(update={"certificate": certificate(valid_to=date(2029, 1, 1))})
    application = application.model_copy(update={"products": [renewed, shown[1]]})
    decided = applications.review(
        application, fair(), decision="approved", reason=None, reviewer="org", now=NOW
    )
    assert [a.until for a in decided.state.admitted] == [date(2029, 1, 1), date(2028, 1, 31)]


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        ({"status": "revoked"}, "revoked"),
        ({"valid_to": NOW.date() + timedelta(days=21)}, "before the fair ends"),
    ],
)
def test_approval_is_refused_when_a_product_is_no_longer_admitted(
    changed: dict[str, object], message: str
) -> None:
    application, shown = _submitted()
    assert shown[1].certificate is not None
    cert = shown[1].certificate.model_copy(update=changed)
    application = application.model_copy(
        update={"products": [shown[0], shown[1].model_copy(update={"certificate": cert})]}
    )
    with pytest.raises(Conflict, match=message) as refused:
        applications.review(
            application, fair(), decision="approved", reason=None, reviewer="org", now=NOW
        )
    assert refused.value.field == "products.1"


def test_approval_is_refused_when_the_fair_raised_its_minimum_star() -> None:
    application, _ = _submitted()
    with pytest.raises(Conflict, match="below the fair's minimum") as refused:
        applications.review(
            application, fair(min_star=5), decision="approved", reason=None, reviewer="o", now=NOW
        )
    assert refused.value.field == "products.0"


def test_rejecting_or_waitlisting_keeps_the_admission_decided_at_submission() -> None:
    application, shown = _submitted()
    revoked = shown[0].model_copy(update={"certificate": certificate(status="revoked")})
    application = application.model_copy(update={"products": [revoked, shown[1]]})
    for decision in ("rejected", "waitlisted"):
        decided = applications.review(
            application, fair(), decision=decision, reason="no", reviewer="org", now=NOW
        )
        assert decided.state.admitted == application.admitted


@pytest.mark.parametrize("source", sorted(applications.WITHDRAWABLE))
def test_a_live_application_can_be_withdrawn(source: str) -> None:
    application, _ = _submitted()
    decided = applications.withdraw(application.model_copy(update={"status": source}))
    assert decided.state.status == "withdrawn"
    [event] = decided.events
    assert isinstance(event, ApplicationWithdrawn)
    assert event.application == application_snapshot(decided.state)


@pytest.mark.parametrize("source", ["rejected", "withdrawn"])
def test_a_closed_application_cannot_be_withdrawn(source: str) -> None:
    application, _ = _submitted()
    with pytest.raises(Conflict) as refused:
        applications.withdraw(application.model_copy(update={"status": source}))
    assert refused.value.field == "status"


def test_approval_is_refused_when_a_member_left_the_delegation_since_submission() -> None:
    member = holder()
    delegation = holder("delegation", [member.exhibitor_id])
    shown = [product(member.exhibitor_id, certificate())]
    submitted = applications.submit(
        fair(), delegation, shown, BoothRequest(count=1), application_id=uuid.uuid4(), now=NOW
    ).state
    with pytest.raises(Conflict, match="no longer a member") as refused:
        applications.review(
            submitted,
            fair(),
            decision="approved",
            reason=None,
            reviewer="org",
            now=NOW,
            holders={delegation.exhibitor_id},  # the member has left
        )
    assert refused.value.field == "products.0"
    approved = applications.review(
        submitted,
        fair(),
        decision="approved",
        reason=None,
        reviewer="org",
        now=NOW,
        holders={delegation.exhibitor_id, member.exhibitor_id},
    )
    assert approved.state.status == "approved"
    # Rejecting needs no membership.
    rejected = applications.review(
        submitted,
        fair(),
        decision="rejected",
        reason="full",
        reviewer="org",
        now=NOW,
        holders={delegation.exhibitor_id},
    )
    assert rejected.state.status == "rejected"
