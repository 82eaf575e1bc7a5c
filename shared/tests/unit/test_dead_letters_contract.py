"""The dead-letter admin routes answer what they document: their 401 and 403 refusals fit the
schema their OpenAPI gives those statuses (the fuzz run found them documented with a body
whose ``code`` is required while the refusals carry none)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ocop_shared import answers, auth, deadletters

ORGANIZER = "organizer-token"


class FakeService:
    pool = None

    async def principal(self, token: str) -> auth.Principal | None:
        return auth.Principal("organizer", "o1") if token == ORGANIZER else None


def app() -> FastAPI:
    built = FastAPI()
    built.include_router(deadletters.router(lambda _name: None))
    built.state.service = FakeService()
    answers.document(built)
    return built


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        target: Any = doc
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        schema = target
    return schema


ROUTES = [
    ("GET", "/admin/dead-letters", "/admin/dead-letters", None),
    ("GET", "/admin/dead-letters/{letter_id}", "/admin/dead-letters/1", None),
    ("POST", "/admin/dead-letters/{letter_id}/replay", "/admin/dead-letters/1/replay", None),
    (
        "POST",
        "/admin/dead-letters/{letter_id}/discard",
        "/admin/dead-letters/1/discard",
        {"reason": "x"},
    ),
]


@pytest.mark.parametrize(("method", "route", "url", "body"), ROUTES)
@pytest.mark.parametrize(("token", "status"), [(None, 401), (ORGANIZER, 403)])
async def test_a_refusal_fits_the_schema_its_status_documents(
    method: str, route: str, url: str, body: Any, token: str | None, status: int
) -> None:
    service = app()
    doc = service.openapi()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = httpx.ASGITransport(app=service)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.request(method, url, headers=headers, json=body)
    assert response.status_code == status
    documented = doc["paths"][route][method.lower()]["responses"][str(status)]
    schema = resolve(doc, documented["content"]["application/json"]["schema"])
    answer = response.json()
    assert set(schema.get("required", [])) <= set(answer), (schema, answer)
    assert set(answer) <= set(schema["properties"]), (schema, answer)
