"""Fee statements, bank-statement matching, and what booths keeps of registration's
decisions (domain/fees.py, domain/payments.py, domain/applications.py). No I/O."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from ocop_booths.domain import applications as apps
from ocop_booths.domain.fees import BilledBooth, FeeRules, payment_reference, statement
from ocop_booths.domain.floorplan import seen_state
from ocop_booths.domain.payments import (
    BankLine,
    Matched,
    Unmatched,
    already_recorded,
    match_line,
    parse_bank_statement,
)
from ocop_shared.auth import Principal
from ocop_shared.contracts.registration import (
    AdmittedProduct,
    ApplicationSnapshot,
    BoothRequest,
    ProductSnapshot,
)
from ocop_shared.errors import Conflict, InvalidField, NotFound

FAIR, EXHIBITOR = uuid.uuid4(), uuid.uuid4()


# --- fee statements ---------------------------------------------------------------------------


def test_a_statement_adds_the_lines_and_subtracts_the_payments() -> None:
    booths = [
        BilledBooth("A-1", "corner", 4_000_000, "held"),
        BilledBooth("A-2", "standard", 4_000_000, "assigned"),
    ]
    rules = FeeRules(corner_surcharge_percent=25, subsidy_percent=50, subsidy_max_booths=1)
    s = statement(FAIR, EXHIBITOR, booths, paid_vnd=1_000_000, rules=rules)
    # the corner booth (5,000,000 with its surcharge) is the one subsidised
    assert [(line.booth_code, line.due_vnd, status) for line, status in s.lines] == [
        ("A-1", 2_500_000, "held"),
        ("A-2", 4_000_000, "assigned"),
    ]
    assert (s.due_vnd, s.paid_vnd, s.balance_vnd) == (6_500_000, 1_000_000, 5_500_000)
    assert not s.settled
    assert s.payment_reference == payment_reference(FAIR, EXHIBITOR)


@pytest.mark.parametrize(
    ("paid", "settled"), [(3_999_999, False), (4_000_000, True), (5_000_000, True)]
)
def test_a_statement_is_settled_when_payments_cover_it(paid: int, settled: bool) -> None:
    booths = [BilledBooth("A-1", "standard", 4_000_000, "held")]
    assert statement(FAIR, EXHIBITOR, booths, paid_vnd=paid, rules=FeeRules()).settled is settled


def test_the_payment_reference_is_short_stable_and_per_exhibitor() -> None:
    ref = payment_reference(FAIR, EXHIBITOR)
    assert ref.startswith("OCOP") and len(ref) == 12 and ref == ref.upper()
    assert ref == payment_reference(FAIR, EXHIBITOR)
    assert ref != payment_reference(FAIR, uuid.uuid4())


# --- bank statements --------------------------------------------------------------------------


def test_a_bank_statement_is_read_with_its_line_numbers() -> None:
    data = "\ufeffdate,amount_vnd,description\n2024-08-20,4.000.000,CK OCOP1234\n2024-08-21,99,x\n"
    lines = parse_bank_statement(data.encode())
    assert lines == [
        BankLine(2, "4.000.000", "CK OCOP1234", booked_at="2024-08-20"),
        BankLine(3, "99", "x", booked_at="2024-08-21"),
    ]


def test_two_transfers_alike_are_two_bank_lines_and_the_same_statement_is_the_same_lines() -> None:
    # Two instalments with the same note and amount, the same day, without transaction ids.
    data = (
        b"date,time,amount_vnd,description\n"
        b"2024-08-20,09:15:02,2.000.000,CK OCOP1234 HTX\n"
        b"2024-08-20,09:15:02,2.000.000,CK OCOP1234 HTX\n"
        b"2024-08-20,16:40:11,2.000.000,CK OCOP1234 HTX\n"
    )
    lines = parse_bank_statement(data)
    identities = [line.identity for line in lines]
    assert len(set(identities)) == 3
    assert [line.booked_at for line in lines] == ["2024-08-20 09:15:02"] * 2 + [
        "2024-08-20 16:40:11"
    ]
    assert [line.occurrence for line in lines] == [1, 2, 1]
    # Imported again, the same statement gives the same identities: nothing is paid twice.
    assert [line.identity for line in parse_bank_statement(data)] == identities
    # Amounts written otherwise and extra spaces are the same line.
    respelled = data.replace(b"2.000.000,CK OCOP1234 HTX", b"2000000,CK  OCOP1234 HTX ")
    assert [line.identity for line in parse_bank_statement(respelled)] == identities


def test_a_bank_line_with_a_transaction_id_is_known_by_it() -> None:
    data = (
        b"transaction_id,date,amount_vnd,description\n"
        b"FT24233001,2024-08-20,2.000.000,CK OCOP1234\n"
        b"FT24233002,2024-08-20,2.000.000,CK OCOP1234\n"
    )
    first, second = parse_bank_statement(data)
    assert (first.identity, second.identity) == ("id:FT24233001", "id:FT24233002")
    ref = payment_reference(FAIR, EXHIBITOR)
    found = match_line(BankLine(2, "2000000", f"CK {ref}", "FT1"), REFS)
    assert isinstance(found, Matched) and found.bank_line == "id:FT1"
    assert "transaction FT1" in already_recorded(BankLine(2, "1", "x", "FT1")).reason
    assert "no transaction_id" in already_recorded(BankLine(2, "1", "x")).reason


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"amount,text\n1,x\n", "columns amount_vnd and description"),
        ("amount_vnd,description\n1,\xe9\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_a_bad_bank_statement_is_refused_naming_the_file(data: bytes, message: str) -> None:
    with pytest.raises(InvalidField, match=message) as refused:
        parse_bank_statement(data)
    assert refused.value.field == "file"


REFS = {payment_reference(FAIR, EXHIBITOR): EXHIBITOR}


@pytest.mark.parametrize("amount", ["4.000.000", "4,000,000", "4000000"])
def test_a_line_carrying_a_reference_pays_that_exhibitor(amount: str) -> None:
    ref = payment_reference(FAIR, EXHIBITOR)
    spaced = f"ck {ref[:6].lower()} {ref[6:]} htx"  # spaces and case do not matter
    line = BankLine(2, amount, spaced)
    assert match_line(line, REFS) == Matched(2, EXHIBITOR, 4_000_000, spaced, line.identity)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            BankLine(4, "bốn triệu", "CK " + payment_reference(FAIR, EXHIBITOR)),
            "not a whole number",
        ),
        (BankLine(5, "100", "unrelated"), "no payment reference"),
        (BankLine(6, "0", "CK " + payment_reference(FAIR, EXHIBITOR)), "no payment reference"),
    ],
)
def test_lines_that_pay_nobody(line: BankLine, reason: str) -> None:
    found = match_line(line, REFS)
    assert isinstance(found, Unmatched) and found.line == line.line and reason in found.reason


# --- registration's decisions -----------------------------------------------------------------


def product(
    holder: uuid.UUID, *, group: int = 1, until: date | None = date(2027, 12, 31)
) -> ProductSnapshot:
    return ProductSnapshot(
        product_id=uuid.uuid4(), holder_id=holder, name="Trà", group=group, taxonomy="2023", gtin=None,
        unit="gói", list_price_vnd=100_000, certificate=None, ocop_until=until,
    )  # fmt: skip


def application(
    products: list[ProductSnapshot], admitted: list[ProductSnapshot], **kw: object
) -> ApplicationSnapshot:
    fields: dict[str, object] = dict(
        application_id=uuid.uuid4(), fair_id=FAIR, exhibitor_id=EXHIBITOR, exhibitor_name="HTX",
        exhibitor_kind="delegation", province="Quảng Ninh", products=products,
        booth_request=BoothRequest(count=5), status="approved", submitted_at=datetime(2025, 8, 1, tzinfo=UTC),
        best_star=4, admitted=[AdmittedProduct(product_id=p.product_id, until=date(2027, 1, 1)) for p in admitted],
    )  # fmt: skip
    return ApplicationSnapshot.model_validate(fields | kw)


def test_the_admitted_products_are_registrations_decision_not_the_certificates() -> None:
    holder_a, holder_b = uuid.uuid4(), uuid.uuid4()
    kept, refused, other = product(holder_a, group=2), product(holder_a), product(holder_b, group=5)
    a = apps.from_snapshot(application([kept, refused, other], admitted=[kept, other]))
    assert dict(a.products) == {
        kept.product_id: True,
        refused.product_id: False,
        other.product_id: True,
    }
    assert a.product_groups == (1, 2, 5) and a.holder_count == 2


@pytest.mark.parametrize(
    ("count", "per_holder", "holders", "limit"),
    [(5, 2, 2, 4), (1, 2, 3, 1), (3, 1, 1, 1)],
)
def test_the_booth_limit_is_the_request_capped_per_holder(
    count: int, per_holder: int, holders: int, limit: int
) -> None:
    products = [product(uuid.uuid4()) for _ in range(holders)]
    a = apps.from_snapshot(application(products, products, booth_request=BoothRequest(count=count)))
    assert a.booth_limit(apps.Rules(max_booths_per_holder=per_holder)) == limit


@pytest.mark.parametrize(
    ("count", "per_holder", "holders", "have", "room"),
    [
        (3, 2, 1, 2, 0),  # asked for 3, the fair allows 2 per holder: full at 2
        (3, 2, 1, 1, 1),
        (1, 2, 1, 1, 0),  # asked for 1 and has it
        (1, 2, 1, 0, 1),
        (5, 2, 2, 3, 1),  # a delegation of two holders: 4 at most
        (2, 2, 1, 3, 0),  # more than allowed already (a lowered limit): none, never negative
    ],
)
def test_a_waitlist_offer_needs_room_under_the_request_and_the_fairs_cap(
    count: int, per_holder: int, holders: int, have: int, room: int
) -> None:
    products = [product(uuid.uuid4()) for _ in range(holders)]
    a = apps.from_snapshot(application(products, products, booth_request=BoothRequest(count=count)))
    assert a.room(apps.Rules(max_booths_per_holder=per_holder), have=have) == room


def test_without_the_fairs_rules_an_application_holds_one_booth() -> None:
    p = product(uuid.uuid4())
    assert apps.from_snapshot(application([p], [p])).booth_limit(None) == 1


@pytest.mark.parametrize("status", ["waitlisted", "withdrawn"])
def test_only_an_approved_application_holds_booths(status: str) -> None:
    p = product(uuid.uuid4())
    with pytest.raises(Conflict, match="no approved application"):
        apps.check_may_hold(apps.from_snapshot(application([p], [p], status=status)))
    with pytest.raises(Conflict, match="no approved application"):
        apps.check_may_hold(None)


def test_a_product_is_in_force_while_registration_gives_it_an_ocop_until() -> None:
    assert apps.in_force(product(uuid.uuid4()))
    assert not apps.in_force(product(uuid.uuid4(), until=None))


FAIR_ROW = apps.Fair(
    FAIR,
    "org-1",
    "open",
    apps.Rules(),
    "Hội chợ",
    datetime(2025, 9, 1, tzinfo=UTC),
    datetime(2025, 9, 5, tzinfo=UTC),
)


@pytest.mark.parametrize(
    ("principal", "sees"),
    [
        (Principal("organizer", "org-1"), True),
        (Principal("admin", "admin"), True),
        (Principal("organizer", "org-2"), False),
        (Principal("exhibitor", "org-1x"), False),
    ],
)
def test_a_fair_exists_only_for_its_organizer(principal: Principal, sees: bool) -> None:
    if sees:
        assert apps.check_organizer(FAIR_ROW, principal) is FAIR_ROW
    else:
        with pytest.raises(NotFound, match="no such fair"):
            apps.check_organizer(FAIR_ROW, principal)


@pytest.mark.parametrize(
    ("blocked", "occupied", "sees", "state"),
    [
        (True, "held", True, "blocked"),
        (False, None, False, "available"),
        (False, "assigned", True, "assigned"),
        (False, "assigned", False, "taken"),
    ],
)
def test_what_a_reader_of_the_plan_sees(
    blocked: bool, occupied: str | None, sees: bool, state: str
) -> None:
    assert seen_state(blocked, occupied, sees_occupant=sees) == state


def test_a_delegations_subsidy_cap_counts_per_member_holder() -> None:
    """Issue 15: a delegation showing five holders gets up to five times the cap subsidised,
    not the cap in total; a holder alone keeps the cap."""
    booths = [BilledBooth(f"D-{n:02d}", "standard", 4_000_000, "held") for n in range(12)]
    per_holder = {"subsidy_percent": 50, "subsidy_max_booths": 2}
    delegation = statement(
        FAIR, EXHIBITOR, booths, paid_vnd=0, rules=FeeRules(**per_holder, holders=5)
    )
    subsidised = [line for line, _ in delegation.lines if line.subsidy_vnd]
    assert len(subsidised) == 10  # 5 holders x 2, of its 12 booths
    assert delegation.due_vnd == 10 * 2_000_000 + 2 * 4_000_000
    alone = statement(FAIR, EXHIBITOR, booths, paid_vnd=0, rules=FeeRules(**per_holder))
    assert len([line for line, _ in alone.lines if line.subsidy_vnd]) == 2
    assert FeeRules(subsidy_max_booths=2, holders=0).subsidised_booths == 2
