"""The header's navigation: each page area adds its entry here with the roles that see it
(the services still decide what each person may do; this only hides what is no use).

"Home" leads to the role's own home (``HOMES``); no two links lead to one page (the first
wins), so an exhibitor's home is one link, not "Home" and "Overview"."""

from __future__ import annotations

from dataclasses import dataclass

from ocop_web.i18n import N_
from ocop_web.session import Viewer

ALL_ROLES = frozenset({"organizer", "exhibitor", "certifier", "inspector", "admin", "retailer"})
# Each role's own home: the organizer console opens on what needs attention, the exhibitor
# portal on its overview, the authorities on their pages (pages/certifier.py, inspector.py,
# platform.py). ``/`` sends each role there (pages/home.py).
HOMES: dict[str, str] = {
    "organizer": "/organizer",
    "exhibitor": "/exhibitor",
    "certifier": "/certifier",
    "inspector": "/inspector",
    "admin": "/admin",
    "retailer": "/retailer",  # a promotion week's host (pages/retailer.py, issue 15)
}


def home_of(role: str | None) -> str:
    return HOMES.get(role or "", "/")


@dataclass(frozen=True, slots=True)
class NavItem:
    href: str
    label: str  # a message id, translated when shown
    roles: frozenset[str] = ALL_ROLES
    owners_only: bool = False

    def shown_to(self, viewer: Viewer) -> bool:
        return viewer.role in self.roles and (viewer.is_owner or not self.owners_only)


# Page areas: add one line each (href, label, roles), in the order they appear.
ITEMS: list[NavItem] = [
    NavItem("/", N_("Home")),
    # exhibitor portal (pages/exhibitor_*.py)
    NavItem("/exhibitor/products", N_("Products"), roles=frozenset({"exhibitor"})),
    NavItem("/exhibitor/fairs", N_("Apply"), roles=frozenset({"exhibitor"})),
    NavItem("/exhibitor/applications", N_("Applications"), roles=frozenset({"exhibitor"})),
    NavItem("/exhibitor/sales", N_("Sales"), roles=frozenset({"exhibitor"})),
    NavItem(
        "/exhibitor/organization", N_("People and delegations"), roles=frozenset({"exhibitor"})
    ),
    NavItem("/organizer/fairs", N_("Fairs"), roles=frozenset({"organizer", "admin"})),
    NavItem("/organizer/floorplans", N_("Floor plans"), roles=frozenset({"organizer", "admin"})),
    NavItem("/organizer/series", N_("Fair series"), roles=frozenset({"organizer", "admin"})),
    # authorities and the platform (pages/certifier.py, inspector.py, platform.py, organization.py)
    NavItem("/certifier", N_("Certificates"), roles=frozenset({"certifier"})),
    NavItem("/certifier/import", N_("Register import"), roles=frozenset({"certifier"})),
    NavItem("/certifier/revocations", N_("Revocation"), roles=frozenset({"certifier"})),
    NavItem("/inspector", N_("Inspection"), roles=frozenset({"inspector"})),
    NavItem("/admin/organizations", N_("Organizations"), roles=frozenset({"admin"})),
    NavItem("/retailer/stores", N_("Stores"), roles=frozenset({"retailer"})),
    # every owner: members, invitations, API keys (pages/organization.py)
    NavItem("/organization", N_("Organization"), owners_only=True),
]


def items_for(viewer: Viewer | None) -> list[NavItem]:
    if viewer is None:
        return []
    shown: list[NavItem] = []
    for item in ITEMS:
        if not item.shown_to(viewer):
            continue
        if item.href == "/":
            item = NavItem(home_of(viewer.role), item.label, item.roles, item.owners_only)
        if all(item.href != earlier.href for earlier in shown):
            shown.append(item)
    return shown
