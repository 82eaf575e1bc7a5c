"""Sales over HTTP against the real service process, beside raw asyncpg in the same run.

- raw: the comparable transaction as one would write it by hand with asyncpg (lock the till,
  insert the sale, its lines and its outbox event, bump the receipt number), 16 connections;
- single: one sale per request from 32 simulated tills, each waiting for its answer (closed
  loop: saturation); throughput and p50/p99 latency;
- paced: an open loop at half the saturation just measured (sales arrive at that rate whatever
  the answers take, as at a busy fair); p50/p99 latency;
- batch: offline uploads of 1,000 sales per request from 8 tills.

The service runs as its own process (uvicorn, OCOP_WORKERS workers); the load generator is
this process, on the same 2-core machine. The RSS of each of the service's processes (the
supervisor and its workers) is sampled from /proc while the load runs. Issue 16's goals are
ratios to the raw transaction measured in the same run (the machine's load moves absolute
figures; the ratios hold), except the batch's 20,000 sales/s.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import orjson

from bench.common import save
from ocop_sales.app import MIGRATIONS, SalesSettings
from ocop_shared import auth
from ocop_shared.contracts.sales import SaleRecorded, SoldLine
from ocop_shared.db import create_pool
from ocop_shared.migrations import ServiceSchema, ensure_database, migrate
from ocop_shared.outbox import Causation, append
from ocop_shared.settings import CommonSettings
from ocop_testkit import new_prefix

DATABASE = "ocop_bench"
PORT = 18903
TILLS = 32
SINGLE_SALES = int(os.environ.get("OCOP_BENCH_SINGLE", "12000"))
PACED_SHARE = 0.5  # the open-loop run offers this share of the saturation throughput
PACED_SECONDS = 10.0
BATCH_TILLS = 8
BATCHES_PER_TILL = 5
BATCH_SIZE = 1000
WORKERS = int(os.environ.get("OCOP_BENCH_WORKERS", "2"))


async def setup(pool: asyncpg.Pool, tills: int) -> tuple[uuid.UUID, list[dict[str, Any]]]:
    fair = uuid.uuid4()
    now = datetime.now(UTC)
    out = []
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "insert into fairs (fair_id, organizer_id, name, province, status, starts_at, ends_at) values ($1, 'bench', 'Bench fair', 'Quảng Ninh', 'running', $2, $3)",
            fair, now - timedelta(days=1), now + timedelta(days=2),
        )  # fmt: skip
        for _ in range(tills):
            exhibitor, booth, terminal = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
            products = [(uuid.uuid4(), 10_000 * (k + 1) + 500) for k in range(4)]
            await conn.execute(
                "insert into booth_holders (booth_id, fair_id, booth_code, exhibitor_id, status) values ($1, $2, $3, $4, 'confirmed')",
                booth,
                fair,
                f"B-{booth.hex[:4]}",
                exhibitor,
            )
            await conn.executemany(
                "insert into catalog (fair_id, exhibitor_id, product_id, producer_id, name, product_group, star, list_price_vnd) values ($1, $2, $3, $2, 'Sản phẩm', 1, 4, $4)",
                [(fair, exhibitor, p, price) for p, price in products],
            )
            await conn.execute(
                "insert into terminals (terminal_id, fair_id, booth_id, label, enrolled_by) values ($1, $2, $3, 'till', 'bench')",
                terminal,
                fair,
                booth,
            )
            token = await auth.issue_token(conn, "terminal", str(terminal), "bench")
            out.append(
                {
                    "terminal": terminal,
                    "exhibitor": exhibitor,
                    "booth": booth,
                    "products": products,
                    "headers": {
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/json",
                    },
                }
            )
    return fair, out


def sale_body(till: dict[str, Any], i: int) -> dict[str, Any]:
    (p1, price1), (p2, price2) = till["products"][i % 4], till["products"][(i + 1) % 4]
    total = price1 * 2 + price2
    return {
        "sale_id": str(uuid.uuid4()),
        "device_time": datetime.now(UTC).isoformat(),
        "lines": [
            {"product_id": str(p1), "quantity": 2, "unit_price_vnd": price1},
            {"product_id": str(p2), "quantity": 1, "unit_price_vnd": price2},
        ],
        "payments": [{"method": "cash", "amount_vnd": total}],
        "total_vnd": total,
    }


async def raw_rate(
    pool: asyncpg.Pool, fair: uuid.UUID, tills: list[dict[str, Any]], n: int
) -> float:
    async def one_till(till: dict[str, Any], count: int) -> None:
        async with pool.acquire() as conn:
            for i in range(count):
                (p1, price1), (p2, price2) = till["products"][i % 4], till["products"][(i + 1) % 4]
                sale_id = uuid.uuid4()
                async with conn.transaction():
                    receipt = await conn.fetchval(
                        "select next_receipt_no from terminals where terminal_id = $1 for update",
                        till["terminal"],
                    )
                    now = datetime.now(UTC)
                    await conn.execute(
                        "insert into sales (sale_id, fair_id, terminal_id, booth_id, exhibitor_id, receipt_no, device_time, business_date, total_vnd, payments, payload_hash, offline) values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,false)",
                        sale_id, fair, till["terminal"], till["booth"], till["exhibitor"], receipt, now, now.date(), price1 * 2 + price2, {"cash": price1 * 2 + price2}, b"x" * 32,
                    )  # fmt: skip
                    await conn.executemany(
                        "insert into sale_lines (sale_id, line_no, product_id, producer_id, quantity, unit_price_vnd, discount_vnd, total_vnd, product_group, star) values ($1,$2,$3,$4,$5,$6,0,$7,1,4)",
                        [
                            (sale_id, 0, p1, till["exhibitor"], 2, price1, price1 * 2),
                            (sale_id, 1, p2, till["exhibitor"], 1, price2, price2),
                        ],
                    )
                    lines = [
                        SoldLine(
                            product_id=p1,
                            producer_id=till["exhibitor"],
                            quantity=2,
                            unit_price_vnd=price1,
                            discount_vnd=0,
                            total_vnd=price1 * 2,
                            product_group=1,
                            star=4,
                        )
                    ]
                    event = SaleRecorded(
                        sale_id=sale_id,
                        fair_id=fair,
                        terminal_id=till["terminal"],
                        booth_id=till["booth"],
                        exhibitor_id=till["exhibitor"],
                        receipt_no=receipt,
                        device_time=now,
                        business_date=now.date(),
                        lines=lines,
                        total_vnd=price1 * 2,
                        payments={"cash": price1 * 2},
                    )
                    await append(conn, [event], producer="bench", cause=Causation("bench"))
                    await conn.execute(
                        "update terminals set next_receipt_no = $2 where terminal_id = $1",
                        till["terminal"],
                        receipt + 1,
                    )

    per = n // 16
    start = time.perf_counter()
    await asyncio.gather(*(one_till(tills[i], per) for i in range(16)))
    return per * 16 / (time.perf_counter() - start)


async def single_sales(
    session: aiohttp.ClientSession, tills: list[dict[str, Any]], n: int
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    per = n // len(tills)

    async def till_loop(till: dict[str, Any]) -> None:
        for i in range(per):
            body = orjson.dumps(sale_body(till, i))
            t = time.perf_counter()
            async with session.post(
                f"http://127.0.0.1:{PORT}/sales", data=body, headers=till["headers"]
            ) as r:
                await r.read()
                assert r.status == 201, r.status
            latencies.append(time.perf_counter() - t)

    start = time.perf_counter()
    await asyncio.gather(*(till_loop(t) for t in tills))
    return per * len(tills) / (time.perf_counter() - start), latencies


async def paced_sales(
    session: aiohttp.ClientSession, tills: list[dict[str, Any]], rate: int, seconds: float
) -> list[float]:
    """Open loop: sales arrive at a fixed rate whatever the answers take (a busy fair day)."""
    latencies: list[float] = []
    tasks = []

    async def one(till: dict[str, Any], i: int) -> None:
        t = time.perf_counter()
        async with session.post(
            f"http://127.0.0.1:{PORT}/sales",
            data=orjson.dumps(sale_body(till, i)),
            headers=till["headers"],
        ) as r:
            await r.read()
            assert r.status == 201, r.status
        latencies.append(time.perf_counter() - t)

    start = time.perf_counter()
    for i in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(tills[i % len(tills)], i)))
    await asyncio.gather(*tasks)
    return latencies


async def batches(session: aiohttp.ClientSession, tills: list[dict[str, Any]]) -> float:
    bodies = [
        [
            orjson.dumps({"sales": [sale_body(t, i) for i in range(BATCH_SIZE)]})
            for _ in range(BATCHES_PER_TILL)
        ]
        for t in tills
    ]

    async def till_loop(till: dict[str, Any], mine: list[bytes]) -> None:
        for body in mine:
            async with session.post(
                f"http://127.0.0.1:{PORT}/sales/batch", data=body, headers=till["headers"]
            ) as r:
                out = await r.json()
                assert r.status == 200 and out["counts"] == {"recorded": BATCH_SIZE}, out.get(
                    "counts"
                )

    start = time.perf_counter()
    await asyncio.gather(*(till_loop(t, b) for t, b in zip(tills, bodies, strict=True)))
    return len(tills) * BATCHES_PER_TILL * BATCH_SIZE / (time.perf_counter() - start)


def listening(port: int) -> int:
    """How many sockets listen on ``port`` (/proc/net/tcp): one per worker once each is up."""
    found = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                    found += 1
    return found


def process_rss(pid: int) -> dict[int, float]:
    """MiB resident per process: ``pid`` and its descendants (uvicorn's workers)."""
    out: dict[int, float] = {}
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                out[p] = int(line.split()[1]) / 1024
        todo.extend(int(c) for c in children)
    return out


class RssSampler:
    """The largest RSS each of the service's processes reached while the load ran."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak: dict[int, float] = {}
        self.peak_total = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            now = process_rss(self.pid)
            for p, mib in now.items():
                self.peak[p] = max(self.peak.get(p, 0.0), mib)
            self.peak_total = max(self.peak_total, sum(now.values()))
            await asyncio.sleep(0.5)

    def __enter__(self) -> RssSampler:
        self._task = asyncio.create_task(self._run())
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def main() -> None:
    common = CommonSettings(pg_database=DATABASE)
    await ensure_database(common.admin_dsn("postgres"), DATABASE)
    settings = SalesSettings(pg_database=DATABASE)
    assert settings.db_password is not None
    await migrate(
        common.admin_dsn(),
        ServiceSchema("sales", settings.db_password.get_secret_value(), MIGRATIONS),
    )
    pool = await create_pool(settings.dsn(), min_size=16, max_size=20)
    fair, tills = await setup(pool, TILLS + BATCH_TILLS + 16)
    raw_tills, http_tills, batch_tills = tills[:16], tills[16 : 16 + TILLS], tills[16 + TILLS :]
    raw = await raw_rate(pool, fair, raw_tills, 8000)
    env = {
        **os.environ,
        "OCOP_PG_DATABASE": DATABASE,
        "OCOP_HTTP_PORT": str(PORT),
        "OCOP_TOPIC_PREFIX": new_prefix(),
        "OCOP_WORKERS": str(WORKERS),
        "OCOP_LOG_LEVEL": "WARNING",
        "OCOP_POOL_MAX": "24",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "ocop_sales", "serve"], env=env, cwd=Path(__file__).parents[1]
    )
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as session:
            for _ in range(200):
                try:
                    async with session.get(f"http://127.0.0.1:{PORT}/health/ready") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.25)
            # Every worker listening before the tills connect (they keep their connections).
            for _ in range(240):
                if listening(PORT) >= WORKERS:
                    break
                await asyncio.sleep(0.25)
            await single_sales(session, http_tills, 1000)  # warm up
            with RssSampler(server.pid) as rss:
                rate, latencies = await single_sales(session, http_tills, SINGLE_SALES)
                paced_rate = max(1, round(rate * PACED_SHARE))
                paced = await paced_sales(session, http_tills, paced_rate, PACED_SECONDS)
                batch_rate = await batches(session, batch_tills)
        stored = await pool.fetchval("select count(*) from sales where fair_id = $1", fair)
    finally:
        server.terminate()
        server.wait(timeout=30)
        await pool.close()
    q = statistics.quantiles(latencies, n=100)
    pq = statistics.quantiles(paced, n=100)
    rss_max = max(rss.peak.values(), default=0.0)
    print(
        f"sales: single {rate:.0f}/s = {rate / raw:.3f} x raw {raw:.0f}/s (goal 0.45), "
        f"p99 {pq[98] * 1000:.1f} ms at {paced_rate}/s (half of saturation; goal < 50 ms), "
        f"batches {batch_rate:.0f}/s = {batch_rate / raw:.2f} x raw (goal 20,000/s), "
        f"RSS at most {rss_max:.0f} MiB a process (goal < 150)"
    )
    save(
        "sales",
        {
            "workers": WORKERS,
            "raw_asyncpg_sale_tx_per_s_16_conns": round(raw),
            "single_sales_per_s": round(rate),
            "single_p50_ms": round(q[49] * 1000, 2),
            "single_p99_ms": round(q[98] * 1000, 2),
            "single_over_raw": round(rate / raw, 3),
            "paced_share_of_saturation": PACED_SHARE,
            "paced_rate_per_s": paced_rate,
            "paced_p50_ms": round(pq[49] * 1000, 2),
            "paced_p99_ms": round(pq[98] * 1000, 2),
            "batch_sales_per_s": round(batch_rate),
            "batch_over_raw": round(batch_rate / raw, 2),
            "batch_size": BATCH_SIZE,
            "sales_stored": stored,
            # Per process: the supervisor and each worker (each worker is a replica of the
            # service); the tree's sum beside it.
            "rss_mib_peak_per_process": sorted(round(v, 1) for v in rss.peak.values()),
            "rss_mib_peak_all_processes": round(rss.peak_total, 1),
            "goals": {
                "single >= 0.45 x raw": rate >= 0.45 * raw,
                "p99 < 50 ms at half of saturation": pq[98] < 0.05,
                "batch >= 20000/s": batch_rate >= 20_000,
                "RSS < 150 MiB per service process under load": rss_max < 150,
            },
        },
    )
