"""The home page: who is signed in, for which organization, and the way to each page area
their role uses. A role with a home of its own lands there (``navigation.HOMES``), from the
sign-in too."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ocop_web.navigation import HOMES
from ocop_web.session import SignedIn
from ocop_web.templating import render

router = APIRouter()


@router.get("/")
async def home(request: Request, viewer: SignedIn) -> Response:
    if viewer.role in HOMES:
        return RedirectResponse(HOMES[viewer.role], status_code=303)
    return render(request, "home.html")
