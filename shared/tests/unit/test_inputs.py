"""The input classes refuse each kind of bad input with a 422 naming the field, and the
error answer itself is always encodable."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError

from ocop_shared.inputs import (
    ControlCharacterGuard,
    Day,
    FiniteFloat,
    Int32,
    Moment,
    Name,
    SearchText,
    Vnd,
    bounded_list,
    escape_like,
    safe_errors,
)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name = "Mật ong"
    price: Vnd = 0
    group: Int32 = 1
    x: FiniteFloat = 0.0
    day: Day = date(2026, 11, 30)
    at: Moment | None = None
    tags: bounded_list(Name, 3) = []  # type: ignore[valid-type]
    q: SearchText = ""


def refused(field: str, value: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        Body.model_validate({field: value})
    errors = caught.value.errors()
    assert errors[0]["loc"][0] == field, errors
    return str(errors[0]["msg"])


def test_integers_are_strict_and_bounded() -> None:
    refused("price", "12.000")  # twelve thousand, Vietnamese style: never 12
    refused("price", "12000")
    refused("price", 12.0)
    refused("price", -1)
    refused("price", 10**13)
    refused("group", 2**31)
    refused("group", 18446744073709551616)
    assert Body.model_validate({"price": 12_000}).price == 12_000


def test_floats_are_finite() -> None:
    refused("x", math.nan)
    refused("x", math.inf)
    refused("x", "12.000")
    refused("x", True)
    assert Body.model_validate({"x": 3}).x == 3.0
    assert Body.model_validate_json('{"x": 1.5}').x == 1.5
    with pytest.raises(ValidationError):
        Body.model_validate_json('{"x": NaN}')


def test_dates_and_moments_stay_within_the_century() -> None:
    assert "between 01/01/2000 and 31/12/2100" in refused("day", "0001-01-01")
    refused("day", "9999-12-31")
    refused("at", "9999-12-31T23:59:59+00:00")
    assert "UTC offset" in refused("at", "2026-11-30T09:00:00")
    at = Body.model_validate({"at": "2026-11-30T09:00:00+07:00"}).at
    assert at == datetime.fromisoformat("2026-11-30T09:00:00+07:00")


def test_text_is_nfc_visible_and_free_of_control_characters() -> None:
    decomposed = "Ha\u0323 Long"  # "Hạ Long" with a combining dot below
    assert Body.model_validate({"name": decomposed}).name == "Hạ Long"
    assert "empty" in refused("name", "\u200b")  # only a zero-width space
    refused("name", " \u2060\ufeff ")
    assert "control" in refused("name", "Mật\x00ong")
    refused("name", "a\nb")
    assert "valid Unicode" in refused("name", "M\ud800t")  # a lone surrogate
    refused("name", "x" * 201)
    refused("name", 12)  # not text
    assert Body.model_validate({"q": ""}).q == ""
    refused("tags", ["a", "b", "c", "d"])


def test_text_documents_its_real_bounds() -> None:
    name = Body.model_json_schema()["properties"]["name"]
    assert name["maxLength"] == 200 and name["minLength"] == 1


def test_like_wildcards_are_escaped() -> None:
    assert escape_like("50%_off\\") == "50\\%\\_off\\\\"


def test_error_answers_never_echo_undecodable_input() -> None:
    with pytest.raises(ValidationError) as caught:
        Body.model_validate_json(b'{"name": "\xff\xfe"}')
    errors = safe_errors(caught.value.errors())
    assert all(set(e) == {"type", "loc", "msg"} for e in errors)
    JSONResponse(content={"detail": errors})  # encodes


def guarded_app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(ControlCharacterGuard)

    @app.exception_handler(RequestValidationError)
    async def invalid(_r: Any, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": safe_errors(exc.errors())})

    @app.get("/products")
    async def products(q: str = "") -> dict[str, str]:
        return {"q": q}

    @app.post("/sales")
    async def sales(body: Body) -> dict[str, str]:
        return {"name": body.name}

    return app


async def test_control_characters_in_the_query_string_are_refused_naming_the_parameter() -> None:
    transport = httpx.ASGITransport(app=guarded_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        nul = await client.get("/products?q=m%E1%BA%ADt%00")
        assert nul.status_code == 422
        assert nul.json()["detail"][0]["loc"] == ["query", "q"]
        bad_utf8 = await client.get("/products?q=%ff")
        assert bad_utf8.status_code == 422
        fine = await client.get("/products?q=m%E1%BA%ADt%20ong")
        assert fine.json() == {"q": "mật ong"}
        garbage = await client.post(
            "/sales", content=b'{"name": "\xff"}', headers={"content-type": "application/json"}
        )
        assert garbage.status_code in (400, 422)  # FastAPI's own body reader says 400
        assert "\ufffd" not in garbage.text and "input" not in garbage.text
