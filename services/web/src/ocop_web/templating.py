"""Rendering a page: Jinja2 templates under ``templates/`` with the i18n extension (``_()``,
``ngettext``), filters ``money``, ``day``, ``moment``, ``number``, and the context every page
has: the language, the CSRF token, the viewer and their navigation, ``asset()`` URLs.

An htmx request (header ``HX-Request``) for a page that ``extends "base.html"`` gets the page
whole; a route answering htmx with a fragment renders a template of its own (no base)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ocop_web import i18n, navigation
from ocop_web.assets import Fingerprints
from ocop_web.forms import FormState
from ocop_web.security import ANONYMOUS_COOKIE, CSRF_FIELD, csrf_token
from ocop_web.session import ORGANIZATION_KINDS, ROLE_NAMES, Viewer, secure_cookies

TEMPLATES = Path(__file__).resolve().parent / "templates"


def environment(fingerprints: Fingerprints | None = None) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "svg"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda s: i18n.gettext(s),
        lambda s, p, n: i18n.plural(s, p, n),
        newstyle=True,
    )
    env.filters.update(money=i18n.money, day=i18n.day, moment=i18n.moment, number=i18n.number)
    env.globals.update(
        asset=fingerprints or Fingerprints(),
        ROLE_NAMES=ROLE_NAMES,
        ORGANIZATION_KINDS=ORGANIZATION_KINDS,
        LANGUAGE_NAMES=i18n.LANGUAGE_NAMES,
        CSRF_FIELD=CSRF_FIELD,
        FormState=FormState,
    )
    return env


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    env: Environment = request.app.state.templates
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    token = csrf_token(request, request.app.state.settings.web_secret.get_secret_value())
    language = i18n.current_language()
    other = "en" if language == "vi" else "vi"
    query = dict(request.query_params)
    query.pop("lang", None)
    page = {
        "request": request,
        "lang": language,
        "other_language": other,
        "switch_language_url": _with_query(request.url.path, {**query, "lang": other}),
        "csrf_token": token,
        "viewer": viewer,
        "nav": navigation.items_for(viewer),
        "current_path": request.url.path,
        "htmx": request.headers.get("HX-Request") == "true",
        "notice": None,
        **(context or {}),
    }
    html = env.get_template(template).render(page)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    visitor = getattr(request.state, "visitor", None)
    if visitor and ANONYMOUS_COOKIE not in request.cookies:
        response.set_cookie(
            ANONYMOUS_COOKIE,
            visitor,
            httponly=True,
            secure=secure_cookies(request),
            samesite="lax",
            path="/",
        )
    return response


def _with_query(path: str, query: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return f"{path}?{urlencode(query)}" if query else path
