"""``./dev bench season`` (bench/season.py) writes its JSON and its PNG.

The report is tested on what a run records (no stack: every run of the suite). The season
itself needs the services as processes of its own and a private Kafka broker, ~1-2 minutes on
two cores before the first sale, past a CI smoke test's 60 s: it runs only when asked,
``OCOP_SEASON_SMOKE=1`` (one fair, one level of 5 s)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

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
    assert two["outbox_backlog_max"] == {"registration": 0, "booths": 0, "sales": 6.0}
    assert one["rss_mib_max"]["sales-1"] == 114.0 and one["rss_within_150_mb"] is True
    assert two["rss_mib_max"]["sales-1"] == 133.0
    assert two["rss_tree_mib_max"]["sales-1"] == 342.0
    assert len(saved["series"]["outbox_backlog"]) == 40
    assert len(saved["series"]["rss_tree_mib"]) == 40


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
