"""The header's menu: "Home" leads to each role's own home, no two links lead to one page (an
exhibitor's home once, not "Home" and "Overview"), and every owner, whatever the role, has the
organization's page (members, invitations, API keys)."""

from __future__ import annotations

from typing import Any

import pytest

from ocop_web.navigation import items_for
from ocop_web.session import Viewer

from .conftest import membership, session_body


def viewer(role: str, kind: str, *, owner: bool = True) -> Viewer:
    acting: dict[str, Any] = {
        **membership("org-1", "Tổ chức", kind, role),
        "org_role": "owner" if owner else "staff",
    }
    return Viewer.of(session_body([acting], acting), api=None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        ("exhibitor", "holder"),
        ("organizer", "organizer"),
        ("certifier", "council"),
        ("inspector", "inspector"),
        ("admin", "platform"),
    ],
)
def test_no_two_links_lead_to_one_page_and_owners_have_their_organization(
    role: str, kind: str
) -> None:
    owner = [item.href for item in items_for(viewer(role, kind))]
    assert len(owner) == len(set(owner)), owner
    assert "/" not in owner  # "Home" is the role's own home
    assert "/organization" in owner
    staff = [item.href for item in items_for(viewer(role, kind, owner=False))]
    assert "/organization" not in staff


def test_an_exhibitors_menu() -> None:
    items = items_for(viewer("exhibitor", "holder"))
    assert [(i.href, i.label) for i in items][:2] == [
        ("/exhibitor", "Home"),
        ("/exhibitor/products", "Products"),
    ]
    assert sum(1 for i in items if i.href == "/exhibitor") == 1
