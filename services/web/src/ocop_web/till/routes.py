"""Routes of the till: the shell page, its manifest and service worker, and the proxy to
sales (see the package's docstring)."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from functools import cache

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ocop_shared.logging import get_logger
from ocop_shared.ratelimit import client_of
from ocop_web.assets import STATIC
from ocop_web.templating import TEMPLATES

log = get_logger(__name__)
router = APIRouter()

SCOPE = "/till/"
TIMEOUT_SECONDS = 8.0
MAX_BODY_BYTES = 1024 * 1024  # sales' own body limit
# Only the till's pages may use the camera (BarcodeDetector: pairing and receipt codes).
PERMISSIONS_POLICY = "camera=(self), geolocation=(), microphone=(), payment=(), usb=()"

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# (method, path below /till/api/) the till may call at sales; nothing else is forwarded.
ALLOWED: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (method, re.compile(pattern))
    for method, pattern in (
        ("POST", r"terminals/pair"),
        ("GET", r"terminals/me"),
        ("GET", r"terminals/me/catalog"),
        ("POST", r"sales/batch"),
        ("GET", r"sales"),
        ("GET", rf"sales/{_UUID}"),
        ("POST", rf"sales/{_UUID}/refunds"),
        ("POST", rf"sales/{_UUID}/transfers/[A-Z0-9]{{6,19}}/confirm"),
        ("GET", r"transfers"),
        ("POST", r"sessions"),
        ("GET", rf"sessions/{_UUID}"),
        ("POST", rf"sessions/{_UUID}/close"),
    )
)
FORWARDED_REQUEST = ("content-type", "if-none-match", "idempotency-key")
FORWARDED_ANSWER = ("content-type", "etag", "retry-after", "idempotent-replay")

TILL_STATIC = STATIC / "till"
SHELL = TEMPLATES / "till" / "shell.html"
FONTS = tuple(
    f"vendor/fonts/noto-sans-{subset}-{weight}-normal.woff2"
    for subset in ("latin", "latin-ext", "vietnamese")
    for weight in (400, 700)
)
VENDOR = ("vendor/qrcode-generator/qrcode.js",)


def _static_files() -> list[str]:
    own = sorted(
        p.relative_to(STATIC).as_posix()
        for p in TILL_STATIC.rglob("*")
        if p.is_file() and p.suffix in (".js", ".css", ".svg", ".png") and p.name != "worker.js"
    )
    return [*own, *VENDOR, *FONTS]


# What the service worker keeps for offline use: the shell, its manifest, every file.
PRECACHE: tuple[str, ...] = (
    "/till/",
    "/till/manifest.webmanifest",
    *(f"/static/{name}" for name in _static_files()),
)


@cache
def worker_version() -> str:
    """A hash of everything precached: a changed file makes a new worker (a new cache)."""
    digest = hashlib.sha256(SHELL.read_bytes())
    for name in _static_files():
        path = STATIC / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"missing")
    return digest.hexdigest()[:16]


def _page_headers() -> dict[str, str]:
    return {"Permissions-Policy": PERMISSIONS_POLICY}


def shell(_request: Request) -> HTMLResponse:
    """The same page for every till address (the service worker serves it offline)."""
    return HTMLResponse(SHELL.read_text(), headers=_page_headers())


@router.get("/till", include_in_schema=False)
async def till_root() -> RedirectResponse:
    """The app lives at ``/till/``: within the service worker's scope (``/till`` is not)."""
    return RedirectResponse("/till/", status_code=308)


@router.get("/till/", include_in_schema=False)
async def till_home(request: Request) -> HTMLResponse:
    return shell(request)


@router.get("/till/pair", include_in_schema=False)
async def till_pair(request: Request) -> HTMLResponse:
    return shell(request)


@router.get("/till/sale/{sale_id}", include_in_schema=False)
async def till_sale(request: Request, sale_id: str) -> HTMLResponse:
    return shell(request)


@router.get("/till/manifest.webmanifest", include_in_schema=False)
async def manifest() -> Response:
    body = {
        "name": "Quầy thu ngân OCOP",
        "short_name": "Quầy OCOP",
        "description": "Bán hàng tại gian hàng hội chợ OCOP, cả khi mất mạng",
        "lang": "vi",
        "start_url": "/till/",
        "scope": SCOPE,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#a3191f",
        "icons": [
            {"src": "/static/till/icon.svg", "sizes": "any", "type": "image/svg+xml"},
            {
                "src": "/static/till/icon-maskable.svg",
                "sizes": "any",
                "type": "image/svg+xml",
                "purpose": "maskable",
            },
        ],
    }
    return Response(
        json.dumps(body, ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/till/sw.js", include_in_schema=False)
async def service_worker() -> Response:
    """The worker's script: its version and the files to keep, then ``static/till/sw.js``."""
    preamble = (
        f"const VERSION = {json.dumps(worker_version())};\n"
        f"const PRECACHE = {json.dumps(list(PRECACHE))};\n"
    )
    body = preamble + (TILL_STATIC / "worker.js").read_text()
    return Response(
        body,
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": SCOPE, "Cache-Control": "no-cache"},
    )


def allowed(method: str, path: str) -> bool:
    return any(m == method and p.fullmatch(path) for m, p in ALLOWED)


def _unavailable(retry_after: str | None = None) -> Response:
    return Response(
        json.dumps({"detail": "sales unavailable", "code": "sales_unavailable"}),
        status_code=503,
        media_type="application/json",
        headers={"Retry-After": retry_after or "2", "Cache-Control": "no-store"},
    )


def _refusal(status: int, code: str, detail: str) -> Response:
    return Response(
        json.dumps({"detail": detail, "code": code}),
        status_code=status,
        media_type="application/json",
    )


async def proxy(request: Request) -> Response:
    """Forwards an allowed call to sales with the device's bearer token, nothing else of the
    browser's (no cookie); sales unreachable: 503 JSON, so the till queues and retries.

    A plain route, not a FastAPI one: the app's CSRF dependency guards cookie-bearing forms,
    and this path acts only with the Authorization header the till's script sets (which no
    other site can make a browser send here); another site's Origin is refused still."""
    path: str = request.path_params["path"]
    origin = request.headers.get("origin")
    if origin and origin != "null" and origin != f"{request.url.scheme}://{request.url.netloc}":
        return _refusal(403, "cross_site", "another site's request")
    if not allowed(request.method, path):
        return _refusal(404, "not_found", "no such till route")
    # The device's address (sales limits pairing attempts per client): the browser's own
    # X-Forwarded-For is never passed on, only the address this app believes.
    headers: dict[str, str] = {
        "X-Correlation-ID": str(uuid.uuid4()),
        "X-Forwarded-For": client_of(request),
    }
    authorization = request.headers.get("authorization", "")
    if authorization.startswith("Bearer "):
        headers["Authorization"] = authorization
    for name in FORWARDED_REQUEST:
        value = request.headers.get(name)
        if value is not None:
            headers[name] = value
    if request.method != "GET" and "idempotency-key" not in headers:
        headers["Idempotency-Key"] = str(uuid.uuid4())
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return _refusal(413, "too_large", "at most 1 MiB")
    http: httpx.AsyncClient = request.app.state.clients.http["sales"]
    try:
        answer = await http.request(
            request.method,
            "/" + path,
            params=list(request.query_params.multi_items()),
            content=body or None,
            headers=headers,
            timeout=TIMEOUT_SECONDS,
        )
    except httpx.HTTPError as exc:
        log.warning("till proxy: sales unreachable", path=path, error=repr(exc))
        return _unavailable()
    if answer.status_code >= 500:
        log.warning("till proxy: sales answered 5xx", path=path, status=answer.status_code)
        return _unavailable(answer.headers.get("retry-after"))
    passed: dict[str, str] = {"Cache-Control": "no-store"}
    for name in FORWARDED_ANSWER:
        value = answer.headers.get(name)
        if value is not None:
            passed[name] = value
    if answer.status_code == 304:
        passed.pop("content-type", None)
        return Response(status_code=304, headers=passed)
    return Response(answer.content, status_code=answer.status_code, headers=passed)


router.add_route(
    "/till/api/{path:path}",
    proxy,
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
