"""Fair kinds with their real behaviour (issue 15): a promotion week hosted by a retailer at
its stores, an open-ended showroom with weekly opening hours, the consignment commission;
retailers as organizations the admin creates. Pure: no stack."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from ocop_registration.domain import applications, fair_kinds, fairs, identity
from ocop_registration.domain.events import fair_snapshot
from ocop_registration.domain.fair_kinds import OPEN_ENDED_UNTIL, OpeningHours, Store
from ocop_registration.domain.timezone import VN
from ocop_shared.contracts.registration import FairRulesChanged
from ocop_shared.errors import Conflict, InvalidField

from .builders import certificate, holder, product

RETAILER = uuid.uuid4()
STORES = [
    Store(str(RETAILER), "HL01", "Siêu thị Hạ Long", "1 Trần Hưng Đạo"),
    Store(str(RETAILER), "CP02", "Siêu thị Cẩm Phả", "2 Lê Lợi"),
]
HOURS = (
    OpeningHours(weekday=5, opens="08:00", closes="21:30"),
    OpeningHours(weekday=0, opens="08:00", closes="17:00"),
)


def _draft(kind: str, **changes: Any) -> fairs.FairDraft:
    local = datetime(2026, 5, 10, 8, 0)
    values: dict[str, Any] = {
        "name": "Tuần lễ OCOP",
        "kind": kind,
        "venue": "Hạ Long",
        "province": "Quảng Ninh",
        "starts_at": local,
        "ends_at": local + timedelta(days=7),
        "applications_open_at": local - timedelta(days=30),
        "applications_close_at": local - timedelta(days=3),
        **changes,
    }
    return fairs.FairDraft(**values)


def _week(**changes: Any) -> fairs.FairDraft:
    values: dict[str, Any] = {"host_retailer_id": RETAILER, "store_codes": ("HL01",), **changes}
    return _draft("promotion_week", **values)


def _showroom(**changes: Any) -> fairs.FairDraft:
    values: dict[str, Any] = {"ends_at": None, "opening_hours": HOURS, **changes}
    return _draft("showroom", **values)


def _refused(draft: fairs.FairDraft, stores: list[Store] | None = STORES) -> str:
    with pytest.raises(InvalidField) as refused:
        fairs.plan(draft, uuid.uuid4(), "org-qn", stores)
    return refused.value.field


def test_a_promotion_week_names_its_host_retailer_and_stores_carried_in_its_events() -> None:
    rules = fairs.Rules(commission_percent=15)
    week = fairs.plan(
        _week(store_codes=("CP02", "HL01"), rules=rules), uuid.uuid4(), "org-qn", STORES
    )
    assert week.host_retailer_id == RETAILER
    assert [(s.store_code, s.name) for s in week.stores] == [
        ("CP02", "Siêu thị Cẩm Phả"),
        ("HL01", "Siêu thị Hạ Long"),
    ]
    snapshot = fair_snapshot(week)
    assert snapshot.host_retailer_id == RETAILER
    assert [(s.store_code, s.name) for s in snapshot.stores] == [
        ("CP02", "Siêu thị Cẩm Phả"),
        ("HL01", "Siêu thị Hạ Long"),
    ]
    assert snapshot.rules.commission_percent == 15
    assert snapshot.open_ended is False and snapshot.opening_hours == []


def test_a_promotion_week_without_a_retailer_is_refused_naming_host_retailer_id() -> None:
    assert _refused(_week(host_retailer_id=None), None) == "host_retailer_id"
    assert _refused(_week(), None) == "host_retailer_id"  # no such retailer


def test_a_promotion_week_names_stores_of_its_host_only() -> None:
    assert _refused(_week(store_codes=())) == "store_codes"
    assert _refused(_week(store_codes=("HL01", "XX99"))) == "store_codes.1"
    assert _refused(_week(store_codes=("HL01", "HL01"))) == "store_codes.1"


def test_only_a_promotion_week_has_a_host_or_stores_and_a_fair_no_commission() -> None:
    assert _refused(_draft("fair", host_retailer_id=RETAILER)) == "host_retailer_id"
    assert _refused(_draft("exhibition", store_codes=("HL01",))) == "store_codes"
    rules = fairs.Rules(commission_percent=10)
    assert _refused(_draft("fair", rules=rules)) == "rules.commission_percent"
    assert _refused(_week(rules=fairs.Rules(commission_percent=51))) == "rules.commission_percent"
    assert _refused(_week(rules=fairs.Rules(commission_percent=-1))) == "rules.commission_percent"
    running = fairs.plan(_draft("fair"), uuid.uuid4(), "org-qn")
    with pytest.raises(InvalidField) as refused:
        fairs.change_rules(running, rules)
    assert refused.value.field == "rules.commission_percent"


def test_an_open_ended_showroom_ends_far_away_and_keeps_running_until_finished() -> None:
    showroom = fairs.plan(_showroom(), uuid.uuid4(), "org-qn")
    assert showroom.open_ended and showroom.ends_at == OPEN_ENDED_UNTIL
    assert OPEN_ENDED_UNTIL.astimezone(VN).replace(tzinfo=None) == datetime(
        2100, 12, 31, 23, 59, 59
    )
    assert [h.weekday for h in showroom.opening_hours] == [0, 5]  # in weekday order
    moved = showroom
    for action in ("open", "close", "start"):
        moved = fairs.transition(moved, action).fair
    assert moved.status == "running"  # nothing ends it but its organizer
    finished = fairs.transition(moved, "finish")
    assert finished.fair.status == "finished"
    snapshot = finished.events[0].fair  # type: ignore[attr-defined]
    assert snapshot.open_ended and snapshot.ends_at == OPEN_ENDED_UNTIL
    assert [(h.weekday, h.opens, h.closes) for h in snapshot.opening_hours] == [
        (0, "08:00", "17:00"),
        (5, "08:00", "21:30"),
    ]


def test_only_a_showroom_is_open_ended_and_a_showroom_names_its_hours() -> None:
    assert _refused(_draft("fair", ends_at=None)) == "ends_at"
    assert _refused(_week(ends_at=None)) == "ends_at"
    assert _refused(_showroom(opening_hours=())) == "opening_hours"
    dated = fairs.plan(_showroom(ends_at=datetime(2026, 12, 31, 21, 0)), uuid.uuid4(), "o")
    assert not dated.open_ended  # a showroom may have an end too


@pytest.mark.parametrize(
    ("hours", "field"),
    [
        ((OpeningHours(weekday=7, opens="08:00", closes="17:00"),), "opening_hours.0.weekday"),
        (
            (HOURS[0], OpeningHours(weekday=5, opens="09:00", closes="10:00")),
            "opening_hours.1.weekday",
        ),
        ((OpeningHours(weekday=1, opens="8:00", closes="17:00"),), "opening_hours.0.opens"),
        ((OpeningHours(weekday=1, opens="08:00", closes="24:00"),), "opening_hours.0.closes"),
        ((OpeningHours(weekday=1, opens="17:00", closes="08:00"),), "opening_hours.0.closes"),
    ],
)
def test_bad_opening_hours_are_refused_naming_the_field(
    hours: tuple[OpeningHours, ...], field: str
) -> None:
    assert _refused(_showroom(opening_hours=hours)) == field


def test_open_at_reads_the_weekly_hours_in_viet_nam() -> None:
    saturday = datetime(2026, 5, 16, 21, 29)
    assert saturday.weekday() == 5
    assert fair_kinds.open_at(HOURS, saturday)
    assert not fair_kinds.open_at(HOURS, saturday.replace(hour=21, minute=30))
    assert not fair_kinds.open_at(HOURS, saturday + timedelta(days=1))  # Sunday: closed
    assert fair_kinds.open_at((), saturday)


def test_a_running_showroom_changes_its_hours_announced_but_nothing_else() -> None:
    showroom = fairs.plan(_showroom(), uuid.uuid4(), "org-qn")
    running = showroom.model_copy(update={"status": "running"})
    sunday = [OpeningHours(weekday=6, opens="09:00", closes="12:00")]
    decided = fairs.edit(running, {"opening_hours": sunday})
    assert [h.weekday for h in decided.state.opening_hours] == [6]
    [event] = decided.events
    assert isinstance(event, FairRulesChanged)
    assert [h.weekday for h in event.fair.opening_hours] == [6]
    with pytest.raises(Conflict):
        fairs.edit(running, {"name": "Trung tâm OCOP mới"})
    with pytest.raises(InvalidField) as refused:
        fairs.edit(running, {"opening_hours": []})
    assert refused.value.field == "opening_hours"
    opened = showroom.model_copy(update={"status": "open"})
    with pytest.raises(InvalidField) as refused:
        fairs.edit(opened, {"ends_at": datetime(2027, 1, 1)})
    assert refused.value.field == "ends_at"


def test_a_promotion_weeks_stores_change_among_its_hosts() -> None:
    week = fairs.plan(_week(), uuid.uuid4(), "org-qn", STORES)
    decided = fairs.edit(week, {"store_codes": ["CP02"]}, STORES)
    assert [s.store_code for s in decided.state.stores] == ["CP02"]
    with pytest.raises(InvalidField) as refused:
        fairs.edit(week, {"store_codes": ["ZZ9"]}, STORES)
    assert refused.value.field == "store_codes.0"


def test_an_open_ended_fair_admits_a_product_in_force_on_its_first_day() -> None:
    showroom = fairs.plan(_showroom(), uuid.uuid4(), "org-qn")
    applicant = holder()
    in_force = product(applicant.exhibitor_id, certificate(valid_to=date(2027, 12, 31)))
    [admitted] = applications.admit(
        [in_force], showroom, lambda i, why, words: InvalidField(f"product_ids.{i}", words)
    )
    assert admitted.until == date(2027, 12, 31)  # sold until its certificate ends
    ended = product(applicant.exhibitor_id, certificate(valid_to=date(2026, 5, 1)))
    with pytest.raises(InvalidField):
        applications.admit([ended], showroom, lambda i, why, words: InvalidField("p", words))
    assert applications.admission_through(showroom) == date(2026, 5, 10)


def test_a_retailer_is_created_by_the_admin_with_a_uuid_and_acts_as_retailer() -> None:
    made = identity.new_organization("retailer", None, "Siêu thị Co.opmart")
    assert made.kind == "retailer" and made.role == "retailer"
    assert uuid.UUID(made.organization_id)
    given = str(uuid.uuid4())
    assert identity.new_organization("retailer", given, "Big C").organization_id == given
    with pytest.raises(InvalidField) as refused:
        identity.new_organization("retailer", "big-c", "Big C")
    assert refused.value.field == "organization_id"
    with pytest.raises(InvalidField) as refused:
        identity.new_organization("organizer", None, "Sở Công Thương")
    assert refused.value.field == "organization_id"
    assert "retailer" in identity.CREATED_BY_ADMIN


def test_a_store_code_is_upper_cased_and_checked() -> None:
    assert fair_kinds.new_store("r", " hl01 ", "Hạ Long", "").store_code == "HL01"
    with pytest.raises(InvalidField) as refused:
        fair_kinds.new_store("r", "HL 01", "Hạ Long", "")
    assert refused.value.field == "store_code"
