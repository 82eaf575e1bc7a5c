"""Registration's coded refusals: each rule an application (or a fair's edit) breaks has a
class of its own, with a stable machine-readable ``code`` a client translates by, and an
English message for API users. No I/O.

A 422 answers the validation-shaped body, the code as its ``type`` and the field it is about
as its ``loc`` (``ocop_shared.errors``):
``{"detail": [{"type": "certificate_revoked", "loc": ["body", "product_ids", 2], "msg": ...}]}``;
a 409 answers ``{"detail", "code", "field"}``. The README's "Refusals" table is ``markdown()``,
checked by ``tests/unit/test_refusal_codes.py``; the review's reason codes are
``REVIEW_REASONS``, listed there too.
"""

from __future__ import annotations

from typing import Literal, get_args

from ocop_shared.errors import Conflict, DomainError, InvalidField

# --- applying to a fair (POST /fairs/{fair_id}/applications): 422 -------------------------


class FairNotOpen(InvalidField):
    """The fair is not open for applications (closed, running or finished; a running
    showroom takes them within its window)."""

    code = "fair_not_open"


class ApplicationsClosed(InvalidField):
    """The fair is open (or a running showroom), but its application window is not open now
    (before it opens, after it closes, or its organizer closed applications)."""

    code = "applications_closed"


class NoProducts(InvalidField):
    """An application lists at least one certified product."""

    code = "no_products"


class ProductListedTwice(InvalidField):
    """A product is listed twice in one application."""

    code = "product_listed_twice"


class ProductNotFound(InvalidField):
    """No such product."""

    code = "product_not_found"


class NotYourProduct(InvalidField):
    """The product is held by another holder (a holder applies with its own products)."""

    code = "not_your_product"


class MemberNotAccepted(InvalidField):
    """A delegation's application shows a product of a holder that is not its accepted
    member (invited and not yet accepted, declined, ended, or never invited)."""

    code = "member_not_accepted"


class TaxonomyMismatch(InvalidField):
    """The product is classed under another taxonomy (2019 or 2023) than the fair's."""

    code = "taxonomy_mismatch"


class GroupUnknown(InvalidField):
    """The product's group is not a group of its taxonomy."""

    code = "group_unknown"


class GroupNotAdmitted(InvalidField):
    """The product's group is not among the fair's admitted product groups."""

    code = "group_not_admitted"


class NoCertificate(InvalidField):
    """The product has no OCOP certificate."""

    code = "no_certificate"


class CertificateRevoked(InvalidField):
    """The product's certificate is revoked."""

    code = "certificate_revoked"


class CertificateExpiresBeforeFairEnds(InvalidField):
    """The product's certificate ends before the fair's last day (expired ones included)."""

    code = "certificate_expires_before_fair_ends"


class BelowMinimumStar(InvalidField):
    """The product's stars are below the fair's minimum."""

    code = "below_min_star"


class BoothLimit(InvalidField):
    """The booth count is not between 1 and the fair's booths per holder (times the holders
    the application shows)."""

    code = "booth_limit"


class BoothGroupNotAdmitted(InvalidField):
    """The booth request's product group is not one the fair admits."""

    code = "booth_group_not_admitted"


# --- a fair's schedule (POST /fairs, PATCH /fairs/{fair_id}): 422 --------------------------


class EndsBeforeStart(InvalidField):
    """The fair must end after it starts."""

    code = "ends_before_start"


class WindowClosesBeforeOpening(InvalidField):
    """The application window must close after it opens."""

    code = "window_closes_before_opening"


class WindowClosesAfterStart(InvalidField):
    """Applications must close before the fair starts (a showroom's may close while it
    runs, by its end)."""

    code = "window_closes_after_start"


class WindowClosesAfterEnd(InvalidField):
    """A showroom's applications must close by its end."""

    code = "window_closes_after_end"


# --- an exhibitor's receiving bank account (PATCH /exhibitors/{exhibitor_id}): 422 -----------


class UnknownBank(InvalidField):
    """The bank BIN given is not the BIN of a NAPAS member bank of the list (GET /banks)."""

    code = "unknown_bank"


class BankAccountIncomplete(InvalidField):
    """The bank, the account number and the account name are given together (or all null to
    remove the account); the one missing is named."""

    code = "bank_account_incomplete"


# --- 409: the record's state does not allow it ---------------------------------------------


class AlreadyApplied(Conflict):
    """The exhibitor has a live application (submitted, waitlisted or approved) to this fair
    already."""

    code = "already_applied"


class FairNotEditable(Conflict):
    """A fair's name, venue, province and dates change only while it is a draft or open."""

    code = "fair_not_editable"


class ProductNoLongerAdmitted(Conflict):
    """At approval: a product of the application is no longer admitted (its certificate was
    revoked, ends before the fair ends, or is below the minimum star)."""

    code = "product_no_longer_admitted"


class HolderNoLongerMember(Conflict):
    """At approval: a product's holder is no longer an accepted member of the delegation."""

    code = "holder_no_longer_member"


# Why an organizer rejected or waitlisted an application: an optional code beside the free
# text, so the exhibitor's screen words it in its reader's language.
ReviewReason = Literal[
    "products_not_eligible",
    "product_group_full",
    "no_booths_left",
    "incomplete_application",
    "quality_concerns",
    "late_application",
    "duplicate_exhibitor",
    "other",
]
REVIEW_REASONS: dict[str, str] = {
    "products_not_eligible": "the products shown do not meet the fair's criteria",
    "product_group_full": "the fair has enough exhibitors of these product groups",
    "no_booths_left": "no booths are left for this request",
    "incomplete_application": "the application lacks information the organizer needs",
    "quality_concerns": "concerns about quality, labelling or traceability",
    "late_application": "the application came too late for the organizer to place it",
    "duplicate_exhibitor": "the exhibitor already exhibits through another application",
    "other": "another reason: see the text",
}
assert tuple(REVIEW_REASONS) == get_args(ReviewReason)


def refusals() -> list[type[DomainError]]:
    """Every refusal of this module, 422s first, then 409s, in the order they are defined."""
    found = [
        value
        for value in globals().values()
        if isinstance(value, type)
        and issubclass(value, DomainError)
        and value.__module__ == __name__
    ]
    return sorted(found, key=lambda cls: -cls.status_code)


def markdown() -> str:
    """The README's "Refusals" table."""
    rows = ["| code | status | meaning |", "|---|---|---|"]
    for cls in refusals():
        meaning = " ".join((cls.__doc__ or "").split())
        rows.append(f"| `{cls.code}` | {cls.status_code} | {meaning} |")
    return "\n".join(rows)


def review_reasons_markdown() -> str:
    """The README's table of review reason codes."""
    rows = ["| reason_code | meaning |", "|---|---|"]
    rows += [f"| `{code}` | {meaning} |" for code, meaning in REVIEW_REASONS.items()]
    return "\n".join(rows)
