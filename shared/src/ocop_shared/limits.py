"""Request body limits, checked before anything parses a body.

Every route of every service takes at most ``JSON_LIMIT`` bytes (1 MiB: a batch of 1,000
offline sales is ~400 KB), and a route with a file or form parameter (the register import,
the bank statement) ``UPLOAD_LIMIT`` (10 MiB). A route that needs another limit says so with
FastAPI's own keyword, ``@router.post(..., max_body_size=N)``; that number is the route's limit,
whether above or below the defaults.

A request over its limit answers 413 with the usual error body
``{"detail": ..., "code": "too_large", "field": "body"}`` and a ``Max-Body-Size`` header
giving the limit in bytes:

* from its ``Content-Length``, at once: the body is never read and the route never runs;
* while its body streams in (chunked, or a ``Content-Length`` that lies): as soon as the bytes
  received pass the limit, whoever is reading (the idempotency middleware, FastAPI's body or
  form parsing, ``json_body``) gets ``BodyTooLarge`` and nothing is parsed.

Why a middleware of ours rather than FastAPI's ``max_body_size`` (0.165, on the app, a router
or a route): the app-wide limit applies to middleware that read the body before routing (our
idempotency middleware does), so a route's larger limit would never be reached by a request
with an ``Idempotency-Key``; when the route does not read its body, a request whose
``Content-Length`` is over the limit still runs its handler before the 413 replaces the answer;
and its 413 is plain text, not the services' error body. This middleware sits outside every
other one (``create_app`` installs it last) and looks the route up only for a request larger
than the smallest limit of the app, so the hot path (a sale, a few hundred bytes) costs a
comparison.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from fastapi import FastAPI, params
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ocop_shared.authz import api_routes

JSON_LIMIT = 1 << 20  # 1 MiB
UPLOAD_LIMIT = 10 << 20  # 10 MiB
LIMIT_HEADER = "Max-Body-Size"


class BodyTooLarge(HTTPException):
    """Raised by the limited ``receive`` once a body passes its route's limit. An
    ``HTTPException``, so FastAPI's body and form parsing pass it on (it turns any other
    exception from the stream into a 400) and the app's handler answers it."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=too_large_detail(limit))
        self.limit = limit


def too_large_detail(limit: int) -> str:
    return f"the request body is larger than the {limit} bytes this operation takes"


def too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        status_code=413,
        content={"detail": too_large_detail(limit), "code": "too_large", "field": "body"},
        # The body may be left unread: the connection cannot carry another request.
        headers={LIMIT_HEADER: str(limit), "Connection": "close"},
    )


def install_body_limits(
    app: FastAPI, *, json_limit: int = JSON_LIMIT, upload_limit: int = UPLOAD_LIMIT
) -> None:
    """Installs the limits; call it after every other middleware so it runs first."""
    app.add_middleware(BodyLimitMiddleware, json_limit=json_limit, upload_limit=upload_limit)

    async def handler(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, BodyTooLarge)
        return too_large(exc.limit)

    app.add_exception_handler(BodyTooLarge, handler)


def takes_upload(dependant: Dependant) -> bool:
    """Whether a route (or a dependency of it) reads a form or a file: the upload limit."""
    return any(isinstance(p.field_info, params.Form) for p in dependant.body_params) or any(
        takes_upload(d) for d in dependant.dependencies
    )  # (params.File is a params.Form)


class RouteLimits:
    """Each route's limit, from the app's routes (read once, at the first request)."""

    def __init__(self, routes: Iterable[object], json_limit: int, upload_limit: int) -> None:
        self.default = json_limit
        self.routes: list[tuple[re.Pattern[str], set[str], int]] = []
        for path, route in api_routes(routes):
            declared = getattr(route, "max_body_size", None)  # FastAPI >= 0.165's keyword
            if declared is not None:
                limit = int(declared)
            else:
                limit = upload_limit if takes_upload(route.dependant) else json_limit
            regex, _format, _convertors = compile_path(path)
            self.routes.append((regex, set(route.methods or ()), limit))
        # Below this size no request can be over its limit: no route lookup.
        self.smallest = min([json_limit, *(limit for _, _, limit in self.routes)])

    def of(self, scope: Scope) -> int:
        path = scope["path"].removeprefix(scope.get("root_path", ""))
        for regex, methods, limit in self.routes:
            if scope["method"] in methods and regex.match(path):
                return limit
        return self.default  # no route (404) or another method (405)


class BodyLimitMiddleware:
    """Plain ASGI: refuses a body over its route's limit, from ``Content-Length`` or as it
    streams in, before anything inside reads it."""

    def __init__(self, app: ASGIApp, *, json_limit: int, upload_limit: int) -> None:
        self.app = app
        self.json_limit = json_limit
        self.upload_limit = upload_limit
        self._limits: RouteLimits | None = None

    def _route_limits(self, scope: Scope) -> RouteLimits:
        if self._limits is None:
            routes = getattr(scope.get("app"), "routes", [])
            self._limits = RouteLimits(routes, self.json_limit, self.upload_limit)
        return self._limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limits = self._route_limits(scope)
        found: list[int] = []

        def limit() -> int:  # the route's limit, looked up once and only when needed
            if not found:
                found.append(limits.of(scope))
            return found[0]

        declared = content_length(scope)
        if declared is not None and declared > limits.smallest and declared > limit():
            await too_large(limit())(scope, receive, send)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limits.smallest and received > limit():
                    raise BodyTooLarge(limit())
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge as exc:
            # Read by a middleware before routing (idempotency): nothing answered it yet.
            if started:
                raise
            await too_large(exc.limit)(scope, receive, send)


def content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
