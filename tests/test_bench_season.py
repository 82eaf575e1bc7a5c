"""``./dev bench season`` (bench/season.py) writes its JSON and its PNG.

The report is tested on what a run records (no stack: every run of the suite). The season
itself needs the services as processes of its own and a private Kafka broker, ~1-2 minutes on
two cores before the first sale, past a CI smoke test's 60 s: it runs only when asked,
``OCOP_SEASON_SMOKE=1`` (one fair, one level of 5 s, with inspections at 80 times the peak's
rate so that a few are made and one suspends a product)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import season  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def recorded() -> season.Recorder:
    rec = season.Recorder()
    rec.started = 0.0
    for level, start in ((1.0, 0.0), (2.0, 10.0)):
        rec.level = level
        for i in range(int(20 * level)):
            sale = f"{level}-{i}"
            t = start + i * 0.5 / level
            # scheduled 30 ms before the answer, sent 10 ms before it
            rec.committed[sale] = (t - 0.03, t - 0.01, t, level)
            rec.sales.append((t, level, "online" if i % 5 else "offline"))
            if i != 3:  # one sale never reached the reader
                rec.arrived[sale] = t + 0.05 * level
        rec.revocations += [(level, 0.3 * level), (level, 0.4 * level)]
        # level 1: 4 passes (one lifting), 1 suspend, 1 refer; level 2 the same twice over (the
        # blocks measured need not match the decisions here)
        for k in range(int(6 * level)):
            decision = ("pass", "pass", "suspend", "pass", "pass", "refer")[k % 6]
            rec.inspections.append((level, decision, 0.02 * (k + 1)))
        rec.inspection_blocks += [(level, "suspend", 0.1 * level), (level, "suspend", 0.25 * level),
                                  (level, "refer", 0.5 * level)]  # fmt: skip
        rec.inspection_lifts.append((level, 0.15 * level))
        rec.inspection_other_fair.append((level, True))
        rec.refused[level] += 1
        for k in range(20):
            t = start + k * 0.5
            rec.backlog.append({"t": t, "level": level, "registration": 0, "booths": 0,
                                "sales": k % 4 * level})  # fmt: skip
            rec.rss.append({"t": t, "level": level, "registration-1": 80.0, "booths-1": 90.0,
                            "sales-1": 95.0 + k * level})  # fmt: skip
            rec.rss_tree.append({"t": t, "level": level, "registration-1": 80.0,
                                 "booths-1": 90.0, "sales-1": 3 * (95.0 + k)})  # fmt: skip
        rec.levels.append({"level": level, "from_s": start, "seconds": 10.0,
                           "offered_sales_per_s": 2.0 * level})  # fmt: skip
    # a sale answered while level 2 drained: not in its throughput
    rec.level = 2.0
    rec.committed["late"] = (19.0, 19.0, 21.0, 2.0)
    rec.sales.append((21.0, 2.0, "online"))
    rec.shed[2.0] += 2
    rec.arrivals.update({1.0: 21, 2.0: 43})  # level 1: 20 of 21 answered (95 %)
    rec.inspection_not_seen.append((2.0, "block"))
    return rec


def test_the_report_is_json_and_a_png_of_what_was_measured(tmp_path: Path) -> None:
    rec = recorded()
    levels = season.summarize(rec)
    result = {"benchmark": "season", "scale": 0.01, "season": {"fairs": 3, "products": 216},
              "levels": levels}  # fmt: skip
    paths = season.write_report(result, rec, tmp_path)

    assert [p.name for p in paths] == ["season.json", "season.png"]
    assert (tmp_path / "season.png").read_bytes().startswith(PNG)
    saved = json.loads((tmp_path / "season.json").read_text())
    one, two = saved["levels"]
    assert one["sales_recorded"] == 20 and two["sales_recorded"] == 40
    assert two["sales_answered_after_window"] == 1
    assert two["sales_per_s"] == 4.0
    assert one["keeps_up"] is True and one["sales_arrived"] == 21
    assert two["keeps_up"] is False and two["shed_by_driver"] == 2  # all offered, 2 shed
    assert one["sale_answer_ms"]["p50"] == pytest.approx(30.0)
    assert one["sale_wire_ms"]["p99"] == pytest.approx(10.0)
    assert one["sale_queued_at_till_ms"]["max"] == pytest.approx(20.0)
    assert two["sale_answer_ms"]["max"] == pytest.approx(2000.0)
    assert one["sale_commit_to_projection_ms"]["p50"] == pytest.approx(50.0)
    assert two["sale_commit_to_projection_ms"]["p99"] == pytest.approx(100.0)
    assert one["sale_commit_to_projection_ms"]["not_seen"] == 1
    assert one["sale_scheduled_to_projection_ms"]["p50"] == pytest.approx(80.0)
    assert two["revocation_to_sales_block_ms"]["max"] == pytest.approx(800.0)
    assert one["inspections"]["recorded"] == 6 and two["inspections"]["recorded"] == 12
    assert (one["inspections"]["pass"], one["inspections"]["suspend"],
            one["inspections"]["refer"]) == (4, 1, 1)  # fmt: skip
    assert one["inspections"]["answer_ms"]["max"] == pytest.approx(120.0)
    assert one["inspection_to_sales_block_ms"] == {
        "p50": pytest.approx(250.0), "p99": pytest.approx(500.0), "max": pytest.approx(500.0),
        "measured": 3, "not_seen": 0,
    }  # fmt: skip
    assert two["inspection_to_sales_block_ms"]["not_seen"] == 1
    assert two["inspection_lift_to_sales_sells_ms"]["p50"] == pytest.approx(300.0)
    assert two["inspection_lift_to_sales_sells_ms"]["measured"] == 1
    assert one["inspection_other_fair_still_sells"] == {"checked": 1, "sold": 1}
    assert two["outbox_backlog_max"] == {"registration": 0, "booths": 0, "sales": 6.0}
    assert one["rss_mib_max"]["sales-1"] == 114.0 and one["rss_within_150_mb"] is True
    assert two["rss_mib_max"]["sales-1"] == 133.0
    assert two["rss_tree_mib_max"]["sales-1"] == 342.0
    assert len(saved["series"]["outbox_backlog"]) == 40
    assert len(saved["series"]["rss_tree_mib"]) == 40


def test_the_printed_table_has_a_row_per_level_with_the_inspections() -> None:
    one, two = season.table(season.summarize(recorded())).splitlines()[1:3]
    assert one.split()[0] == "1×" and two.split()[0] == "2×"
    assert "6 (4/1/1)" in one and "12 (8/2/2)" in two
    assert "250/500" in one  # inspection -> block, p50/p99 ms
    assert "150/150" in one  # a pass lifting a suspension -> selling again
    empty = season.summarize(recorded())[0]
    empty["inspection_to_sales_block_ms"] = {"p50": None, "p99": None}
    assert " -/- " in season.table([empty])


def test_inspections_arrive_at_the_peak_times_the_level() -> None:
    assert season.PEAK_INSPECTIONS_PER_MIN == 5.0  # 30 fairs x 10 an hour each
    assert season.parse([]).inspections_per_min == 5.0
    assert season.parse(["--inspections-per-min", "0"]).inspections_per_min == 0.0
    assert season.inspection_rate(1.0, 5.0, 1.0) == pytest.approx(5 / 60)
    assert season.inspection_rate(16.0, 5.0, 0.5) == pytest.approx(16 * 5 / 60 / 2)
    assert sum(season.INSPECTION_MIX.values()) == pytest.approx(1.0)


def test_the_decisions_keep_their_shares_from_the_first_inspections() -> None:
    mix = season.DecisionMix()
    made = [mix.next() for _ in range(200)]
    assert made[:3] == ["pass", "pass", "suspend"]  # a short level sees a suspension
    assert "refer" in made[:20]
    for n in range(1, 201):  # every prefix within one of its share
        for decision, share in season.INSPECTION_MIX.items():
            assert abs(made[:n].count(decision) - share * n) <= 1, (n, decision)
    assert [made.count(d) for d in ("pass", "suspend", "refer")] == [160, 30, 10]


def product(pid: str) -> dict[str, object]:
    return {"product_id": pid, "list_price_vnd": 50_000, "certificate": {"number": f"C-{pid}"}}


def test_an_inspection_picks_a_product_it_may_suspend_and_a_pass_lifts_the_longest() -> None:
    import random

    alone = season.Till("f1", "t0", "tok", [product("p0")])  # nothing else to sell
    till = season.Till("f1", "t1", "tok", [product("p1"), product("p2")], "e1", "A-01")
    other_fair = season.Till("f2", "t2", "tok", [product("p1"), product("p3")], "e2", "B-01")
    tills = [alone, till, other_fair]
    insp = season.Inspecting({"Hà Nội": "x"}, {"f1": "Hà Nội"}, random.Random(1))
    insp.revoked.add("p3")
    picks = set()
    for _ in range(200):
        picked = insp.pick("suspend", tills)
        assert picked is not None
        picks.add((picked[0].fair_id, picked[1]["product_id"]))
    assert picks == {("f1", "p1"), ("f1", "p2"), ("f2", "p1")}  # not p0 (alone), not p3

    key = ("f1", "p1")
    insp.state[key], insp.where[key] = "suspending", (till, till.products[0])
    insp.take_off(key, tills)
    assert [p["product_id"] for p in till.products] == ["p2"]
    assert [p["product_id"] for p in other_fair.products] == ["p1", "p3"]  # nowhere else
    assert insp.busy("f1", "p1") and not insp.busy("f2", "p1")
    # a suspension not yet seen at sales is not lifted; once seen, a pass re-inspects it
    picked = insp.pick("pass", tills)
    assert picked is not None and picked[0] is other_fair and picked[2] is False
    insp.state[key] = "suspended"
    assert insp.pick("pass", tills) == (till, product("p1"), True)
    assert insp.pick("suspend", [till]) is None  # p2 is the till's last product
    insp.forget(key)
    assert [p["product_id"] for p in till.products] == ["p2", "p1"]
    assert not insp.busy("f1", "p1") and key not in insp.where


class FakeSystem:
    """Registration and sales as the driver sees them, without a stack: an inspection takes
    effect at sales 0.2 s after its answer (the event's way), a probe sale of a product
    suspended at its till's fair is refused."""

    def __init__(self) -> None:
        self.suspended: set[tuple[str, str]] = set()
        self.inspections: list[dict[str, Any]] = []
        self.services = self  # Tills.services.cpu()

    def cpu(self) -> dict[str, float]:
        return {}

    async def call(self, service: str, method: str, path: str, token: str, **kw: Any) -> Any:
        assert (service, method, token) == ("registration", "POST", "qltt")
        fair_id, body = path.split("/")[2], kw["json"]
        self.inspections.append(body)
        key = (fair_id, body["product_id"])
        apply = self.suspended.add if body["decision"] != "pass" else self.suspended.discard
        asyncio.get_running_loop().call_later(0.2, apply, key)
        return {"suspended": body["decision"] != "pass"}

    async def post(
        self, till: season.Till, path: str, body: dict[str, Any], *, queue: bool = True
    ) -> tuple[int, Any, float]:
        refused = any((till.fair_id, ln["product_id"]) in self.suspended for ln in body["lines"])
        return (422 if refused else 201), {}, time.monotonic()


def test_the_driver_inspects_and_measures_sales_acting_on_each_decision() -> None:
    import random

    tills = [
        season.Till("f1", f"t{i}", "tok", [product(f"p{i}a"), product(f"p{i}b")], f"e{i}", "A")
        for i in range(4)
    ]
    # each product is exhibited at another fair too: it still sells there
    tills += [season.Till("f2", f"u{i}", "tok", [dict(p) for p in t.products], f"e{i}", "B")
              for i, t in enumerate(tills)]  # fmt: skip
    loaded = season.Loaded(tills=tills)
    system = FakeSystem()
    insp = season.Inspecting({"Huế": "qltt"}, {"f1": "Huế", "f2": "Huế"}, random.Random(3),
                             per_min=2e10)  # x rate_scale 1e-8: 200 a minute, no sales  # fmt: skip
    rec = season.Recorder()

    async def drive() -> dict[str, Any]:
        return await season.drive_level(
            system, system, loaded, rec, 1.0, 3.0, 1e-8, random.Random(1),  # type: ignore[arg-type]
            drain_seconds=5.0, inspect=insp,
        )  # fmt: skip

    lv = asyncio.run(drive())
    assert lv["offered_inspections_per_min"] == pytest.approx(200.0)
    rec.levels.append(lv)
    [one] = season.summarize(rec)
    made = [b["decision"] for b in system.inspections]
    assert one["inspections"]["recorded"] == len(made) >= 5  # Poisson: 10 expected in 3 s
    assert made[:3] == ["pass", "pass", "suspend"]
    blocks = one["inspection_to_sales_block_ms"]
    assert blocks["measured"] == made.count("suspend") + made.count("refer")
    assert 200 <= blocks["p50"] < 1000 and blocks["not_seen"] == 0
    # each pass after a suspension seen at sales lifted it: selling again after 0.2 s or so
    lifts = one["inspection_lift_to_sales_sells_ms"]
    assert lifts["measured"] >= 1 and 200 <= lifts["p50"] < 1000
    assert one["errors"] == 0 and one["sales_arrived"] == 0
    elsewhere = one["inspection_other_fair_still_sells"]
    assert elsewhere["checked"] >= 1 and elsewhere["sold"] == elsewhere["checked"]
    # every product is back on its till unless suspended now
    on_tills = {(t.fair_id, p["product_id"]) for t in tills for p in t.products}
    assert len(on_tills) == 16 - len(system.suspended)
    assert set(insp.state.values()) <= {"suspended", "referred"}


def test_a_service_over_150_mb_is_said_so() -> None:
    rec = recorded()
    rec.rss[-1]["registration-1"] = 150e6 / 2**20 + 0.1  # 150 MB is 143.1 MiB
    one, two = season.summarize(rec)
    assert one["rss_within_150_mb"] is True
    assert two["rss_within_150_mb"] is False


def test_workers_are_named_per_service() -> None:
    assert season.parse([]).workers == {"sales": 2}
    assert season.parse(["--workers", "sales=3,booths=2"]).workers == {"sales": 3, "booths": 2}
    with pytest.raises(SystemExit):
        season.parse(["--workers", "shop=2"])


def test_the_season_is_34_provinces_and_its_products_shrink_with_the_scale() -> None:
    fairs = season.season_fairs(0.05, 7, "salt")
    assert len(fairs) == 15
    products = sum(len(h.products) for _, f in fairs for h in f.holders)
    assert 800 <= products <= 1300  # ~17,000 x 0.05, at least the demo's smallest fair each
    hosts = [host for host, _ in fairs]
    assert hosts == season.PROVINCES[:15]
    everywhere = {h.province for _, f in season.season_fairs(34 / 300, 7, "s") for h in f.holders}
    assert everywhere == set(season.PROVINCES)


@pytest.mark.skipif(
    os.environ.get("OCOP_SEASON_SMOKE") != "1",
    reason="starts the services and a private broker: OCOP_SEASON_SMOKE=1",
)
def test_a_tiny_season_through_the_services_writes_its_files(tmp_path: Path) -> None:
    args = season.parse([
        "--scale", "0.003", "--levels", "1", "--seconds", "5", "--rate-scale", "0.3",
        "--inspections-per-min", "400",  # ~10 inspections in the 5 s: the third suspends
        "--results", str(tmp_path), "--logs", str(tmp_path / "logs"),
    ])  # fmt: skip
    paths = asyncio.run(season.run(args))
    assert (tmp_path / "season.png").read_bytes().startswith(PNG)
    saved = json.loads(paths[0].read_text())
    [level] = saved["levels"]
    assert saved["season"]["fairs"] == 1
    assert level["sales_recorded"] > 0
    assert level["sale_commit_to_projection_ms"]["measured"] > 0
    assert level["sale_answer_ms"]["p50"] is not None
    assert saved["inspection_api_present"] is True and saved["inspections_driven"] is True
    assert level["inspections"]["recorded"] > 0 and level["inspections"]["suspend"] > 0
    assert level["inspection_to_sales_block_ms"]["measured"] > 0
    assert level["inspection_to_sales_block_ms"]["p50"] is not None
    assert not [k for k in level["errors_by_kind"] if k.startswith("inspection")]
