"""What the exhibitor portal's pages share: the names of exhibitor kinds, booth types and
states, application statuses, and the check that the viewer acts for an exhibitor (a holder
or a delegation). Names only: every rule stays in the services. Product groups are named by
registration (``product_groups``)."""

from __future__ import annotations

from typing import Any

from ocop_web.api import ApiError
from ocop_web.i18n import N_
from ocop_web.session import Viewer

EXHIBITOR_KINDS: dict[str, str] = {
    "cooperative": N_("Cooperative"),
    "enterprise": N_("Enterprise"),
    "cooperative_group": N_("Cooperative group"),
    "household_business": N_("Household business"),
    "delegation": N_("Provincial delegation"),
}
EXHIBITOR_KIND_HINTS: dict[str, str] = {
    "cooperative": N_("A registered cooperative; give its tax code"),
    "enterprise": N_("A company; give its tax code"),
    "cooperative_group": N_("A group of producers working together"),
    "household_business": N_("A family business registered with the district"),
    "delegation": N_("Exhibits for several OCOP holders of a province, which it invites"),
}

BOOTH_TYPES: dict[str, str] = {
    "standard": N_("Standard"),
    "corner": N_("Corner"),
    "premium": N_("Premium"),
    "outdoor": N_("Outdoor"),
}
# Each booth state has a text label as well as a colour (a CSS class).
BOOTH_STATES: dict[str, tuple[str, str]] = {
    "available": (N_("Available"), "available"),
    "taken": (N_("Taken"), "taken"),
    "held": (N_("Held"), "held"),
    "assigned": (N_("Assigned"), "assigned"),
    "confirmed": (N_("Confirmed"), "confirmed"),
    "blocked": (N_("Blocked"), "blocked"),
}
APPLICATION_STATUSES: dict[str, tuple[str, str]] = {
    "submitted": (N_("Waiting for review"), "ocop-tag--grey"),
    "approved": (N_("Approved"), "ocop-tag--green"),
    "rejected": (N_("Refused"), "ocop-tag--red"),
    "waitlisted": (N_("On the waiting list"), "ocop-tag--yellow"),
    "withdrawn": (N_("Withdrawn"), "ocop-tag--grey"),
}
CERTIFICATE_STATUSES: dict[str, tuple[str, str]] = {
    "valid": (N_("Valid"), "ocop-tag--green"),
    "expiring": (N_("Expiring soon"), "ocop-tag--yellow"),
    "expired": (N_("Expired"), "ocop-tag--grey"),
    "revoked": (N_("Revoked"), "ocop-tag--red"),
}
FAIR_STATUSES: dict[str, str] = {
    "draft": N_("Draft"),
    "open": N_("Open for applications"),
    "closed": N_("Applications closed"),
    "running": N_("Under way"),
    "finished": N_("Finished"),
}
PAYMENT_STATUSES: dict[str, str] = {
    "unpaid": N_("Not paid"),
    "partly_paid": N_("Partly paid"),
    "paid": N_("Paid"),
}

LABELS: dict[str, Any] = {
    "EXHIBITOR_KINDS": EXHIBITOR_KINDS,
    "BOOTH_TYPES": BOOTH_TYPES,
    "BOOTH_STATES": BOOTH_STATES,
    "APPLICATION_STATUSES": APPLICATION_STATUSES,
    "CERTIFICATE_STATUSES": CERTIFICATE_STATUSES,
    "FAIR_STATUSES": FAIR_STATUSES,
    "PAYMENT_STATUSES": PAYMENT_STATUSES,
}


def require_exhibitor(viewer: Viewer) -> str:
    """The exhibitor id the viewer acts for; anyone else gets the 403 page (the services
    would refuse them anyway: this only spares them a page of refusals)."""
    if viewer.role != "exhibitor":
        raise ApiError(403, {"detail": "for exhibitors", "code": "forbidden"})
    return viewer.organization.organization_id


def is_delegation(viewer: Viewer) -> bool:
    return viewer.organization.kind == "delegation"


def context(**values: Any) -> dict[str, Any]:
    """A page's context with the portal's label tables."""
    return {**LABELS, **values}
