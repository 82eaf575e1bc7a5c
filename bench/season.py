"""A national season through the running system: ``./dev bench season [--scale S] ...``.

What a season is (scale 1):

- **34 provinces** (Viet Nam's provinces and cities since the 2025 mergers); every fair is
  hosted by one of them in turn, its exhibitors are holders of the host province and
  delegations of eleven others.
- **~300 fairs** (OCOP fairs, exhibitions and trade-promotion weeks a year, nationally), all
  loaded and selling at once: the season is compressed into the minutes the bench runs.
- **~17,000 products** (the OCOP products rated 3★ or more) held by ~5,700 holders, three
  products each, through the demo fair's intake (``ocop_cli.demo``: accounts, each council
  importing its part of the register, applications, review, floor plan, allocation,
  payments, tills), so every rule holds: nothing is written past the APIs.

The peak (1×): in the weeks before Tết about **30 fairs run at once**, ~250 tills each, and
at a fair's busiest evening hour a till rings up a sale every 3 minutes: 30 × 250 × 20 / 3600
= **41.7 sales/s** nationally. A fifth of them reach sales as offline batches (tills on a
weak network upload what they queued, ~25 sales a batch); councils revoke **2 certificates a
minute** (a province's decision after a market check), each of which sales must stop selling;
and each of the 30 fairs has its host province's market surveillance (*Quản lý thị trường*)
on the floor, an inspection team checking a booth's product every 6 minutes (10 an hour):
30 × 10 / 60 = **5 inspections a minute** (``--inspections-per-min``), decided 80 % pass,
15 % suspend (not sold at that fair from then on), 5 % refer (to the certifying council for
revocation; suspended at the fair meanwhile). The decisions come as an even sequence in
those shares (after n inspections each has been made its share of n times, give or take
one), not independent draws, so a short level still sees suspensions. A pass re-inspects the
product suspended longest when there is one (the exhibitor relabelled it), else a product not
under inspection. The bench drives 1×, 2×, 4×, 8× and 16× that (``--levels``; 8× and 16×
to find where the system saturates), ``--seconds`` each (60), spread over every till loaded.
``--rate-scale`` multiplies the rates (a small machine, a quick look); ``--scale`` shrinks
the season's data (0.05: 15 fairs, ~1,100 products; at least ~72 products a fair, the demo's
smallest fair).

Inspections go through registration's ``POST /fairs/{fair_id}/inspections``, each by an
inspector of the fair's province: the season's setup has the platform admin create a market
surveillance authority for each province hosting a fair (``POST /organizations``, kind
``inspector``), whose owner accepts the invitation. The product is one a till of the fair
sells (its exhibitor and booth named), never one revoked or under inspection, at a till with
something else to sell; while it is suspended the fair's tills stop ringing it up (as a
revoked product's till does), and ring it up again once a pass lifts it. The JSON says
whether the services offered the API (``inspection_api_present``) and whether the run drove
it (``inspections_driven``).

The driver is an open loop: each sale (and batch, revocation and inspection) has its arrival
time in a Poisson process and is sent then, whatever the answers before it, so a slow system
is not offered less (inspections draw their times, products and probes from a generator of
their own, not the one the sales and revocations draw from). Tills send through one
aiohttp session (kept-alive connections), each till one request at a time with its device
token, and no ``Idempotency-Key`` (a sale is idempotent by its ``sale_id``;
``--idempotency-keys`` adds one, as the CLI's client does).
An arrival finding 2,000 requests unanswered is shed and counted. After each level the
driver waits (30 s at most) for what is in flight before the next.

Measured, per level and over time:

- **throughput**: sales answered 2xx within the level's window, per second (online and
  offline), beside the offered rate; ``keeps_up`` when at least 95 % of it with nothing shed
  and no error; answers that came while the level drained are counted apart;
- **a sale's answer**, from its arrival (the cashier's "pay": the till's wait for its
  previous sale included, ``sale_answer_ms``), from its request going out
  (``sale_wire_ms``), and the wait between (``sale_queued_at_till_ms``), p50/p99/max;
- **commit to projection**: a sale reaching a reader of ``sales.sales`` (the path of the web
  app's live revenue dashboard) after its answer (``sale_commit_to_projection_ms``: a lower
  bound, its commit came before the answer) and after its arrival
  (``sale_scheduled_to_projection_ms``: an upper bound, end to end);
- **a revocation's** answer to sales refusing the product (polled every 100 ms with a sale
  of it), p50/p99/max;
- **inspections** (``inspections``: how many of each decision, and from the arrival to
  registration's answer, ``answer_ms``); from a suspend's or refer's answer to sales
  refusing a probe sale of the product at that fair (``inspection_to_sales_block_ms``, every
  100 ms as for a revocation; ``not_seen``: none within 30 s), then a probe sale at up to
  two tills of other fairs selling the product (not under inspection there), which should
  still sell (``inspection_other_fair_still_sells``: checked, sold; the season's fairs share
  no product, each holder exhibits at one fair, so this is 0 unless the data has one); and
  from a pass that lifts a suspension to the product selling there again
  (``inspection_lift_to_sales_sells_ms``). An inspection registration refused is one of the
  level's errors, its kind starting ``inspection``;
- each service's **outbox backlog** (unpublished rows, every 0.5 s);
- **RSS** of each service's largest process (issue 16: < 150 MB = 143 MiB a process;
  ``rss_within_150_mb``) and of its whole process tree (uvicorn's supervisor and workers);
- the **driver's** own CPU (share of a core) and how late it sent arrivals, so a reader can
  tell the driver from the system (the run shares the machine's cores with the services).

Written to ``bench/results/season.json`` and ``bench/results/season.png`` (matplotlib:
throughput over time and per level, latency per level with the revocation and inspection
lines, backlog and RSS over time), and printed: the JSON, then a table of the levels.

The services run as processes of the bench's own (``--replicas`` each, 1; ``--workers``
uvicorn workers per replica, sales 2 as deployed), on a database of
their own (``ocop_bench_season``, made afresh) and a private Kafka broker
(``bench.common.bench_broker``); the shared stack's services are never touched.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import httpx
import orjson

from bench.common import RESULTS, BenchBroker, bench_broker, machine

REPO = Path(__file__).resolve().parents[1]
DATABASE = "ocop_bench_season"
SERVICES = ("registration", "booths", "sales")

# Viet Nam's 34 provinces and centrally run cities (from 1 July 2025).
PROVINCES = [
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa",
    "Nghệ An", "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ",
    "Bắc Ninh", "Hưng Yên", "Hải Phòng", "Ninh Bình", "Quảng Trị", "Đà Nẵng", "Quảng Ngãi",
    "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Hồ Chí Minh", "Đồng Nai", "Tây Ninh",
    "Cần Thơ", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang",
]  # fmt: skip
assert len(PROVINCES) == 34

FAIRS = 300
PRODUCTS = 17_000
# The peak, 1× (see the docstring).
CONCURRENT_FAIRS, TILLS_PER_FAIR, SALES_PER_TILL_HOUR = 30, 250, 20
PEAK_SALES_PER_S = CONCURRENT_FAIRS * TILLS_PER_FAIR * SALES_PER_TILL_HOUR / 3600
OFFLINE_SHARE = 0.2
OFFLINE_BATCH = 25
PEAK_REVOCATIONS_PER_MIN = 2.0
# Inspections at the peak (see the docstring): each of the 30 fairs has its host province's
# market surveillance team on the floor, checking a booth's product every 6 minutes.
INSPECTIONS_PER_FAIR_HOUR = 10
PEAK_INSPECTIONS_PER_MIN = CONCURRENT_FAIRS * INSPECTIONS_PER_FAIR_HOUR / 60
# The decisions' shares: mostly nothing wrong, some suspended at the fair, a few referred
# to the council for revocation (a pass re-inspects a suspended product when there is one).
INSPECTION_MIX: dict[str, float] = {"pass": 0.80, "suspend": 0.15, "refer": 0.05}
PROBE_SECONDS = 30.0  # a probe polls sales this long (every 0.1 s) before giving up
RSS_LIMIT_MIB = 150e6 / 2**20  # issue 16: < 150 MB per service process (143.1 MiB)


# --- the season's data -----------------------------------------------------------------


def season_fairs(scale: float, seed: int, salt: str) -> list[Any]:
    """The season's fairs as the demo's generator makes them, each hosted by a province in
    turn, its delegations from the next eleven provinces, trimmed to the season's products
    per fair."""
    from ocop_cli import demo

    count = max(1, round(FAIRS * scale))
    per_fair = max(1, round(PRODUCTS * scale / count))
    fairs = []
    for i in range(count):
        fair = demo.generate(seed + i, scale=0.08, salt=f"{salt}:{i}")
        host = PROVINCES[i % len(PROVINCES)]
        for h in fair.host:
            h.province = host
        for j, d in enumerate(fair.delegations):
            guest = PROVINCES[(i + 1 + j) % len(PROVINCES)]
            d.province, d.name = guest, f"Đoàn Sở Công Thương {guest}"
            for m in d.members:
                m.province = guest
        members = sum(len(d.members) for d in fair.delegations)
        keep = max(1, per_fair // 3 - members)
        fair.host = fair.host[:keep]
        fair.revoke = []
        fairs.append((host, fair))
    return fairs


@dataclass
class Till:
    fair_id: str
    terminal_id: str
    token: str
    products: list[dict[str, Any]]
    exhibitor_id: str = ""
    booth_code: str = ""


@dataclass
class Loaded:
    fairs: list[Any] = field(default_factory=list)  # ocop_cli.demo.Loaded
    hosts: list[str] = field(default_factory=list)
    tills: list[Till] = field(default_factory=list)
    products: int = 0
    holders: int = 0
    seconds: float = 0.0


async def load_season(client: Any, fairs: list[Any], admin_tokens: dict[str, str]) -> Loaded:
    """Each fair through the demo's intake, one after another (the demo names its fair's host
    province from a module constant, set for each fair here)."""
    from ocop_cli import demo

    out = Loaded()
    started = time.perf_counter()
    for n, (host, fair) in enumerate(fairs, 1):
        setattr(demo, "HOST_PROVINCE", host)  # noqa: B010 (read by demo.load at each call)
        loaded = await demo.load(client, fair, admin_tokens)
        out.fairs.append(loaded)
        out.hosts.append(host)
        out.products += loaded.summary["products"]
        out.holders += loaded.summary["holders"]
        approved = await client.call(
            "registration",
            "GET",
            f"/fairs/{loaded.fair_id}/applications",
            loaded.organizer_token,
            params={"status": "approved"},
        )
        sellable = {
            a["exhibitor_id"]: [
                p for p in a["products"] if p["certificate"]["status"] in ("valid", "expiring")
            ]
            for a in approved
        }
        for t in loaded.terminals:
            products = sellable.get(t["exhibitor_id"], [])
            if products:
                out.tills.append(Till(
                    loaded.fair_id, t["terminal_id"], t["token"], products,
                    exhibitor_id=t["exhibitor_id"], booth_code=t.get("booth_code") or "",
                ))  # fmt: skip
        print(
            f"season: fair {n}/{len(fairs)} loaded ({host}): {loaded.summary['products']} "
            f"products, {len(loaded.terminals)} tills, {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    out.seconds = time.perf_counter() - started
    return out


# --- the services ------------------------------------------------------------------------


class Services:
    """The three services as processes of the bench's own, ``replicas`` each."""

    def __init__(
        self, broker: BenchBroker, logs: Path, replicas: int, workers: dict[str, int] | None = None
    ) -> None:
        from ocop_testkit.broker import free_port

        self.broker = broker
        # uvicorn worker processes per replica, as deployed (deploy/k8s: sales runs 2)
        self.workers = {s: 1 for s in SERVICES} | (workers or {})
        self.logs = logs
        self.names = [f"{s}-{i}" for s in SERVICES for i in range(1, replicas + 1)]
        self.ports = {name: free_port() for name in self.names}
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self._turn = {s: itertools.count() for s in SERVICES}

    def env(self, name: str) -> dict[str, str]:
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith("OCOP_KAFKA_")},
            **self.broker.env,
            "OCOP_ENV": os.environ.get("OCOP_ENV", "development"),
            "OCOP_PG_DATABASE": DATABASE,
            "OCOP_TOPIC_PREFIX": self.broker.prefix,
            "OCOP_HTTP_PORT": str(self.ports[name]),
            "OCOP_WORKERS": str(self.workers[name.rsplit("-", 1)[0]]),
            "OCOP_LOG_LEVEL": "WARNING",
            "OCOP_LOG_FORMAT": "json",
            # Thousands of sign-ups from one address within minutes.
            "OCOP_RATE_LIMIT_FACTOR": os.environ.get("OCOP_RATE_LIMIT_FACTOR", "1000"),
        }

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        for name in self.names:
            log = (self.logs / f"{name}.log").open("ab")
            service = name.rsplit("-", 1)[0]
            self.running[name] = subprocess.Popen(
                [sys.executable, "-m", f"ocop_{service}", "serve"],
                env=self.env(name),
                stdout=log,
                stderr=log,
                cwd=REPO,
            )
            time.sleep(0.5)

    async def wait_ready(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=5) as http:
            for name in self.names:
                while True:
                    if self.running[name].poll() is not None:
                        tail = (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]
                        raise RuntimeError(f"{name} exited:\n{tail}")
                    with contextlib.suppress(httpx.TransportError):
                        url = f"http://127.0.0.1:{self.ports[name]}/health/ready"
                        if (await http.get(url)).status_code == 200:
                            break
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{name} not ready within {timeout} s")
                    await asyncio.sleep(0.3)

    def stop(self) -> None:
        for process in self.running.values():
            process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def url(self, service: str) -> str:
        """Round robin over the service's replicas (a load balancer's)."""
        mine = [n for n in self.names if n.startswith(f"{service}-")]
        return f"http://127.0.0.1:{self.ports[mine[next(self._turn[service]) % len(mine)]]}"

    def rss(self) -> tuple[dict[str, float], dict[str, float]]:
        """Resident memory (MiB) of each service: its largest process (the < 150 MB a process
        criterion; with OCOP_WORKERS > 1 uvicorn's supervisor and each worker are processes
        of their own), and the whole process tree's."""
        children = process_children()
        largest, tree = {}, {}
        for name, p in self.running.items():
            sizes = [rss_bytes(pid) / 2**20 for pid in descendants(p.pid, children)]
            largest[name], tree[name] = max(sizes, default=0.0), sum(sizes)
        return largest, tree

    def cpu(self) -> dict[str, float]:
        """CPU seconds each service's processes have used (/proc: user + system)."""
        children = process_children()
        tick = os.sysconf("SC_CLK_TCK")
        return {
            name: sum(cpu_ticks(pid) for pid in descendants(p.pid, children)) / tick
            for name, p in self.running.items()
        }


def cpu_ticks(pid: int) -> int:
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime
    return 0


def process_children() -> dict[int, list[int]]:
    """Each process's children (/proc, read once per sample)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children[ppid].append(int(entry.name))
    return children


def descendants(pid: int, children: dict[int, list[int]]) -> list[int]:
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def rss_bytes(pid: int) -> int:
    """Bytes resident of one process (0 when gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def endpoints(services: Services) -> Any:
    """The client's endpoints, each read a replica in turn."""
    from ocop_cli.client import Endpoints

    class Spread(Endpoints):
        def __getattribute__(self, name: str) -> Any:
            if name in SERVICES:
                return services.url(name)
            return object.__getattribute__(self, name)

    return Spread()


# --- what is measured --------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


@dataclass
class Recorder:
    """Everything one run measured: samples over time and per level. Times are seconds since
    ``started``."""

    started: float = field(default_factory=time.monotonic)
    level: float = 0.0
    # sale -> (scheduled, sent, answered, level): "scheduled" is the sale's arrival in the
    # offered load (the cashier pressed "pay"), "sent" when its request went out (after the
    # till's previous request was answered: a till sends one at a time), "answered" when its
    # answer came; its commit lies between sent and answered.
    committed: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    arrived: dict[str, float] = field(default_factory=dict)
    sales: list[tuple[float, float, str]] = field(default_factory=list)  # (answered, level, kind)
    refused: dict[float, int] = field(default_factory=lambda: defaultdict(int))
    errors: dict[float, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    shed: dict[float, int] = field(default_factory=lambda: defaultdict(int))
    error_examples: dict[str, Any] = field(default_factory=dict)
    arrivals: dict[float, int] = field(default_factory=lambda: defaultdict(int))  # sales
    revocations: list[tuple[float, float]] = field(default_factory=list)  # (level, seconds)
    # inspections: (level, decision, seconds from its arrival to registration's answer)
    inspections: list[tuple[float, str, float]] = field(default_factory=list)
    # (level, decision, seconds) from a suspend's or refer's answer to sales refusing the
    # product at that fair
    inspection_blocks: list[tuple[float, str, float]] = field(default_factory=list)
    # (level, seconds) from a pass's answer (the product suspended there) to it selling again
    inspection_lifts: list[tuple[float, float]] = field(default_factory=list)
    # (level, sold): the suspended product probed at another fair exhibiting it
    inspection_other_fair: list[tuple[float, bool]] = field(default_factory=list)
    # (level, "block" or "lift"): a probe that saw no change within PROBE_SECONDS
    inspection_not_seen: list[tuple[float, str]] = field(default_factory=list)
    backlog: list[dict[str, float]] = field(default_factory=list)
    rss: list[dict[str, float]] = field(default_factory=list)  # largest process per service
    rss_tree: list[dict[str, float]] = field(default_factory=list)  # every process of it
    levels: list[dict[str, Any]] = field(default_factory=list)

    def now(self) -> float:
        return time.monotonic() - self.started

    def sale(self, sale_id: str, kind: str, scheduled: float, sent: float) -> None:
        t = self.now()
        self.committed[sale_id] = (scheduled, sent, t, self.level)
        self.sales.append((t, self.level, kind))

    def error(self, level: float, what: str) -> None:
        self.errors[level][what] += 1

    def spans(self, level: float, start: int, end: int) -> list[float]:
        """``committed`` times end - start (indexes 0 scheduled, 1 sent, 2 answered) of the
        level's sales."""
        return [t[end] - t[start] for t in self.committed.values() if t[3] == level]

    def latencies(self, level: float, *, since: str = "answer") -> list[float]:
        """Arrival at the reader after the sale's answer came (its commit was before: a
        lower bound, 0 when the event came first), or after it was scheduled (the cashier's
        "pay": an upper bound, the till's wait and the request's own time included)."""
        at = 2 if since == "answer" else 0
        return [
            max(0.0, self.arrived[s] - times[at])
            for s, times in self.committed.items()
            if times[3] == level and s in self.arrived
        ]


def summarize(rec: Recorder) -> list[dict[str, Any]]:
    out = []
    for lv in rec.levels:
        level, seconds = lv["level"], lv["seconds"]
        begun, ended = lv["from_s"], lv["from_s"] + seconds
        mine_sales = [s for s in rec.sales if s[1] == level]
        # Throughput: answers that came within the level's window (what the system did
        # while offered this load); those that came while it drained are counted apart.
        sold = [s for s in mine_sales if begun <= s[0] <= ended]
        lat = rec.latencies(level)
        lat_scheduled = rec.latencies(level, since="scheduled")
        rev = [s for lvl, s in rec.revocations if lvl == level]
        inspected = [(d, s) for lvl, d, s in rec.inspections if lvl == level]
        blocks = [s for lvl, _, s in rec.inspection_blocks if lvl == level]
        lifts = [s for lvl, s in rec.inspection_lifts if lvl == level]
        elsewhere = [sold for lvl, sold in rec.inspection_other_fair if lvl == level]
        unseen = [what for lvl, what in rec.inspection_not_seen if lvl == level]
        in_level = [b for b in rec.backlog if b["level"] == level]
        mine = [r for r in rec.rss if r["level"] == level]
        trees = [r for r in rec.rss_tree if r["level"] == level]
        lost = sum(1 for times in rec.committed.values() if times[3] == level) - len(lat)
        answer, wire, queued = (
            rec.spans(level, 0, 2),
            rec.spans(level, 1, 2),
            rec.spans(level, 0, 1),
        )
        per_s = len(sold) / seconds
        # the sales that arrived in this run of the Poisson process (its mean is the offered
        # rate: 30 s at 1x holds ~10 batches of 25, give or take 3)
        arrived = rec.arrivals.get(level, 0)

        def ms(v: float | None) -> float | None:
            return None if v is None else round(v * 1000, 1)

        def dist(values: list[float]) -> dict[str, float | None]:
            return {"p50": ms(percentile(values, 50)), "p99": ms(percentile(values, 99)),
                    "max": ms(max(values) if values else None)}  # fmt: skip

        errors = dict(rec.errors.get(level, {}))
        out.append({
            **lv,
            "sales_recorded": len(sold),
            "sales_answered_after_window": len(mine_sales) - len(sold),
            "sales_per_s": round(per_s, 1),
            "online_per_s": round(sum(1 for s in sold if s[2] == "online") / seconds, 1),
            "offline_per_s": round(sum(1 for s in sold if s[2] == "offline") / seconds, 1),
            "sales_arrived": arrived,
            "keeps_up": len(sold) >= 0.95 * arrived and not rec.shed[level] and not errors,
            "refused_422": rec.refused[level],
            "errors": sum(errors.values()),
            "errors_by_kind": errors,
            "shed_by_driver": rec.shed[level],
            "sale_answer_ms": dist(answer),
            "sale_wire_ms": dist(wire),
            "sale_queued_at_till_ms": dist(queued),
            "sale_commit_to_projection_ms": {
                **dist(lat), "measured": len(lat), "not_seen": lost,
            },
            "sale_scheduled_to_projection_ms": dist(lat_scheduled),
            "revocation_to_sales_block_ms": {**dist(rev), "measured": len(rev)},
            "inspections": {
                "recorded": len(inspected),
                **{d: sum(1 for k, _ in inspected if k == d) for d in INSPECTION_MIX},
                "answer_ms": dist([s for _, s in inspected]),
            },
            "inspection_to_sales_block_ms": {
                **dist(blocks), "measured": len(blocks), "not_seen": unseen.count("block"),
            },
            "inspection_lift_to_sales_sells_ms": {
                **dist(lifts), "measured": len(lifts), "not_seen": unseen.count("lift"),
            },
            "inspection_other_fair_still_sells": {
                "checked": len(elsewhere), "sold": sum(elsewhere),
            },
            "outbox_backlog_max": {
                s: max((b[s] for b in in_level), default=0) for s in SERVICES
            },
            "rss_mib_max": {
                name: round(max(r[name] for r in mine), 1)
                for name in (mine[0] if mine else {}) if name not in ("t", "level")
            },
            "rss_within_150_mb": all(
                max(r[name] for r in mine) < RSS_LIMIT_MIB
                for name in (mine[0] if mine else {}) if name not in ("t", "level")
            ),
            "rss_tree_mib_max": {
                name: round(max(r[name] for r in trees), 1)
                for name in (trees[0] if trees else {}) if name not in ("t", "level")
            },
        })  # fmt: skip
    return out


def write_report(result: dict[str, Any], rec: Recorder, results: Path = RESULTS) -> list[Path]:
    """season.json (the result and the series) and season.png (the curves)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results.mkdir(parents=True, exist_ok=True)
    per_second: dict[int, int] = defaultdict(int)
    for t, _, _ in rec.sales:
        per_second[int(t)] += 1
    series = {
        "sales_per_second": sorted(per_second.items()),
        "outbox_backlog": rec.backlog,
        "rss_mib": rec.rss,
        "rss_tree_mib": rec.rss_tree,
    }
    json_path = results / "season.json"
    json_path.write_text(
        json.dumps({**result, "series": series}, indent=2, ensure_ascii=False) + "\n"
    )

    fig, ((ax_rate, ax_tput, ax_lat), (ax_backlog, ax_rss, ax_none)) = plt.subplots(
        2, 3, figsize=(18, 8)
    )
    ax_none.axis("off")
    fig.suptitle(
        f"OCOP season at {result.get('scale')}× size: "
        f"{result.get('season', {}).get('fairs')} fairs, "
        f"{result.get('season', {}).get('products')} products"
    )
    for lv in rec.levels:
        for ax in (ax_rate, ax_backlog, ax_rss):
            ax.axvspan(lv["from_s"], lv["from_s"] + lv["seconds"], alpha=0.08, color="tab:blue")
        ax_rate.text(
            lv["from_s"], 0.02, f" {lv['level']:g}×", va="bottom", fontsize=8,
            transform=ax_rate.get_xaxis_transform(),
        )  # fmt: skip
    if per_second:
        xs, ys = zip(*sorted(per_second.items()), strict=True)
        ax_rate.plot(xs, ys, lw=1, label="recorded")
    for lv in rec.levels:
        start, end = lv["from_s"], lv["from_s"] + lv["seconds"]
        ax_rate.hlines(lv["offered_sales_per_s"], start, end, colors="tab:red", lw=1)
    ax_rate.set(title="sales per second (red: offered)", xlabel="s", ylabel="sales/s")
    summary = result.get("levels", [])
    levels = [f"{lv['level']:g}×" for lv in summary]
    ax_tput.plot(levels, [lv["offered_sales_per_s"] for lv in summary], marker="x",
                 color="tab:red", label="offered")  # fmt: skip
    ax_tput.plot(levels, [lv["sales_per_s"] for lv in summary], marker="o",
                 color="tab:blue", label="recorded (answered within the level)")  # fmt: skip
    ax_tput.set(title="throughput per level", xlabel="peak level", ylabel="sales/s")
    ax_tput.legend(fontsize=8)
    nan = float("nan")  # not measured: no point drawn

    def points(key: str, q: str) -> list[float]:
        return [v if (v := lv[key][q]) is not None else nan for lv in summary]

    for key, colour in (("p50", "tab:green"), ("p99", "tab:orange")):
        ax_lat.plot(levels, points("sale_answer_ms", key), marker="o", color=colour,
                    label=f"sale answered {key}")  # fmt: skip
        ax_lat.plot(levels, points("sale_scheduled_to_projection_ms", key), marker="^",
                    ls=":", color=colour, label=f"sale→projection {key}")  # fmt: skip
        ax_lat.plot(levels, points("revocation_to_sales_block_ms", key), marker="s", ls="--",
                    color=colour, label=f"revocation→block {key}")  # fmt: skip
        ax_lat.plot(levels, points("inspection_to_sales_block_ms", key), marker="D", ls="-.",
                    color=colour, label=f"inspection→block {key}")  # fmt: skip
    ax_lat.set_yscale("log")
    ax_lat.set(
        title="latency from the sale's arrival (open loop)\n/ the revocation's or the "
        "inspection's answer",
        xlabel="peak level", ylabel="ms (log)",
    )  # fmt: skip
    ax_lat.title.set_fontsize(9)
    ax_lat.legend(fontsize=8)
    for s in SERVICES:
        ax_backlog.plot([b["t"] for b in rec.backlog], [b[s] for b in rec.backlog], label=s)
    ax_backlog.set(title="outbox backlog (unpublished rows)", xlabel="s", ylabel="rows")
    ax_backlog.legend(fontsize=8)
    names = [n for n in (rec.rss[0] if rec.rss else {}) if n not in ("t", "level")]
    for name in names:
        ax_rss.plot([r["t"] for r in rec.rss], [r[name] for r in rec.rss], label=name)
    ax_rss.axhline(RSS_LIMIT_MIB, color="tab:red", lw=0.8, ls="--")
    ax_rss.set(title="RSS, largest process of each service (red: 150 MB = 143 MiB)", xlabel="s",
               ylabel="MiB")  # fmt: skip
    ax_rss.legend(fontsize=8)
    fig.tight_layout()
    png_path = results / "season.png"
    fig.savefig(png_path, dpi=100)
    plt.close(fig)
    return [json_path, png_path]


def table(levels: Sequence[dict[str, Any]]) -> str:
    """The per-level summary printed after a run: throughput, a sale's answer, a sale reaching
    the projection, and how long sales took to act on revocations and inspections (ms,
    p50/p99; "-" when nothing was measured)."""

    def pair(d: dict[str, Any]) -> str:
        def one(v: float | None) -> str:
            return "-" if v is None else f"{v:.0f}"

        return f"{one(d.get('p50'))}/{one(d.get('p99'))}"

    head = ("level", "offered/s", "sales/s", "answer", "→projection", "revocation→block",
            "inspections", "insp.→block", "pass→sells", "keeps up")  # fmt: skip
    rows = [head]
    for lv in levels:
        insp = lv["inspections"]
        rows.append((
            f"{lv['level']:g}×", f"{lv['offered_sales_per_s']:g}", f"{lv['sales_per_s']:g}",
            pair(lv["sale_answer_ms"]), pair(lv["sale_scheduled_to_projection_ms"]),
            pair(lv["revocation_to_sales_block_ms"]),
            f"{insp['recorded']} ({insp['pass']}/{insp['suspend']}/{insp['refer']})",
            pair(lv["inspection_to_sales_block_ms"]),
            pair(lv["inspection_lift_to_sales_sells_ms"]),
            "yes" if lv["keeps_up"] else "no",
        ))  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join([
        *lines,
        "(latencies in ms, p50/p99; inspections: recorded (pass/suspend/refer))",
    ])  # fmt: skip


class DecisionMix:
    """The inspections' decisions in ``INSPECTION_MIX``'s shares, as an even sequence rather
    than independent draws: after n inspections each decision has been made its share of n
    times, give or take one (a short level still sees suspensions). Each next decision is the
    one furthest behind its share; ties go to the first in the mix."""

    def __init__(self, shares: dict[str, float] | None = None) -> None:
        self.shares = dict(shares or INSPECTION_MIX)
        self.counts = dict.fromkeys(self.shares, 0)
        self.made = 0

    def next(self) -> str:
        self.made += 1
        decision = max(self.shares, key=lambda d: self.shares[d] * self.made - self.counts[d])
        self.counts[decision] += 1
        return decision


def inspection_rate(level: float, per_min: float, rate_scale: float) -> float:
    """Inspections a second offered at ``level`` (``per_min``: the 1x peak's a minute)."""
    return level * per_min / 60 * rate_scale


Key = tuple[str, str]  # (fair_id, product_id)


@dataclass
class Inspecting:
    """The inspections' side of the drive, kept across levels: an inspector's session per
    province, what each product's state is at each fair, and the tills that took it off their
    keys while it is suspended there (a cashier does not ring up what the catalogue marks
    suspended; they ring it up again once it is lifted)."""

    inspectors: dict[str, str]  # province -> an inspector's session
    fair_province: dict[str, str]  # fair_id -> its province
    rng: random.Random
    per_min: float = PEAK_INSPECTIONS_PER_MIN
    mix: DecisionMix = field(default_factory=DecisionMix)
    # (fair, product) -> "inspecting" (a pass in flight), "suspending", "suspended" (sales
    # refused it: a pass may lift it), "referred", "lifting", "stuck" (no change seen)
    state: dict[Key, str] = field(default_factory=dict)
    where: dict[Key, tuple[Till, dict[str, Any]]] = field(default_factory=dict)  # inspected
    held: dict[Key, list[tuple[Till, dict[str, Any]]]] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)  # product ids (their certificates revoked)

    def busy(self, fair_id: str, product_id: str) -> bool:
        """Whether the product is being inspected or is suspended at the fair (a revocation
        then would be refused at once for the suspension, not measured)."""
        return (fair_id, product_id) in self.state

    def pick(
        self, decision: str, tills: Sequence[Till]
    ) -> tuple[Till, dict[str, Any], bool] | None:
        """The product the inspection is of, its till, and whether it lifts a suspension: a
        pass re-inspects the product suspended longest (sales refusing it) when there is one;
        otherwise a product not inspected now, not revoked, at a till with something else to
        sell while it is suspended. None: nothing to inspect."""
        if decision == "pass":
            key = next((k for k, v in self.state.items() if v == "suspended"), None)
            if key is not None:
                till, product = self.where[key]
                return till, product, True
        candidates = [
            (t, p) for t in tills if len(t.products) >= 2 for p in t.products
            if (t.fair_id, p["product_id"]) not in self.state
            and p["product_id"] not in self.revoked
        ]  # fmt: skip
        if not candidates:
            return None
        till, product = self.rng.choice(candidates)
        return till, product, False

    def take_off(self, key: Key, tills: Sequence[Till]) -> None:
        """The fair's tills stop ringing the product up (each keeps something to sell)."""
        held = self.held.setdefault(key, [])
        for t in tills:
            if t.fair_id != key[0] or len(t.products) < 2:
                continue
            for p in t.products:
                if p["product_id"] == key[1]:
                    t.products = [q for q in t.products if q is not p]
                    held.append((t, p))
                    break

    def forget(self, key: Key) -> None:
        """The product is on sale at the fair again (or was never off): its tills ring it
        up again."""
        for t, p in self.held.pop(key, []):
            if all(q["product_id"] != p["product_id"] for q in t.products):
                t.products = [*t.products, p]
        self.state.pop(key, None)
        self.where.pop(key, None)


async def make_inspectors(
    client: Any, provinces: Sequence[str], admin: str, tag: str
) -> dict[str, str]:
    """A market surveillance authority for each province hosting a fair, as the platform
    admin creates one (``POST /organizations``, kind ``inspector``), its owner accepting the
    invitation: that person's session."""
    from ocop_cli import demo

    out = {}
    for province in sorted(set(provinces)):
        slug = demo.slug(province)
        created = await client.call("registration", "POST", "/organizations", admin, json={
            "kind": "inspector", "organization_id": f"qltt-season-{slug}-{tag}",
            "name": f"Chi cục Quản lý thị trường {province}", "province": province,
        })  # fmt: skip
        session = await client.call("registration", "POST", "/invitations/accept", json={
            "code": created["owner_invitation"]["code"],
            "account": {"name": "Nguyễn Văn Kiểm", "password": demo.new_password(),
                        "email": f"qltt-{slug.replace('-', '')}.{tag}@{demo.MAIL_DOMAIN}"},
        })  # fmt: skip
        out[province] = session["token"]
    return out


def probe_sale(product: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """One unit of the product, paid in cash: the sale a probe sends to see whether sales
    sells the product."""
    from ocop_cli import demo

    probe = {"product_id": product["product_id"], "quantity": 1,
             "unit_price_vnd": product["list_price_vnd"]}  # fmt: skip
    body = {**demo.sale([product], rng), "lines": [probe], "total_vnd": probe["unit_price_vnd"]}
    body["payments"] = [{"method": "cash", "amount_vnd": probe["unit_price_vnd"]}]
    return body


# --- the load ----------------------------------------------------------------------------


async def watch_topic(broker: BenchBroker, rec: Recorder, stop: asyncio.Event) -> None:
    """Reads sales.sales from its end as the web app's dashboard does, noting when each sale
    arrives."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    from ocop_shared.kafka import client_options
    from ocop_shared.topics import SALES_SALES

    topic = SALES_SALES.physical(broker.prefix)
    consumer = AIOKafkaConsumer(**client_options(broker.settings()), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = None
        for _ in range(120):  # sales creates its topics at start: they exist by now
            partitions = consumer.partitions_for_topic(topic)
            if partitions:
                break
            await consumer._client.force_metadata_update()
            await asyncio.sleep(0.25)
        if not partitions:
            raise LookupError(f"no topic {topic}")
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        await consumer.seek_to_end()
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=200, max_records=5000)
            now = rec.now()
            for records in batch.values():
                for r in records:
                    with contextlib.suppress(Exception):
                        payload = orjson.loads(r.value).get("payload", {})
                        sale_id = payload.get("sale_id")
                        if sale_id and sale_id not in rec.arrived:
                            rec.arrived[sale_id] = now
    finally:
        await consumer.stop()


async def sample(
    rec: Recorder, services: Services, pg: asyncpg.Connection, stop: asyncio.Event
) -> None:
    while not stop.is_set():
        t = rec.now()
        row: dict[str, float] = {"t": round(t, 2), "level": rec.level}
        for s in SERVICES:
            row[s] = await pg.fetchval(
                f"select count(*) from {s}.outbox where published_at is null"
            )
        rec.backlog.append(row)
        largest, tree = services.rss()
        rec.rss.append({"t": round(t, 2), "level": rec.level, **largest})
        rec.rss_tree.append({"t": round(t, 2), "level": rec.level, **tree})
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


class Tills:
    """The tills' side of the drive: one HTTP session (aiohttp, kept-alive connections) for
    every till, each till sending one request at a time, with its device token as a real
    till does. A sale is idempotent by its ``sale_id`` (the service answers a repeat as a
    replay), so a till sends no ``Idempotency-Key`` unless asked (``--idempotency-keys``: as
    the CLI's client does, two more round trips to the key table a request)."""

    def __init__(self, services: Services, *, idempotency_keys: bool = False) -> None:
        self.services = services
        self.idempotency_keys = idempotency_keys
        self.locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Tills:
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=60),
            timeout=aiohttp.ClientTimeout(total=60),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.session is not None:
            await self.session.close()

    async def post(
        self, till: Till, path: str, body: dict[str, Any], *, queue: bool = True
    ) -> tuple[int, Any, float]:
        """Sends when the till's previous request has been answered (``queue``; the
        revocation's probe, a measuring device, does not wait behind the till's sales): the
        status, the answer and when it was sent (monotonic)."""
        assert self.session is not None
        headers = {"Authorization": f"Bearer {till.token}", "Content-Type": "application/json"}
        if self.idempotency_keys:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        async with self.locks[till.terminal_id] if queue else contextlib.nullcontext():
            sent = time.monotonic()
            async with self.session.post(
                self.services.url("sales") + path, data=orjson.dumps(body), headers=headers
            ) as response:
                raw = await response.read()
                return response.status, orjson.loads(raw) if raw else None, sent


async def drive_level(
    client: Any,
    tills_http: Tills,
    season: Loaded,
    rec: Recorder,
    level: float,
    seconds: float,
    rate_scale: float,
    rng: random.Random,
    *,
    max_in_flight: int = 2000,
    drain_seconds: float = 30.0,
    inspect: Inspecting | None = None,
) -> dict[str, Any]:
    """Offers the level's load for ``seconds``: Poisson arrivals of online sales, offline
    batches, revocations and (``inspect``) inspections, each sent at its arrival time
    whatever the answers before it
    (an open loop: a late system is not offered less), then waits (``drain_seconds`` at
    most) for what is in flight. An arrival finding ``max_in_flight`` requests unanswered is
    not sent and is counted as shed."""
    from ocop_cli import demo

    online_rate = level * PEAK_SALES_PER_S * (1 - OFFLINE_SHARE) * rate_scale
    batch_rate = level * PEAK_SALES_PER_S * OFFLINE_SHARE * rate_scale / OFFLINE_BATCH
    revocation_rate = level * PEAK_REVOCATIONS_PER_MIN / 60 * rate_scale
    inspecting_rate = inspection_rate(level, inspect.per_min, rate_scale) if inspect else 0.0
    rec.level = level
    tills = season.tills
    tasks: set[asyncio.Task[None]] = set()
    revoked: set[str] = set()
    cpu_before = time.process_time()
    services_before = tills_http.services.cpu()

    def failed(status: int | None, exc: BaseException | None = None, answer: Any = None) -> None:
        code = answer.get("code") if isinstance(answer, dict) else None
        kind = f"http {status} {code or ''}".strip() if status else type(exc).__name__
        rec.error(level, kind)
        if isinstance(answer, dict):  # the first answer of each kind, to say what it was
            rec.error_examples.setdefault(kind, answer)

    async def online(till: Till, scheduled: float) -> None:
        body = demo.sale(till.products, rng)
        try:
            status, answer, sent = await tills_http.post(till, "/sales", body)
        except Exception as exc:
            failed(None, exc)
            return
        if status in (200, 201):
            rec.sale(body["sale_id"], "online", scheduled, sent - rec.started)
        elif status == 422:
            rec.refused[level] += 1
        else:
            failed(status, answer=answer)

    async def offline(till: Till, scheduled: float) -> None:
        bodies = [demo.sale(till.products, rng) for _ in range(OFFLINE_BATCH)]
        try:
            status, out, sent = await tills_http.post(till, "/sales/batch", {"sales": bodies})
        except Exception as exc:
            failed(None, exc)
            return
        if status not in (200, 201):
            failed(status, answer=out)
            return
        for body, answer in zip(bodies, out["results"], strict=True):
            if answer.get("status") in ("recorded", "replayed"):
                rec.sale(body["sale_id"], "offline", scheduled, sent - rec.started)
            else:
                rec.refused[level] += 1

    async def revoke() -> None:
        candidates = [
            (t, p) for t in tills for p in t.products if p["certificate"]["number"] not in revoked
            and not (inspect and inspect.busy(t.fair_id, p["product_id"]))
        ]  # fmt: skip
        if not candidates:
            return
        till, product = rng.choice(candidates)
        number = product["certificate"]["number"]
        revoked.add(number)
        if inspect:
            inspect.revoked.add(product["product_id"])
        loaded = next(f for f in season.fairs if f.fair_id == till.fair_id)
        council = loaded.certifiers.get(product["certificate"]["authority_id"])
        if council is None:
            return
        try:
            await client.call(
                "registration", "POST", "/certificates/revocations", council,
                json={"decision_number": f"{rng.randint(100, 999)}/QĐ-UBND",
                      "reason": "Kiểm tra thị trường: sản phẩm không đạt chất lượng",
                      "certificate_numbers": [number]},
            )  # fmt: skip
        except Exception as exc:
            failed(None, exc)
            return
        committed = time.monotonic()
        till.products = [p for p in till.products if p is not product] or till.products
        while time.monotonic() - committed < 30:
            body = probe_sale(product, rng)
            with contextlib.suppress(Exception):
                status, _, _ = await tills_http.post(till, "/sales", body, queue=False)
                if status == 422:
                    rec.revocations.append((level, time.monotonic() - committed))
                    return
            await asyncio.sleep(0.1)

    async def probe(till: Till, product: dict[str, Any], refused: bool) -> float | None:
        """Seconds until a probe sale of the product at the till is refused (``refused``) or
        recorded (not refused), every 0.1 s for PROBE_SECONDS; None: it never was."""
        assert inspect is not None
        begun = time.monotonic()
        while time.monotonic() - begun < PROBE_SECONDS:
            with contextlib.suppress(Exception):
                body = probe_sale(product, inspect.rng)
                status, _, _ = await tills_http.post(till, "/sales", body, queue=False)
                if (status == 422) if refused else status in (200, 201):
                    return time.monotonic() - begun
            await asyncio.sleep(0.1)
        return None

    async def inspection(arrived: float) -> None:
        """An inspector of the fair's province records an inspection; after a suspend or a
        refer, probes until sales refuses the product at that fair (and sells it at any other
        fair exhibiting it); after a pass lifting a suspension, until it sells again."""
        assert inspect is not None
        decision = inspect.mix.next()
        picked = inspect.pick(decision, tills)
        if picked is None:
            return
        till, product, lifts = picked
        key = (till.fair_id, product["product_id"])
        suspends = decision in ("suspend", "refer")
        inspect.state[key] = "lifting" if lifts else "suspending" if suspends else "inspecting"
        inspect.where[key] = (till, product)
        if suspends:
            inspect.take_off(key, tills)
        body = {
            "inspection_id": str(uuid.uuid4()), "product_id": product["product_id"],
            "exhibitor_id": till.exhibitor_id or None, "booth_code": till.booth_code or "?",
            "sample": "2 đơn vị sản phẩm, niêm phong tại gian hàng",
            "finding": {"pass": "Nhãn, hạn sử dụng và chất lượng cảm quan đạt yêu cầu",
                        "suspend": "Nhãn thiếu hạn sử dụng, lô hàng chưa rõ nguồn gốc",
                        "refer": "Mẫu không đạt chỉ tiêu chất lượng công bố"}[decision],
            "decision": decision,
        }  # fmt: skip
        token = inspect.inspectors.get(inspect.fair_province.get(till.fair_id, ""), "")
        try:
            await client.call("registration", "POST", f"/fairs/{till.fair_id}/inspections",
                              token, json=body)  # fmt: skip
        except Exception as exc:  # counted as an error of the level, named as an inspection
            response = getattr(exc, "response", None)
            answer: Any = None
            with contextlib.suppress(Exception):
                answer = response.json() if response is not None else None
            status = getattr(response, "status_code", None)
            code = answer.get("code") if isinstance(answer, dict) else None
            kind = (f"inspection http {status} {code or ''}".strip() if status
                    else f"inspection {type(exc).__name__}")  # fmt: skip
            rec.error(level, kind)
            if isinstance(answer, dict):
                rec.error_examples.setdefault(kind, answer)
            if lifts:  # still suspended
                inspect.state[key] = "suspended"
            else:  # as before
                inspect.forget(key)
            return
        rec.inspections.append((level, decision, time.monotonic() - arrived))
        if decision == "pass" and not lifts:
            inspect.forget(key)
            return
        took = await probe(till, product, refused=suspends)
        if took is None:
            rec.inspection_not_seen.append((level, "block" if suspends else "lift"))
            inspect.state[key] = "stuck"
            return
        if not suspends:
            rec.inspection_lifts.append((level, took))
            inspect.forget(key)
            return
        rec.inspection_blocks.append((level, decision, took))
        inspect.state[key] = "suspended" if decision == "suspend" else "referred"
        # nowhere else changes: the product still sells at another fair exhibiting it
        elsewhere = [(t, p) for t in tills if t.fair_id != till.fair_id
                     and not inspect.busy(t.fair_id, key[1])
                     for p in t.products if p["product_id"] == key[1]]  # fmt: skip
        for other, listed in elsewhere[:2]:  # at that fair's price
            with contextlib.suppress(Exception):
                status, _, _ = await tills_http.post(
                    other, "/sales", probe_sale(listed, inspect.rng), queue=False
                )
                rec.inspection_other_fair.append((level, status in (200, 201)))

    def spawn(coro: Any) -> None:
        task = asyncio.create_task(coro)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    # Poisson arrivals for each kind, from one loop that sends every arrival that is due
    # each time it wakes (a loop woken late catches up at once, never one arrival a turn).
    rates = {"online": online_rate, "offline": batch_rate, "revoke": revocation_rate,
             "inspect": inspecting_rate}  # fmt: skip
    # inspections draw from their own generator: the other kinds' draws stay as they were
    draws = {k: inspect.rng if k == "inspect" and inspect else rng for k in rates}
    begun = time.monotonic()
    deadline = begun + seconds
    due = {k: begun + draws[k].expovariate(r) for k, r in rates.items() if r > 0}
    late: list[float] = []  # how late the loop sent arrivals (the driver's own lag)
    while due:
        now = time.monotonic()
        for kind in due:
            while due[kind] <= now and due[kind] < deadline:
                scheduled = due[kind] - rec.started
                late.append(now - due[kind])
                rec.arrivals[level] += {"online": 1, "offline": OFFLINE_BATCH}.get(kind, 0)
                arrived = due[kind]
                due[kind] += draws[kind].expovariate(rates[kind])
                if kind == "revoke":
                    spawn(revoke())
                elif kind == "inspect":
                    spawn(inspection(arrived))
                elif len(tasks) >= max_in_flight:  # far behind: counted, not piled up
                    rec.shed[level] += 1
                elif kind == "online":
                    spawn(online(rng.choice(tills), scheduled))
                else:
                    spawn(offline(rng.choice(tills), scheduled))
        if now >= deadline:
            break
        await asyncio.sleep(max(0.0, min(min(due.values()), deadline) - time.monotonic()))
    window = time.monotonic() - begun
    cpu = time.process_time() - cpu_before
    services_cpu = {
        name: round((used - services_before.get(name, 0.0)) / window, 2)
        for name, used in tills_http.services.cpu().items()
    }
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=drain_seconds)
        for task in pending:
            task.cancel()
            rec.error(level, "unanswered after the drain")
    return {
        "level": level,
        "from_s": round(begun - rec.started, 2),
        "seconds": round(window, 2),
        "drained_s": round(time.monotonic() - begun - window, 2),
        "offered_sales_per_s": round(level * PEAK_SALES_PER_S * rate_scale, 1),
        "offered_online_per_s": round(online_rate, 1),
        "offered_offline_batches_per_s": round(batch_rate, 2),
        "offered_revocations_per_min": round(revocation_rate * 60, 2),
        "offered_inspections_per_min": round(inspecting_rate * 60, 2),
        # CPU (cores' worth) each service's processes used during the window; the machine
        # has os.cpu_count() cores, shared with the driver, Kafka and PostgreSQL
        "services_cpu_share_of_a_core": services_cpu,
        "machine_load_average_1m": round(os.getloadavg()[0], 1),  # other work on it too
        "driver": {
            "cpu_share_of_a_core": round(cpu / window, 2),
            "send_lag_ms_p99": round((percentile(late, 99) or 0.0) * 1000, 1),
        },
    }


async def fresh_database(admin_dsn: str) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'drop database if exists "{DATABASE}" with (force)')
        await conn.execute(f'create database "{DATABASE}"')
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def running_system(
    replicas: int, logs: Path, workers: dict[str, int] | None = None
) -> AsyncIterator[tuple[Services, BenchBroker]]:
    from ocop_shared.settings import CommonSettings

    common = CommonSettings()
    await fresh_database(common.admin_dsn("postgres"))
    prefix = f"s{uuid.uuid4().hex[:10]}."
    async with bench_broker(prefix) as broker:
        services = Services(broker, logs, replicas, workers)
        services.start()
        try:
            await services.wait_ready()
            yield services, broker
        finally:
            services.stop()


def admin_tokens() -> dict[str, str]:
    from ocop_shared.settings import ServiceSettings

    tokens = {}
    for s in SERVICES:
        token = ServiceSettings(service=s).admin_token
        tokens[s] = token.get_secret_value() if token else ""
    return tokens


async def has_inspections(client: Any) -> bool:
    spec = await client.call("registration", "GET", "/openapi.json")
    return "post" in spec.get("paths", {}).get("/fairs/{fair_id}/inspections", {})


async def run(args: argparse.Namespace) -> list[Path]:
    from ocop_cli.client import Client
    from ocop_shared.settings import CommonSettings

    rng = random.Random(args.seed)
    logs = Path(args.logs)
    rec = Recorder()
    salt = uuid.uuid4().hex[:8]
    fairs = season_fairs(args.scale, args.seed, salt)
    async with (
        running_system(args.replicas, logs, args.workers) as (services, broker),
        Client(endpoints(services), timeout=60) as client,
        Tills(services, idempotency_keys=args.idempotency_keys) as tills,
    ):
        inspections = await has_inspections(client)
        tokens = admin_tokens()
        season = await load_season(client, fairs, tokens)
        if not season.tills:
            raise RuntimeError("the season has no till with anything to sell")
        inspect = None
        if inspections and args.inspections_per_min > 0:
            inspect = Inspecting(
                await make_inspectors(client, season.hosts, tokens["registration"], salt),
                {f.fair_id: host for f, host in zip(season.fairs, season.hosts, strict=True)},
                random.Random(f"{args.seed}:inspections"),
                per_min=args.inspections_per_min,
            )
        pg = await asyncpg.connect(CommonSettings().admin_dsn(DATABASE))
        stop = asyncio.Event()
        rec.started = time.monotonic()
        watchers = [
            asyncio.create_task(watch_topic(broker, rec, stop)),
            asyncio.create_task(sample(rec, services, pg, stop)),
        ]
        try:
            await asyncio.sleep(2)  # the reader is at the topic's end
            for level in args.levels:
                print(f"season: driving {level:g}× the peak for {args.seconds} s", flush=True)
                rec.levels.append(
                    await drive_level(
                        client, tills, season, rec, level, args.seconds, args.rate_scale, rng,
                        inspect=inspect,
                    )
                )  # fmt: skip
            await asyncio.sleep(3)  # the last sales reach the reader
        finally:
            stop.set()
            outcomes = await asyncio.gather(*watchers, return_exceptions=True)
            await pg.close()
        failed = [o for o in outcomes if isinstance(o, Exception)]
        if failed:  # a reader or sampler that failed would leave its figures empty
            raise RuntimeError(f"season: a watcher failed: {failed!r}")
    levels = summarize(rec)
    result = {
        "benchmark": "season",
        "machine": machine(),
        "scale": args.scale,
        "rate_scale": args.rate_scale,
        "replicas": args.replicas,
        "workers": services.workers,
        "tills_send_idempotency_keys": args.idempotency_keys,
        "season": {
            "provinces": len({h.province for _, f in fairs for h in f.holders}),
            "host_provinces": len(set(season.hosts)),
            "fairs": len(season.fairs),
            "products": season.products,
            "holders": season.holders,
            "tills_selling": len(season.tills),
            "load_seconds": round(season.seconds, 1),
        },
        "peak_1x": {
            "sales_per_s": round(PEAK_SALES_PER_S, 1),
            "offline_share": OFFLINE_SHARE,
            "offline_batch": OFFLINE_BATCH,
            "revocations_per_min": PEAK_REVOCATIONS_PER_MIN,
            "inspections_per_min": args.inspections_per_min,
            "inspection_mix": INSPECTION_MIX,
            "why": f"{CONCURRENT_FAIRS} fairs at once x {TILLS_PER_FAIR} tills x "
            f"{SALES_PER_TILL_HOUR} sales per till in the busiest hour; inspections: "
            f"{CONCURRENT_FAIRS} fairs x {INSPECTIONS_PER_FAIR_HOUR} an hour each",
        },
        "inspections_driven": inspect is not None,
        "inspection_api_present": inspections,
        "levels": levels,
        "error_examples": rec.error_examples,
    }
    paths = write_report(result, rec, Path(args.results))
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2,
                     ensure_ascii=False))  # fmt: skip
    print(table(levels))
    for p in paths:
        print(f"saved {p}")
    return paths


def workers(value: str) -> dict[str, int]:
    """``sales=2,booths=1``."""
    out = {}
    for part in filter(None, value.split(",")):
        name, _, count = part.partition("=")
        if name not in SERVICES or not count.isdigit() or int(count) < 1:
            raise argparse.ArgumentTypeError(f"{part!r}: SERVICE=N, one of {', '.join(SERVICES)}")
        out[name] = int(count)
    return out


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench season", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="the season's size (1: 300 fairs)")
    parser.add_argument(
        "--levels", type=lambda v: [float(x) for x in v.split(",")], default=[1.0, 2.0, 4.0, 8.0, 16.0],
        help="multiples of the peak, in order (1,2,4,8,16: 8 and 16 to find saturation)",
    )  # fmt: skip
    parser.add_argument("--seconds", type=float, default=60.0, help="per level")
    parser.add_argument("--rate-scale", type=float, default=1.0, help="multiplies every rate")
    parser.add_argument(
        "--inspections-per-min", type=float, default=PEAK_INSPECTIONS_PER_MIN,
        help=f"inspections a minute at 1x ({PEAK_INSPECTIONS_PER_MIN:g}: the peak; 0: none)",
    )  # fmt: skip
    parser.add_argument("--replicas", type=int, default=1, help="of each service")
    parser.add_argument(
        "--workers", type=workers, default={"sales": 2},
        help="uvicorn worker processes per replica, as deployed (sales=2: deploy/k8s)",
    )  # fmt: skip
    parser.add_argument(
        "--idempotency-keys", action="store_true",
        help="tills send an Idempotency-Key with each sale (its sale_id already makes it safe)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--results", default=str(RESULTS))
    parser.add_argument("--logs", default=str(REPO / ".local" / "logs" / "season"))
    return parser.parse_args(list(argv))


async def main(argv: Sequence[str] = ()) -> None:
    await run(parse(argv))
