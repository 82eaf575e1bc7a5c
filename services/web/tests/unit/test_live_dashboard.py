"""The live dashboard against fake services: revenue today and in all, by product group
(named), star, province, producer and booth, as tables and SVG bar charts; the figures alone
for the page to swap in; the server-sent events that only say "this fair changed", fed by the
sales topic (ocop_web.live); CSV and XLSX passed through from sales."""

from __future__ import annotations

import asyncio
import json
import re

import orjson
import pytest
from fastapi.testclient import TestClient

from ocop_web import live

from .money_tills_fakes import Fakes, fakes, organizer3

__all__ = ["fakes", "organizer3"]  # fixtures


def test_the_dashboard_names_groups_and_shows_today_and_in_all(
    organizer3: TestClient, fakes: Fakes
) -> None:
    fakes.sell(250_000, group=1, star=4)
    fakes.sell(120_000, group=3, star=5, booth="B-02")
    page = organizer3.get(f"/organizer/fairs/{fakes.fair_id}/live")
    assert page.status_code == 200, page.text
    assert re.search(r'data-testid="revenue-today">370.000\u00a0₫<', page.text)
    assert re.search(r'data-testid="revenue-total">370.000\u00a0₫<', page.text)
    groups = re.search(r'data-testid="report-product_group".*?</table>', page.text, re.S)
    assert groups
    assert "Thực phẩm" in groups.group(0) and "Dược liệu và sản phẩm từ dược liệu" in groups.group(
        0
    )
    chart = re.search(r'<svg class="ocop-live-chart".*?</svg>', page.text, re.S)
    assert chart and 'role="img"' in chart.group(0) and "Thực phẩm" in chart.group(0)
    assert "style=" not in chart.group(0)
    assert "4 sao" in page.text and "5 sao" in page.text
    for by in ("province", "producer", "booth", "day"):
        assert f'data-testid="report-{by}"' in page.text
    # without JavaScript: the time of the figures and a refresh link
    assert 'data-testid="as-of"' in page.text and 'data-testid="refresh"' in page.text
    assert 'data-live-events="/organizer/fairs/' in page.text
    assert "/static/js/live.js" in page.text
    # the figures alone, for live.js to swap in
    fakes.sell(30_000)
    part = organizer3.get(
        f"/organizer/fairs/{fakes.fair_id}/live/figures", headers={"HX-Request": "true"}
    )
    assert part.status_code == 200 and "<html" not in part.text
    assert re.search(r'data-testid="revenue-total">400.000\u00a0₫<', part.text)


def test_a_fair_sales_knows_nothing_of_yet_shows_zero(organizer3: TestClient, fakes: Fakes) -> None:
    fakes.known_to_sales = False
    page = organizer3.get(f"/organizer/fairs/{fakes.fair_id}/live")
    assert page.status_code == 200
    assert re.search(r'data-testid="revenue-total">0\u00a0₫<', page.text)
    assert "Chưa có giao dịch bán nào" in page.text


def test_reports_download_as_sales_gives_them(organizer3: TestClient, fakes: Fakes) -> None:
    fakes.sell(250_000)
    csv = organizer3.get(f"/organizer/fairs/{fakes.fair_id}/live/reports/product_group.csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert 'filename="revenue-by-product_group.csv"' in csv.headers["content-disposition"]
    assert "250000" in csv.text
    xlsx = organizer3.get(f"/organizer/fairs/{fakes.fair_id}/live/reports/star.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert (
        organizer3.get(f"/organizer/fairs/{fakes.fair_id}/live/reports/secret.csv").status_code
        == 404
    )
    assert (
        organizer3.get(f"/organizer/fairs/{fakes.fair_id}/live/reports/star.pdf").status_code == 404
    )


def test_another_organizations_fair_has_no_dashboard_nor_events(organizer3: TestClient) -> None:
    other = "99999999-0000-4000-8000-000000000009"
    assert organizer3.get(f"/organizer/fairs/{other}/live").status_code == 404
    assert organizer3.get(f"/organizer/fairs/{other}/live/events").status_code == 404


def record(fair_id: str, producer: str = "sales") -> bytes:
    return orjson.dumps(
        {
            "event_id": "00000000-0000-4000-8000-000000000001",
            "type": "sales.sale_recorded",
            "version": 1,
            "producer": producer,
            "payload": {"fair_id": fair_id, "total_vnd": 250000},
        }
    )


def test_a_sales_record_names_its_fair_and_nothing_else_is_believed() -> None:
    assert live.fair_of(record("f-1")) == "f-1"
    assert live.fair_of(record("f-1", producer="booths")) is None  # not the topic's owner
    assert live.fair_of(b"not json") is None
    assert live.fair_of(None) is None
    assert live.fair_of(json.dumps({"producer": "sales", "payload": []}).encode()) is None


async def test_the_events_say_only_which_fair_changed() -> None:
    hub = live.Hub()
    stream = live.events(hub, "f-1", keepalive=0.05)
    assert await anext(stream) == "retry: 3000\n\n"
    assert hub.listening("f-1") == 1
    assert await anext(stream) == ": still here\n\n"  # nothing happened: keep-alive
    waiting = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    hub.changed("f-2")  # another fair: nothing
    hub.changed("f-1")
    hub.changed("f-1")  # a burst: one signal
    assert await waiting == "event: changed\ndata: f-1\n\n"
    assert await anext(stream) == ": still here\n\n"
    await stream.aclose()
    assert hub.listening("f-1") == 0


def test_the_live_consumer_is_off_when_kafka_settings_are_unusable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Production without the web principal's password: the pages work, live updates off."""
    monkeypatch.setenv("OCOP_ENV", "production")
    monkeypatch.delenv("OCOP_KAFKA_PASSWORD", raising=False)
    monkeypatch.delenv("OCOP_SECRETS_FILE", raising=False)

    async def run() -> None:
        hub = live.Hub()
        async with live.running(hub):
            assert hub.connected is False

    asyncio.run(run())
