"""A fresh session is announced to booths and sales by Kafka: their 401 for a session signed
in less than 10 s ago is retried with a short backoff (under 2 s in all) before the person is
sent to sign in; an older session's 401, or registration's, is final at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ocop_web.api import RETRY_DELAYS, Api, ApiError, Clients, SignedOut


def clients(answers: list[int], seen: list[httpx.Request]) -> Clients:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status = answers.pop(0) if answers else 200
        if status == 401:
            return httpx.Response(401, json={"detail": "invalid or revoked token"})
        return httpx.Response(status, json={"ok": True})

    transport = httpx.MockTransport(answer)
    urls = {s: f"http://{s}" for s in ("registration", "booths", "sales")}
    return Clients(urls, 5.0, transports={s: transport for s in urls})


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 8, 29, 8, 0, tzinfo=UTC)
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


def api_for(
    answers: list[int], seen: list[httpx.Request], signed_in_ago: float | None
) -> tuple[Api, Clock]:
    clock = Clock()
    api = Api(clients(answers, seen), "tok", "corr", sleep=clock.sleep, now=lambda: clock.now)
    if signed_in_ago is not None:
        api.signed_in_at = clock.now - timedelta(seconds=signed_in_ago)
    return api, clock


@pytest.mark.parametrize("service", ["booths", "sales"])
async def test_a_fresh_sessions_401_is_retried_until_the_service_knows_it(service: str) -> None:
    seen: list[httpx.Request] = []
    api, clock = api_for([401, 401, 200], seen, signed_in_ago=0.3)
    answer = await getattr(api, service).post("/fairs/f/terminals", json={"label": "Quầy 1"})
    assert answer == {"ok": True}
    assert len(seen) == 3
    assert clock.slept == list(RETRY_DELAYS[:2])
    # the same mutation each time: one idempotency key
    assert len({r.headers["Idempotency-Key"] for r in seen}) == 1


async def test_the_retries_stop_within_two_seconds_then_the_person_signs_in() -> None:
    seen: list[httpx.Request] = []
    api, clock = api_for([401] * 50, seen, signed_in_ago=1)
    with pytest.raises(SignedOut):
        await api.sales.get("/fairs/f/terminals")
    assert sum(clock.slept) <= 2.0
    assert len(seen) == len(RETRY_DELAYS) + 1


async def test_an_older_sessions_401_is_final_at_once() -> None:
    seen: list[httpx.Request] = []
    api, clock = api_for([401, 200], seen, signed_in_ago=11)
    with pytest.raises(SignedOut):
        await api.booths.get("/fairs/f/floorplan")
    assert len(seen) == 1 and clock.slept == []


async def test_a_session_of_unknown_age_is_not_retried() -> None:
    seen: list[httpx.Request] = []
    api, clock = api_for([401, 200], seen, signed_in_ago=None)
    with pytest.raises(SignedOut):
        await api.sales.get("/x")
    assert len(seen) == 1 and clock.slept == []


async def test_registrations_401_is_never_retried() -> None:
    """Registration issues the session: it knows it at once, so its 401 means signed out."""
    seen: list[httpx.Request] = []
    api, clock = api_for([401, 200], seen, signed_in_ago=0.1)
    with pytest.raises(SignedOut):
        await api.registration.get("/session")
    assert len(seen) == 1 and clock.slept == []


async def test_other_refusals_are_not_retried() -> None:
    seen: list[httpx.Request] = []
    api, clock = api_for([403, 200], seen, signed_in_ago=0.1)
    with pytest.raises(ApiError):
        await api.sales.get("/x")
    assert len(seen) == 1 and clock.slept == []


async def test_the_page_learns_when_the_session_was_signed_in() -> None:
    """session.signed_in reads registration's created_at for the Api (the pages' viewer)."""
    from ocop_web.session import _when

    assert _when("2026-03-27T01:00:00+00:00") == datetime(2026, 3, 27, 1, 0, tzinfo=UTC)
    assert _when("2026-03-27T01:00:00") == datetime(2026, 3, 27, 1, 0, tzinfo=UTC)
    assert _when(None) is None and _when("soon") is None
