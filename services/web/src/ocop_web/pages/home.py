"""The home page: who is signed in, for which organization, and the way to each page area
their role uses."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ocop_web.session import SignedIn
from ocop_web.templating import render

router = APIRouter()


@router.get("/")
async def home(request: Request, viewer: SignedIn) -> Response:
    if viewer.role == "organizer":  # the organizer console opens on what needs attention
        return RedirectResponse("/organizer", status_code=303)
    if viewer.role in ("certifier", "inspector"):  # pages/certifier.py, pages/inspector.py
        return RedirectResponse(f"/{viewer.role}", status_code=303)
    return render(request, "home.html")
