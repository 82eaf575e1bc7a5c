"""Signing up as an OCOP holder or a provincial delegation, with its owner's account
(registration ``POST /exhibitors`` with ``owner``), in three steps: the organization, its
owner, then a check-your-answers page with "Change" links where the password is chosen and
the sign-up sent.

Each step is kept as it is answered, in the browser: a draft cookie (HttpOnly, SameSite=Lax,
signed, one day), so a dropped network or a closed tab loses nothing and the web app keeps no
store. The password never goes into the draft: it is asked for on the last page only. The
draft carries its own idempotency key, so sending the last page twice (a dropped answer, a
double tap) signs up once. Every rule (tax code, phone, password, a tax code already
registered) is registration's; its refusal is shown on the step where the field was answered,
next to the field, in the reader's language."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
import zlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ocop_web.api import ApiError
from ocop_web.forms import FORM, Field, FormState
from ocop_web.i18n import N_
from ocop_web.pages.exhibitor_common import EXHIBITOR_KIND_HINTS, EXHIBITOR_KINDS, context
from ocop_web.session import ApiDep, keep_session, secure_cookies
from ocop_web.templating import render

router = APIRouter()

DRAFT_COOKIE = "ocop_signup"
DRAFT_SECONDS = 24 * 3600

ORGANIZATION_FIELDS = (
    Field("kind", N_("Kind of organization")),
    Field("name", N_("Name of the organization")),
    Field("tax_code", N_("Tax code")),
    Field("province", N_("Province or city")),
    Field("commune", N_("Commune or ward")),
    Field("address", N_("Address")),
    Field("phone", N_("Organization's phone number")),
    Field("email", N_("Organization's email address")),
)
OWNER_FIELDS = (
    Field("owner_name", N_("Your full name"), api=("owner.name",)),
    Field("owner_email", N_("Your email address"), api=("owner.email",)),
    Field("owner_phone", N_("Your phone number"), api=("owner.phone",)),
)
CHECK_FIELDS = (Field("owner_password", N_("Password"), api=("owner.password", "owner")),)
STEPS: dict[str, tuple[Field, ...]] = {
    "organization": ORGANIZATION_FIELDS,
    "owner": OWNER_FIELDS,
    "check": CHECK_FIELDS,
}
DRAFT_NAMES = tuple(f.name for f in (*ORGANIZATION_FIELDS, *OWNER_FIELDS))


# --- the draft, kept in the browser ------------------------------------------------------------


def _mac(secret: str, payload: bytes) -> str:
    digest = hmac.new(secret.encode(), b"signup|" + payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def read_draft(request: Request) -> dict[str, str]:
    raw = request.cookies.get(DRAFT_COOKIE, "")
    payload, _, mac = raw.partition(".")
    secret = request.app.state.settings.web_secret.get_secret_value()
    if not payload or not hmac.compare_digest(mac, _mac(secret, payload.encode())):
        return {}
    try:
        data = json.loads(zlib.decompress(base64.urlsafe_b64decode(payload + "==")))
    except (ValueError, zlib.error):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def keep_draft(request: Request, response: Response, draft: dict[str, str]) -> None:
    packed = zlib.compress(json.dumps(draft, ensure_ascii=False).encode(), 9)
    payload = base64.urlsafe_b64encode(packed).decode().rstrip("=")
    secret = request.app.state.settings.web_secret.get_secret_value()
    response.set_cookie(
        DRAFT_COOKIE,
        f"{payload}.{_mac(secret, payload.encode())}",
        max_age=DRAFT_SECONDS,
        httponly=True,
        secure=secure_cookies(request),
        samesite="lax",
        path="/sign-up",
    )


def forget_draft(request: Request, response: Response) -> None:
    response.delete_cookie(
        DRAFT_COOKIE, httponly=True, secure=secure_cookies(request), samesite="lax", path="/sign-up"
    )


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _step_page(
    request: Request, step: str, form: FormState, draft: dict[str, str], status_code: int = 200
) -> Response:
    return render(
        request,
        f"exhibitor/sign_up_{step}.html",
        context(
            form=form,
            draft=draft,
            kinds=[(k, EXHIBITOR_KINDS[k], EXHIBITOR_KIND_HINTS[k]) for k in EXHIBITOR_KINDS],
            returning=request.query_params.get("check") == "1",
        ),
        status_code=status_code,
    )


# --- the steps ----------------------------------------------------------------------------------


@router.get("/sign-up")
async def sign_up_start(request: Request) -> Response:
    return render(request, "exhibitor/sign_up_start.html", context(draft=read_draft(request)))


@router.get("/sign-up/organization")
async def organization_step(request: Request) -> Response:
    draft = read_draft(request)
    return _step_page(request, "organization", FormState.of(ORGANIZATION_FIELDS, draft), draft)


@router.get("/sign-up/owner")
async def owner_step(request: Request) -> Response:
    draft = read_draft(request)
    if not draft.get("kind"):
        return see_other("/sign-up/organization")
    return _step_page(request, "owner", FormState.of(OWNER_FIELDS, draft), draft)


async def _save_step(request: Request, step: str, required: tuple[str, ...]) -> Response:
    fields = STEPS[step]
    submitted = dict(await request.form())
    going_back = submitted.pop("check", "") == "1"
    form = FormState.of(fields, {k: str(v).strip() for k, v in submitted.items()})
    form.require(*required)
    if step == "owner" and not form.value("owner_email") and not form.value("owner_phone"):
        form.add("owner_email", "email_or_phone")
    draft = read_draft(request)
    if form.has_errors:
        return _step_page(request, step, form, draft, status_code=422)
    draft.update({f.name: form.value(f.name) for f in fields})
    draft.setdefault("idempotency_key", str(uuid.uuid4()))
    following = "/sign-up/owner" if step == "organization" and not going_back else "/sign-up/check"
    if step == "organization" and not going_back and draft.get("owner_name"):
        following = "/sign-up/check"
    response = see_other(following)
    keep_draft(request, response, draft)
    return response


@router.post("/sign-up/organization")
async def save_organization(request: Request) -> Response:
    return await _save_step(request, "organization", ("kind", "name", "province"))


@router.post("/sign-up/owner")
async def save_owner(request: Request) -> Response:
    return await _save_step(request, "owner", ("owner_name",))


def _incomplete(draft: dict[str, str]) -> str | None:
    if not (draft.get("kind") and draft.get("name") and draft.get("province")):
        return "/sign-up/organization"
    if not draft.get("owner_name"):
        return "/sign-up/owner"
    return None


@router.get("/sign-up/check")
async def check_page(request: Request) -> Response:
    draft = read_draft(request)
    missing = _incomplete(draft)
    if missing:
        return see_other(missing)
    return _step_page(request, "check", FormState.of(CHECK_FIELDS), draft)


def sign_up_body(draft: dict[str, str], password: str) -> dict[str, Any]:
    def given(name: str) -> str | None:
        return draft.get(name) or None

    return {
        "kind": draft.get("kind", ""),
        "name": draft.get("name", ""),
        "tax_code": given("tax_code"),
        "province": draft.get("province", ""),
        "commune": given("commune"),
        "address": draft.get("address", ""),
        "phone": given("phone"),
        "email": given("email"),
        "owner": {
            "name": draft.get("owner_name", ""),
            "email": given("owner_email"),
            "phone": given("owner_phone"),
            "password": password,
        },
    }


@router.post("/sign-up/check")
async def sign_up(request: Request, api: ApiDep) -> Response:
    draft = read_draft(request)
    missing = _incomplete(draft)
    if missing:
        return see_other(missing)
    submitted = dict(await request.form())
    form = FormState.of(CHECK_FIELDS, submitted)
    form.require("owner_password")
    if form.has_errors:
        return _step_page(request, "check", form, draft, status_code=422)
    try:
        signed = await api.registration.post(
            "/exhibitors",
            sign_up_body(draft, form.value("owner_password")),
            anonymous=True,
            idempotency_key=draft.get("idempotency_key"),
        )
    except ApiError as refused:
        return _refused(request, refused, draft)
    response = see_other("/exhibitor?welcome=1")
    keep_session(request, response, signed["token"], signed["session"]["expires_at"])
    forget_draft(request, response)
    return response


def _refused(request: Request, refused: ApiError, draft: dict[str, str]) -> Response:
    """Registration's refusal on the step where the field was answered (the first such step),
    the error next to the field and in the summary; a new idempotency key, since the next
    sending is a different sign-up."""
    draft = {**draft, "idempotency_key": str(uuid.uuid4())}
    for step in ("organization", "owner", "check"):
        fields = STEPS[step]
        values = {} if step == "check" else draft
        form = FormState.of(fields, values)
        form.add_api_error(refused)
        if set(form.errors) - {FORM}:
            response = _step_page(request, step, form, draft, status_code=422)
            keep_draft(request, response, draft)
            return response
    form = FormState.of(CHECK_FIELDS)
    form.add_api_error(refused)
    response = _step_page(request, "check", form, draft, status_code=422)
    keep_draft(request, response, draft)
    return response


# --- joining an organization with an invitation code --------------------------------------------

JOIN_NEW_FIELDS = (
    Field("new_code", N_("Invitation code"), api=("code",)),
    Field("account_name", N_("Your full name"), api=("account.name",)),
    Field("account_email", N_("Your email address"), api=("account.email",)),
    Field("account_phone", N_("Your phone number"), api=("account.phone",)),
    Field("account_password", N_("Password"), api=("account.password", "account")),
)
JOIN_EXISTING_FIELDS = (
    Field("existing_code", N_("Invitation code"), api=("code",)),
    Field("login", N_("Email address or phone number")),
    Field("password", N_("Password")),
)


def _join_page(
    request: Request,
    new: FormState | None = None,
    existing: FormState | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "exhibitor/join.html",
        {
            "new": new or FormState.of(JOIN_NEW_FIELDS),
            "existing": existing or FormState.of(JOIN_EXISTING_FIELDS),
        },
        status_code=status_code,
    )


@router.get("/join")
async def join_page(request: Request) -> Response:
    return _join_page(request)


@router.post("/join")
async def join(request: Request, api: ApiDep) -> Response:
    """Registration ``POST /invitations/accept``: a new person's account, or a person who
    already has one; either way a session for the organization that invited them."""
    submitted = {k: str(v).strip() for k, v in (await request.form()).items()}
    has_account = submitted.pop("has_account", "") == "1"
    if has_account:
        form = FormState.of(JOIN_EXISTING_FIELDS, submitted)
        form.require("existing_code", "login", "password")
        body: dict[str, Any] = {
            "code": form.value("existing_code"),
            "login": form.value("login"),
            "password": form.value("password"),
        }
    else:
        form = FormState.of(JOIN_NEW_FIELDS, submitted)
        form.require("new_code", "account_name", "account_password")
        if not form.value("account_email") and not form.value("account_phone"):
            form.add("account_email", "email_or_phone")
        body = {
            "code": form.value("new_code"),
            "account": {
                "name": form.value("account_name"),
                "email": form.value("account_email") or None,
                "phone": form.value("account_phone") or None,
                "password": form.value("account_password"),
            },
        }
    if not form.has_errors:
        try:
            signed = await api.registration.post("/invitations/accept", body, anonymous=True)
        except ApiError as refused:
            if refused.code == "wrong_login_or_password":
                form.add("password", "wrong_login_or_password")
            else:
                form.add_api_error(refused)
        else:
            response = see_other("/")
            keep_session(request, response, signed["token"], signed["session"]["expires_at"])
            return response
    for secret in ("password", "account_password"):
        form.values.pop(secret, None)  # never sent back
    if has_account:
        return _join_page(request, existing=form, status_code=422)
    return _join_page(request, new=form, status_code=422)
