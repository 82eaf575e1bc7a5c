"""Issue 11's input classes through the sales API: each class of bad input answers a 4xx
naming its field (never a 5xx, never the input echoed back, never the database's last-resort
422 naming only ``body``) and records nothing. The pure model tests are in
``tests/unit/test_input_classes.py``."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ocop_shared.service import Service

Upstream = Any


def named(response: httpx.Response, *loc: str | int) -> None:
    """A 422 naming exactly ``loc``."""
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["detail"]] == [list(loc)], response.text


async def stored(service: Service, booth: dict[str, Any]) -> int:
    return int(
        await service.pool.fetchval(
            "select count(*) from sales where terminal_id = $1",
            uuid.UUID(booth["terminal"]["terminal_id"]),
        )
    )


@pytest.fixture
async def booth(upstream: Upstream) -> dict[str, Any]:
    return await upstream.exhibitor_at_booth([("Mật ong rừng", 250_000)])  # type: ignore[no-any-return]


# -- bodies that cannot be read --------------------------------------------------------------


@pytest.mark.parametrize("path", ["/sales", "/sales/batch"])
@pytest.mark.parametrize("with_token", [True, False])
async def test_a_body_that_is_not_utf8_is_a_4xx_that_echoes_nothing(
    sales_app: tuple[Service, httpx.AsyncClient],
    booth: dict[str, Any],
    path: str,
    with_token: bool,
) -> None:
    service, client = sales_app
    body = b'{"sale_id": "\xff\xfe\xfd", "lines": [\xc3\x28]}'
    response = await client.post(
        path,
        headers={**(booth["headers"] if with_token else {}), "Content-Type": "application/json"},
        content=body,
    )
    assert 400 <= response.status_code < 500, response.text
    assert b"\xff" not in response.content and b"\\u00ff" not in response.content
    json.loads(response.content)  # a JSON body, whatever was sent
    assert await stored(service, booth) == 0


async def test_a_refund_body_that_is_not_utf8_is_a_4xx(
    sales_app: tuple[Service, httpx.AsyncClient], booth: dict[str, Any]
) -> None:
    _, client = sales_app
    response = await client.post(
        f"/sales/{uuid.uuid4()}/refunds",
        headers={**booth["headers"], "Content-Type": "application/json"},
        content=b'{"reason": "\xff"}',
    )
    assert 400 <= response.status_code < 500, response.text
    assert b"\xff" not in response.content


# -- numbers: strict, bounded, finite -----------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        ("total_vnd", "NaN"),
        ("total_vnd", "Infinity"),
        ("total_vnd", '"250.000"'),  # Vietnamese 250 thousand: not 250 dong
        ("total_vnd", str(2**64)),
    ],
)
async def test_money_is_a_bounded_whole_number_of_dong(
    sales_app: tuple[Service, httpx.AsyncClient],
    booth: dict[str, Any],
    sale: Any,
    field: str,
    raw: str,
) -> None:
    service, client = sales_app
    body = json.dumps(sale(booth["products"])).replace('"total_vnd": 250000', f'"{field}": {raw}')
    response = await client.post(
        "/sales", headers={**booth["headers"], "Content-Type": "application/json"}, content=body
    )
    named(response, "body", field)
    assert "NaN" not in response.text and "Infinity" not in response.text
    assert await stored(service, booth) == 0


@pytest.mark.parametrize("value", [2**31, 2**64, -1, "1e3"])
async def test_after_receipt_is_a_bounded_count(
    upstream: Upstream,
    sales_app: tuple[Service, httpx.AsyncClient],
    booth: dict[str, Any],
    value: Any,
) -> None:
    _, client = sales_app
    for headers in (booth["headers"], upstream.organizer_headers):
        response = await client.get(
            "/sales",
            headers=headers,
            params={"fair_id": str(upstream.fair_id), "after_receipt": str(value)},
        )
        named(response, "query", "after_receipt")
    response = await client.get("/sales", headers=booth["headers"], params={"limit": str(2**64)})
    named(response, "query", "limit")


async def test_the_largest_after_receipt_is_an_empty_page(
    sales_app: tuple[Service, httpx.AsyncClient], booth: dict[str, Any]
) -> None:
    _, client = sales_app
    response = await client.get(
        "/sales", headers=booth["headers"], params={"after_receipt": str(2**31 - 1)}
    )
    assert response.status_code == 200 and response.json() == []


async def test_a_nul_byte_in_a_query_string_is_422_naming_the_parameter(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], booth: dict[str, Any]
) -> None:
    _, client = sales_app
    for query in ("fair_id=%00", "after_receipt=1%00", "by=day%00&format=csv"):
        path = (
            f"/fairs/{upstream.fair_id}/reports/revenue?{query}"
            if query.startswith("by")
            else f"/sales?{query}"
        )
        response = await client.get(path, headers=upstream.organizer_headers)
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"][0] == "query", response.text


# -- device times ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00"]
)
async def test_a_device_time_in_year_1_or_9999_is_422_naming_it(
    sales_app: tuple[Service, httpx.AsyncClient],
    booth: dict[str, Any],
    sale: Any,
    moment: str,
) -> None:
    service, client = sales_app
    body = {**sale(booth["products"]), "device_time": moment}
    named(await client.post("/sales", headers=booth["headers"], json=body), "body", "device_time")
    batch = {"sales": [sale(booth["products"]), body]}
    named(
        await client.post("/sales/batch", headers=booth["headers"], json=batch),
        "body",
        "sales",
        1,
        "device_time",
    )
    assert await stored(service, booth) == 0


# -- text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["\u200b", "Quầy\x001", "x" * 81, 5])
async def test_a_tills_label_is_visible_bounded_text(
    upstream: Upstream,
    sales_app: tuple[Service, httpx.AsyncClient],
    booth: dict[str, Any],
    label: Any,
) -> None:
    service, client = sales_app
    before = await service.pool.fetchval("select count(*) from terminals")
    response = await client.post(
        f"/fairs/{upstream.fair_id}/terminals",
        headers=upstream.organizer_headers,
        json={"booth_id": str(booth["booth_id"]), "label": label},
    )
    named(response, "body", "label")
    assert await service.pool.fetchval("select count(*) from terminals") == before


@pytest.mark.parametrize("reason", ["\u200b\u2060", "đổi\x00ý", "x" * 501, "\ud800"])
async def test_a_refunds_reason_is_visible_bounded_text(
    sales_app: tuple[Service, httpx.AsyncClient], booth: dict[str, Any], sale: Any, reason: str
) -> None:
    service, client = sales_app
    body = sale(booth["products"])
    assert (await client.post("/sales", headers=booth["headers"], json=body)).status_code == 201
    refund = {
        "refund_id": str(uuid.uuid4()),
        "lines": [{"line_no": 0, "quantity": 1}],
        "method": "cash",
        "reason": reason,
    }
    response = await client.post(
        f"/sales/{body['sale_id']}/refunds",
        headers={**booth["headers"], "Content-Type": "application/json"},
        content=json.dumps(refund),  # ensure_ascii: a lone surrogate travels as \ud800
    )
    named(response, "body", "reason")
    assert not await service.pool.fetchval(
        "select count(*) from refunds where sale_id = $1", uuid.UUID(body["sale_id"])
    )


# -- sizes: the body limit bites before anything parses ---------------------------------------


async def test_a_34_mb_batch_is_413_before_it_is_parsed(
    sales_app: tuple[Service, httpx.AsyncClient], booth: dict[str, Any], sale: Any
) -> None:
    service, client = sales_app
    one = json.dumps(sale(booth["products"])).encode()
    body = b'{"sales": [' + b",".join([one] * (34_000_000 // len(one))) + b"]}"
    assert len(body) > 33_000_000
    started = time.perf_counter()
    response = await client.post(
        "/sales/batch",
        headers={**booth["headers"], "Content-Type": "application/json"},
        content=body,
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 413, response.text
    assert response.json()["field"] == "body" and response.json()["code"] == "too_large"
    assert elapsed < 1.0, f"{elapsed:.2f} s: the body was read or parsed"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: stopped while streaming
        for start in range(0, len(body), 1 << 16):
            yield body[start : start + (1 << 16)]

    response = await client.post(
        "/sales/batch",
        headers={**booth["headers"], "Content-Type": "application/json"},
        content=chunks(),
    )
    assert response.status_code == 413, response.text
    assert await stored(service, booth) == 0


# -- the documented answers ---------------------------------------------------------------------


async def test_every_operation_documents_its_refusals_with_the_platforms_bodies(
    sales_app: tuple[Service, httpx.AsyncClient],
) -> None:
    _, client = sales_app
    schema = (await client.get("/openapi.json")).json()
    components = schema["components"]["schemas"]
    assert "ErrorAnswer" not in components and "InvalidAnswer" not in components
    problem = {"$ref": "#/components/schemas/Problem"}
    for path in ("/sales", "/sales/{sale_id}/refunds", "/sales/{sale_id}/refund-approvals"):
        answers = schema["paths"][path]["post"]["responses"]
        for status in ("401", "403", "404", "409", "413", "429"):
            assert answers[status]["content"]["application/json"]["schema"] == problem, (
                path,
                status,
            )
        assert answers["422"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/HTTPValidationError"
        }
    after = next(
        p for p in schema["paths"]["/sales"]["get"]["parameters"] if p["name"] == "after_receipt"
    )
    assert after["schema"]["maximum"] == 2**31 - 1 and after["schema"]["minimum"] == 0
