"""Signing in and out, choosing the organization one acts for, the account page and the
password change. Registration is the identity provider: ``POST /sessions``,
``GET /session``, ``DELETE /session``, ``POST /session/sign-out-everywhere``,
``POST /session/password``."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ocop_web.api import ApiError, SignedOut
from ocop_web.forms import Field, FormState
from ocop_web.i18n import N_, gettext
from ocop_web.navigation import home_of
from ocop_web.session import (
    SESSION_COOKIE,
    ApiDep,
    Organization,
    SignedIn,
    forget_session,
    keep_session,
    local_path,
)
from ocop_web.templating import render

router = APIRouter()

SIGN_IN_FIELDS = (
    Field("login", N_("Email address or phone number")),
    Field("password", N_("Password")),
    Field("organization_id", N_("Organization")),
)
PASSWORD_FIELDS = (
    Field("current_password", N_("Current password")),
    Field("new_password", N_("New password")),
    Field("new_password_again", N_("New password again")),
)
# Shown above the sign-in form: why the person is there.
NOTICES: dict[str, str] = {
    "signed_out": N_("You have signed out."),
    "signed_out_everywhere": N_("You have signed out on every device."),
    "expired": N_("Your session has ended. Sign in again to continue."),
    "sign_in_required": N_("Sign in to continue."),
    "password_changed": N_("Your password has been changed."),
}
SEVERAL = re.compile(r"one of:\s*(.+)$")


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/sign-in")
async def sign_in_page(request: Request, next: str = "/", notice: str = "") -> Response:
    return render(
        request,
        "account/sign_in.html",
        {
            "form": FormState.of(SIGN_IN_FIELDS),
            "next": local_path(next),
            "notice": NOTICES.get(notice),
        },
    )


@router.post("/sign-in")
async def sign_in(request: Request, api: ApiDep) -> Response:
    submitted = await request.form()
    form = FormState.of(SIGN_IN_FIELDS, dict(submitted))
    next_path = local_path(form.values.pop("next", "/"))
    choosing = form.values.pop("choosing", "") == "1"
    form.require("login", "password")
    if choosing:
        form.require("organization_id")
    if form.has_errors:
        return _sign_in_again(request, form, next_path, choosing, status_code=422)
    body: dict[str, Any] = {"login": form.value("login"), "password": form.value("password")}
    if form.value("organization_id"):
        body["organization_id"] = form.value("organization_id")
    try:
        signed = await api.registration.post("/sessions", body, anonymous=True)
    except ApiError as refused:
        form.values.pop("password", None)  # never sent back to the browser
        if refused.code == "wrong_login_or_password":
            form.add("password", "wrong_login_or_password")
        elif refused.status == 429:
            form.add(None, "too_many_attempts", retry_after=refused.headers.get("retry-after", ""))
        else:
            several = _several_organizations(refused)
            if several and not choosing:
                return _sign_in_again(request, form, next_path, True, choices=several)
            form.add_api_error(refused)
        return _sign_in_again(request, form, next_path, choosing, status_code=422)
    old_token = request.cookies.get(SESSION_COOKIE)
    if old_token and old_token != signed["token"]:
        # Switching organization: the former session ends (best effort).
        with contextlib.suppress(ApiError, SignedOut):
            await request.app.state.clients.bind(
                old_token, request.state.correlation_id
            ).registration.delete("/session")
    if next_path == "/":  # no page asked for: the home of the role the session acts as
        next_path = home_of(str((signed.get("organization") or {}).get("role") or ""))
    response = see_other(next_path)
    keep_session(request, response, signed["token"], signed["session"]["expires_at"])
    return response


def _several_organizations(refused: ApiError) -> list[Organization] | None:
    """Registration's 422 for a person of several organizations who named none; it names
    their ids (its answer carries no names)."""
    detail = refused.body.get("detail") if isinstance(refused.body, dict) else None
    if refused.status != 422 or not isinstance(detail, list):
        return None
    for item in detail:
        if isinstance(item, dict) and item.get("loc", [])[-1:] == ["organization_id"]:
            found = SEVERAL.search(str(item.get("msg", "")))
            if found:
                ids = [i.strip() for i in found.group(1).split(",") if i.strip()]
                return [Organization(i, "", i, "", "") for i in ids]
    return None


def _sign_in_again(
    request: Request,
    form: FormState,
    next_path: str,
    choosing: bool,
    *,
    choices: list[Organization] | None = None,
    status_code: int = 200,
) -> Response:
    if choosing:
        ids = choices or [
            Organization(i, "", i, "", "") for i in form.value("choices").split(",") if i
        ]
        return render(
            request,
            "account/choose_organization.html",
            {"form": form, "next": next_path, "choices": ids, "login": form.value("login")},
            status_code=status_code,
        )
    return render(
        request,
        "account/sign_in.html",
        {"form": form, "next": next_path, "notice": None},
        status_code=status_code,
    )


@router.get("/account/organization")
async def switch_organization_page(request: Request, viewer: SignedIn) -> Response:
    """The person's organizations (with their names, from their session); choosing another
    signs in again for it (the password again: a session acts for one organization)."""
    form = FormState.of(SIGN_IN_FIELDS, {"organization_id": viewer.organization.organization_id})
    return render(
        request,
        "account/choose_organization.html",
        {
            "form": form,
            "next": "/",
            "choices": list(viewer.memberships),
            "login": viewer.email or viewer.phone or "",
        },
    )


@router.post("/sign-out")
async def sign_out(request: Request, api: ApiDep) -> Response:
    if api.token:
        with contextlib.suppress(SignedOut, ApiError):  # already ended
            await api.registration.delete("/session")
    response = see_other("/sign-in?notice=signed_out")
    forget_session(request, response)
    return response


@router.post("/sign-out-everywhere")
async def sign_out_everywhere(request: Request, viewer: SignedIn) -> Response:
    await viewer.api.registration.post("/session/sign-out-everywhere")
    response = see_other("/sign-in?notice=signed_out_everywhere")
    forget_session(request, response)
    return response


@router.get("/account")
async def account(request: Request, viewer: SignedIn) -> Response:
    return render(request, "account/account.html")


@router.get("/account/password")
async def password_page(request: Request, viewer: SignedIn) -> Response:
    return render(request, "account/password.html", {"form": FormState.of(PASSWORD_FIELDS)})


@router.post("/account/password")
async def change_password(request: Request, viewer: SignedIn) -> Response:
    form = FormState.of(PASSWORD_FIELDS, dict(await request.form()))
    form.require("current_password", "new_password", "new_password_again")
    if not form.error("new_password_again") and form.value("new_password") != form.value(
        "new_password_again"
    ):
        form.add("new_password_again", "mismatch")
    if not form.has_errors:
        try:
            await viewer.api.registration.post(
                "/session/password",
                {
                    "current_password": form.value("current_password"),
                    "new_password": form.value("new_password"),
                },
            )
        except ApiError as refused:
            if refused.status == 429:
                form.add(
                    "current_password",
                    "too_many_attempts",
                    retry_after=refused.headers.get("retry-after", ""),
                )
            else:
                form.add_api_error(refused)
    if form.has_errors:
        form.values.clear()  # passwords are never sent back
        return render(request, "account/password.html", {"form": form}, status_code=422)
    return render(request, "account/account.html", {"notice": gettext(NOTICES["password_changed"])})
