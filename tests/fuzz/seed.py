"""Real records for the fuzzer to reach, and a credential of each role that owns them.

The records come through the services' HTTP APIs and events, as organizers, exhibitors and
tills make them (the demo loader at its smallest scale: a fair with a floor plan, approved
exhibitors with booths, tills), plus a sale, an open till session and a draft fair. The
credentials are installed directly in each service's ``api_tokens`` (as registration's
announcements would install them): one token per role, valid in all three services.

``Seed.values`` names the ids by kind (``fair``, ``booth``, ``exhibitor``...); the harness
binds every parameter and body field the live OpenAPI names after a kind to them.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from ocop_cli import demo
from ocop_cli.client import ApiError, Client, Endpoints
from ocop_cli.data import HOST_PROVINCE
from ocop_shared import auth

from .stack import SERVICES

ROLES: tuple[auth.Role, ...] = (
    "admin",
    "organizer",
    "exhibitor",
    "terminal",
    "certifier",
    "inspector",
)


@dataclass
class Seed:
    values: dict[str, list[str]] = field(default_factory=dict)  # kind -> real ids
    tokens: dict[str, str] = field(default_factory=dict)  # role -> bearer token
    subjects: dict[str, str] = field(default_factory=dict)  # role -> whom it acts for

    def add(self, kind: str, *ids: object) -> None:
        known = self.values.setdefault(kind, [])
        for value in ids:
            if value is not None and str(value) not in known:
                known.append(str(value))


async def seed(endpoints: Endpoints, admin_dsn: str, *, salt: str) -> Seed:
    out = Seed()
    admin = {s: f"dev-admin-token-{s}" for s in SERVICES}
    async with Client(endpoints) as client:
        await client.ready(timeout=120)
        loaded = await demo.load(
            client, demo.generate(11, scale=0.02, salt=salt), admin, terminals=2
        )
        org = loaded.organizer_token
        fair = await client.call("registration", "GET", f"/fairs/{loaded.fair_id}")
        organizer_id = fair["organizer_id"]
        till = loaded.terminals[0]
        exhibitor_id = till["exhibitor_id"]
        out.add("fair", loaded.fair_id)
        out.add("organizer", organizer_id)
        out.add("terminal", *(t["terminal_id"] for t in loaded.terminals))
        out.add("booth", till["booth_id"])
        out.add("exhibitor", exhibitor_id)

        applications = await client.call(
            "registration", "GET", f"/fairs/{loaded.fair_id}/applications", org
        )
        mine = [a for a in applications if a["exhibitor_id"] == exhibitor_id]
        out.add("application", *(a["application_id"] for a in mine))
        for a in mine:
            for p in a["products"]:
                out.add("product", p["product_id"])
                out.add("certificate", p["certificate"]["number"])
        # Another organization's records too (object-level checks answer 404 or 403 there).
        out.add("exhibitor", *(a["exhibitor_id"] for a in applications[:3]))
        out.add("application", *(a["application_id"] for a in applications[:3]))

        plan = await client.call("booths", "GET", f"/fairs/{loaded.fair_id}/floorplan", org)
        out.add("booth", *(b["booth_id"] for b in _booths(plan)[:3]))

        catalog = await demo.till_catalog(client, org, loaded.fair_id, till)
        sale = demo.sale(catalog, random.Random(5))
        await client.eventually("sales", "POST", "/sales", till["token"], json=sale)
        out.add("sale", sale["sale_id"])
        session = await client.call(
            "sales", "POST", "/sessions", till["token"], json={"opening_cash_vnd": 500_000}
        )
        out.add("session", session["session_id"])

        now = datetime.now(UTC).replace(microsecond=0)
        draft = await client.call("registration", "POST", "/fairs", org, json={
            "name": "Tuần hàng OCOP (fuzz)", "kind": "fair", "venue": "Hạ Long", "province": HOST_PROVINCE,
            "applications_open_at": (now + timedelta(days=10)).isoformat(), "applications_close_at": (now + timedelta(days=20)).isoformat(),
            "starts_at": (now + timedelta(days=30)).isoformat(), "ends_at": (now + timedelta(days=33)).isoformat(),
            "rules": {"min_star": 3, "product_groups": [1, 2], "max_booths_per_holder": 2},
        })  # fmt: skip
        out.add("fair", draft["fair_id"])
        try:  # a proposal (not committed): a run id for POST /allocations/{run_id}/commit
            run = await client.call("booths", "POST", f"/fairs/{loaded.fair_id}/allocations", org)
            out.add("run", run["run_id"])
        except ApiError:
            pass

    out.subjects = {
        "admin": "fuzz-admin",
        "organizer": organizer_id,
        "exhibitor": exhibitor_id,
        "terminal": str(till["terminal_id"]),
        "certifier": f"fuzz-certifier-{salt}",
        "inspector": f"fuzz-inspector-{salt}",
    }
    await install_grants(admin_dsn, out)
    return out


def _booths(plan: Any) -> list[dict[str, Any]]:
    if isinstance(plan, dict) and isinstance(plan.get("booths"), list):
        return list(plan["booths"])
    zones = plan.get("zones", []) if isinstance(plan, dict) else []
    return [b for z in zones for b in z.get("booths", [])]


async def install_grants(admin_dsn: str, out: Seed) -> None:
    """One token per role, stored in every service's ``api_tokens``."""
    expires = datetime.now(UTC) + timedelta(days=1)
    grants = []
    for role in ROLES:
        token = auth.new_token(role)
        out.tokens[role] = token
        authority = role in ("certifier", "inspector")
        grants.append(
            auth.Grant(
                auth.hash_token(token),
                role,
                out.subjects[role],
                credential_id=uuid.uuid4(),
                kind="api_key" if role == "terminal" else "session",
                user_id=None if role == "terminal" else uuid.uuid4(),
                expires_at=expires,
                province=HOST_PROVINCE if authority else None,
                level=("provincial" if role == "certifier" else "central") if authority else None,
                label="fuzz",
            )
        )
    conn = await asyncpg.connect(admin_dsn)
    try:
        for schema in SERVICES:
            await conn.execute(f"set search_path to {schema}")
            for grant in grants:
                await auth.store_grant(conn, grant)
    finally:
        await conn.close()
