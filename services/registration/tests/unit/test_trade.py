"""Trade matching, visitors and series decided without I/O (issue 15): who reaches a fair, the
products a contract may name, a contract's value shared between groups in whole đồng, a day's
visitors never below zero, an exhibition announced as display-only."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from ocop_registration.domain import series, trade, visitors
from ocop_registration.domain.events import fair_snapshot
from ocop_registration.domain.trade import Buyer, ContractDraft, Recorder, Shown
from ocop_shared.errors import Conflict, InvalidField, NotFound

from .builders import NOW, fair

ORGANIZER = Recorder("org-1", "organizer")
HOLDER, OTHER = uuid.uuid4(), uuid.uuid4()
HONEY, WINE, TEA = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
SHOWN = [
    Shown(HONEY, "Mật ong", 1, "2023", HOLDER, HOLDER, "HTX Bạch Đằng", "Quảng Ninh"),
    Shown(WINE, "Rượu ba kích", 2, "2023", HOLDER, HOLDER, "HTX Bạch Đằng", "Quảng Ninh"),
    Shown(TEA, "Chè", 1, "2023", OTHER, OTHER, "HTX Tân Cương", "Thái Nguyên"),
]
BUYER = Buyer("Quân", "Hapro", "VN", "Hà Nội", "0987654321")


def held(**kw: Any) -> Any:
    return fair("running").model_copy(update={"organizer_id": "org-1", **kw})


def draft(**kw: Any) -> ContractDraft:
    base: dict[str, Any] = dict(contract_id=uuid.uuid4(), kind="contract", exhibitor_id=HOLDER,
                                buyer=BUYER, product_ids=(HONEY, WINE), value_vnd=100_000_001,
                                signed_on=NOW.date(), meeting_id=None)  # fmt: skip
    return ContractDraft(**{**base, **kw})


def test_a_contract_names_only_the_exhibitors_products_shown_there() -> None:
    signed = trade.record_contract(draft(), held(), ORGANIZER, SHOWN, None, NOW)
    assert signed.exhibitor_name == "HTX Bạch Đằng"
    with pytest.raises(InvalidField) as refused:
        trade.record_contract(draft(product_ids=(HONEY, TEA)), held(), ORGANIZER, SHOWN, None, NOW)
    assert refused.value.field == "product_ids.1"
    with pytest.raises(InvalidField) as refused:
        trade.record_contract(draft(value_vnd=0), held(), ORGANIZER, SHOWN, None, NOW)
    assert refused.value.field == "value_vnd"
    mou = trade.record_contract(draft(kind="mou", value_vnd=0), held(), ORGANIZER, SHOWN, None, NOW)
    assert mou.value_vnd == 0


def test_who_reaches_a_fair() -> None:
    mine = Recorder(str(HOLDER), "exhibitor")
    stranger = Recorder(str(uuid.uuid4()), "exhibitor")
    assert trade.check_reaches(mine, held(), SHOWN)
    for who in (stranger, Recorder("org-2", "organizer")):
        with pytest.raises(NotFound):
            trade.check_reaches(who, held(), SHOWN)
    with pytest.raises(InvalidField) as refused:
        trade.record_contract(draft(exhibitor_id=OTHER), held(), mine, SHOWN, None, NOW)
    assert refused.value.field == "exhibitor_id"
    with pytest.raises(Conflict) as early:
        trade.record_contract(draft(), held(status="open"), ORGANIZER, SHOWN, None, NOW)
    assert early.value.field == "fair_id"


def test_the_report_shares_a_contracts_value_between_its_groups() -> None:
    signed = trade.record_contract(draft(), held(), ORGANIZER, SHOWN, None, NOW)
    report = trade.report([], [signed], SHOWN)
    by_group = {g.name_vi: t.value_vnd for g, t in report.by_group}
    assert by_group == {"Thực phẩm": 50_000_001, "Đồ uống": 50_000_000}
    assert sum(by_group.values()) == report.total.value_vnd == 100_000_001
    assert [(p, t.contracts) for p, t in report.by_province] == [("Quảng Ninh", 1)]
    year = series.fair_year(held(), SHOWN, [signed])
    assert len(year.total.exhibitors) == 2 and len(year.total.products) == 3
    assert year.by_province["Thái Nguyên"].trade.value_vnd == 0


def test_a_days_visitors_never_go_below_zero() -> None:
    f = held()
    day = (f.starts_at + timedelta(hours=1)).date()
    count = visitors.CountDraft(uuid.uuid4(), day, -5, None)
    with pytest.raises(Conflict) as refused:
        visitors.record(count, f, ORGANIZER, 4, NOW)
    assert refused.value.field == "increment"
    assert visitors.record(count, f, ORGANIZER, 5, NOW).increment == -5
    with pytest.raises(InvalidField) as outside:
        visitors.record(
            visitors.CountDraft(uuid.uuid4(), NOW.date(), 1, None), f, ORGANIZER, 0, NOW
        )
    assert outside.value.field == "day"


def test_an_exhibition_is_announced_display_only() -> None:
    assert fair_snapshot(held(kind="exhibition")).rules.selling is False
    assert fair_snapshot(held()).rules.selling is True
