"""Fake booths (fees, payments, bank statements) and sales (tills, revenue reports) for the
organizer's money, tills and live pages, on top of organizer_services' registration: they
answer as the services do, error bodies included."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from ocop_web.app import build
from ocop_web.i18n import VIET_NAM
from ocop_web.settings import WebSettings

from .conftest import PASSWORD, csrf_of
from .organizer_services import Services, application, fair, product

CHE = "11111111-0000-4000-8000-000000000001"
NAM = "11111111-0000-4000-8000-000000000002"
BOOTH_A = "22222222-0000-4000-8000-000000000001"
BOOTH_B = "22222222-0000-4000-8000-000000000002"
BOOTH_FREE = "22222222-0000-4000-8000-000000000003"


def validation(field: str, kind: str, message: str = "invalid") -> httpx.Response:
    return httpx.Response(
        422, json={"detail": [{"type": kind, "loc": ["body", field], "msg": message}]}
    )


class MoneyServices(Services):
    def __init__(self) -> None:
        super().__init__()
        self.fair = self.add_fair(fair("Hội chợ OCOP Quảng Ninh 2026", "running"))
        fid = self.fair["fair_id"]
        for exhibitor, name in ((CHE, "Hợp tác xã Chè Đường Hoa"), (NAM, "HTX Nấm Bình Liêu")):
            found = application(fid, name, "Quảng Ninh", [product("Chè", 4)], status="approved")
            found["exhibitor_id"] = exhibitor
            self.add_application(found)
        self.floorplans[fid] = {
            "fair_id": fid,
            "zones": [],
            "booths": [
                {"booth_id": BOOTH_A, "code": "A-01", "state": "assigned", "exhibitor_id": CHE},
                {"booth_id": BOOTH_B, "code": "B-02", "state": "confirmed", "exhibitor_id": NAM},
                {"booth_id": BOOTH_FREE, "code": "C-03", "state": "available"},
            ],
        }
        self.fees: dict[str, dict[str, Any]] = {
            CHE: statement(fid, CHE, "A-01", 4_000_000, 2_000_000, paid=0, status="assigned"),
            NAM: statement(fid, NAM, "B-02", 4_000_000, 2_000_000, paid=2_000_000),
        }
        self.terminals[fid] = []
        self.statement_answer: httpx.Response = httpx.Response(
            200,
            json={
                "matched": [
                    {"line": 2, "exhibitor_id": CHE, "amount_vnd": 2_000_000, "confirmed": ["A-01"]}
                ],
                "unmatched": [
                    {"line": 3, "reason": "no payment reference of this fair found"},
                    {
                        "line": 4,
                        "reason": "already recorded (transaction FT2609)",
                        "reason_code": "already_recorded",
                        "reason_params": {"transaction_id": "FT2609"},
                    },
                    {"line": 5, "reason": "amount is not a whole number"},  # an older booths
                ],
            },
        )
        self.uploads: list[bytes] = []
        self.reports: dict[str, list[dict[str, Any]]] = {}
        self.known_to_sales = True

    @property
    def fair_id(self) -> str:
        return str(self.fair["fair_id"])

    def answer(self, host: str, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/payments/statement"):
            if request.headers.get("authorization") is None:
                return httpx.Response(401, json={"detail": "no token"})
            self.uploads.append(request.content)
            self.calls.append(("POST", request.url.path, None))
            return self.statement_answer
        return super().answer(host, request)


def statement(
    fair_id: str,
    exhibitor: str,
    code: str,
    price: int,
    subsidy: int,
    *,
    paid: int,
    status: str = "confirmed",
) -> dict[str, Any]:
    due = price - subsidy
    return {
        "fair_id": fair_id,
        "exhibitor_id": exhibitor,
        "lines": [
            {
                "booth_code": code,
                "booth_type": "standard",
                "price_vnd": price,
                "surcharge_vnd": 0,
                "subsidy_vnd": subsidy,
                "due_vnd": due,
                "status": status,
            }
        ],
        "due_vnd": due,
        "paid_vnd": paid,
        "balance_vnd": due - paid,
        "payment_reference": f"OCOP{exhibitor[:6].upper()}",
        "vietqr": None,
    }


class Fakes(MoneyServices):
    """The routes the pages call, dispatched on method and path."""

    def answer(self, host: str, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        if host in ("booths", "sales") and path != "/sessions":
            if request.headers.get("authorization") is None:
                return httpx.Response(401, json={"detail": "no token"})
            if path.endswith("/payments/statement"):
                return super().answer(host, request)
            body: Any = json.loads(request.content) if request.content else None
            if method != "GET":
                self.calls.append((method, path, body))
            handler = self.booths_routes if host == "booths" else self.sales_routes
            return handler(method, path, body, request)
        return super().answer(host, request)

    def booths_routes(
        self, method: str, path: str, body: Any, request: httpx.Request
    ) -> httpx.Response:
        parts = path.strip("/").split("/")
        if method == "GET" and parts[-1] == "floorplan":
            found = self.floorplans.get(parts[1])
            if found is None:
                return httpx.Response(404, json={"detail": "no such fair", "code": "not_found"})
            return httpx.Response(200, json=found)
        if method == "GET" and parts[-2:] == ["payments", "unmatched"]:
            return httpx.Response(200, json=self.unmatched.get(parts[1], []))
        if method == "GET" and parts[-1] == "fees":
            exhibitor = request.url.params.get("exhibitor_id", "")
            if exhibitor not in self.fees:
                return httpx.Response(
                    404, json={"detail": "no such exhibitor at this fair", "code": "not_found"}
                )
            return httpx.Response(200, json=self.fees[exhibitor])
        if method == "POST" and parts[-1] == "payments":
            if not isinstance(body.get("amount_vnd"), int) or body["amount_vnd"] <= 0:
                return validation("amount_vnd", "greater_than")
            if body["amount_vnd"] > 10**12:
                return validation("amount_vnd", "less_than_equal")
            if body["exhibitor_id"] not in self.fees:
                return httpx.Response(
                    404,
                    json={
                        "detail": "no such exhibitor at this fair",
                        "code": "not_found",
                        "field": "exhibitor_id",
                    },
                )
            if body["reference"] == "FT-TWICE":
                return httpx.Response(
                    409,
                    json={
                        "detail": "this payment (reference and amount) is already recorded",
                        "code": "conflict",
                        "field": "reference",
                    },
                )
            fees = self.fees[body["exhibitor_id"]]
            fees["paid_vnd"] += body["amount_vnd"]
            fees["balance_vnd"] = fees["due_vnd"] - fees["paid_vnd"]
            confirmed = []
            if fees["balance_vnd"] <= 0:
                for line in fees["lines"]:
                    if line["status"] != "confirmed":
                        line["status"] = "confirmed"
                        confirmed.append(line["booth_code"])
            return httpx.Response(201, json={**fees, "confirmed": confirmed})
        return httpx.Response(404, json={"detail": "not found", "code": "not_found"})

    def sales_routes(
        self, method: str, path: str, body: Any, request: httpx.Request
    ) -> httpx.Response:
        parts = path.strip("/").split("/")
        if parts[0] == "fairs" and parts[-1] == "terminals":
            tills = self.terminals.get(parts[1])
            if tills is None:
                return httpx.Response(404, json={"detail": "no such fair", "code": "not_found"})
            if method == "GET":
                return httpx.Response(200, json=tills)
            if len(body.get("label", "")) > 80:
                return validation("label", "string_too_long")
            booth = next(
                (
                    b
                    for b in self.floorplans[parts[1]]["booths"]
                    if b.get("booth_id") == body["booth_id"] and b.get("exhibitor_id")
                ),
                None,
            )
            if booth is None:
                return httpx.Response(
                    404,
                    json={
                        "detail": "no exhibitor holds this booth at this fair",
                        "code": "not_found",
                        "field": "booth_id",
                    },
                )
            created = {
                "terminal_id": str(uuid.uuid4()),
                "booth_id": booth["booth_id"],
                "booth_code": booth["code"],
                "exhibitor_id": booth["exhibitor_id"],
                "label": body["label"],
                "status": "active",
                "session_open": False,
                "enrolled_at": "2026-08-29T01:30:00Z",
            }
            tills.append(created)
            return httpx.Response(
                201,
                json={
                    **{
                        k: created[k]
                        for k in ("terminal_id", "booth_id", "booth_code", "exhibitor_id")
                    },
                    "token": None if body.get("pairing") else "ocop_dev_" + "t" * 40,
                    **(
                        {
                            "pairing_code": "K7Q2-M4XD-9PRT",
                            "pairing_expires_at": "2026-08-30T01:30:00Z",
                        }
                        if body.get("pairing")
                        else {}
                    ),
                    "note": "shown once; only a hash is stored",
                },
            )
        if parts[0] == "terminals":
            till: dict[str, Any] | None = next(
                (t for ts in self.terminals.values() for t in ts if t["terminal_id"] == parts[1]),
                None,
            )
            if till is None:
                return httpx.Response(404, json={"detail": "no such terminal", "code": "not_found"})
            if method == "POST" and parts[-1] == "pairing-code":
                if till["status"] != "active":
                    return httpx.Response(
                        409,
                        json={"detail": "the till is not active", "field": "terminal"},
                    )
                till["codes"] = till.get("codes", 0) + 1
                return httpx.Response(
                    201,
                    json={
                        "terminal_id": parts[1],
                        "pairing_code": "N3WC-0DE0-0000",
                        "pairing_expires_at": "2026-08-30T02:00:00Z",
                        "note": "shown once, valid once; only a hash is stored",
                    },
                )
            if method == "POST" and parts[-1] == "suspend":
                if till["status"] == "active":
                    till["status"] = "suspended"
                return httpx.Response(200, json={"terminal_id": parts[1], "status": till["status"]})
            if method == "DELETE":
                till["status"] = "unpaired"
                return httpx.Response(204)
        if method == "GET" and parts[0] == "fairs" and parts[-1] == "revenue":
            if not self.known_to_sales:
                return httpx.Response(404, json={"detail": "no such fair", "code": "not_found"})
            by = request.url.params.get("by", "product_group")
            fmt = request.url.params.get("format", "json")
            rows = self.reports.get(by, [])
            if fmt == "csv":
                text = (
                    "\ufeff"
                    + by
                    + ",net_vnd\r\n"
                    + "".join(f"{r['key']},{r['net_vnd']}\r\n" for r in rows)
                )
                return httpx.Response(
                    200,
                    content=text.encode(),
                    headers={
                        "content-type": "text/csv; charset=utf-8",
                        "content-disposition": f'attachment; filename="revenue-by-{by}.csv"',
                    },
                )
            if fmt == "xlsx":
                return httpx.Response(
                    200,
                    content=b"PK\x03\x04xlsx",
                    headers={
                        "content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        "content-disposition": f'attachment; filename="revenue-by-{by}.xlsx"',
                    },
                )
            return httpx.Response(
                200,
                json={
                    "fair_id": parts[1],
                    "by": by,
                    "rows": rows,
                    "total_net_vnd": sum(r["net_vnd"] for r in rows),
                    "generated_at": "2026-08-29T05:00:00Z",
                },
            )
        return httpx.Response(404, json={"detail": "not found", "code": "not_found"})

    def sell(self, net: int, *, group: int = 1, star: int = 4, booth: str = "A-01") -> None:
        """Figures as sales would report them after a sale of ``net`` đồng today."""
        today = datetime.now(VIET_NAM).date().isoformat()
        for by, key in (
            ("product_group", str(group)),
            ("star", str(star)),
            ("province", "Quảng Ninh"),
            ("producer", "Hợp tác xã Chè Đường Hoa"),
            ("booth", booth),
            ("day", today),
        ):
            rows = self.reports.setdefault(by, [])
            row = next((r for r in rows if r["key"] == key), None)
            if row is None:
                row = {
                    "key": key,
                    "sales": 0,
                    "quantity": 0,
                    "gross_vnd": 0,
                    "refunds_vnd": 0,
                    "net_vnd": 0,
                }
                rows.append(row)
            row["sales"] += 1
            row["quantity"] += 2
            row["gross_vnd"] += net
            row["net_vnd"] += net
            rows.sort(key=lambda r: -r["net_vnd"])


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


@pytest.fixture
def organizer3(fakes: Fakes) -> Iterator[TestClient]:
    """The web app signed in as the fair's organizer, over the fakes."""
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
        fakes.calls.clear()
        yield client
