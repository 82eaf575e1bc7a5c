"""The public directory shows public fields only, and only products certified now."""

from __future__ import annotations

from datetime import date

from ocop_registration.domain.directory import Listing, listing
from ocop_registration.domain.exhibitors import Contact

from .builders import certificate, holder, product


def test_a_listing_shows_public_fields_and_products_certified_now() -> None:
    exhibitor = holder().model_copy(
        update={
            "tax_code": "0100109106",
            "phone": "+84912345678",
            "contact": Contact("Hạ Long", "a@b.vn"),
        }
    )
    certified = product(exhibitor.exhibitor_id, certificate(star=4), name="Mật ong")
    revoked = product(exhibitor.exhibitor_id, certificate(status="revoked"), name="Chè")
    expired = product(
        exhibitor.exhibitor_id,
        certificate(valid_from=date(2022, 1, 1), valid_to=date(2024, 12, 31), status="expired"),
        name="Miến",
    )
    uncertified = product(exhibitor.exhibitor_id, None, name="Nấm")
    someone_elses = product(None, certificate(), name="Nước mắm")

    entry = listing(exhibitor, [uncertified, revoked, certified, expired, someone_elses])

    assert set(Listing.model_fields) == {"exhibitor_id", "name", "kind", "province", "products"}
    assert entry.name == exhibitor.name and entry.province == "Quảng Ninh"
    assert [(p.name, p.star, p.valid_until) for p in entry.products] == [
        ("Mật ong", 4, date(2027, 12, 31))
    ]
    shown = entry.model_dump_json()
    for private in ("0100109106", "+84912345678", "a@b.vn", "Hạ Long"):
        assert private not in shown
