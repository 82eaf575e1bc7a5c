"""Each service's API documentation page (``/docs``), with Swagger UI served by the service
itself: a machine without internet (a fair's hall) still shows it, where FastAPI's default
page loads its JavaScript and CSS from a CDN. ``create_app`` builds the app with
``docs_url=None, redoc_url=None`` (ReDoc loads from a CDN too) and calls ``install``.

The files (swagger-ui-dist, pinned in services/web/assets/package-lock.json) are copied into
``static/swagger-ui/`` beside this module by ``services/web/assets/install.sh`` and checked
against its manifest. Without them the service still starts and serves its API; the page
then says how to install them."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from ocop_shared.logging import get_logger

log = get_logger(__name__)

ASSETS = Path(__file__).resolve().parent / "static" / "swagger-ui"
ASSETS_PATH = "/docs-assets"
DOCS_PATH = "/docs"
REQUIRED = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")

MISSING = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
</head><body><h1>{title}</h1><p>The Swagger UI files are not installed on this machine
(<code>services/web/assets/install.sh</code> installs them). The OpenAPI document is at
<a href="{openapi}">{openapi}</a>.</p></body></html>"""


def installed(assets: Path = ASSETS) -> bool:
    return all((assets / name).is_file() for name in REQUIRED)


def install(app: FastAPI, *, assets: Path = ASSETS) -> None:
    """``/docs`` (and Swagger UI's OAuth2 redirect page) with the assets under
    ``/docs-assets``; neither is an API route (no authorization rule, not in the document)."""
    openapi_url = app.openapi_url or "/openapi.json"
    title = f"{app.title} - API"
    if not installed(assets):
        log.warning("swagger ui assets not installed; /docs shows how", folder=str(assets))
    app.mount(ASSETS_PATH, StaticFiles(directory=assets, check_dir=False), name="docs-assets")

    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        if not installed(assets):
            return HTMLResponse(MISSING.format(title=title, openapi=root + openapi_url))
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=title,
            swagger_js_url=f"{root}{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_PATH}/favicon-32x32.png",
            oauth2_redirect_url=root + DOCS_PATH + "/oauth2-redirect",
        )

    async def oauth2_redirect(_request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    app.add_route(DOCS_PATH, docs, methods=["GET"], include_in_schema=False)
    app.add_route(
        DOCS_PATH + "/oauth2-redirect", oauth2_redirect, methods=["GET"], include_in_schema=False
    )
