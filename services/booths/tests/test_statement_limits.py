"""A bank statement that cannot be read answers 422 naming ``file`` and the line, through the
API and before anything is recorded; one larger than the upload limit answers 413."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from ocop_shared.limits import UPLOAD_LIMIT
from ocop_shared.ratelimit import Limit
from ocop_shared.service import Service


def refusal(response: httpx.Response) -> str:
    """The message of a 422 naming the uploaded file (``loc`` body.file)."""
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "file"], error
    return str(error["msg"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"date,amount_vnd,description\n2024-08-20,4.000.000\n", "line 2 has 2 value(s)"),
        (b'amount_vnd,description\n1,"' + b"x" * 200_000 + b'"\n', "longer than 1000"),
        (b"amount_vnd,description\n1," + b"x" * 600 + b"\n", "description: longer than 500"),
        (b"amount_vnd,description\n1,CK\x00\n", "control characters"),
        ("amount_vnd,description\n1,\xe9\n".encode("latin-1"), "UTF-8"),
    ],
)
async def test_an_unreadable_statement_is_422_naming_the_file(
    booth_fair: Any, booths_app: tuple[Service, httpx.AsyncClient], content: bytes, message: str
) -> None:
    service, client = booths_app
    before = await service.pool.fetchval("select count(*) from payments")
    response = await client.post(
        f"/fairs/{booth_fair.fair_id}/payments/statement",
        headers=booth_fair.organizer,
        files={"file": ("bank.csv", content, "text/csv")},
    )
    assert message in refusal(response)
    assert await service.pool.fetchval("select count(*) from payments") == before


async def test_a_statement_over_the_upload_limit_is_413(
    booth_fair: Any, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _, client = booths_app
    response = await client.post(
        f"/fairs/{booth_fair.fair_id}/payments/statement",
        headers=booth_fair.organizer,
        files={"file": ("bank.csv", b"1,x\n" * (UPLOAD_LIMIT // 4 + 1), "text/csv")},
    )
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "too_large"
    assert response.headers["max-body-size"] == str(UPLOAD_LIMIT)


async def test_statement_imports_are_rate_limited_per_organization(
    booth_fair: Any, booths_app: tuple[Service, httpx.AsyncClient]
) -> None:
    service, client = booths_app
    saved = service.rate_limits["imports"]
    service.rate_limits["imports"] = Limit(f"imports_{uuid.uuid4().hex[:8]}", 2, 3600, "principal")
    try:
        statuses = []
        for _ in range(3):
            response = await client.post(
                f"/fairs/{booth_fair.fair_id}/payments/statement",
                headers=booth_fair.organizer,
                files={"file": ("bank.csv", b"amount_vnd,description\n", "text/csv")},
            )
            statuses.append(response.status_code)
        assert statuses[:2] != [429, 429] and statuses[2] == 429, statuses
        assert 1 <= int(response.headers["Retry-After"]) <= 3600
    finally:
        service.rate_limits["imports"] = saved
