"""The sales findings of the reliability review (issue 14), each reproduced against the real
Postgres: Z-report membership, the server's clock for online sales, contention on one till,
catalog decisions in event-time order, the catalog re-checked by the sale's write, metrics."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from aiokafka.structs import ConsumerRecord
from prometheus_client import REGISTRY

from ocop_sales.adapters.kafka import subscriptions
from ocop_sales.adapters.postgres import PostgresRepositories, repositories
from ocop_sales.adapters.postgres.catalog import PostgresCatalog
from ocop_sales.application.commands import sales as sale_commands
from ocop_sales.domain.catalog import ProductBlock
from ocop_sales.domain.sales import (
    NO_LONGER_VALID,
    VN,
    LineIn,
    PaymentIn,
    SaleIn,
    SalePolicy,
    SalesDecision,
    Till,
)
from ocop_shared.contracts.registration import (
    AdmittedProduct,
    ApplicationApproved,
    ApplicationSnapshot,
    BoothRequest,
    CertificateIssued,
    CertificateRevoked,
    ProductSnapshot,
)
from ocop_shared.events import Event, encode_event
from ocop_shared.inbox import InboxConsumer
from ocop_shared.outbox import Causation
from ocop_shared.service import Service
from ocop_shared.uow import UnitOfWorkFactory
from ocop_testkit import wait_for

Upstream = Any


async def _lock_waiters(pool: asyncpg.Pool) -> int:
    n: int = await pool.fetchval(
        """select count(*) from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'"""
    )
    return n


async def test_every_sale_is_in_exactly_one_z_report_even_when_in_flight_at_the_close(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Bánh đa cua", 40_000), ("Chả mực", 350_000)])
    h, products = booth["headers"], booth["products"]
    terminal = uuid.UUID(booth["terminal"]["terminal_id"])

    async def post_sale(i: int) -> None:
        body = sale([products[i % 2]], [1 + i % 3])
        response = await client.post("/sales", headers=h, json=body)
        assert response.status_code == 201, response.text

    async def open_session() -> str:
        response = await client.post("/sessions", headers=h, json={"opening_cash_vnd": 100_000})
        assert response.status_code == 201, response.text
        session_id: str = response.json()["session_id"]
        return session_id

    async def close(session_id: str) -> dict[str, Any]:
        response = await client.post(
            f"/sessions/{session_id}/close", headers=h, json={"counted_cash_vnd": 0}
        )
        assert response.status_code == 200, response.text
        report: dict[str, Any] = response.json()
        return report

    first = await open_session()
    for i in range(5):
        await post_sale(i)
    # Sales in flight at the close: read and decided, their write held up by a lock on the
    # till's row (as a slow commit would), while the session closes and the next one opens.
    async with service.pool.acquire() as holder, holder.transaction():
        await holder.execute("select 1 from terminals where terminal_id = $1 for update", terminal)
        in_flight = [asyncio.create_task(post_sale(i)) for i in range(5, 25)]
        await wait_for(lambda: _at_least(_lock_waiters(service.pool), 20), timeout=30)
        closing = asyncio.create_task(close(first))
        await wait_for(
            lambda: closing.done() or _at_least(_lock_waiters(service.pool), 21), timeout=30
        )
    reports = [await closing]
    await asyncio.gather(*in_flight)
    second = await open_session()

    # Many concurrent sales while the session closes and another opens.
    racing = [asyncio.create_task(post_sale(i)) for i in range(25, 125)]
    await wait_for(lambda: _at_least(_stored(service.pool, terminal), 50), timeout=60)
    reports.append(await close(second))
    third = await open_session()
    await asyncio.gather(*racing)
    reports.append(await close(third))

    stored = await service.pool.fetch(
        "select sale_id, total_vnd from sales where terminal_id = $1", terminal
    )
    assert len(stored) == 125
    assert sum(r["sales"] for r in reports) == len(stored), [r["sales"] for r in reports]
    assert sum(r["gross_vnd"] for r in reports) == sum(r["total_vnd"] for r in stored)
    # Each sale in exactly one session's report.
    by_session = await service.pool.fetch(
        """select session_id, count(*) as n, sum(total_vnd)::bigint as gross from sales
            where terminal_id = $1 group by session_id""",
        terminal,
    )
    assert {str(r["session_id"]): (r["n"], r["gross"]) for r in by_session} == {
        r["session_id"]: (r["sales"], r["gross_vnd"]) for r in reports if r["sales"]
    }


async def _at_least(count: Awaitable[int], n: int) -> bool:
    return await count >= n


async def _stored(pool: asyncpg.Pool, terminal: uuid.UUID) -> int:
    n: int = await pool.fetchval("select count(*) from sales where terminal_id = $1", terminal)
    return n


async def test_an_online_sale_is_dated_by_the_server_clock_not_the_tills(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Gạo ST25", 180_000)])
    h = booth["headers"]
    for off in (timedelta(hours=-26), timedelta(hours=26)):  # the till's clock a day off
        device_time = datetime.now(UTC) + off
        body = sale(booth["products"], device_time=device_time)
        response = await client.post("/sales", headers=h, json=body)
        assert response.status_code == 201, response.text
        row = await service.pool.fetchrow(
            """select business_date, device_time, recorded_at, now() as server_now
                 from sales where sale_id = $1""",
            uuid.UUID(body["sale_id"]),
        )
        assert (
            row["business_date"]
            == row["server_now"].astimezone(VN).date()
            != (device_time.astimezone(VN).date())
        )
        assert row["device_time"] == device_time  # kept as the till reported it
        assert abs(row["server_now"] - row["recorded_at"]) < timedelta(minutes=1)
        answered = datetime.fromisoformat(response.json()["recorded_at"])
        assert abs(answered - row["server_now"]) < timedelta(minutes=1)
    # Offline sales are still judged at their device time, within the fair's hours.
    made_offline = sale(booth["products"], device_time=datetime.now(UTC) - timedelta(hours=26))
    results = (await client.post("/sales/batch", headers=h, json={"sales": [made_offline]})).json()[
        "results"
    ]
    assert results[0]["status"] == "rejected"
    assert results[0]["error"]["field"] == "device_time"


async def test_sixty_concurrent_sales_on_one_till_all_succeed_with_gapless_receipts(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Nem chua", 5_000)])
    responses = await asyncio.gather(
        *(
            client.post("/sales", headers=booth["headers"], json=sale(booth["products"]))
            for _ in range(60)
        )
    )
    assert [r.status_code for r in responses] == [201] * 60, {
        r.status_code: r.text for r in responses if r.status_code != 201
    }
    assert sorted(r.json()["receipt_no"] for r in responses) == list(range(1, 61))
    receipts = await service.pool.fetch(
        "select receipt_no from sales where terminal_id = $1 order by receipt_no",
        uuid.UUID(booth["terminal"]["terminal_id"]),
    )
    assert [r["receipt_no"] for r in receipts] == list(range(1, 61))


def _record(event: Event, occurred_at: datetime, offset: int) -> ConsumerRecord[Any, Any]:
    _, raw = encode_event(
        event, producer="registration", correlation_id="t", occurred_at=occurred_at
    )
    return ConsumerRecord(
        topic=event.topic.name,
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=event.partition_key().encode(),
        value=raw,
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=len(raw),
        headers=(),
    )


def _registration_consumer(service: Service) -> InboxConsumer:
    uow: UnitOfWorkFactory[Any] = UnitOfWorkFactory(service.pool, repositories, producer="sales")
    consumers = subscriptions(uow)(service)
    [found] = [s.consumer for s in consumers if s.consumer.name == "sales.registration"]
    return found


async def test_catalog_follows_the_newest_decision_whatever_the_arrival_order(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient]
) -> None:
    service, _client = sales_app
    consumer = _registration_consumer(service)
    t0 = datetime.now(UTC) - timedelta(hours=3)
    holder = uuid.uuid4()

    def scenario() -> tuple[ProductSnapshot, list[tuple[Event, datetime]]]:
        """Approved at t0 (until one date), revoked at t0+1h, a new certificate at t0+2h
        (a later date, a new star)."""
        product: ProductSnapshot = upstream.product(holder, f"Trà {uuid.uuid4().hex[:4]}", 90_000)
        assert product.certificate is not None and product.ocop_until is not None
        application = ApplicationSnapshot(
            application_id=uuid.uuid4(),
            fair_id=upstream.fair_id,
            exhibitor_id=holder,
            exhibitor_name="HTX",
            exhibitor_kind="cooperative",
            province="Quảng Ninh",
            products=[product],
            booth_request=BoothRequest(count=1),
            status="approved",
            submitted_at=t0,
            best_star=4,
            admitted=[AdmittedProduct(product_id=product.product_id, until=product.ocop_until)],
        )
        revoked = product.model_copy(
            update={
                "certificate": product.certificate.model_copy(update={"status": "revoked"}),
                "ocop_until": None,
            }
        )
        renewed_until = product.ocop_until + timedelta(days=700)
        renewed = product.model_copy(
            update={
                "certificate": product.certificate.model_copy(
                    update={"certificate_id": uuid.uuid4(), "star": 5}
                ),
                "ocop_until": renewed_until,
            }
        )
        return product, [
            (ApplicationApproved(application=application), t0),
            (
                CertificateRevoked(product=revoked, reason="vi phạm", decision_number="1/QĐ"),
                t0 + timedelta(hours=1),
            ),
            (CertificateIssued(product=renewed), t0 + timedelta(hours=2)),
        ]

    async def state(product_id: uuid.UUID) -> tuple[Any, ...]:
        row = await service.pool.fetchrow(
            """select blocked_at, ocop_until, star, withdrawn from catalog
                where fair_id = $1 and exhibitor_id = $2 and product_id = $3""",
            upstream.fair_id,
            holder,
            product_id,
        )
        return tuple(row)

    finals = set()
    offset = itertools.count()
    for order in itertools.permutations(range(3)):
        product, events = scenario()
        for i in order:
            event, at = events[i]
            await consumer.process([_record(event, at, next(offset))])
        finals.add(await state(product.product_id))
        ends = await service.pool.fetchval(
            "select count(*) from dead_letters where consumer = 'sales.registration'"
        )
        assert ends == 0
    renewed_until = events[2][0].product.ocop_until  # type: ignore[attr-defined]
    assert finals == {(None, renewed_until, 5, False)}, finals

    # And the other way round: issued at t0+1h, revoked at t0+2h: blocked, in both orders.
    blocked = set()
    for order in ((0, 1, 2), (0, 2, 1)):
        product, events = scenario()
        approval, (revocation, _), (issue, _) = events
        events = [approval, (issue, t0 + timedelta(hours=1)), (revocation, t0 + timedelta(hours=2))]
        for i in order:
            event, at = events[i]
            await consumer.process([_record(event, at, next(offset))])
        blocked.add((await state(product.product_id))[0])
    assert blocked == {t0 + timedelta(hours=2)}, blocked


class _BlockedBetweenReadAndWrite:
    """The till repository, with a block committed by another connection between the sale's
    read and its write (the first time only)."""

    def __init__(self, inner: Any, block: Callable[[], Awaitable[None]]) -> None:
        self._inner = inner
        self._block: Callable[[], Awaitable[None]] | None = block

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def read(
        self,
        terminal_id: uuid.UUID,
        sale_ids: Sequence[uuid.UUID],
        receipt_nos: Sequence[int] = (),
        *,
        lock: bool = False,
    ) -> Till:
        till: Till = await self._inner.read(terminal_id, sale_ids, receipt_nos, lock=lock)
        return till

    async def record(self, till: Till, decision: SalesDecision, cause: Causation) -> bool:
        if self._block is not None:
            block, self._block = self._block, None
            await block()
        written: bool = await self._inner.record(till, decision, cause)
        return written


class _Repos:
    def __init__(self, inner: PostgresRepositories, tills: Any) -> None:
        self._inner = inner
        self.tills = tills

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


async def test_a_block_committed_between_the_read_and_the_write_stops_the_sale(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient]
) -> None:
    service, _client = sales_app
    booth = await upstream.exhibitor_at_booth([("Sâm Ngọc Linh", 1_500_000)])
    product = booth["products"][0]
    terminal = uuid.UUID(booth["terminal"]["terminal_id"])
    revoked_at = datetime.now(UTC) - timedelta(seconds=1)  # before the sale

    async def block() -> None:
        async with service.pool.acquire() as other, other.transaction():
            await PostgresCatalog(other).block(
                ProductBlock(product.product_id, revoked_at, "certificate revoked")
            )

    one = SaleIn(
        sale_id=uuid.uuid4(),
        device_time=datetime.now(UTC),
        lines=[LineIn(product.product_id, None, 1, 1_500_000, 0, None)],
        payments=[PaymentIn("cash", 1_500_000, None)],
        total_vnd=1_500_000,
        payload_hash=b"x" * 32,
    )
    async with service.pool.acquire() as conn:
        repos = PostgresRepositories(conn)
        outcome = await sale_commands.record_sale(
            _Repos(repos, _BlockedBetweenReadAndWrite(repos.tills, block)),  # type: ignore[arg-type]
            terminal_id=terminal,
            sale=one,
            policy=SalePolicy(),
            cause=Causation("t"),
        )
    assert outcome.status == "rejected", outcome
    assert outcome.refusal is not None and outcome.refusal.message == NO_LONGER_VALID
    assert await _stored(service.pool, terminal) == 0


def _sales_counted(outcome: str) -> float:
    return REGISTRY.get_sample_value("ocop_sales_total", {"outcome": outcome}) or 0.0


def _lag_observed() -> float:
    return REGISTRY.get_sample_value("ocop_revocation_block_lag_seconds_count") or 0.0


async def test_sales_by_outcome_and_the_revocation_lag_are_measured(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Mắm tép", 70_000), ("Sá sùng", 2_000_000)])
    h = booth["headers"]
    kept, revoked = booth["products"]
    outcomes = ("recorded", "replayed", "conflict", "refused")
    before = {o: _sales_counted(o) for o in outcomes}
    body = sale([kept])
    assert (await client.post("/sales", headers=h, json=body)).status_code == 201
    assert (await client.post("/sales", headers=h, json=body)).status_code == 200
    other = {**sale([kept], [2]), "sale_id": body["sale_id"]}
    assert (await client.post("/sales", headers=h, json=other)).status_code == 409
    wrong = sale([kept])
    wrong["total_vnd"] = 1
    assert (await client.post("/sales", headers=h, json=wrong)).status_code == 422
    batch = [sale([kept]), body, other, wrong]
    results = (await client.post("/sales/batch", headers=h, json={"sales": batch})).json()
    assert [r["status"] for r in results["results"]] == [
        "recorded", "replayed", "conflict", "rejected"
    ]  # fmt: skip
    after = {o: _sales_counted(o) for o in outcomes}
    assert {o: after[o] - before[o] for o in outcomes} == {
        "recorded": 2, "replayed": 2, "conflict": 2, "refused": 2
    }  # fmt: skip

    lags = _lag_observed()
    assert revoked.certificate is not None
    consumer = _registration_consumer(service)
    revocation = CertificateRevoked(
        product=revoked.model_copy(
            update={"certificate": revoked.certificate.model_copy(update={"status": "revoked"})}
        ),
        reason="vi phạm",
        decision_number="2/QĐ",
    )
    record = _record(revocation, datetime.now(UTC) - timedelta(seconds=2), 1)
    await consumer.process([record])
    assert _lag_observed() == lags + 1
    await consumer.process([record])  # redelivered: no second effect, no second observation
    assert _lag_observed() == lags + 1
