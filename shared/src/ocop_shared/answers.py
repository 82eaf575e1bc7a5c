"""Every operation documents what it can answer, with the error body, so generated clients and
fuzzers see the real contract (a route declares its success answer; the platform adds the
rest from what it knows about the route).

| status | when | on |
|---|---|---|
| 400 | a body that cannot be read at all | operations with a body |
| 401 | no, or an invalid, expired or revoked credential | operations that read a credential |
| 403 | the caller's role may not call it (the authorization table) | operations with a gate |
| 404 | a record that does not exist or is not the caller's | every operation but the probes |
| 409 | a conflict with the record's state | operations that change something |
| 413 | a body or a file over the route's limit (any request may carry one) | every operation but the probes |
| 422 | a field or parameter breaks its input class or a rule | every operation but the probes |
| 429 | too many attempts; Retry-After says when to try again | every operation but the probes |
| 503 | the database is away; Retry-After says when to try again | every operation |
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from ocop_shared.authz import api_routes, authorized, maybe_authorized


class Problem(BaseModel):
    """The body of every refusal but a validation error."""

    detail: str = Field(description="what went wrong, for people")
    code: str | None = Field(default=None, description="a stable machine-readable code")
    field: str | None = Field(default=None, description="the field it is about, if any")


def replay_of(model: type[BaseModel], what: str) -> dict[int | str, dict[str, Any]]:
    """The 200 a create route (declared 201) answers when the same id and content come again:
    ``responses=replay_of(TheModel, "meeting")``."""
    return {200: {"model": model, "description": f"a replay of a {what} already recorded"}}


PROBES = {"/health", "/health/live", "/health/ready", "/metrics"}
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
DESCRIPTIONS = {
    "400": "The body could not be read",
    "401": "No valid credential (missing, invalid, expired or revoked)",
    "403": "The caller's role may not do this",
    "404": "No such record, or not the caller's",
    "409": "Conflicts with the record's current state",
    "413": "The body or file is over this operation's limit",
    "422": "A field or parameter is invalid (each error names it)",
    "429": "Too many attempts; try again after Retry-After seconds",
    "503": "Temporarily unavailable; try again after Retry-After seconds",
}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    if dependant.call is not None:
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _calls(sub)


def statuses(method: str, path: str, route: APIRoute) -> list[str]:
    calls = set(_calls(route.dependant))
    if path in PROBES:
        return ["503"] if path != "/health/live" else []
    found = ["404", "413", "422", "429", "503"]  # 413: any request may carry a body
    if authorized in calls or maybe_authorized in calls or path.startswith("/admin/"):
        found.append("401")
    if authorized in calls or path.startswith("/admin/"):
        found.append("403")
    if method in MUTATING:
        found += ["400", "409"]
    return sorted(found)


def document(app: FastAPI) -> None:
    """Makes ``app.openapi()`` add the platform's answers to every operation."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = Problem.model_json_schema()
        invalid = (
            {"$ref": "#/components/schemas/HTTPValidationError"}
            if "HTTPValidationError" in components
            else _validation_schema(components)
        )
        for path, route in api_routes(app.routes):
            if not route.include_in_schema:
                continue
            for method in (route.methods or set()) - {"HEAD", "OPTIONS"}:
                operation = schema["paths"].get(path, {}).get(method.lower())
                if operation is None:
                    continue
                answers = operation.setdefault("responses", {})
                for status in statuses(method, path, route):
                    if status in answers:
                        continue
                    body = invalid if status == "422" else {"$ref": "#/components/schemas/Problem"}
                    answers[status] = {
                        "description": DESCRIPTIONS[status],
                        "content": {"application/json": {"schema": body}},
                    }
                    if status in ("429", "503"):
                        answers[status]["headers"] = RETRY_AFTER
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _validation_schema(components: dict[str, Any]) -> dict[str, Any]:
    """FastAPI's validation error schemas, added when no operation brought them."""
    components["ValidationError"] = {
        "type": "object",
        "title": "ValidationError",
        "required": ["loc", "msg", "type"],
        "properties": {
            "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            "msg": {"type": "string"},
            "type": {"type": "string"},
        },
    }
    components["HTTPValidationError"] = {
        "type": "object",
        "title": "HTTPValidationError",
        "properties": {
            "detail": {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}}
        },
    }
    return {"$ref": "#/components/schemas/HTTPValidationError"}
