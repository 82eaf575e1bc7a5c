"""Who is signed in. The cookie ``ocop_session`` holds registration's session token itself:
HttpOnly (never readable by scripts), SameSite=Lax, Secure over https, expiring with the
session. The web app keeps no session store: registration is the only authority (a sign-out
elsewhere, a password change or an ended membership ends the session on the next call), and
every replica of the web app serves any request. A sealed wrapper would add nothing: it
would be as good as the token to whoever stole it.

Pages that need a person take ``viewer: SignedIn`` (``GET /session`` at registration);
without a session, or when any service answers 401, the person lands on the sign-in page
with a message and comes back to the page afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request, Response

from ocop_shared.ratelimit import client_of
from ocop_web.api import Api, SignedOut
from ocop_web.i18n import N_

SESSION_COOKIE = "ocop_session"
LANGUAGE_COOKIE = "ocop_lang"

ROLE_NAMES: dict[str, str] = {
    "organizer": N_("Organizer"),
    "exhibitor": N_("Exhibitor"),
    "certifier": N_("Certification council"),
    "inspector": N_("Market inspector"),
    "admin": N_("Platform administrator"),
    "retailer": N_("Retailer"),
}
ORGANIZATION_KINDS: dict[str, str] = {
    "holder": N_("OCOP holder"),
    "delegation": N_("Provincial delegation"),
    "organizer": N_("Fair organizer"),
    "certifier": N_("OCOP certification council"),
    "inspector": N_("Market surveillance"),
    "platform": N_("Platform"),
    "retailer": N_("Retailer (supermarket chain)"),
}


@dataclass(frozen=True, slots=True)
class Organization:
    organization_id: str
    kind: str
    name: str
    role: str
    org_role: str
    province: str | None = None
    level: str | None = None

    @classmethod
    def of(cls, body: dict[str, Any]) -> Organization:
        return cls(
            organization_id=str(body["organization_id"]),
            kind=str(body["kind"]),
            name=str(body["name"]),
            role=str(body["role"]),
            org_role=str(body.get("org_role", "staff")),
            province=body.get("province"),
            level=body.get("level"),
        )


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person, the organization the session acts for, and their others."""

    user_id: str
    name: str
    email: str | None
    phone: str | None
    organization: Organization
    memberships: tuple[Organization, ...]
    expires_at: str
    api: Api

    @property
    def role(self) -> str:
        return self.organization.role

    @property
    def is_owner(self) -> bool:
        return self.organization.org_role == "owner"

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @classmethod
    def of(cls, body: dict[str, Any], api: Api) -> Viewer:
        user = body["user"]
        return cls(
            user_id=str(user["user_id"]),
            name=str(user["name"]),
            email=user.get("email"),
            phone=user.get("phone"),
            organization=Organization.of(body["organization"]),
            memberships=tuple(Organization.of(m) for m in body.get("memberships", [])),
            expires_at=str(body["session"]["expires_at"]),
            api=api,
        )


def api_of(request: Request) -> Api:
    """The services as whoever sent this request (signed in or not)."""
    api: Api = request.app.state.clients.bind(
        request.cookies.get(SESSION_COOKIE), request.state.correlation_id, client_of(request)
    )
    return api


async def signed_in(request: Request) -> Viewer:
    api = api_of(request)
    if not api.token:
        raise SignedOut("sign_in_required")
    body = await api.registration.get("/session")
    viewer = Viewer.of(body, api)
    api.signed_in_at = _when(body.get("session", {}).get("created_at"))
    request.state.viewer = viewer
    return viewer


def _when(text: Any) -> datetime | None:
    """The session's ``created_at`` (booths and sales may not know a fresh one yet)."""
    try:
        found = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


SignedIn = Annotated[Viewer, Depends(signed_in)]
ApiDep = Annotated[Api, Depends(api_of)]


def secure_cookies(request: Request) -> bool:
    forced: bool | None = request.app.state.settings.cookie_secure
    return request.url.scheme == "https" if forced is None else forced


def keep_session(request: Request, response: Response, token: str, expires_at: str) -> None:
    expires = datetime.fromisoformat(expires_at)
    seconds = max(0, int((expires - datetime.now(UTC)).total_seconds()))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=seconds,
        httponly=True,
        secure=secure_cookies(request),
        samesite="lax",
        path="/",
    )


def forget_session(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, secure=secure_cookies(request), samesite="lax", path="/"
    )


def local_path(target: str | None, default: str = "/") -> str:
    """Only a path of this site to go back to after signing in (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
