"""The till's decisions (issue 13), without I/O: pairing codes, receipt prefixes and numbers
given by the device, the catalogue's sellable state and ETag, a fair's till rules and its
discount limit, who reads one sale or one session, the Z-report's receipt range."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ocop_sales.domain import catalog
from ocop_sales.domain.access import check_sale_reach, check_session_reach
from ocop_sales.domain.catalog import Exhibitor
from ocop_sales.domain.sales import (
    MAX_RECEIPT_NO,
    SalePolicy,
    StoredSale,
    judge_sales,
    within_opening_hours,
)
from ocop_sales.domain.sessions import z_report
from ocop_sales.domain.terminals import (
    CROCKFORD,
    BankAccount,
    TillRules,
    bank_account,
    catalog_etag,
    check_can_get_code,
    check_till_rules,
    default_till_rules,
    etag_matches,
    new_pairing_code,
    new_receipt_prefix,
    normalise_pairing_code,
    pairing_code_hash,
    pairing_not_found,
    receipt_label,
    show_pairing_code,
    unsellable_reason,
)
from ocop_shared.auth import Principal
from ocop_shared.contracts.registration import ExhibitorSnapshot
from ocop_shared.errors import Conflict, InvalidField, NotFound

from .test_sales_domain import HONEY, NOW, line, sale, till

POLICY = SalePolicy()

# --- pairing codes and receipt prefixes ---------------------------------------------------


def test_a_pairing_code_is_12_crockford_characters_shown_in_threes_of_four() -> None:
    codes = {new_pairing_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 12
        assert set(code) <= set(CROCKFORD)
        shown = show_pairing_code(code)
        assert len(shown) == 14 and shown[4] == shown[9] == "-"
        assert normalise_pairing_code(shown) == code
    assert not set("ILOU") & set(CROCKFORD)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("K7Q2-M0A1-ZZ9X", "K7Q2M0A1ZZ9X"),
        ("k7q2 m0a1 zz9x", "K7Q2M0A1ZZ9X"),
        ("  K7Q2MoA1ZZ9X ", "K7Q2M0A1ZZ9X"),  # O read as 0
        ("K7Q2-MOAI-ZZ9X", "K7Q2M0A1ZZ9X"),  # O as 0, I as 1
        ("K7Q2-M0Al-ZZ9X", "K7Q2M0A1ZZ9X"),  # l as 1
    ],
)
def test_a_typed_code_is_read_as_its_stored_form(typed: str, stored: str) -> None:
    assert normalise_pairing_code(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "K7Q2-M0A1-ZZ9", "K7Q2-M0A1-ZZ9XY", "K7Q2-M0A1-ZZ9U", "K7Q2_M0A1_ZZ9X"]
)
def test_what_cannot_be_a_code_is_not_one(typed: str) -> None:
    assert normalise_pairing_code(typed) is None


def test_only_a_hash_of_the_code_is_kept_and_every_miss_answers_alike() -> None:
    assert pairing_code_hash("K7Q2M0A1ZZ9X") == hashlib.sha256(b"K7Q2M0A1ZZ9X").digest()
    miss = pairing_not_found()
    assert (type(miss), miss.field, miss.message) == (
        NotFound,
        "code",
        pairing_not_found().message,
    )


def test_only_an_active_till_gets_a_code() -> None:
    check_can_get_code("active")
    for status in ("suspended", "unpaired"):
        with pytest.raises(Conflict) as exc:
            check_can_get_code(status)
        assert exc.value.field == "terminal"


def test_a_receipt_prints_as_its_tills_prefix_and_six_digits() -> None:
    prefix = new_receipt_prefix()
    assert len(prefix) == 5 and set(prefix) <= set(CROCKFORD)
    assert receipt_label("K7Q2M", 123) == "K7Q2M-000123"
    assert receipt_label("K7Q2M", 1_234_567) == "K7Q2M-1234567"


# --- receipt numbers given by the till --------------------------------------------------------


def test_a_given_receipt_number_is_kept_and_the_counter_moves_past_it() -> None:
    decision = judge_sales(till(), [replace(sale(), receipt_no=40)], POLICY, now=NOW, offline=False)
    assert [o.receipt_no for o in decision.outcomes] == [40]
    assert decision.next_receipt_no == 41
    # Below the counter (a sale made offline, uploaded late): kept, the counter stays.
    decision = judge_sales(till(), [replace(sale(), receipt_no=3)], POLICY, now=NOW, offline=False)
    assert ([o.receipt_no for o in decision.outcomes], decision.next_receipt_no) == ([3], 7)


def test_a_receipt_number_another_sale_has_is_refused_naming_it_and_the_rest_go_on() -> None:
    stored = uuid.uuid4()
    t = till(taken={3: stored})
    sales = [
        replace(sale(), receipt_no=3),  # the till stored another sale under 3
        replace(sale(), receipt_no=8),
        replace(sale(), receipt_no=8),  # an earlier sale of the request took 8
        sale(),  # server-numbered: skips 8
    ]
    decision = judge_sales(t, sales, POLICY, now=NOW, offline=True)
    assert [(o.status, o.receipt_no) for o in decision.outcomes] == [
        ("rejected", None),
        ("recorded", 8),
        ("rejected", None),
        ("recorded", 7),
    ]
    for refused in (decision.outcomes[0], decision.outcomes[2]):
        assert refused.refusal is not None
        assert (refused.refusal.code, refused.refusal.field, refused.refusal.status) == (
            "receipt_taken",
            "receipt_no",
            409,
        )
    assert decision.next_receipt_no == 9
    assert [e.receipt_no for e in decision.events] == [8, 7]


def test_server_numbers_skip_the_numbers_the_request_gives_and_stay_gapless_otherwise() -> None:
    sales = [sale(), replace(sale(), receipt_no=8), sale(), sale()]
    decision = judge_sales(till(), sales, POLICY, now=NOW, offline=True)
    assert [o.receipt_no for o in decision.outcomes] == [7, 8, 9, 10]
    assert decision.next_receipt_no == 11
    plain = judge_sales(till(), [sale(), sale(), sale()], POLICY, now=NOW, offline=True)
    assert [o.receipt_no for o in plain.outcomes] == [7, 8, 9]
    assert plain.next_receipt_no == 10


def test_a_replay_keeps_its_number_and_a_twin_in_the_request_answers_as_the_first() -> None:
    first = replace(sale(), receipt_no=12)
    stored = StoredSale(till().terminal_id, first.payload_hash, 12, first.total_vnd, NOW)
    decision = judge_sales(
        till(stored={first.sale_id: stored}, taken={12: first.sale_id}),
        [first],
        POLICY,
        now=NOW,
        offline=False,
    )
    assert [(o.status, o.receipt_no) for o in decision.outcomes] == [("replayed", 12)]
    assert decision.new_sales == []
    twin = replace(sale(), receipt_no=13)
    decision = judge_sales(till(), [twin, twin], POLICY, now=NOW, offline=False)
    assert [(o.status, o.receipt_no) for o in decision.outcomes] == [
        ("recorded", 13),
        ("replayed", 13),
    ]


def test_a_till_at_the_last_receipt_number_numbers_no_more() -> None:
    t = till(next_receipt_no=MAX_RECEIPT_NO)
    decision = judge_sales(t, [sale(), sale()], POLICY, now=NOW, offline=False)
    assert [o.status for o in decision.outcomes] == ["recorded", "rejected"]
    assert decision.outcomes[1].refusal is not None
    assert decision.outcomes[1].refusal.field == "receipt_no"
    assert decision.next_receipt_no == MAX_RECEIPT_NO + 1


# --- the fair's discount limit ----------------------------------------------------------------


def test_the_fairs_discount_limit_is_the_one_applied() -> None:
    # 2 × 250,000 with 60,000 off: 12 %, within the service's 20 %, beyond a fair's 10 %.
    discounted = sale(line(HONEY, 2, 250_000, discount_vnd=60_000, discount_reason="khai trương"))
    ok = judge_sales(till(), [discounted], POLICY, now=NOW, offline=False)
    assert ok.outcomes[0].status == "recorded"
    strict = judge_sales(
        till(max_discount_percent=10), [discounted], POLICY, now=NOW, offline=False
    )
    refusal = strict.outcomes[0].refusal
    assert refusal is not None
    assert (refusal.field, refusal.status) == ("lines.0.discount_vnd", 422)
    assert "10 %" in refusal.message
    loose = judge_sales(
        till(max_discount_percent=50),
        [sale(line(HONEY, 2, 250_000, discount_vnd=240_000, discount_reason="xả hàng"))],
        POLICY,
        now=NOW,
        offline=False,
    )
    assert loose.outcomes[0].status == "recorded"


# --- the till's catalogue ---------------------------------------------------------------------


def test_why_a_listed_product_cannot_be_sold_now() -> None:
    earlier = NOW - timedelta(minutes=1)
    assert unsellable_reason(None, None, date(2027, 1, 1), NOW) is None
    assert unsellable_reason(earlier, "certificate revoked by 4/QĐ: x", None, NOW) == "revoked"
    assert unsellable_reason(earlier, "certificate expired", None, NOW) == "expired"
    assert unsellable_reason(NOW + timedelta(minutes=1), "certificate expired", None, NOW) is None
    # Past its last day in Viet Nam (NOW is 12:00 there on 10/03/2026).
    assert unsellable_reason(None, None, date(2026, 3, 9), NOW) == "expired"
    assert unsellable_reason(None, None, date(2026, 3, 10), NOW) is None


def test_the_catalogue_etag_follows_its_content_and_if_none_match_compares_it() -> None:
    items = [{"product_id": "1", "sellable": True, "reason": None}]
    etag = catalog_etag(items)
    assert etag.startswith('"') and etag.endswith('"') and len(etag) == 34
    assert catalog_etag([dict(items[0])]) == etag
    assert catalog_etag([items[0] | {"sellable": False, "reason": "revoked"}]) != etag
    assert etag_matches(etag, etag)
    assert etag_matches(f'"other", {etag}', etag)
    assert etag_matches("*", etag)
    assert not etag_matches(None, etag)
    assert not etag_matches(f"W/{etag}", etag)  # strong comparison
    assert not etag_matches('"other"', etag)


# --- till rules ------------------------------------------------------------------------------


def test_till_rules_default_to_the_services_discount_and_hold_together() -> None:
    assert default_till_rules(15) == TillRules(max_discount_percent=15)
    assert check_till_rules(TillRules()) == TillRules()
    with pytest.raises(InvalidField) as exc:
        check_till_rules(TillRules(offline_max_sale_vnd=300, offline_max_unsynced_vnd=200))
    assert exc.value.field == "offline_max_sale_vnd"


# --- the exhibitor's bank account ---------------------------------------------------------------


def test_the_bank_account_is_known_only_when_all_of_it_is() -> None:
    assert bank_account("970436", "0011004455667", "HTX MAT ONG") == BankAccount(
        "970436", "0011004455667", "HTX MAT ONG"
    )
    assert bank_account("970436", "0011004455667", None) is None
    assert bank_account(None, None, None) is None
    snapshot = ExhibitorSnapshot(
        exhibitor_id=uuid.uuid4(), kind="cooperative", name="HTX Mật ong", tax_code=None,
        province="Hà Giang", commune=None, phone=None, bank_bin="970436",
        bank_account="0011004455667", bank_account_name="HTX MAT ONG",
    )  # fmt: skip
    assert catalog.exhibitor_of(snapshot) == Exhibitor(
        snapshot.exhibitor_id, "HTX Mật ong", "cooperative", "Hà Giang",
        "970436", "0011004455667", "HTX MAT ONG",
    )  # fmt: skip


# --- who reads one sale, one session ------------------------------------------------------------

TERMINAL = uuid.uuid4()
EXHIBITOR = uuid.uuid4()


@pytest.mark.parametrize(
    ("who", "reached"),
    [
        (Principal("admin", "admin"), True),
        (Principal("organizer", "org-a"), True),
        (Principal("organizer", "org-b"), False),
        (Principal("terminal", str(TERMINAL)), True),
        (Principal("terminal", str(uuid.uuid4())), False),
        (Principal("exhibitor", str(EXHIBITOR)), True),
        (Principal("exhibitor", str(uuid.uuid4())), False),
        (Principal("certifier", "org-a"), False),
        (Principal("inspector", str(EXHIBITOR)), False),
    ],
)
def test_a_sale_is_read_by_its_till_its_exhibitor_its_fairs_organizer(
    who: Principal, reached: bool
) -> None:
    def check() -> None:
        check_sale_reach(who, organizer="org-a", terminal_id=TERMINAL, exhibitor_id=EXHIBITOR)

    if reached:
        check()
    else:
        with pytest.raises(NotFound):
            check()


@pytest.mark.parametrize(
    ("who", "reached"),
    [
        (Principal("organizer", "org-a"), True),
        (Principal("organizer", "org-b"), False),
        (Principal("terminal", str(TERMINAL)), True),
        (Principal("terminal", str(uuid.uuid4())), False),
        (Principal("exhibitor", str(EXHIBITOR)), False),
    ],
)
def test_a_session_is_read_by_its_till_and_its_fairs_organizer(
    who: Principal, reached: bool
) -> None:
    def check() -> None:
        check_session_reach(who, organizer="org-a", terminal_id=TERMINAL)

    if reached:
        check()
    else:
        with pytest.raises(NotFound):
            check()


# --- the Z-report's receipt range ---------------------------------------------------------------


def test_the_z_report_names_its_first_and_last_receipt() -> None:
    report = z_report(0, 0, [(100, {"cash": 100}), (50, {"cash": 50})], [], [12, 3])
    assert (report["first_receipt_no"], report["last_receipt_no"]) == (3, 12)
    empty = z_report(0, 0, [], [])
    assert (empty["first_receipt_no"], empty["last_receipt_no"]) == (None, None)


def test_a_showroom_sells_within_its_weekly_hours_give_or_take_the_grace() -> None:
    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    grace = timedelta(minutes=60)
    monday = datetime(2026, 11, 30, tzinfo=vn)  # a Monday
    hours = ((0, time(8, 0), time(17, 30)), (5, time(8, 0), time(23, 30)))
    assert within_opening_hours((), monday.replace(hour=3), grace)  # no hours: any time
    assert within_opening_hours(hours, monday.replace(hour=12), grace)
    assert within_opening_hours(hours, monday.replace(hour=7, minute=15), grace)  # grace
    assert not within_opening_hours(hours, monday.replace(hour=6, minute=30), grace)
    assert not within_opening_hours(hours, monday.replace(hour=19), grace)
    tuesday_noon = monday + timedelta(days=1, hours=12)
    assert not within_opening_hours(hours, tuesday_noon, grace)  # closed on Tuesdays
    # Saturday closes at 23:30: a sale at 00:15 on Sunday is within that day's grace
    sunday_after_midnight = monday + timedelta(days=6, minutes=15)
    assert within_opening_hours(hours, sunday_after_midnight, grace)
    # the same instant given in UTC is judged in Viet Nam's time
    assert within_opening_hours(hours, monday.replace(hour=12).astimezone(UTC), grace)
