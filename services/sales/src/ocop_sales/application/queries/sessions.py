"""A till's session and, once closed, its Z-report (for a reprint)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ocop_sales.application.ports import Repositories
from ocop_sales.domain.access import Viewer, check_session_reach
from ocop_shared.errors import NotFound


async def session_detail(repos: Repositories, *, session_id: UUID, by: Viewer) -> dict[str, Any]:
    """The session (its till's, or its fair's organizer's; anyone else's: 404) with its
    Z-report as answered when it closed (None while open)."""
    session = await repos.sessions.find(session_id)
    if session is None:
        raise NotFound("no such session")
    check_session_reach(by, organizer=session["organizer_id"], terminal_id=session["terminal_id"])
    return session
