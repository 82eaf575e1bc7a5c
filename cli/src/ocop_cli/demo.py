"""The demo fair: generated (seeded, reproducible) and loaded through the services' APIs.

Shaped like the Northeast regional OCOP fair in Hạ Long (29/8–3/9/2024): 257 booths in four
zones (district clusters of the host province, other provinces and partners, services such
as cashless payment, and the stage), 200+ holders and delegations, 600+ products over the six
groups. The demo's dates are moved to now so that its tills can sell.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import random
import re
import secrets
import unicodedata
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from stdnum import ean
from stdnum.vn import mst

from ocop_cli.client import ApiError, Client
from ocop_cli.data import (
    GUEST_PROVINCES,
    HOLDER_WORDS,
    HOST_DISTRICTS,
    HOST_PROVINCE,
    PEOPLE,
    PRODUCTS,
)

Progress = Callable[[str, int, int], None]
WEB_APP = os.environ.get("OCOP_WEB_URL", "http://127.0.0.1:8000")
# A reserved top-level domain (RFC 2606): the demo's people have addresses no mail reaches.
MAIL_DOMAIN = "ocop-demo.test"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _quiet(_step: str, _done: int, _total: int) -> None:
    pass


@dataclass
class Holder:
    name: str
    kind: str
    province: str
    commune: str
    tax_code: str | None
    products: list[dict[str, Any]] = field(default_factory=list)
    owner: str = ""  # the person who signs it up
    phone: str = ""  # the owner's mobile number (a cooperative's owner signs in with it)
    exhibitor_id: str = ""
    token: str = ""  # the owner's session


@dataclass
class Delegation:
    name: str
    province: str
    members: list[Holder]
    owner: str = ""
    exhibitor_id: str = ""
    token: str = ""


@dataclass
class DemoFair:
    seed: int
    host: list[Holder]
    delegations: list[Delegation]
    floorplan: dict[str, Any]
    revoke: list[str]  # certificate numbers revoked during the fair
    tag: str = ""  # in the organizations' ids and the people's logins: unique per salt

    @property
    def holders(self) -> list[Holder]:
        return self.host + [m for d in self.delegations for m in d.members]


def _tax_code(rng: random.Random) -> str:
    while True:
        base = f"{rng.randint(1, 99):02d}{rng.randint(0, 9_999_999):07d}"
        try:
            code = base + mst.calc_check_digit(base)
        except Exception:
            continue
        if mst.is_valid(code):
            return code


def _gtin(rng: random.Random) -> str:
    body = "893" + "".join(rng.choice("0123456789") for _ in range(9))
    return body + ean.calc_check_digit(body)


def generate(seed: int = 2024, *, scale: float = 1.0, salt: str | None = None) -> DemoFair:
    """Same seed, same fair: names, products, prices, stars and floor plan. Registry numbers
    (tax codes, GTINs, certificate numbers) are unique per ``salt`` (random by default), so the
    demo can be loaded again into a system that already holds it. ``scale`` shrinks the fair
    for tests (1.0: the full regional fair)."""
    rng = random.Random(seed)
    ids = random.Random(f"{seed}:{salt if salt is not None else uuid.uuid4()}")
    per_district = max(1, round(8 * scale))
    per_delegation = max(1, round(9 * scale))
    today = datetime.now(UTC).date()
    used: set[str] = set()

    def holder(province: str, commune: str) -> Holder:
        kind = rng.choices(
            ["cooperative", "enterprise", "household_business", "cooperative_group"], [5, 3, 2, 1]
        )[0]
        word = rng.choice(HOLDER_WORDS)
        name = {
            "cooperative": f"Hợp tác xã {word} {commune}",
            "enterprise": f"Công ty TNHH {word} {commune}",
            "household_business": f"Hộ kinh doanh {rng.choice(PEOPLE)}",
            "cooperative_group": f"Tổ hợp tác {word} {commune}",
        }[kind]
        while name in used:
            name += f" {rng.randint(2, 99)}"
        used.add(name)
        h = Holder(name, kind, province, commune, _tax_code(ids), owner=rng.choice(PEOPLE))
        h.phone = f"09{ids.randrange(10**8):08d}"
        for _ in range(3):
            group = rng.choices(list(PRODUCTS), [8, 4, 3, 3, 1, 1])[0]
            base, unit, price = rng.choice(PRODUCTS[group])
            star = rng.choices([3, 4, 5], [5, 4, 1])[0]
            valid_from = today - timedelta(days=rng.randint(30, 900))
            h.products.append({
                "product_name": f"{base} {commune}", "group": group, "unit": unit, "list_price_vnd": price, "gtin": _gtin(ids),
                "certificate_number": f"OCOP-{province[:2].upper()}-{ids.randint(10**8, 10**9 - 1)}", "star": star,
                "issuing_level": "central" if star == 5 else "province", "valid_from": valid_from.isoformat(),
            })  # fmt: skip
        return h

    host = [holder(HOST_PROVINCE, d) for d in HOST_DISTRICTS for _ in range(per_district)]
    delegations = [
        Delegation(
            f"Đoàn Sở Công Thương {p}",
            p,
            [holder(p, p) for _ in range(per_delegation)],
            owner=rng.choice(PEOPLE),
        )
        for p in GUEST_PROVINCES
    ]
    # A few certificates near the end of their 36 months: expiring during the fair.
    everyone = host + [m for d in delegations for m in d.members]
    for h in rng.sample(everyone, max(1, len(everyone) // 40)):
        h.products[0]["valid_from"] = (today - timedelta(days=3 * 365 - 20)).isoformat()
    revoke = [
        rng.choice(h.products)["certificate_number"]
        for h in rng.sample(host, max(1, len(host) // 50))
    ]
    tag = f"{ids.randrange(16**6):06x}"
    return DemoFair(seed, host, delegations, floorplan(scale), revoke, tag)


def floorplan(scale: float = 1.0) -> dict[str, Any]:
    """257 booths (at scale 1): zone 1, 104 in district clusters; zone 2, 130 for other
    provinces and partners; zone 3, 23 service booths; zone 4, the stage."""
    zones = [
        {
            "code": "Z1",
            "name": "Khu 1 — Gian hàng các địa phương Quảng Ninh",
            "kind": "district_cluster",
            "product_groups": [1, 2, 3, 4, 5, 6],
        },
        {
            "code": "Z2",
            "name": "Khu 2 — Các tỉnh, thành phố và đối tác",
            "kind": "regional",
            "product_groups": [1, 2, 3, 4, 5, 6],
        },
        {
            "code": "Z3",
            "name": "Khu 3 — Dịch vụ, thương mại điện tử, thanh toán không dùng tiền mặt",
            "kind": "services",
            "product_groups": [],
        },
        {"code": "Z4", "name": "Khu 4 — Sân khấu", "kind": "stage", "product_groups": []},
    ]
    booths: list[dict[str, Any]] = []

    def rows(zone: str, count: int, origin_y: float, per_row: int, price: int) -> None:
        for i in range(count):
            row, col = divmod(i, per_row)
            end = col in (0, per_row - 1) or i == count - 1
            booths.append({
                "code": f"{zone}-{i + 1:03d}", "zone": zone, "booth_type": "corner" if end and row % 2 == 0 else "standard",
                "width_m": 3, "depth_m": 3, "price_vnd": price, "x": col * 3.0, "y": origin_y + row * 3.0 + (row // 2) * 3.0,
                "open_sides": 2 if end else 1,
            })  # fmt: skip

    rows("Z1", max(4, round(104 * scale)), 0.0, 13, 6_000_000)
    rows("Z2", max(4, round(130 * scale)), 60.0, 13, 7_000_000)
    rows("Z3", max(2, round(23 * scale)), 120.0, 12, 0)
    return {"zones": zones, "booths": booths}


def register_csv(fair: DemoFair, council: str | None = None) -> bytes:
    """The register's rows; with ``council`` (a province, or ``CENTRAL``) only the rows that
    council decides: a province's 3★ and 4★, the central council's 5★."""
    out = io.StringIO()
    cols = ["holder_name", "holder_kind", "tax_code", "province", "commune", "product_name", "taxonomy", "group", "gtin", "unit",
            "list_price_vnd", "certificate_number", "star", "issuing_level", "issuing_body", "decision_number", "decision_date", "valid_from"]  # fmt: skip
    writer = csv.DictWriter(out, cols)
    writer.writeheader()
    for h in fair.holders:
        for p in h.products:
            if council is not None and council_of(h.province, p["star"]) != council:
                continue
            writer.writerow({
                "holder_name": h.name, "holder_kind": h.kind, "tax_code": h.tax_code or "", "province": h.province, "commune": h.commune,
                "taxonomy": "2023", "issuing_body": "Hội đồng OCOP Trung ương" if p["star"] == 5 else f"UBND tỉnh {h.province}",
                "decision_number": f"{abs(hash(h.province)) % 900 + 100}/QĐ-UBND", "decision_date": p["valid_from"], **p,
            })  # fmt: skip
    return out.getvalue().encode()


async def gather_limited(
    items: Iterable[Any],
    work: Callable[[Any], Awaitable[Any]],
    *,
    limit: int = 16,
    on_done: Callable[[], None] | None = None,
) -> list[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def one(item: Any) -> Any:
        async with semaphore:
            result = await work(item)
        if on_done:
            on_done()
        return result

    return await asyncio.gather(*(one(i) for i in items))


CENTRAL = "central"


def council_of(province: str, star: int) -> str:
    """Who decides a certificate: the central council 5★, the holder's province's 3★-4★."""
    return CENTRAL if star == 5 else province


def slug(text: str) -> str:
    """ASCII, lower case, dashes: "Quảng Ninh" -> "quang-ninh"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def new_password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters


@dataclass
class Account:
    """A person the demo made: what they sign in with, and the session the demo used."""

    role: str  # organizer, exhibitor, delegation, certifier, inspector
    name: str
    login: str
    password: str
    organization_id: str
    organization: str
    token: str = field(default="", repr=False)

    def details(self) -> dict[str, str]:
        """What a person needs to sign in (no session token)."""
        return {
            "role": self.role,
            "organization": self.organization,
            "organization_id": self.organization_id,
            "name": self.name,
            "login": self.login,
            "password": self.password,
        }


@dataclass(frozen=True)
class Organization:
    """An organizer or an authority the platform admin creates, and its first owner."""

    role: str
    kind: str
    organization_id: str
    name: str
    owner: str
    email: str
    province: str | None = None
    level: str | None = None


# The sign-ins the demo prints: one person of each kind.
SHOWN = ("organizer", "exhibitor", "delegation", "certifier", "inspector", "retailer")


@dataclass
class Loaded:
    fair_id: str
    organizer_token: str
    admin_tokens: dict[str, str]
    exhibitors: dict[str, str]  # exhibitor id -> its owner's session
    terminals: list[dict[str, Any]]
    revoked: list[str]
    summary: dict[str, Any]
    # council organization id -> its owner's session (certificates are theirs to revoke)
    certifiers: dict[str, str] = field(default_factory=dict)
    # SHOWN -> a person's sign-in details (role, organization, name, login, password)
    accounts: dict[str, dict[str, str]] = field(default_factory=dict)
    people: list[dict[str, str]] = field(default_factory=list)  # everyone's sign-in details
    web: str = WEB_APP
    # The supermarket promotion week and the showroom beside the regional fair: their ids and
    # what the demo put in them (stores, booths, stock, the retailer's import, till sales).
    promotion_week: dict[str, Any] = field(default_factory=dict)
    showroom: dict[str, Any] = field(default_factory=dict)


def organizations(fair: DemoFair) -> list[Organization]:
    """The host province's trade department (the organizer), the certifying councils of every
    province the demo's certificates come from (and the central one for 5★), the host
    province's market surveillance and the supermarket chain hosting the promotion week."""
    tag, people = fair.tag, random.Random(f"{fair.seed}:people")
    host = slug(HOST_PROVINCE).replace("-", "")

    def email(who: str) -> str:
        return f"{who}.{tag}@{MAIL_DOMAIN}"

    found = [
        Organization(
            "organizer", "organizer", f"so-cong-thuong-{slug(HOST_PROVINCE)}-{tag}",
            f"Sở Công Thương tỉnh {HOST_PROVINCE}", people.choice(PEOPLE),
            email(f"sct-{host}"), province=HOST_PROVINCE,
        )
    ]  # fmt: skip
    councils = sorted({council_of(h.province, p["star"]) for h in fair.holders for p in h.products})
    for council in councils:
        if council == CENTRAL:
            found.append(Organization(
                "certifier", "certifier", f"hoi-dong-ocop-trung-uong-{tag}",
                "Hội đồng đánh giá, phân hạng sản phẩm OCOP Trung ương", people.choice(PEOPLE),
                email("ocop-trunguong"), level="central",
            ))  # fmt: skip
        else:
            found.append(Organization(
                "certifier", "certifier", f"hoi-dong-ocop-{slug(council)}-{tag}",
                f"Hội đồng đánh giá, phân hạng sản phẩm OCOP {council}", people.choice(PEOPLE),
                email(f"ocop-{slug(council).replace('-', '')}"), province=council, level="provincial",
            ))  # fmt: skip
    found.append(
        Organization(
            "inspector", "inspector", f"qltt-{slug(HOST_PROVINCE)}-{tag}",
            f"Cục Quản lý thị trường tỉnh {HOST_PROVINCE}", people.choice(PEOPLE),
            email(f"qltt-{host}"), province=HOST_PROVINCE,
        )
    )  # fmt: skip
    # The supermarket chain hosting the promotion week (a retailer's id is a UUID).
    found.append(
        Organization(
            "retailer", "retailer", str(uuid.uuid5(uuid.NAMESPACE_URL, f"{MAIL_DOMAIN}/{tag}/retailer")),
            RETAILER, people.choice(PEOPLE), email("go-quangninh"),
        )
    )  # fmt: skip
    return found


# The promotion week's host: a hypermarket chain with two stores in the province.
RETAILER = "Siêu thị GO! Quảng Ninh"
STORES = [
    {"store_code": "GO-HL", "name": "GO! Hạ Long",
     "address": "Lô H1, khu đô thị Cột 3 – Cột 5, phường Hồng Hải, thành phố Hạ Long"},
    {"store_code": "GO-CP", "name": "GO! Cẩm Phả",
     "address": "Đường Trần Phú, phường Cẩm Trung, thành phố Cẩm Phả"},
]  # fmt: skip
PROMOTION_WEEK = "Tuần lễ xúc tiến sản phẩm OCOP Quảng Ninh tại GO! Hạ Long"
SHOWROOM = "Trung tâm OCOP Quảng Ninh"
# Weekdays 0 (Monday) to 6, in Viet Nam's time: longer hours at the weekend.
SHOWROOM_HOURS = [
    {"weekday": d, "opens": "08:00", "closes": "17:30" if d < 5 else "21:00"} for d in range(7)
]
ALL_GROUPS = [1, 2, 3, 4, 5, 6]


def promotion_week_plan() -> dict[str, Any]:
    """Stands (a counter by the entrance) and shelf slots in each of the retailer's stores."""
    zone = {
        "code": "GO",
        "name": "Quầy hàng OCOP Quảng Ninh",
        "kind": "regional",
        "product_groups": ALL_GROUPS,
    }
    booths = [
        {"code": f"{s['store_code']}-{letter}{i}", "zone": "GO", "kind": kind,
         "store_code": s["store_code"], "width_m": width, "depth_m": depth, "price_vnd": price}
        for s in STORES
        for kind, letter, width, depth, price, count in (
            ("stand", "Q", 2, 1, 3_000_000, 2), ("shelf", "K", 1.2, 0.6, 1_500_000, 3)  # quầy, kệ
        )
        for i in range(1, count + 1)
    ]  # fmt: skip
    return {"zones": [zone], "booths": booths}


def showroom_open(moment: datetime) -> bool:
    """Whether the centre is open at ``moment`` (its weekly hours, in Viet Nam's time)."""
    local = moment.astimezone(VN)
    clock = local.strftime("%H:%M")
    return any(
        h["weekday"] == local.weekday() and str(h["opens"]) <= clock < str(h["closes"])
        for h in SHOWROOM_HOURS
    )


def showroom_plan() -> dict[str, Any]:
    """One row of display booths along the centre's hall."""
    zone = {
        "code": "TT",
        "name": "Khu trưng bày và bán sản phẩm OCOP",
        "kind": "district_cluster",
        "product_groups": ALL_GROUPS,
    }
    booths = [
        {"code": f"TT-{i + 1:02d}", "zone": "TT", "width_m": 3, "depth_m": 2, "price_vnd": 1_000_000,
         "x": i * 3.0, "y": 0.0, "open_sides": 1}
        for i in range(6)
    ]  # fmt: skip
    return {"zones": [zone], "booths": booths}


def retailer_sales_csv(
    day: date, products: list[dict[str, Any]], rng: random.Random
) -> tuple[bytes, int]:
    """The retailer's daily sales file (store, date, GTIN, quantity, amount) and its total:
    each product sold at each store that day, at its list price."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["store", "date", "gtin", "quantity", "amount"])
    total = 0
    for store in STORES:
        for p in products:
            quantity = rng.randint(2, 12)
            amount = quantity * p["list_price_vnd"]
            total += amount
            writer.writerow([store["store_code"], day.isoformat(), p["gtin"], quantity, amount])
    return out.getvalue().encode(), total


@dataclass
class SmallFair:
    """A fair the demo runs beside the regional one, through the same steps."""

    fair_id: str
    placements: list[dict[str, Any]]  # exhibitor id, booth ids
    products: dict[str, list[dict[str, Any]]]  # exhibitor id -> its admitted products


async def run_small_fair(
    client: Client,
    organizer: str,
    body: dict[str, Any],
    plan: dict[str, Any],
    entrants: list[tuple[Holder, list[dict[str, Any]]]],
) -> SmallFair:
    """The organizer creates and opens the fair; each entrant applies with its products and is
    approved; the plan is loaded, allocated and committed; every fee is paid; the fair starts."""
    fair_id = (await client.call("registration", "POST", "/fairs", organizer, json=body))["fair_id"]

    async def lifecycle(action: str) -> None:
        await client.call(
            "registration",
            "POST",
            f"/fairs/{fair_id}/lifecycle",
            organizer,
            json={"action": action},
        )

    await lifecycle("open")
    zone = plan["zones"][0]["code"]

    async def apply(entrant: tuple[Holder, list[dict[str, Any]]]) -> None:
        holder, products = entrant
        out = await client.call(
            "registration",
            "POST",
            f"/fairs/{fair_id}/applications",
            holder.token,
            json={
                "product_ids": [p["product_id"] for p in products],
                "booth_request": {"count": 1, "zone": zone},
            },
        )
        await client.call(
            "registration",
            "POST",
            f"/applications/{out['application_id']}/review",
            organizer,
            json={"decision": "approved"},
        )

    await gather_limited(entrants, apply)
    await lifecycle("close")
    await client.eventually(
        "booths", "PUT", f"/fairs/{fair_id}/floorplan", organizer, json=plan, also=(401,)
    )
    proposal: dict[str, Any] = {}
    for _ in range(240):
        proposal = await client.call("booths", "POST", f"/fairs/{fair_id}/allocations", organizer)
        if len(proposal["placements"]) + len(proposal["waitlist"]) >= len(entrants):
            break
        await asyncio.sleep(0.25)
    await client.call("booths", "POST", f"/allocations/{proposal['run_id']}/commit", organizer)
    tokens = {h.exhibitor_id: h.token for h, _ in entrants}

    async def pay(exhibitor_id: str) -> None:
        fees = await client.eventually(
            "booths", "GET", f"/fairs/{fair_id}/fees", tokens[exhibitor_id], also=(401,)
        )
        if fees["balance_vnd"] > 0:
            await client.call("booths", "POST", f"/fairs/{fair_id}/payments", organizer, json={
                "exhibitor_id": exhibitor_id, "amount_vnd": fees["balance_vnd"],
                "reference": fees["payment_reference"],
            })  # fmt: skip

    await gather_limited([p["exhibitor_id"] for p in proposal["placements"]], pay)
    await lifecycle("start")
    return SmallFair(
        fair_id,
        proposal["placements"],
        {h.exhibitor_id: products for h, products in entrants},
    )


async def receive_stock(client: Client, token: str, small: SmallFair, quantity: int) -> int:
    """Consignment received at each booth: ``quantity`` of each of its exhibitor's products
    (again until sales has learnt who holds the booth and what it may sell there)."""

    async def receive(placement: dict[str, Any]) -> None:
        await client.eventually(
            "sales",
            "POST",
            f"/fairs/{small.fair_id}/stock/receipts",
            token,
            also=(401,),
            json={
                "movement_id": str(uuid.uuid4()),
                "booth_id": placement["booth_ids"][0],
                "lines": [
                    {"product_id": p["product_id"], "quantity": quantity}
                    for p in small.products[placement["exhibitor_id"]]
                ],
            },
        )

    await gather_limited(small.placements, receive, limit=4)
    return sum(len(small.products[p["exhibitor_id"]]) * quantity for p in small.placements)


async def promotion_week(
    client: Client,
    organizer: str,
    retailer: Account,
    entrants: list[tuple[Holder, list[dict[str, Any]]]],
    now: datetime,
    rng: random.Random,
) -> dict[str, Any]:
    """The retailer's owner adds its two stores; the organizer runs a week at them (stands and
    shelf slots, the retailer's commission 10 %); the retailer receives the consignment and
    imports one day's sales file, so the settlement has figures."""
    rid = retailer.organization_id

    async def add_store(store: dict[str, str]) -> None:
        await client.call(
            "registration", "POST", f"/retailers/{rid}/stores", retailer.token, json=store
        )

    await gather_limited(STORES, add_store)
    small = await run_small_fair(client, organizer, {
        "name": PROMOTION_WEEK, "kind": "promotion_week", "province": HOST_PROVINCE,
        "venue": "Siêu thị GO! Hạ Long và GO! Cẩm Phả",
        "host_retailer_id": rid, "store_codes": [s["store_code"] for s in STORES],
        "applications_open_at": (now - timedelta(days=1)).isoformat(),
        "applications_close_at": (now + timedelta(minutes=20)).isoformat(),
        "starts_at": (now + timedelta(minutes=20)).isoformat(), "ends_at": (now + timedelta(days=7)).isoformat(),
        "rules": {"min_star": 3, "product_groups": ALL_GROUPS, "max_booths_per_holder": 1, "commission_percent": 10},
    }, promotion_week_plan(), entrants)  # fmt: skip
    received = await receive_stock(client, retailer.token, small, 48)
    placed = [small.products[p["exhibitor_id"]] for p in small.placements]
    day = (now + timedelta(minutes=20)).astimezone(VN).date()  # the week's first day
    content, total = retailer_sales_csv(day, [p for ps in placed for p in ps], rng)
    report = await client.call(
        "sales",
        "POST",
        f"/fairs/{small.fair_id}/retailer-sales",
        retailer.token,
        files={"file": (f"go-ban-hang-{day.isoformat()}.csv", content, "text/csv")},
    )
    if report["rejected"] or report["imported_vnd"] != total:
        raise RuntimeError(f"demo retailer sales not imported: {report['report'][:3]}")
    return {
        "fair_id": small.fair_id,
        "retailer_id": rid,
        "stores": [s["store_code"] for s in STORES],
        "booths": len(promotion_week_plan()["booths"]),
        "placed": len(small.placements),
        "received": received,
        "retailer_sales_rows": report["imported"],
        "retailer_sales_vnd": report["imported_vnd"],
    }


async def showroom(
    client: Client,
    organizer: str,
    entrants: list[tuple[Holder, list[dict[str, Any]]]],
    now: datetime,
    sales: int,
    rng: random.Random,
) -> dict[str, Any]:
    """The province's permanent centre: open-ended, weekly hours, a commission of 15 %; the
    centre receives its consignment, a till per booth, and (when the demo sells) a few sales."""
    small = await run_small_fair(client, organizer, {
        "name": SHOWROOM, "kind": "showroom", "province": HOST_PROVINCE,
        "venue": "Trung tâm giới thiệu và bán sản phẩm OCOP, thành phố Hạ Long",
        "opening_hours": SHOWROOM_HOURS,
        "applications_open_at": (now - timedelta(days=1)).isoformat(),
        "applications_close_at": (now + timedelta(minutes=20)).isoformat(),
        "starts_at": (now + timedelta(minutes=20)).isoformat(),
        "rules": {"min_star": 3, "product_groups": ALL_GROUPS, "max_booths_per_holder": 1, "commission_percent": 15},
    }, showroom_plan(), entrants)  # fmt: skip
    received = await receive_stock(client, organizer, small, 30)

    async def enrol(placement: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = await client.eventually(
            "sales",
            "POST",
            f"/fairs/{small.fair_id}/terminals",
            organizer,
            json={"booth_id": placement["booth_ids"][0], "label": "Quầy trưng bày"},
        )
        return out

    tills = await gather_limited(small.placements, enrol, limit=4)
    sold = 0
    # The centre sells within its opening hours only (sales refuses a sale outside them): a
    # demo loaded at night leaves its tills ready and unsold.
    selling = showroom_open(datetime.now(UTC))
    for i in range(min(sales, 12) if tills and selling else 0):  # a few, in turn at each till
        till = tills[i % len(tills)]
        catalog = small.products[till["exhibitor_id"]]
        await client.call("sales", "POST", "/sales", till["token"], json=sale(catalog, rng))
        sold += 1
    return {
        "fair_id": small.fair_id,
        "booths": len(showroom_plan()["booths"]),
        "placed": len(small.placements),
        "received": received,
        "terminals": len(tills),
        "sales": sold,
    }


def owner_login(fair: DemoFair, who: Holder | Delegation, index: int) -> dict[str, str]:
    """A cooperative's owner signs in with a mobile number, the others with an email."""
    if isinstance(who, Holder) and who.kind in ("cooperative", "cooperative_group"):
        return {"phone": who.phone}
    return {"email": f"{slug(who.owner).replace('-', '')}.{index:03d}.{fair.tag}@{MAIL_DOMAIN}"}


async def load(
    client: Client,
    fair: DemoFair,
    admin_tokens: dict[str, str],
    *,
    progress: Progress = _quiet,
    sales: int = 0,
    terminals: int | None = None,
) -> Loaded:
    """Runs a whole intake through the APIs, as people would: the platform admin creates the
    organizer and the authorities, whose owners accept their invitations; holders and
    delegations sign up with their owners' accounts, delegations invite their members and the
    members accept; each council imports its part of the register; the organizer runs the
    fair; exhibitors apply and pay; tills are enrolled."""
    admin = admin_tokens["registration"]
    holders = fair.holders
    specs = organizations(fair)
    done, total = 0, len(specs) + len(holders) + len(fair.delegations)

    def tick(step: str) -> Callable[[], None]:
        def inner() -> None:
            nonlocal done
            done += 1
            progress(step, done, total)

        return inner

    async def found(spec: Organization) -> Account:
        body: dict[str, str] = {
            "kind": spec.kind, "organization_id": spec.organization_id, "name": spec.name,
        }  # fmt: skip
        if spec.province:
            body["province"] = spec.province
        if spec.level:
            body["level"] = spec.level
        created = await client.call("registration", "POST", "/organizations", admin, json=body)
        password = new_password()
        session = await client.call("registration", "POST", "/invitations/accept", json={
            "code": created["owner_invitation"]["code"],
            "account": {"name": spec.owner, "email": spec.email, "password": password},
        })  # fmt: skip
        return Account(
            spec.role, spec.owner, spec.email, password, spec.organization_id, spec.name,
            token=session["token"],
        )  # fmt: skip

    owners: dict[str, Account] = {}  # exhibitor id -> its owner

    async def register(item: tuple[int, Holder | Delegation]) -> None:
        index, h = item
        kind = "delegation" if isinstance(h, Delegation) else h.kind
        body: dict[str, Any] = {"kind": kind, "name": h.name, "province": h.province}
        if isinstance(h, Holder):
            body |= {"tax_code": h.tax_code, "commune": h.commune}
        login = owner_login(fair, h, index)
        password = new_password()
        body["owner"] = {"name": h.owner, **login, "password": password}
        out = await client.call("registration", "POST", "/exhibitors", json=body)
        h.exhibitor_id, h.token = out["exhibitor"]["exhibitor_id"], out["token"]
        role = "delegation" if isinstance(h, Delegation) else "exhibitor"
        shown = login.get("email") or login["phone"]
        owners[h.exhibitor_id] = Account(
            role, h.owner, shown, password, h.exhibitor_id, h.name, token=h.token
        )

    founding = gather_limited(specs, found, limit=4, on_done=tick("accounts"))
    signing_up = gather_limited(
        list(enumerate([*holders, *fair.delegations])), register, on_done=tick("accounts")
    )
    authorities: list[Account] = (await asyncio.gather(founding, signing_up))[0]
    organizer = authorities[0].token
    councils = {
        spec.province or CENTRAL: account
        for spec, account in zip(specs, authorities, strict=True)
        if spec.role == "certifier"
    }

    # Delegations invite their members; each member holder's owner accepts.
    async def invite(d: Delegation) -> None:
        await client.call(
            "registration",
            "POST",
            f"/exhibitors/{d.exhibitor_id}/members",
            d.token,
            json={"member_ids": [m.exhibitor_id for m in d.members]},
        )

    async def accept(pair: tuple[Delegation, Holder]) -> None:
        d, m = pair
        await client.call(
            "registration",
            "POST",
            f"/exhibitors/{m.exhibitor_id}/delegations/{d.exhibitor_id}/accept",
            m.token,
        )

    await gather_limited(fair.delegations, invite)
    await gather_limited([(d, m) for d in fair.delegations for m in d.members], accept)

    # Each council imports the part of the province's register it decides.
    async def import_part(council: str) -> dict[str, Any]:
        report: dict[str, Any] = await client.call(
            "registration",
            "POST",
            "/imports/register",
            councils[council].token,
            files={"file": ("register.csv", register_csv(fair, council), "text/csv")},
        )
        if report["rejected"]:
            raise RuntimeError(f"demo register rejected rows: {report['errors'][:3]}")
        return report

    parts = await gather_limited(sorted(councils), import_part, limit=4)
    report = {
        "rows": sum(r["rows"] for r in parts),
        "imported": sum(r["imported"] for r in parts),
    }
    progress("register imported", report["imported"], report["rows"])

    now = datetime.now(UTC).replace(microsecond=0)
    created = await client.call("registration", "POST", "/fairs", organizer, json={
        "name": "Hội chợ OCOP khu vực Đông Bắc — Quảng Ninh", "kind": "fair",
        "venue": "Cung Quy hoạch, Hội chợ và Triển lãm tỉnh Quảng Ninh, Hạ Long", "province": HOST_PROVINCE,
        "applications_open_at": (now - timedelta(days=1)).isoformat(), "applications_close_at": (now + timedelta(minutes=20)).isoformat(),
        "starts_at": (now + timedelta(minutes=20)).isoformat(), "ends_at": (now + timedelta(days=5)).isoformat(),
        "rules": {"min_star": 3, "product_groups": [1, 2, 3, 4, 5, 6], "max_booths_per_holder": 2, "subsidy_percent": 50, "subsidy_max_booths": 2},
    })  # fmt: skip
    fair_id = created["fair_id"]
    await client.call(
        "registration", "POST", f"/fairs/{fair_id}/lifecycle", organizer, json={"action": "open"}
    )

    async def product_ids(h: Holder) -> list[str]:
        return [
            p["product_id"]
            for p in await client.call(
                "registration",
                "GET",
                "/products",
                params={"holder_id": h.exhibitor_id, "limit": 50},
            )
        ]

    ids = dict(
        zip(
            [h.exhibitor_id for h in holders],
            await gather_limited(holders, product_ids),
            strict=True,
        )
    )
    # The promotion week and the showroom run beside the regional fair, at the same time,
    # with a few of the host province's holders (each in one of them).
    retailer = next(a for a in authorities if a.role == "retailer")
    pick = random.Random(f"{fair.seed}:kinds")
    candidates = pick.sample(fair.host, len(fair.host))

    async def entrants(
        holders: list[Holder], in_force_on: date, count: int
    ) -> list[tuple[Holder, list[dict[str, Any]]]]:
        """Holders with products whose certificates are in force on ``in_force_on``."""
        chosen: list[tuple[Holder, list[dict[str, Any]]]] = []
        for h in holders:
            products = [
                p
                for pid in ids[h.exhibitor_id]
                if date.fromisoformat(
                    (p := await client.call("registration", "GET", f"/products/{pid}"))[
                        "certificate"
                    ]["valid_to"]
                )
                >= in_force_on
            ]
            if products:
                chosen.append((h, products))
            if len(chosen) == count:
                break
        return chosen

    async def other_kinds() -> tuple[dict[str, Any], dict[str, Any]]:
        week_ends = (now + timedelta(days=8)).date()
        at_week = await entrants(candidates, week_ends, 5)
        taken = {h.exhibitor_id for h, _ in at_week}
        rest = [h for h in candidates if h.exhibitor_id not in taken]
        at_centre = await entrants(rest, (now + timedelta(days=1)).date(), 4)
        found = await asyncio.gather(  # each its own draws: the same file, the same sales
            promotion_week(
                client, organizer, retailer, at_week, now, random.Random(f"{fair.seed}:week")
            ),
            showroom(
                client, organizer, at_centre, now, sales, random.Random(f"{fair.seed}:centre")
            ),
        )
        progress("promotion week and showroom", 2, 2)
        return found[0], found[1]

    kinds = asyncio.ensure_future(other_kinds())

    applications: list[tuple[str, str]] = []  # (application id, exhibitor token)
    fair_info = await client.call("registration", "GET", f"/fairs/{fair_id}")
    last_day = datetime.fromisoformat(fair_info["ends_at"]).date() + timedelta(days=1)

    async def admitted(pids: list[str]) -> list[str]:
        out = []
        for pid in pids:
            p = await client.call("registration", "GET", f"/products/{pid}")
            if date.fromisoformat(p["certificate"]["valid_to"]) >= last_day:
                out.append(pid)
        return out

    async def apply(who: Holder | Delegation) -> None:
        if isinstance(who, Delegation):
            pids = [pid for m in who.members for pid in ids[m.exhibitor_id][:2]]
            request = {"count": min(2 * len(who.members), max(1, len(who.members))), "zone": "Z2"}
        else:
            pids = ids[who.exhibitor_id]
            request = {"count": 1, "zone": "Z1"}
        pids = await admitted(pids)
        if not pids:
            return
        out = await client.call(
            "registration",
            "POST",
            f"/fairs/{fair_id}/applications",
            who.token,
            json={"product_ids": pids, "booth_request": request},
        )
        applications.append((out["application_id"], who.token))

    done, total = 0, len(fair.host) + len(fair.delegations)
    await gather_limited([*fair.host, *fair.delegations], apply, on_done=tick("applications"))
    rng = random.Random(fair.seed)
    rejected = set(rng.sample([a for a, _ in applications], max(1, len(applications) // 60)))

    async def review(app: tuple[str, str]) -> None:
        decision = (
            {"decision": "rejected", "reason": "Sản phẩm chưa có tem truy xuất nguồn gốc"}
            if app[0] in rejected
            else {"decision": "approved"}
        )
        await client.call(
            "registration", "POST", f"/applications/{app[0]}/review", organizer, json=decision
        )

    await gather_limited(applications, review)
    await client.call(
        "registration", "POST", f"/fairs/{fair_id}/lifecycle", organizer, json={"action": "close"}
    )
    progress("applications reviewed", len(applications), len(applications))

    # Booths: the floor plan, then one allocation run over every approved application.
    # (401 too: booths learns of the organizer's session from registration's announcement)
    await client.eventually(
        "booths", "PUT", f"/fairs/{fair_id}/floorplan", organizer, json=fair.floorplan, also=(401,)
    )
    approved = len(applications) - len(rejected)
    proposal: dict[str, Any] = {}
    for _ in range(240):
        proposal = await client.call("booths", "POST", f"/fairs/{fair_id}/allocations", organizer)
        if len(proposal["placements"]) + len(proposal["waitlist"]) >= approved:
            break
        await asyncio.sleep(0.25)
    committed = await client.call(
        "booths", "POST", f"/allocations/{proposal['run_id']}/commit", organizer
    )
    progress("booths allocated", committed["assigned"], len(fair.floorplan["booths"]))

    applicants: list[Holder | Delegation] = [*fair.host, *fair.delegations]
    exhibitors = {h.exhibitor_id: h.token for h in applicants}
    placed = {p["exhibitor_id"] for p in proposal["placements"]}

    async def pay(exhibitor_id: str) -> None:
        fees = await client.eventually(
            "booths", "GET", f"/fairs/{fair_id}/fees", exhibitors[exhibitor_id], also=(401,)
        )
        if fees["balance_vnd"] > 0:
            await client.call(
                "booths",
                "POST",
                f"/fairs/{fair_id}/payments",
                organizer,
                json={
                    "exhibitor_id": exhibitor_id,
                    "amount_vnd": fees["balance_vnd"],
                    "reference": fees["payment_reference"],
                },
            )

    payers = sorted(placed)[: max(1, int(len(placed) * 0.95))]  # a few have not paid yet
    await gather_limited(payers, pay)
    await client.call(
        "registration", "POST", f"/fairs/{fair_id}/lifecycle", organizer, json={"action": "start"}
    )
    progress("booths paid", len(payers), len(placed))

    # One till per exhibitor by default; ``terminals`` asks for that many, several per booth if need be.
    booth_ids = [(b, p["exhibitor_id"]) for p in proposal["placements"] for b in p["booth_ids"][:1]]
    if terminals is not None:
        booth_ids = [booth_ids[i % len(booth_ids)] for i in range(terminals)]
    tills: list[dict[str, Any]] = []

    async def enrol(item: tuple[str, str]) -> None:
        out = await client.eventually(
            "sales",
            "POST",
            f"/fairs/{fair_id}/terminals",
            organizer,
            json={"booth_id": item[0], "label": "Quầy chính"},
        )
        tills.append(out)

    done, total = 0, len(booth_ids)
    await gather_limited(booth_ids, enrol, on_done=tick("terminals"))
    week, centre = await kinds
    summary = {
        "holders": len(holders),
        "delegations": len(fair.delegations),
        "products": report["imported"],
        "applications": len(applications),
        "approved": approved,
        "booths": len(fair.floorplan["booths"]),
        "assigned": committed["assigned"],
        "waitlisted": committed["waitlisted"],
        "terminals": len(tills),
        "promotion week: stands and shelves": week["booths"],
        "promotion week: retailer's sales imported (₫)": week["retailer_sales_vnd"],
        "showroom: booths held": centre["placed"],
        "showroom: till sales": centre["sales"],
    }
    cooperatives = [h for h in fair.host if h.kind == "cooperative"] or holders
    shown = {
        "organizer": authorities[0],
        "exhibitor": owners[cooperatives[0].exhibitor_id],
        "delegation": owners[fair.delegations[0].exhibitor_id] if fair.delegations else None,
        "certifier": councils.get(HOST_PROVINCE) or next(iter(councils.values())),
        "inspector": next(a for a in authorities if a.role == "inspector"),
        "retailer": retailer,
    }
    loaded = Loaded(
        fair_id,
        organizer,
        admin_tokens,
        exhibitors,
        tills,
        fair.revoke,
        summary,
        certifiers={a.organization_id: a.token for a in councils.values()},
        accounts={role: a.details() for role, a in shown.items() if a is not None},
        people=[a.details() for a in [*authorities, *owners.values()]],
        promotion_week=week,
        showroom=centre,
    )
    if sales:
        summary["sales"] = await simulate_sales(client, loaded, sales, progress=progress)
    return loaded


async def till_catalog(
    client: Client, organizer: str, fair_id: str, till: dict[str, Any]
) -> list[dict[str, Any]]:
    """What a till may sell: its exhibitor's approved products (from registration)."""
    apps = await client.call(
        "registration",
        "GET",
        f"/fairs/{fair_id}/applications",
        organizer,
        params={"status": "approved"},
    )
    mine = next(a for a in apps if a["exhibitor_id"] == till["exhibitor_id"])
    return [p for p in mine["products"] if p["certificate"]["status"] in ("valid", "expiring")]


def sale(
    products: list[dict[str, Any]], rng: random.Random, when: datetime | None = None
) -> dict[str, Any]:
    picked = rng.sample(products, rng.randint(1, min(3, len(products))))
    lines = [
        {
            "product_id": p["product_id"],
            "quantity": rng.randint(1, 3),
            "unit_price_vnd": p["list_price_vnd"],
        }
        for p in picked
    ]
    if rng.random() < 0.2:  # a fair's promotion: at most 10,000 ₫ and a tenth off, with why
        list_value = lines[0]["unit_price_vnd"] * lines[0]["quantity"]
        lines[0]["discount_vnd"] = min(10_000, list_value // 10)
        lines[0]["discount_reason"] = "Khuyến mãi hội chợ"
    total = sum(
        line["quantity"] * line["unit_price_vnd"] - line.get("discount_vnd", 0) for line in lines
    )
    method = rng.choices(["cash", "vietqr", "card", "ewallet"], [5, 3, 1, 1])[0]
    return {
        "sale_id": str(uuid.uuid4()),
        "device_time": (when or datetime.now(UTC)).isoformat(),
        "lines": lines,
        "payments": [{"method": method, "amount_vnd": total}],
        "total_vnd": total,
    }


async def simulate_sales(
    client: Client, loaded: Loaded, count: int, *, progress: Progress = _quiet, seed: int = 7
) -> int:
    """A fair day: each till sells in turn; returns how many sales were recorded."""
    rng = random.Random(seed)
    catalogs = {
        t["terminal_id"]: await till_catalog(client, loaded.organizer_token, loaded.fair_id, t)
        for t in loaded.terminals
    }
    tills = [t for t in loaded.terminals if catalogs[t["terminal_id"]]]
    recorded = 0

    async def one(i: int) -> None:
        nonlocal recorded
        till = tills[i % len(tills)]
        try:
            await client.call(
                "sales",
                "POST",
                "/sales",
                till["token"],
                json=sale(catalogs[till["terminal_id"]], rng),
            )
            recorded += 1
        except ApiError as exc:
            if exc.response.status_code != 422:  # a product revoked meanwhile is refused; fine
                raise
        progress("sales", i + 1, count)

    await gather_limited(range(count), one, limit=12)
    return recorded
