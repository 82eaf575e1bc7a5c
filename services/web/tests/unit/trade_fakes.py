"""A fake registration's trade, visitors and series routes (issue 15) on top of the money
fakes (a running fair with two approved exhibitors; sales' revenue reports): they answer as
registration does (its 422 ``detail`` lists naming fields, its 409 codes), and keep what was
recorded so a test can see what the page sent."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from ocop_web.app import build
from ocop_web.settings import WebSettings

from .conftest import HOLDER, PASSWORD, csrf_of
from .money_tills_fakes import CHE, NAM, Fakes
from .organizer_services import fair


def invalid(field: str, kind: str = "value_error", msg: str = "invalid") -> httpx.Response:
    loc = ["body", *field.split(".")]
    return httpx.Response(422, json={"detail": [{"type": kind, "loc": loc, "msg": msg}]})


def refused(status: int, code: str, field: str) -> httpx.Response:
    return httpx.Response(status, json={"detail": code, "code": code, "field": field})


def tally(contracts: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "contracts": sum(1 for c in contracts if c["kind"] == "contract"),
        "mous": sum(1 for c in contracts if c["kind"] == "mou"),
        "value_vnd": sum(c["value_vnd"] for c in contracts),
        "contract_value_vnd": sum(c["value_vnd"] for c in contracts if c["kind"] == "contract"),
    }


class TradeFakes(Fakes):
    def __init__(self) -> None:
        super().__init__()
        self.meetings: list[dict[str, Any]] = []
        self.contracts: list[dict[str, Any]] = []
        self.counts: list[dict[str, Any]] = []
        self.series: dict[str, dict[str, Any]] = {}
        self.placed: dict[str, str] = {}  # fair id -> series id
        self.posted: list[tuple[str, Any]] = []
        self.not_shown: set[str] = set()  # products registration no longer admits there
        self.unlinkable: set[str] = set()  # meetings registration refuses a contract to follow

    # the fair's exhibitors and their products, as the applications say
    def exhibitor_products(self, exhibitor: str) -> set[str]:
        return {
            str(p["product_id"])
            for a in self.applications.values()
            if a["exhibitor_id"] == exhibitor and a["fair_id"] == self.fair_id
            for p in a["products"]
        }

    def exhibitor_name(self, exhibitor: str) -> str:
        return next(
            a["exhibitor_name"]
            for a in self.applications.values()
            if a["exhibitor_id"] == exhibitor
        )

    def answer(self, host: str, request: httpx.Request) -> httpx.Response:
        if host == "registration":
            found = self.trade_routes(request)
            if found is not None:
                return found
        return super().answer(host, request)

    def trade_routes(self, request: httpx.Request) -> httpx.Response | None:
        path, method = request.url.path, request.method
        parts = path.strip("/").split("/")
        body: Any = json.loads(request.content) if request.content else None
        acting = self.acting
        exhibitor_viewer = acting["role"] == "exhibitor"
        if parts[0] == "fairs" and len(parts) == 3:
            if parts[2] not in ("meetings", "trade-contracts", "trade", "trade-report",
                                "visitor-counts", "series"):  # fmt: skip
                return None
            if parts[1] != self.fair_id:
                return refused(404, "not_found", "fair_id")
            if method != "GET":
                self.posted.append((path, body))
            return self.fair_route(parts[2], method, body, acting, exhibitor_viewer)
        if (method, path) == ("GET", f"/fairs/{self.fair_id}"):
            return httpx.Response(200, json=self.fair)
        if (method, path) == ("GET", "/applications") and exhibitor_viewer:
            return httpx.Response(
                200,
                json=[
                    a
                    for a in self.applications.values()
                    if a["exhibitor_id"] == acting["organization_id"]
                ],
            )
        if parts[0] == "fair-series":
            if method == "POST":
                self.posted.append((path, body))
                if not body["name"].strip():
                    return invalid("name", "string_too_short")
                self.series[body["series_id"]] = {
                    "series_id": body["series_id"],
                    "name": body["name"],
                    "organizer_id": acting["organization_id"],
                }
                return httpx.Response(201, json={**self.series[body["series_id"]], "fairs": []})
            if len(parts) == 1:
                return httpx.Response(200, json=[self.series_out(s) for s in self.series])
            if len(parts) == 3 and parts[2] == "report":
                if parts[1] not in self.series:
                    return refused(404, "not_found", "series_id")
                return httpx.Response(200, json=self.series_report(parts[1]))
        return None

    def fair_route(
        self, part: str, method: str, body: Any, acting: dict[str, Any], exhibitor_viewer: bool
    ) -> httpx.Response:
        if part == "meetings":
            exhibitor = acting["organization_id"] if exhibitor_viewer else body.get("exhibitor_id")
            if exhibitor_viewer and body.get("exhibitor_id") not in (None, exhibitor):
                return invalid("exhibitor_id")
            if exhibitor not in (CHE, NAM, HOLDER["organization_id"]):
                return invalid("exhibitor_id")
            held = datetime.fromisoformat(body["held_at"]).date()
            if not date(2026, 8, 28) <= held <= date(2026, 9, 4):
                return invalid("held_at")
            if any(m["meeting_id"] == body["meeting_id"] for m in self.meetings):
                return httpx.Response(200, json=body)
            meeting = {**body, "exhibitor_id": exhibitor, "fair_id": self.fair_id,
                       "exhibitor_name": self.exhibitor_name(exhibitor),
                       "recorded_at": "2026-08-29T03:00:00Z"}  # fmt: skip
            meeting["buyer"] = {"province": None, **body["buyer"]}
            self.meetings.append(meeting)
            return httpx.Response(201, json=meeting)
        if part == "trade-contracts":
            exhibitor = acting["organization_id"] if exhibitor_viewer else body.get("exhibitor_id")
            if exhibitor_viewer and "exhibitor_id" in body:
                return invalid("exhibitor_id")
            shown = self.exhibitor_products(exhibitor)
            for n, p in enumerate(body["product_ids"]):
                if p not in shown or p in self.not_shown:
                    return invalid(f"product_ids.{n}")
            if body["kind"] == "contract" and body["value_vnd"] <= 0:
                return invalid("value_vnd")
            if body.get("meeting_id") is not None and not self.linkable(
                body["meeting_id"], exhibitor
            ):
                return invalid("meeting_id")  # registration: no such meeting of the exhibitor
            if any(c["contract_id"] == body["contract_id"] for c in self.contracts):
                return httpx.Response(200, json=body)
            contract = {**body, "exhibitor_id": exhibitor, "fair_id": self.fair_id,
                        "exhibitor_name": self.exhibitor_name(exhibitor),
                        "meeting_id": body.get("meeting_id"),
                        "recorded_at": "2026-08-29T03:00:00Z"}  # fmt: skip
            contract["buyer"] = {"province": None, **body["buyer"]}
            self.contracts.append(contract)
            return httpx.Response(201, json=contract)
        if part == "trade":
            mine = (
                (lambda r: r["exhibitor_id"] == acting["organization_id"])
                if exhibitor_viewer
                else (lambda r: True)
            )
            return httpx.Response(200, json={
                "fair_id": self.fair_id, "fair_name": self.fair["name"],
                "meetings": [m for m in self.meetings if mine(m)],
                "contracts": [c for c in self.contracts if mine(c)],
            })  # fmt: skip
        if part == "trade-report":
            return httpx.Response(200, json=self.trade_report())
        if part == "visitor-counts":
            if method == "GET":
                return httpx.Response(200, json=self.visitors())
            day = date.fromisoformat(body["day"])
            if not date(2026, 8, 29) <= day <= date(2026, 9, 3):
                return invalid("day")
            so_far = sum(c["increment"] for c in self.counts if c["day"] == body["day"])
            if so_far + body["increment"] < 0:
                return refused(409, "visitors_below_zero", "increment")
            if all(c["count_id"] != body["count_id"] for c in self.counts):
                self.counts.append(body)
            return httpx.Response(201, json={**body, "fair_id": self.fair_id})
        if part == "series":
            chosen = body["series_id"]
            if chosen is not None and chosen not in self.series:
                return refused(404, "not_found", "series_id")
            if chosen is None:
                self.placed.pop(self.fair_id, None)
            else:
                self.placed[self.fair_id] = chosen
            name = self.series[chosen]["name"] if chosen else None
            return httpx.Response(
                200, json={"fair_id": self.fair_id, "series_id": chosen, "series_name": name}
            )
        return httpx.Response(404, json={"detail": "not found", "code": "not_found"})

    def linkable(self, meeting_id: str, exhibitor: str) -> bool:
        """Registration's rule: a contract follows a meeting of its exhibitor at its fair."""
        return meeting_id not in self.unlinkable and any(
            m["meeting_id"] == meeting_id
            and m["exhibitor_id"] == exhibitor
            and m["fair_id"] == self.fair_id
            for m in self.meetings
        )

    def trade_report(self) -> dict[str, Any]:
        by_exhibitor = [
            {"exhibitor_id": e, "exhibitor_name": self.exhibitor_name(e), "province": "Quảng Ninh",
             **tally([c for c in self.contracts if c["exhibitor_id"] == e])}
            for e in sorted({c["exhibitor_id"] for c in self.contracts})
        ]  # fmt: skip
        countries = sorted({c["buyer"]["country"] for c in self.contracts})
        return {
            "fair_id": self.fair_id,
            "fair_name": self.fair["name"],
            "meetings": len(self.meetings),
            "meetings_by_outcome": {},
            "total": tally(self.contracts),
            "by_exhibitor": by_exhibitor,
            "by_province": [{"province": "Quảng Ninh", **tally(self.contracts)}]
            if self.contracts
            else [],
            "by_group": [
                {
                    "taxonomy": "2023",
                    "product_group": 1,
                    "product_group_name": "Thực phẩm",
                    **tally(self.contracts),
                }
            ]
            if self.contracts
            else [],
            "by_buyer_country": [
                {"country": k, **tally([c for c in self.contracts if c["buyer"]["country"] == k])}
                for k in countries
            ],
        }

    def visitors(self) -> dict[str, Any]:
        days: dict[str, list[int]] = {}
        for c in self.counts:
            days.setdefault(c["day"], []).append(c["increment"])
        return {
            "fair_id": self.fair_id,
            "fair_name": self.fair["name"],
            "total": sum(sum(v) for v in days.values()),
            "days": [
                {"day": d, "visitors": sum(v), "counts": len(v)} for d, v in sorted(days.items())
            ],
        }

    def series_out(self, series_id: str) -> dict[str, Any]:
        s = self.series[series_id]
        fairs = [
            {k: self.fairs[f][k] for k in ("fair_id", "name", "kind", "status", "starts_at", "ends_at")}
            for f, placed in self.placed.items()
            if placed == series_id
        ]  # fmt: skip
        return {**s, "fairs": sorted(fairs, key=lambda f: f["starts_at"])}

    def series_report(self, series_id: str) -> dict[str, Any]:
        years = []
        for f in self.series_out(series_id)["fairs"]:
            year = int(f["starts_at"][:4])
            counted = {
                "exhibitors": 2 if f["fair_id"] == self.fair_id else 1,
                "products": 2 if f["fair_id"] == self.fair_id else 1,
                "trade": tally(self.contracts if f["fair_id"] == self.fair_id else []),
            }
            years.append({
                "year": year, "fair": f, "total": counted,
                "by_group": [{"taxonomy": "2023", "product_group": 1,
                              "product_group_name": "Thực phẩm", **counted}],
                "by_province": [{"province": "Quảng Ninh", **counted}],
            })  # fmt: skip
        return {"series_id": series_id, "name": self.series[series_id]["name"], "years": years}

    def last_year(self) -> dict[str, Any]:
        """Last year's fair of the same series: finished, one exhibitor, no sale known."""
        found = fair("Hội chợ OCOP Quảng Ninh 2025", "finished")
        start = datetime.fromisoformat("2025-08-29T01:00:00+00:00")
        found["starts_at"] = start.isoformat()
        found["ends_at"] = (start + timedelta(days=5)).isoformat()
        return self.add_fair(found)

    def sales_routes(
        self, method: str, path: str, body: Any, request: httpx.Request
    ) -> httpx.Response:
        parts = path.strip("/").split("/")
        if parts[-1] == "revenue" and parts[1] != self.fair_id:
            return httpx.Response(404, json={"detail": "no such fair", "code": "not_found"})
        return super().sales_routes(method, path, body, request)


def signed_in(fakes: TradeFakes) -> Iterator[TestClient]:
    app = build(
        WebSettings(env="test", check_assets=False, log_format="console", log_level="WARNING"),
        transports={name: fakes.transport(name) for name in ("registration", "booths", "sales")},
    )
    with TestClient(app, base_url="http://testserver") as client:
        page = client.get("/sign-in")
        signed = client.post(
            "/sign-in",
            data={"login": "an@example.vn", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        yield client


@pytest.fixture
def trade_fakes() -> TradeFakes:
    return TradeFakes()


@pytest.fixture
def org(trade_fakes: TradeFakes) -> Iterator[TestClient]:
    yield from signed_in(trade_fakes)


@pytest.fixture
def holder(trade_fakes: TradeFakes) -> Iterator[TestClient]:
    """Signed in as the exhibitor CHE (a holder) with its approved application."""
    trade_fakes.acting = {**HOLDER, "organization_id": CHE}
    yield from signed_in(trade_fakes)


def new_id() -> str:
    return str(uuid.uuid4())
