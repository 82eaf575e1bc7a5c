"""Registration's codes in the reader's language: each rule an application breaks (the 422's
``type``, or a 409's ``code``; ``domain/refusals.py`` and the README's "Refusals" table), and
the organizer's review reasons (``reason_code``). Worded here by the code, never by the
English ``msg``: a code this table does not know shows the service's own text.

``%(product)s`` is the product's name as the applicant knows it (registration names a product
by its position in ``product_ids``)."""

from __future__ import annotations

from ocop_web.i18n import N_

# The refusals of an application, for the exhibitor applying.
APPLICATION_REFUSALS: dict[str, str] = {
    "fair_not_open": N_("This fair is not taking applications: it is not open"),
    "applications_closed": N_(
        "Applications to this fair are not open now: see when they open and close above"
    ),
    "no_products": N_("Select at least one product with an OCOP certificate"),
    "product_listed_twice": N_("A product is listed twice"),
    "product_not_found": N_("%(product)s was not found: it may have been removed"),
    "not_your_product": N_(
        "%(product)s is not your organization's: a holder shows its own products only"
    ),
    "member_not_accepted": N_(
        "%(product)s belongs to a holder that has not accepted your delegation's invitation "
        "(or has left it)"
    ),
    "taxonomy_mismatch": N_(
        "%(product)s is classed under another OCOP product grouping than the fair's"
    ),
    "group_unknown": N_("%(product)s is in a product group that does not exist"),
    "group_not_admitted": N_("%(product)s is in a product group this fair does not admit"),
    "no_certificate": N_(
        "%(product)s has no OCOP certificate: the fair admits certified OCOP products only"
    ),
    "certificate_revoked": N_("The OCOP certificate of %(product)s has been revoked"),
    "certificate_expires_before_fair_ends": N_(
        "The OCOP certificate of %(product)s ends before the fair ends: it must be valid "
        "until the fair's last day"
    ),
    "below_min_star": N_(
        "%(product)s has fewer stars than the fair admits: see the minimum star above"
    ),
    "booth_limit": N_("Ask for no more booths than the fair allows per holder (see above)"),
    "booth_group_not_admitted": N_("The fair does not admit the product group of this booth"),
    "already_applied": N_(
        "You have already applied to this fair: see your application, or withdraw it first"
    ),
    "product_no_longer_admitted": N_(
        "A product of the application can no longer be admitted: its certificate changed"
    ),
    "holder_no_longer_member": N_("A product's holder is no longer a member of the delegation"),
}

# The organizer's review reasons: (as the organizer chooses it, as the exhibitor reads it).
REVIEW_REASONS: dict[str, tuple[str, str]] = {
    "products_not_eligible": (
        N_("The products do not meet the fair's criteria"),
        N_("The products you showed do not meet the fair's criteria."),
    ),
    "product_group_full": (
        N_("The fair has enough exhibitors of these product groups"),
        N_("The fair already has enough exhibitors of your product groups."),
    ),
    "no_booths_left": (
        N_("No booths are left for this request"),
        N_("No booths are left for what you asked for."),
    ),
    "incomplete_application": (
        N_("The application lacks information"),
        N_("Your application lacks information the organizer needs."),
    ),
    "quality_concerns": (
        N_("Concerns about quality, labelling or traceability"),
        N_("The organizer has concerns about quality, labelling or traceability."),
    ),
    "late_application": (
        N_("The application came too late to be placed"),
        N_("Your application came too late for the organizer to place it."),
    ),
    "duplicate_exhibitor": (
        N_("The exhibitor already exhibits through another application"),
        N_("You already exhibit at this fair through another application."),
    ),
    "other": (
        N_("Another reason (write it below)"),
        N_("Another reason, given below."),
    ),
}


def review_reason_for_exhibitor(code: str | None) -> str | None:
    """The message id of a review reason as the exhibitor reads it (None: no code, or one
    not known here)."""
    found = REVIEW_REASONS.get(code or "")
    return found[1] if found else None
