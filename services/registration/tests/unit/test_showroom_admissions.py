"""A showroom's rolling admissions (issue 15): a permanent OCOP centre admits new producers
while it runs. Its application window may close after it starts (by its end); it starts
straight from open; while it runs it takes applications within its window, reviewed as usual,
until the window closes or its organizer closes them (it keeps running). Every other kind
keeps the old rule: applications close before the fair starts. Pure: no stack."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from ocop_registration.domain import applications, fairs
from ocop_registration.domain.applications import BoothRequest
from ocop_registration.domain.events import fair_snapshot
from ocop_registration.domain.fair_kinds import OpeningHours, Store
from ocop_shared.contracts.registration import FairApplicationsClosed, FairStarted
from ocop_shared.errors import Conflict, DomainError

from .builders import NOW, certificate, fair, holder, product

HOURS = (OpeningHours(weekday=0, opens="08:00", closes="17:00"),)
RETAILER = uuid.uuid4()
STORES = [Store(str(RETAILER), "HL01", "Siêu thị Hạ Long", "1 Trần Hưng Đạo")]
OTHER_KINDS = ("fair", "exhibition", "promotion_week")


def _draft(kind: str, **changes: Any) -> fairs.FairDraft:
    """Applications close a month after the start: a showroom's rolling window."""
    local = datetime(2026, 5, 10, 8, 0)
    values: dict[str, Any] = {
        "name": "Trung tâm OCOP Quảng Ninh",
        "kind": kind,
        "venue": "Hạ Long",
        "province": "Quảng Ninh",
        "starts_at": local,
        "ends_at": local + timedelta(days=60),
        "applications_open_at": local - timedelta(days=30),
        "applications_close_at": local + timedelta(days=30),
        **changes,
    }
    if kind == "showroom":
        values.setdefault("opening_hours", HOURS)
    if kind == "promotion_week":
        values.update(host_retailer_id=RETAILER, store_codes=("HL01",))
    return fairs.FairDraft(**values)


def _code(call: Any) -> tuple[str, str | None]:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code, refused.value.field


def showroom(status: str = "running", **changes: Any) -> fairs.Fair:
    """A running open-ended showroom that started ten days ago; its window is open until
    twenty days from now."""
    return fair(status).model_copy(
        update={
            "kind": "showroom",
            "opening_hours": list(HOURS),
            "open_ended": True,
            "starts_at": NOW - timedelta(days=10),
            "ends_at": datetime(2100, 12, 31, 16, 59, 59, tzinfo=NOW.tzinfo),
            "applications_open_at": NOW - timedelta(days=40),
            "applications_close_at": NOW + timedelta(days=20),
            **changes,
        }
    )


def test_a_showrooms_window_may_close_after_it_starts_no_other_kinds() -> None:
    planned = fairs.plan(_draft("showroom"), uuid.uuid4(), "org-qn")
    assert planned.applications_close_at > planned.starts_at
    open_ended = fairs.plan(_draft("showroom", ends_at=None), uuid.uuid4(), "org-qn")
    assert open_ended.open_ended and open_ended.applications_close_at > open_ended.starts_at
    for kind in OTHER_KINDS:
        draft = _draft(kind)
        refused = _code(lambda d=draft: fairs.plan(d, uuid.uuid4(), "org-qn", STORES))
        assert refused == ("window_closes_after_start", "applications_close_at"), kind


def test_a_showrooms_window_closes_by_its_end_and_after_it_opens() -> None:
    local = datetime(2026, 5, 10, 8, 0)
    late = _draft("showroom", applications_close_at=local + timedelta(days=61))
    assert _code(lambda: fairs.plan(late, uuid.uuid4(), "o")) == (
        "window_closes_after_end",
        "applications_close_at",
    )
    backwards = _draft(
        "showroom",
        applications_open_at=local + timedelta(days=5),
        applications_close_at=local + timedelta(days=4),
    )
    assert _code(lambda: fairs.plan(backwards, uuid.uuid4(), "o")) == (
        "window_closes_before_opening",
        "applications_close_at",
    )


def test_an_open_fairs_edit_keeps_the_kinds_rule() -> None:
    later = {"applications_close_at": datetime(2026, 5, 20, 8, 0)}
    edited = fairs.edit(fairs.plan(_draft("showroom"), uuid.uuid4(), "o"), dict(later))
    assert edited.state.applications_close_at > edited.state.starts_at
    plain = fairs.plan(
        _draft("fair", applications_close_at=datetime(2026, 5, 1)), uuid.uuid4(), "o"
    )
    assert _code(lambda: fairs.edit(plain, dict(later))) == (
        "window_closes_after_start",
        "applications_close_at",
    )


def test_only_a_showroom_starts_straight_from_open() -> None:
    step = fairs.transition(showroom("open"), "start", NOW)
    assert step.fair.status == "running"
    [event] = step.events
    assert type(event) is FairStarted and event.fair == fair_snapshot(step.fair)
    assert fairs.transition(showroom("closed"), "start", NOW).fair.status == "running"
    for kind in OTHER_KINDS:
        opened = fair("open").model_copy(update={"kind": kind})
        with pytest.raises(Conflict, match="a fair that is open cannot start") as refused:
            fairs.transition(opened, "start", NOW)
        assert refused.value.field == "status"


def test_a_running_showroom_closes_its_applications_and_keeps_running() -> None:
    running = showroom()
    step = fairs.transition(running, "close", NOW)
    assert step.fair.status == "running"
    assert step.fair.applications_close_at == NOW
    assert (
        step.fair.model_copy(update={"applications_close_at": running.applications_close_at})
        == running
    )
    [event] = step.events
    assert type(event) is FairApplicationsClosed
    assert event.fair.status == "running" and event.fair.applications_close_at == NOW
    # Closed already: a second close is refused, and so is one after the window closed.
    with pytest.raises(Conflict, match="closed already") as twice:
        fairs.transition(step.fair, "close", NOW + timedelta(minutes=1))
    assert twice.value.field == "status"
    with pytest.raises(Conflict, match="not opened yet") as early:
        fairs.transition(running, "close", running.applications_open_at - timedelta(days=1))
    assert early.value.field == "applications_open_at"
    # Its hours still change while it runs: the moved window is a valid schedule.
    sunday = [OpeningHours(weekday=6, opens="09:00", closes="12:00")]
    assert fairs.edit(step.fair, {"opening_hours": sunday}).state.opening_hours == sunday
    # An open showroom's close is the usual one.
    assert fairs.transition(showroom("open"), "close", NOW).fair.status == "closed"


def test_no_other_running_kind_closes_applications() -> None:
    for kind in OTHER_KINDS:
        running = fair("running").model_copy(update={"kind": kind})
        with pytest.raises(Conflict, match="a fair that is running cannot close"):
            fairs.transition(running, "close", NOW)


def _apply(f: fairs.Fair, now: datetime = NOW, **kw: Any) -> applications.Application:
    me = kw.pop("applicant", holder())
    shown = kw.pop("products", None) or [product(me.exhibitor_id, certificate())]
    return applications.submit(
        f, me, shown, BoothRequest(count=1), application_id=uuid.uuid4(), now=now
    ).state


def test_a_running_showroom_takes_applications_within_its_window_reviewed_as_usual() -> None:
    running = showroom()
    assert fairs.takes_applications(running, NOW)
    submitted = _apply(running)
    assert submitted.status == "submitted"
    assert submitted.admitted[0].until == date(2027, 12, 31)
    approved = applications.review(
        submitted, running, decision="approved", reason=None, reviewer="org", now=NOW
    )
    assert approved.state.status == "approved"
    assert [a.product_id for a in approved.state.admitted] == [
        p.product_id for p in submitted.products
    ]


def test_a_running_showroom_refuses_applications_after_its_window_or_once_closed() -> None:
    running = showroom()
    after = NOW + timedelta(days=21)
    assert not fairs.takes_applications(running, after)
    assert _code(lambda: _apply(running, after)) == ("applications_closed", "fair_id")
    closed = fairs.transition(running, "close", NOW).fair
    later = NOW + timedelta(minutes=5)
    assert not fairs.takes_applications(closed, later)
    assert _code(lambda: _apply(closed, later)) == ("applications_closed", "fair_id")


def test_other_running_kinds_and_a_finished_showroom_refuse_applications() -> None:
    for kind in OTHER_KINDS:
        running = showroom().model_copy(update={"kind": kind, "open_ended": False})
        assert not fairs.takes_applications(running, NOW)
        assert _code(lambda f=running: _apply(f)) == ("fair_not_open", "fair_id"), kind
    finished = showroom("finished")
    assert _code(lambda: _apply(finished)) == ("fair_not_open", "fair_id")


def test_a_late_producers_certificate_must_be_in_force_today_not_only_on_the_first_day() -> None:
    """The showroom started ten days ago; a certificate that ended five days ago was in
    force on its first day but admits nothing now."""
    me = holder()
    ended = product(me.exhibitor_id, certificate(valid_to=(NOW - timedelta(days=5)).date()))
    refused = _code(lambda: _apply(showroom(), applicant=me, products=[ended]))
    assert refused == ("certificate_expires_before_fair_ends", "product_ids.0")
