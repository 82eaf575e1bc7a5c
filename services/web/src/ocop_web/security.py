"""Security headers on every answer, and CSRF protection of every form.

CSRF: a token bound to the visitor, keyed by the app's secret (HMAC), checked on every
POST, PUT, PATCH and DELETE (an app-wide dependency, so no route can forget it). Bound to
the SHA-256 of the session token when signed in, otherwise to a random value in an HttpOnly
cookie of its own (the sign-in form is protected too). Forms send it as the hidden field
``csrf_token``; htmx sends it as the ``X-CSRF-Token`` header (``hx-headers`` on <body>). A
request whose Origin names another site is refused as well."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode
from typing import Any

from fastapi import Request

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
ANONYMOUS_COOKIE = "ocop_visitor"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)

HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    # The till's pages set their own (camera for its QR and barcode reader): ocop_web.till.
    (b"permissions-policy", b"camera=(), geolocation=(), microphone=(), payment=(), usb=()"),
]


class CsrfRefused(Exception):
    pass


class SecurityHeaders:
    """Plain ASGI: the headers above on every answer; pages are never cached (they show a
    person's data), fingerprinted static files are kept for a year; HSTS over https."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        fingerprinted = path.startswith("/static/") and b"v=" in scope.get("query_string", b"")
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in HEADERS if k not in present]
                if b"cache-control" not in present:
                    if fingerprinted:
                        headers.append((b"cache-control", b"public, max-age=31536000, immutable"))
                    elif not path.startswith("/static/"):
                        headers.append((b"cache-control", b"no-store"))
                if https:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _binding(request: Request) -> str | None:
    from ocop_web.session import SESSION_COOKIE

    token = request.cookies.get(SESSION_COOKIE)
    if token:
        return "s:" + hashlib.sha256(token.encode()).hexdigest()
    visitor = request.cookies.get(ANONYMOUS_COOKIE) or getattr(request.state, "visitor", None)
    return f"a:{visitor}" if visitor else None


def _sign(secret: str, binding: str) -> str:
    mac = hmac.new(secret.encode(), f"csrf|{binding}".encode(), hashlib.sha256).digest()
    return urlsafe_b64encode(mac).decode().rstrip("=")


def csrf_token(request: Request, secret: str) -> str:
    """The token for forms on this page; gives an anonymous visitor its cookie's value
    (set on the answer by ``templating.render``)."""
    binding = _binding(request)
    if binding is None:
        request.state.visitor = secrets.token_urlsafe(24)
        binding = f"a:{request.state.visitor}"
    return _sign(secret, binding)


async def check_csrf(request: Request, secret: str) -> None:
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin and origin != "null":
        expected = f"{request.url.scheme}://{request.url.netloc}"
        if origin != expected:
            raise CsrfRefused("cross-site request")
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    binding = _binding(request)
    if not sent or binding is None or not hmac.compare_digest(sent, _sign(secret, binding)):
        raise CsrfRefused("missing or wrong CSRF token")
