"""The web app: the organizer console and the exhibitor portal, server-rendered, over the
three services' APIs. Wiring only: settings, the services' clients, middleware (security
headers, language, correlation id), CSRF on every form, error pages, static files, pages.

It owns no business data and reaches no database; its one Kafka reader (``ocop_web.live``,
READ on ``sales.sales`` only) tells open dashboards "this fair changed"."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles

from ocop_shared.logging import configure_logging, get_logger
from ocop_shared.service import CorrelationMiddleware
from ocop_web import assets, i18n
from ocop_web.api import ApiError, Clients, SignedOut, Unavailable
from ocop_web.live import Hub
from ocop_web.live import running as live_consumer
from ocop_web.pages import (
    account,
    certifier,
    exhibitor_fairs,
    exhibitor_org,
    exhibitor_products,
    exhibitor_sales,
    exhibitor_signup,
    home,
    inspector,
    organization,
    platform,
)
from ocop_web.pages import allocation as allocation_pages
from ocop_web.pages import console as console_pages
from ocop_web.pages import dashboard as dashboard_pages
from ocop_web.pages import fair_kinds as fair_kinds_pages
from ocop_web.pages import fair_report as fair_report_pages
from ocop_web.pages import fairs as fairs_pages
from ocop_web.pages import floorplan as floorplan_pages
from ocop_web.pages import money as money_pages
from ocop_web.pages import retailer as retailer_pages
from ocop_web.pages import retailer_sales as retailer_sales_pages
from ocop_web.pages import review as review_pages
from ocop_web.pages import series as series_pages
from ocop_web.pages import settlement as settlement_pages
from ocop_web.pages import showroom_hours as showroom_hours_pages
from ocop_web.pages import stock as stock_pages
from ocop_web.pages import tills as tills_pages
from ocop_web.pages import trade as trade_pages
from ocop_web.pages import visitors as visitors_pages
from ocop_web.security import CsrfRefused, SecurityHeaders, check_csrf
from ocop_web.session import LANGUAGE_COOKIE, forget_session, secure_cookies
from ocop_web.settings import WebSettings
from ocop_web.templating import environment, render
from ocop_web.till import router as till_router

log = get_logger(__name__)

# Page areas: add your router here (one module per area under pages/).
EXHIBITOR_ROUTERS = [
    exhibitor_signup.router,
    exhibitor_org.router,
    exhibitor_products.router,
    exhibitor_fairs.router,
    exhibitor_sales.router,
]
ROUTERS = [
    home.router,
    account.router,
    floorplan_pages.router,
    allocation_pages.router,
    console_pages.router,
    fair_kinds_pages.router,  # the fair form's kinds (issue 15), before fairs' /{fair_id}
    showroom_hours_pages.router,  # a showroom's opening hours changed (issue 15)
    fairs_pages.router,
    review_pages.router,
    money_pages.router,
    tills_pages.router,
    dashboard_pages.router,
    fair_report_pages.router,
    # trade matching, visitors, fair series (issue 15)
    trade_pages.router,
    visitors_pages.router,
    series_pages.router,
    *EXHIBITOR_ROUTERS,
    # authorities, the platform, organizations (W5)
    certifier.router,
    inspector.router,
    platform.router,
    organization.router,
    retailer_pages.router,  # a retailer's stores and promotion weeks (issue 15)
    # stock at the booth, consignment settlement, a retailer's sales file (issue 15)
    stock_pages.router,
    settlement_pages.router,
    retailer_sales_pages.router,
    # the till app and its proxy to sales (issue 13)
    till_router,
]


async def csrf_protected(request: Request) -> None:
    await check_csrf(request, request.app.state.settings.web_secret.get_secret_value())


def build(
    settings: WebSettings | None = None,
    *,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    live_updates: bool | None = None,
) -> FastAPI:
    """``transports`` replaces the services' network transports (tests: in-process apps
    through ``httpx.ASGITransport``, or ``httpx.MockTransport``). ``live_updates``: run the
    sales topic's consumer for the live dashboard (``ocop_web.live``); by default yes, unless
    the services are replaced (tests)."""
    settings = settings or WebSettings()
    configure_logging(settings.service, settings.log_level, settings.log_format)
    if settings.check_assets:
        assets.require_installed()
    i18n.load()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if live_updates if live_updates is not None else transports is None:
            async with live_consumer(app.state.live_hub):
                yield
        else:
            yield
        await app.state.clients.close()

    app = FastAPI(
        title="ocop-fairs web",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_protected)],
    )
    app.state.settings = settings
    app.state.clients = Clients(
        settings.service_urls(), settings.api_timeout_seconds, transports=transports
    )
    app.state.templates = environment()
    app.state.live_hub = Hub()

    app.add_middleware(LanguageMiddleware, default=settings.default_language)
    app.add_middleware(CorrelationMiddleware)
    app.add_middleware(SecurityHeaders)  # outermost: every answer, errors included

    install_error_pages(app)
    app.mount("/static", StaticFiles(directory=assets.STATIC), name="static")

    @app.get("/health/live", include_in_schema=False)
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    for router in ROUTERS:
        app.include_router(router)
    return app


def install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(SignedOut)
    async def signed_out(request: Request, exc: SignedOut) -> Response:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            back = request.headers.get("HX-Current-URL") or "/"
        query = {"notice": exc.reason} if exc.reason != "sign_in_required" or back != "/" else {}
        if back != "/":
            query["next"] = back
        target = "/sign-in" + (f"?{urlencode(query)}" if query else "")
        if request.headers.get("HX-Request") == "true":
            response: Response = Response(status_code=204, headers={"HX-Redirect": target})
        else:
            response = RedirectResponse(target, status_code=303)
        if exc.reason != "sign_in_required":
            forget_session(request, response)
        return response

    @app.exception_handler(Unavailable)
    async def unavailable(request: Request, exc: Unavailable) -> Response:
        return render(
            request,
            "errors/unavailable.html",
            status_code=503,
            headers={"Retry-After": exc.retry_after or "5"},
        )

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        # A refusal no page handled: not found (or out of reach), not allowed, or not valid.
        status = exc.status if exc.status in (403, 404, 409, 422, 429) else 400
        template = {403: "errors/forbidden.html", 404: "errors/not_found.html"}.get(
            status, "errors/refused.html"
        )
        return render(request, template, status_code=status)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _exc: CsrfRefused) -> Response:
        return render(request, "errors/csrf.html", status_code=403)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, _exc: RequestValidationError) -> Response:
        return render(request, "errors/refused.html", status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return render(request, "errors/not_found.html", status_code=404)
        if exc.status_code == 405:
            return render(request, "errors/not_found.html", status_code=405)
        return render(request, "errors/refused.html", status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("page failed", path=request.url.path, error=repr(exc))
        return render(request, "errors/server_error.html", status_code=500)


class LanguageMiddleware:
    """The page's language: ``?lang=vi|en`` (kept in a cookie for a year, and the address
    given back without it), else the cookie, else Vietnamese."""

    def __init__(self, app: Any, default: i18n.Language = "vi") -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        asked = i18n.parse_language(request.query_params.get("lang"))
        if asked is not None and request.method == "GET":
            rest = [
                (k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode()) if k != "lang"
            ]
            target = quote(request.url.path) + (f"?{urlencode(rest)}" if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(
                LANGUAGE_COOKIE,
                asked,
                max_age=365 * 24 * 3600,
                httponly=True,
                secure=_secure(request),
                samesite="lax",
                path="/",
            )
            await response(scope, receive, send)
            return
        language = asked or i18n.parse_language(request.cookies.get(LANGUAGE_COOKIE))
        i18n.set_language(language or self.default)
        await self.app(scope, receive, send)


def _secure(request: Request) -> bool:
    try:
        return secure_cookies(request)
    except AttributeError:
        return request.url.scheme == "https"


def asgi() -> FastAPI:
    """The app alone, for servers that import a factory (several worker processes)."""
    return build()
