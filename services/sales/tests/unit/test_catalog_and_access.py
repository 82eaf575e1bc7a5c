"""What the catalog learns from events, and who may see what, without I/O."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from ocop_sales.domain.access import (
    SalesScope,
    check_fair_reach,
    check_organizer,
    sales_scope,
    selling_terminal,
)
from ocop_sales.domain.catalog import admit, block, reinstate
from ocop_sales.domain.terminals import BoothHolder, enrol
from ocop_shared.contracts.registration import (
    AdmittedProduct,
    ApplicationSnapshot,
    BoothRequest,
    CertificateExpired,
    CertificateRevoked,
    CertificateSnapshot,
    ProductSnapshot,
)
from ocop_shared.errors import Conflict, InvalidField, NotFound

FAIR = uuid.UUID(int=1)
EXHIBITOR = uuid.UUID(int=2)


def product(star: int | None = 4, until: date | None = date(2027, 12, 31)) -> ProductSnapshot:
    cert = None
    if star is not None:
        cert = CertificateSnapshot(
            certificate_id=uuid.uuid4(), number="C-1", star=star, issuing_level="province",
            issuing_body="UBND", decision_number="1/QĐ", decision_date=date(2025, 1, 1),
            valid_from=date(2025, 1, 1), valid_to=date(2027, 12, 31), status="valid",
        )  # fmt: skip
    return ProductSnapshot(
        product_id=uuid.uuid4(), holder_id=uuid.uuid4(), name="Mật ong", group=1, taxonomy="2023",
        gtin=None, unit="hũ", list_price_vnd=250_000, certificate=cert, ocop_until=until,
    )  # fmt: skip


def application(
    products: list[ProductSnapshot], admitted: dict[uuid.UUID, date]
) -> ApplicationSnapshot:
    return ApplicationSnapshot(
        application_id=uuid.uuid4(), fair_id=FAIR, exhibitor_id=EXHIBITOR, exhibitor_name="HTX",
        exhibitor_kind="cooperative", province="Quảng Ninh", products=products,
        booth_request=BoothRequest(count=1), status="approved", submitted_at=datetime.now(UTC),
        best_star=4, admitted=[AdmittedProduct(product_id=p, until=u) for p, u in admitted.items()],
    )  # fmt: skip


def test_an_approved_application_puts_only_admitted_products_on_sale() -> None:
    kept, dropped = product(star=5), product(until=None)
    at = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
    admission = admit(application([kept, dropped], {kept.product_id: date(2026, 6, 30)}), at)
    assert (admission.fair_id, admission.exhibitor_id, admission.decided_at) == (
        FAIR,
        EXHIBITOR,
        at,
    )
    assert [(e.product_id, e.ocop_until, e.star) for e in admission.entries] == [
        (kept.product_id, date(2026, 6, 30), 5)
    ]
    assert admission.entries[0].producer_id == kept.holder_id
    assert admission.not_admitted == [dropped.product_id]


def test_registrations_decision_wins_over_the_certificate_it_carries() -> None:
    # A valid certificate, but registration did not admit the product to this fair.
    p = product()
    assert admit(application([p], {}), datetime.now(UTC)).entries == []


def test_a_product_without_certificate_admitted_by_registration_has_no_star() -> None:
    p = product(star=None)
    [entry] = admit(application([p], {p.product_id: date(2026, 1, 1)}), datetime.now(UTC)).entries
    assert entry.star == 0


def test_a_revocation_blocks_from_the_events_time_with_its_decision() -> None:
    p = product()
    at = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
    b = block(CertificateRevoked(product=p, reason="vi phạm", decision_number="47/QĐ"), at)
    assert (b.product_id, b.blocked_at) == (p.product_id, at)
    assert b.reason == "certificate revoked by 47/QĐ: vi phạm"


def test_an_expiry_blocks_from_the_events_time() -> None:
    p = product()
    at = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
    assert block(CertificateExpired(product=p), at).reason == "certificate expired"


@pytest.mark.parametrize(
    ("star", "until", "expected"),
    [
        (5, date(2029, 1, 1), (5, date(2029, 1, 1))),
        (None, date(2029, 1, 1), (None, date(2029, 1, 1))),
        (4, None, None),
    ],
)
def test_a_new_certificate_reinstates_only_what_registration_says_is_in_force(
    star: int | None, until: date | None, expected: tuple[int | None, date] | None
) -> None:
    at = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
    r = reinstate(product(star=star, until=until), at)
    assert (None if r is None else (r.star, r.ocop_until)) == expected
    assert r is None or r.decided_at == at


# --- access ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Who:
    role: str
    subject: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@pytest.mark.parametrize(
    ("who", "organizer", "allowed"),
    [
        (Who("organizer", "org-1"), "org-1", True),
        (Who("organizer", "org-2"), "org-1", False),
        (Who("admin", "admin"), "org-1", True),
        (Who("admin", "admin"), None, False),
    ],
)
def test_an_organizer_reaches_only_its_own_fairs(
    who: Who, organizer: str | None, allowed: bool
) -> None:
    if allowed:
        check_organizer(who, organizer)
    else:
        with pytest.raises(NotFound):
            check_organizer(who, organizer)


def test_sales_are_recorded_with_a_terminals_token_only() -> None:
    terminal = uuid.uuid4()
    assert selling_terminal(Who("terminal", str(terminal))) == terminal
    with pytest.raises(Conflict) as exc:
        selling_terminal(Who("admin", "admin"))
    assert exc.value.field == "terminal_id"


def test_each_reader_sees_its_own_sales() -> None:
    me = uuid.uuid4()
    assert sales_scope(Who("terminal", str(me)), FAIR).terminal_id == me
    assert sales_scope(Who("terminal", str(me)), FAIR).fair_id == FAIR  # narrowed, still its own
    assert sales_scope(Who("terminal", str(me)), None).fair_id is None
    assert sales_scope(Who("exhibitor", str(me)), None).exhibitor_id == me
    assert sales_scope(Who("exhibitor", str(me)), FAIR) == SalesScope(FAIR, exhibitor_id=me)
    with pytest.raises(NotFound):
        sales_scope(Who("inspector", "qltt-quang-ninh"), FAIR)
    assert sales_scope(Who("organizer", "org-1"), FAIR).fair_id == FAIR
    with pytest.raises(InvalidField) as exc:
        sales_scope(Who("organizer", "org-1"), None)
    assert exc.value.field == "fair_id"


def test_a_till_is_enrolled_only_at_a_booth_held_at_this_fair() -> None:
    holder = BoothHolder(uuid.uuid4(), FAIR, "A-01", EXHIBITOR, "assigned")
    e = enrol(uuid.uuid4(), FAIR, "Quầy 1", holder, enrolled_by="org-1")
    assert (e.booth_code, e.exhibitor_id, e.enrolled_by) == ("A-01", EXHIBITOR, "org-1")
    for unheld in (None, BoothHolder(holder.booth_id, uuid.uuid4(), "A-01", EXHIBITOR, "assigned")):
        with pytest.raises(NotFound) as exc:  # another fair's booth is not found at this one
            enrol(uuid.uuid4(), FAIR, "Quầy 1", unheld, enrolled_by="org-1")
        assert exc.value.field == "booth_id"


@pytest.mark.parametrize(
    ("who", "organizer", "takes_part", "reached"),
    [
        (Who("organizer", "org-1"), "org-1", False, True),
        (Who("organizer", "org-2"), "org-1", True, False),
        (Who("exhibitor", str(EXHIBITOR)), "org-1", True, True),
        (Who("exhibitor", str(EXHIBITOR)), "org-1", False, False),
        (Who("terminal", str(uuid.uuid4())), "org-1", True, True),
        (Who("terminal", str(uuid.uuid4())), "org-1", False, False),
        (Who("certifier", "hoi-dong-quang-ninh"), "org-1", True, False),
        (Who("admin", "admin"), "org-1", False, True),
        (Who("admin", "admin"), None, False, False),
        (Who("exhibitor", str(EXHIBITOR)), None, True, False),
    ],
)
def test_a_fairs_sales_and_reports_reach_its_organizer_and_who_sells_there(
    who: Who, organizer: str | None, takes_part: bool, reached: bool
) -> None:
    if reached:
        check_fair_reach(who, organizer=organizer, takes_part=takes_part)
    else:
        with pytest.raises(NotFound):
            check_fair_reach(who, organizer=organizer, takes_part=takes_part)
