"""Statuses a route sets by hand must be in its OpenAPI document: a route declared with
``status_code=201`` that answers a replay with ``response.status_code = 200`` documents only
201 unless it says ``responses={200: ...}``, and a client (or the fuzzer) reading the document
meets a status it was never told about."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator

from fastapi import FastAPI

from ocop_shared.authz import api_routes

_SET_STATUS = re.compile(r"response\.status_code\s*=\s*(\d{3})")


def undocumented_statuses(app: FastAPI) -> Iterator[str]:
    """``METHOD path: status`` for each status a route's own code sets that its operation in
    ``app.openapi()`` does not list."""
    paths = app.openapi()["paths"]
    for path, route in api_routes(app.routes):
        if not route.include_in_schema:
            continue
        statuses = set(_SET_STATUS.findall(inspect.getsource(route.endpoint)))
        for method in sorted(route.methods or ()):
            documented = set(paths[path][method.lower()]["responses"])
            for status in sorted(statuses - documented):
                yield f"{method} {path}: {status}"
