"""The till (issue 13) in Chromium at a phone's size, against the running system: a fair
with a holder's booth (three products with GTINs, a receiving bank account), tills enrolled
for pairing through sales' API (``pairing: true``).

- pair by the code in the address's fragment; open a session; sell online (a scan, cash
  with change); go offline and make 30 sales (scans, a search without diacritics, one
  VietQR waiting for the bank); reload offline (the service worker opens the app, the 30
  still queued); back online: all 30 stored once, the receipt sequence without gaps, the
  offline-to-synced time printed; the transfer confirmed; a refund by the receipt's QR
  address; the Z-report matching the sales;
- a second tab read-only; a product revoked while online unsellable within 2 s; a sale
  made offline after a revocation set aside with its reason while the others upload; a
  suspended till stops selling;
- the browser closed within 5 s of a payment, reopened on the same profile: the sale there,
  stored once.

Every request of every page is recorded: none leaves our origin. Screenshots at a phone's
size go to docs/screenshots/till-*.png (and artifacts/)."""

from __future__ import annotations

import random
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from .conftest import ARTIFACTS, REPO, System, chromium
from .test_floorplan import VN, call, eventually, organization
from .test_tills_live import PLAN

DOCS = REPO / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
HOLDER = "Hợp tác xã Chè Đường Hoa"
PRICES = (120_000, 85_000, 45_000, 60_000, 30_000)
NAMES = (
    "Chè Đường Hoa hộp 200 g",
    "Miến dong Bình Liêu 500 g",
    "Nước mắm Cái Rồng 500 ml",
    "Trà hoa vàng Ba Chẽ 100 g",
    "Mật ong rừng Đầm Hà 250 ml",
)


def gtin13() -> str:
    body = "893" + "".join(random.choice("0123456789") for _ in range(9))
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


@dataclass
class Fair:
    fair_id: str
    booth_id: str
    organizer: str
    council: str
    holder: str
    products: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture(scope="module")
def fair(web: System) -> Fair:
    """A fair selling now, a holder with five 4-star products (GTINs) and a receiving bank
    account, its booth assigned by the engine (as test_tills_live's seed, with more)."""
    _, _, organizer = organization(
        web, "organizer", "Sở Công Thương Quảng Ninh", province="Quảng Ninh"
    )
    _, _, council = organization(
        web, "certifier", "Hội đồng OCOP tỉnh Quảng Ninh", province="Quảng Ninh", level="provincial"
    )
    now = datetime.now(VN).replace(tzinfo=None, microsecond=0)
    holder = web.exhibitor(HOLDER)
    products: list[dict[str, Any]] = []
    with web.api("registration") as reg:
        call(reg, "PATCH", f"/exhibitors/{holder.organization_id}", holder.token, json={
            "bank_bin": "970436", "bank_account": "0123456789",
            "bank_account_name": "HTX CHE DUONG HOA",
        })  # fmt: skip
        fair = call(reg, "POST", "/fairs", organizer, 201, json={
            "name": "Hội chợ OCOP Quảng Ninh 2026", "kind": "fair", "venue": "Cung Triển lãm tỉnh",
            "province": "Quảng Ninh", "applications_open_at": (now - timedelta(days=2)).isoformat(),
            "applications_close_at": (now + timedelta(minutes=10)).isoformat(),
            "starts_at": (now + timedelta(minutes=15)).isoformat(),
            "ends_at": (now + timedelta(days=2)).isoformat(),
            "rules": {"min_star": 3, "max_booths_per_holder": 1, "subsidy_percent": 50, "subsidy_max_booths": 1},
        })  # fmt: skip
        fair_id = str(fair["fair_id"])
        call(reg, "POST", f"/fairs/{fair_id}/lifecycle", organizer, json={"action": "open"})
        for name, price in zip(NAMES, PRICES, strict=True):
            gtin = gtin13()
            product = call(reg, "POST", "/products", holder.token, 201, json={
                "name": name, "group": 1, "unit": "hộp", "list_price_vnd": price, "gtin": gtin,
            })  # fmt: skip
            number = f"QN-{uuid.uuid4().hex[:10]}"
            call(reg, "POST", f"/products/{product['product_id']}/certificates", council, 201, json={
                "number": number, "star": 4, "issuing_level": "province",
                "issuing_body": "UBND tỉnh Quảng Ninh", "decision_number": "101/QĐ-UBND",
                "decision_date": "2025-06-01", "valid_from": "2025-06-01",
            })  # fmt: skip
            products.append(
                {"product_id": str(product["product_id"]), "gtin": gtin, "name": name,
                 "price": price, "certificate": number}
            )  # fmt: skip
        application = call(reg, "POST", f"/fairs/{fair_id}/applications", holder.token, 201, json={
            "product_ids": [p["product_id"] for p in products],
            "booth_request": {"count": 1, "zone": "Z1"},
        })  # fmt: skip
        call(reg, "POST", f"/applications/{application['application_id']}/review", organizer,
             json={"decision": "approved"})  # fmt: skip
    placed: dict[str, Any] = {}
    with web.api("booths") as booths:
        headers = {"Authorization": f"Bearer {organizer}"}

        def plan_loaded() -> bool:
            answer = booths.put(f"/fairs/{fair_id}/floorplan", json=PLAN,
                                headers={**headers, "Idempotency-Key": str(uuid.uuid4())})  # fmt: skip
            return answer.status_code in (200, 201)

        eventually(plan_loaded, "the fair")

        def allocated() -> bool:
            answer = booths.post(f"/fairs/{fair_id}/allocations",
                                 headers={**headers, "Idempotency-Key": str(uuid.uuid4())})  # fmt: skip
            found = answer.json() if answer.status_code == 201 else {}
            if found.get("placements"):
                placed.update(found)
                return True
            return False

        eventually(allocated, "the approved application")
        call(booths, "POST", f"/allocations/{placed['run_id']}/commit", organizer, 200)
    booth_id = str(placed["placements"][0]["booth_ids"][0])
    return Fair(fair_id, booth_id, organizer, council, holder.token, products)


def enrol(web: System, fair: Fair, label: str) -> dict[str, Any]:
    """A till enrolled for pairing (sales may learn of the booth a moment after the commit)."""
    found: dict[str, Any] = {}
    with web.api("sales", fair.organizer) as sales:

        def enrolled() -> bool:
            answer = sales.post(
                f"/fairs/{fair.fair_id}/terminals",
                json={"booth_id": fair.booth_id, "label": label, "pairing": True},
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
            if answer.status_code == 201:
                found.update(answer.json())
                return True
            return False

        eventually(enrolled, "the booth's exhibitor (sales)")
    assert found["token"] is None and len(found["pairing_code"]) == 14
    return found


def revoke(web: System, fair: Fair, product: dict[str, Any]) -> None:
    with web.api("registration") as reg:
        call(reg, "POST", "/certificates/revocations", fair.council, json={
            "decision_number": f"{random.randint(100, 999)}/QĐ-UBND", "reason": "Vi phạm chất lượng",
            "certificate_numbers": [product["certificate"]],
        })  # fmt: skip


@dataclass
class Watch:
    origin: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # answers >= 400 and failed requests

    def attach(self, context: Any) -> None:
        context.on("request", lambda r: self.requests.append(r.url))
        context.on(
            "response",
            lambda r: self.refused.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        context.on("requestfailed", lambda r: self.refused.append(f"failed {r.url}: {r.failure}"))
        context.on("page", self.page)
        for page in context.pages:
            self.page(page)

    def page(self, page: Any) -> None:
        # A failed load is expected of an offline app (and of a 4xx it handles): the console
        # says "Failed to load resource"; any other error (an exception, a CSP violation)
        # counts.
        page.on(
            "console",
            lambda m: (
                self.errors.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def check(self) -> None:
        foreign = [
            u for u in self.requests
            if not (u == self.origin or u.startswith(self.origin + "/") or u.startswith(("data:", "blob:")))
        ]  # fmt: skip
        assert not foreign, f"requests to other hosts: {foreign[:5]}"
        assert not self.errors, f"console errors: {self.errors[:5]}"
        assert self.requests, "no request recorded"


@pytest.fixture
def phone(web: System, browser: Any) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(
        base_url=web.url,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    watch = Watch(web.url)
    watch.attach(context)
    yield context, watch
    context.close()
    watch.check()


def screenshot(page: Any, label: str) -> None:
    """The whole page at a phone's width: the viewport made as tall as the page (a full-page
    capture would paint the sticky header halfway down)."""
    height = int(page.evaluate("() => document.documentElement.scrollHeight"))
    page.set_viewport_size({"width": PHONE["width"], "height": max(PHONE["height"], height)})
    try:
        for folder in (DOCS, ARTIFACTS):
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"till-{label}.png"))
    finally:
        page.set_viewport_size(PHONE)


def pair_and_open(page: Any, code: str, float_vnd: str = "500.000") -> None:
    page.goto(f"/till/pair#{code}")
    expect(page.get_by_role("heading", name="Ca bán hàng", level=1)).to_be_visible(timeout=20_000)
    assert "#" not in page.url  # the code is not kept in the address
    page.get_by_label("Tiền đầu ca").fill(float_vnd)
    page.get_by_test_id("open-session").click()
    expect(page.get_by_role("heading", name="Bán hàng", level=1)).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Trực tuyến")


def controlled(page: Any, web: System, watch: Watch) -> None:
    """Waits until the service worker controls the page (the app then opens with no network);
    if it never does, says why: the worker's states, the caches, what was refused."""
    try:
        page.wait_for_function("() => !!navigator.serviceWorker.controller", timeout=45_000)
    except PlaywrightTimeoutError:
        found = page.evaluate(
            """async () => {
                const r = await navigator.serviceWorker.getRegistration("/till/");
                const worker = (w) => (w ? `${w.state} ${w.scriptURL}` : null);
                return {
                    url: location.href,
                    registration: r && {
                        scope: r.scope,
                        installing: worker(r.installing),
                        waiting: worker(r.waiting),
                        active: worker(r.active),
                    },
                    caches: await caches.keys(),
                };
            }"""
        )
        workers = [w.url for w in page.context.service_workers]
        raise AssertionError(
            f"the service worker never took control: {found}; workers {workers}; "
            f"refused: {watch.refused[-20:]}; requests: {watch.requests[-40:]}\n{web.tail()}"
        ) from None


def scan(page: Any, gtin: str) -> None:
    field = page.get_by_test_id("scan")
    field.fill(gtin)
    field.press("Enter")  # as a USB scanner types it


def pay_cash(page: Any, tendered: str = "") -> str:
    page.get_by_test_id("to-payment").click()
    if tendered:
        page.get_by_test_id("tendered").fill(tendered)
    page.get_by_test_id("take-cash").click()
    number = page.get_by_test_id("receipt-no")
    expect(number).to_be_visible()
    return str(number.inner_text())


def waiting(page: Any, n: int, timeout: float = 10_000) -> None:
    expect(page.get_by_test_id("queue-count")).to_have_text(
        re.compile(rf"^{n} đơn chờ gửi"), timeout=timeout
    )


def till_sales(web: System, token: str) -> list[dict[str, Any]]:
    with web.api("sales", token) as sales:
        answer = sales.get("/sales", params={"limit": 5000})
    assert answer.status_code == 200, answer.text
    rows: list[dict[str, Any]] = answer.json()
    return rows


def device_token(page: Any) -> str:
    token: str = page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("ocop-till");
            open.onsuccess = () => {
                const get = open.result.transaction("meta").objectStore("meta").get("token");
                get.onsuccess = () => resolve(get.result);
                get.onerror = () => reject(get.error);
            };
        })"""
    )
    return token


def test_a_till_sells_online_then_30_sales_offline_uploaded_once_without_gaps(
    web: System, fair: Fair, phone: tuple[Any, Watch]
) -> None:
    context, watch = phone
    till = enrol(web, fair, "Quầy 1")
    page = context.new_page()
    page.goto("/till/")
    expect(page.get_by_role("heading", name="Ghép nối quầy thu ngân", level=1)).to_be_visible()
    screenshot(page, "pairing")
    pair_and_open(page, till["pairing_code"])
    prefix = page.evaluate("() => window.ocopTill.state.profile.receipt_prefix")
    assert prefix == till["receipt_prefix"]
    token = device_token(page)
    a, b, c = fair.products[0], fair.products[1], fair.products[2]

    # Online: a scan, the quantity raised, cash with change.
    scan(page, a["gtin"])
    scan(page, a["gtin"])
    expect(page.get_by_test_id("cart")).to_contain_text(a["name"])
    expect(page.get_by_test_id("cart")).to_contain_text("4 sao")
    expect(page.get_by_test_id("cart-total")).to_have_text("240.000\u00a0₫")
    screenshot(page, "cart")
    page.get_by_test_id("to-payment").click()
    page.get_by_test_id("tendered").fill("300.000")
    expect(page.get_by_test_id("change")).to_have_text("Tiền thối lại: 60.000\u00a0₫")
    page.get_by_test_id("take-cash").click()
    expect(page.get_by_test_id("receipt-no")).to_have_text(f"{prefix}-000001")
    expect(page.get_by_test_id("receipt")).to_contain_text("Hợp tác xã Chè Đường Hoa")
    waiting(page, 0)
    expect(page.get_by_test_id("receipt-state")).to_have_text("Chờ gửi lên máy chủ")  # as made
    screenshot(page, "receipt")
    page.get_by_test_id("new-sale").click()
    assert [s["receipt_no"] for s in till_sales(web, token)] == [1]

    # The service worker ready: the app opens with no network.
    controlled(page, web, watch)

    # Offline: 30 sales: scans, a search without diacritics, one VietQR waiting for the bank.
    context.set_offline(True)
    expect(page.get_by_test_id("status")).to_have_text("Ngoại tuyến", timeout=5000)
    expect(page.get_by_test_id("offline-caps")).to_contain_text("Đang bán ngoại tuyến")
    expected_total = 240_000
    for i in range(29):
        product = (a, b, c)[i % 3]
        if i == 5:
            page.get_by_test_id("search").fill("mien dong binh lieu")
            results = page.get_by_test_id("results")
            expect(results).to_contain_text(b["name"])
            results.locator("li", has_text=b["name"]).get_by_role("button", name="Thêm").click()
            product = b
        else:
            scan(page, product["gtin"])
        pay_cash(page)
        expected_total += product["price"]
        page.get_by_test_id("new-sale").click()
    scan(page, c["gtin"])
    scan(page, c["gtin"])
    page.get_by_test_id("to-payment").click()
    page.get_by_test_id("make-qr").click()
    qr = page.get_by_test_id("vietqr")
    expect(qr.locator("svg")).to_be_visible()
    code = f"OCOP{prefix}31"
    expect(page.get_by_test_id("payment-code")).to_have_text(code)
    payload = qr.locator("svg").get_attribute("data-payload")
    assert payload and "970436" in payload and "0123456789" in payload and code in payload
    assert "5405" + "90000" in payload  # tag 54, 5 characters: 90,000
    screenshot(page, "vietqr")
    page.get_by_test_id("qr-pending").click()
    expect(page.get_by_test_id("receipt-no")).to_have_text(f"{prefix}-000031")
    expected_total += 2 * c["price"]
    waiting(page, 30)
    screenshot(page, "offline-queue")

    # Reloaded offline: the service worker opens the app, the 30 still waiting.
    page.reload()
    expect(page.get_by_role("heading", name="Bán hàng", level=1)).to_be_visible(timeout=15_000)
    waiting(page, 30)
    expect(page.get_by_test_id("status")).to_have_text("Ngoại tuyến", timeout=5000)

    # Back online: all uploaded, once, the receipts without gaps.
    started = time.monotonic()
    context.set_offline(False)
    waiting(page, 0, timeout=60_000)
    synced = time.monotonic() - started
    print(f"\n[till] 30 queued sales: offline-to-synced {synced:.2f} s")
    stored = till_sales(web, token)
    numbers = sorted(s["receipt_no"] for s in stored)
    assert numbers == list(range(1, 32)), numbers
    assert len({s["sale_id"] for s in stored}) == 31
    assert sum(s["total_vnd"] for s in stored) == expected_total
    expect(page.get_by_test_id("queue-count")).not_to_contain_text("để riêng")

    # The transfer waiting for the bank: confirmed by the cashier.
    with web.api("sales", token) as sales:
        pending = sales.get("/transfers", params={"fair_id": fair.fair_id, "status": "pending"})
    assert [(t["payment_code"], t["amount_vnd"]) for t in pending.json()] == [(code, 90_000)], (
        pending.text
    )
    page.get_by_role("button", name="Chờ ngân hàng").first.click()
    row = page.locator(f'[data-code="{code}"]')
    expect(row).to_contain_text("90.000\u00a0₫")
    screenshot(page, "transfers")
    row.get_by_role("button", name="Đã nhận tiền").click()
    expect(page.get_by_text(f"Đã xác nhận khoản chuyển khoản {code}.")).to_be_visible()
    with web.api("sales", token) as sales:
        transfers = sales.get("/transfers", params={"fair_id": fair.fair_id}).json()
    assert [(t["payment_code"], t["status"], t["confirmed_by"]) for t in transfers] == [
        (code, "confirmed", "cashier")
    ]

    # A refund by the receipt's QR address (a scanner types it into the field).
    first = next(s for s in stored if s["receipt_no"] == 1)
    page.get_by_role("button", name="Hoàn tiền").first.click()
    expect(page.get_by_text(f"Đã xác nhận khoản chuyển khoản {code}.")).to_have_count(0)
    page.get_by_test_id("refund-code").fill(f"{web.url}/till/sale/{first['sale_id']}")
    page.get_by_test_id("find-sale").click()
    expect(page.get_by_test_id("refund-receipt")).to_have_text(f"{prefix}-000001")
    page.get_by_label("Số lượng hoàn (tối đa 2)").fill("1")
    page.get_by_test_id("refund-reason").fill("Khách đổi ý")
    screenshot(page, "refund")
    page.get_by_test_id("refund-submit").click()
    expect(page.get_by_test_id("refunded")).to_have_text("Đã hoàn 120.000\u00a0₫.")

    # The Z-report matches the sales.
    page.get_by_role("button", name="Ca bán hàng").click()
    page.get_by_test_id("counted").fill(f"{500_000 + expected_total - 2 * c['price'] - 120_000}")
    page.get_by_test_id("close-session").click()
    report = page.get_by_test_id("z-report")
    expect(report).to_be_visible()
    expect(page.get_by_test_id("z-sales")).to_have_text("31")
    expect(page.get_by_test_id("z-gross")).to_contain_text(f"{expected_total:,}".replace(",", "."))
    expect(page.get_by_test_id("z-refunds")).to_contain_text("120.000")
    expect(page.get_by_test_id("z-net")).to_contain_text(
        f"{expected_total - 120_000:,}".replace(",", ".")
    )
    expect(page.get_by_test_id("z-variance")).to_have_text("0\u00a0₫")
    expect(page.get_by_test_id("z-receipts")).to_have_text(f"{prefix}-000001 – {prefix}-000031")
    expect(page.get_by_test_id("z-pending")).to_have_text("Không có")  # the one confirmed
    screenshot(page, "z-report")


def test_a_second_tab_is_read_only_a_revoked_product_stops_selling_and_a_refused_sale_is_set_aside(
    web: System, fair: Fair, phone: tuple[Any, Watch]
) -> None:
    context, watch = phone
    till = enrol(web, fair, "Quầy 2")
    page = context.new_page()
    pair_and_open(page, till["pairing_code"])
    token = device_token(page)
    a, online_revoked, offline_revoked = fair.products[0], fair.products[3], fair.products[4]

    # A second tab: read-only.
    other = context.new_page()
    other.goto("/till/")
    expect(other.get_by_test_id("read-only")).to_contain_text("thẻ này chỉ để xem")
    expect(other.get_by_test_id("cannot-sell")).to_be_visible()
    screenshot(other, "second-tab-read-only")
    other.close()

    # Revoked while the till is online: unsellable in the till within 2 s.
    page.get_by_test_id("search").fill("tra hoa vang")
    result = page.get_by_test_id("results").locator("li", has_text=online_revoked["name"])
    expect(result.get_by_role("button", name="Thêm")).to_be_enabled()
    revoke(web, fair, online_revoked)
    started = time.monotonic()
    expect(result).to_contain_text("Không được bán: chứng nhận OCOP đã bị thu hồi", timeout=2_000)
    print(f"\n[till] revocation seen by the till in {time.monotonic() - started:.2f} s")
    expect(result.get_by_role("button", name="Thêm")).to_be_disabled()
    scan(page, online_revoked["gtin"])
    expect(page.locator("#till-message")).to_contain_text("Không thể bán")
    page.get_by_test_id("search").fill("")

    # Offline: revoked meanwhile (the till cannot know), sold after it: refused, set aside;
    # the sales before and after it upload. (The worker settled first, as above.)
    controlled(page, web, watch)
    context.set_offline(True)
    expect(page.get_by_test_id("status")).to_have_text("Ngoại tuyến", timeout=5000)
    scan(page, a["gtin"])
    pay_cash(page)
    page.get_by_test_id("new-sale").click()
    revoke(web, fair, offline_revoked)
    time.sleep(0.5)  # the revocation reaches sales
    scan(page, offline_revoked["gtin"])
    refused = pay_cash(page)
    page.get_by_test_id("new-sale").click()
    scan(page, a["gtin"])
    pay_cash(page)
    page.get_by_test_id("new-sale").click()
    waiting(page, 3)
    context.set_offline(False)
    waiting(page, 0, timeout=30_000)
    expect(page.get_by_test_id("queue-count")).to_contain_text("1 đơn để riêng")
    page.get_by_test_id("queue-count").click()
    aside = page.get_by_test_id("set-aside")
    expect(aside).to_contain_text(refused)
    expect(aside).to_contain_text("Sản phẩm không còn được bán lúc bán")
    screenshot(page, "set-aside")
    assert sorted(s["receipt_no"] for s in till_sales(web, token)) == [1, 3]

    # Suspended: the till stops selling at once.
    with web.api("sales", fair.organizer) as sales:
        answer = sales.post(
            f"/terminals/{till['terminal_id']}/suspend",
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
    assert answer.status_code == 200, answer.text
    expect(page.get_by_test_id("revoked")).to_contain_text("tạm ngưng", timeout=5_000)
    page.get_by_role("button", name="Bán hàng", exact=True).click()
    expect(page.get_by_test_id("cannot-sell")).to_be_visible()
    screenshot(page, "suspended")


def test_the_browser_closed_within_5_s_of_a_payment_keeps_the_sale_once(
    web: System, fair: Fair, browser: Any, tmp_path: Path
) -> None:
    till = enrol(web, fair, "Quầy 3")
    profile = tmp_path / "profile"
    options: dict[str, Any] = {
        "executable_path": chromium(),
        "headless": True,
        "args": browser_args(),
        "base_url": web.url,
        "locale": "vi-VN",
        "timezone_id": "Asia/Ho_Chi_Minh",
        "viewport": PHONE,
    }
    watch = Watch(web.url)
    context = browser.browser_type.launch_persistent_context(str(profile), **options)
    watch.attach(context)
    page = context.pages[0] if context.pages else context.new_page()
    pair_and_open(page, till["pairing_code"])
    token = device_token(page)
    a = fair.products[0]
    controlled(page, web, watch)
    # Offline, so the upload cannot happen before the close: only IndexedDB holds it. The
    # upload is refused at the context too: in a persistent context Playwright's offline
    # emulation lets a controlled page's call through its service worker to the network
    # (two runs in six uploaded the "offline" sale); a real network cut does not.
    context.route("**/till/api/**", lambda route: route.abort("internetdisconnected"))
    context.set_offline(True)
    scan(page, a["gtin"])
    paid_at = time.monotonic()
    label = pay_cash(page)
    context.close()
    assert time.monotonic() - paid_at < 5
    assert till_sales(web, token) == []

    context = browser.browser_type.launch_persistent_context(str(profile), **options)
    watch.attach(context)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto("/till/")
    waiting(page, 0, timeout=30_000)
    # Online now, and a second sale closed at once after its payment (its upload in flight).
    scan(page, a["gtin"])
    paid_at = time.monotonic()
    second = pay_cash(page)
    context.close()
    assert time.monotonic() - paid_at < 5

    context = browser.browser_type.launch_persistent_context(str(profile), **options)
    watch.attach(context)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto("/till/")
    waiting(page, 0, timeout=30_000)
    stored = till_sales(web, token)
    assert sorted(s["receipt_no"] for s in stored) == [1, 2]
    page.get_by_test_id("queue-count").click()
    expect(page.get_by_text(label, exact=False)).to_have_count(1)
    expect(page.get_by_text(second, exact=False)).to_have_count(1)
    context.close()
    watch.check()


def browser_args() -> list[str]:
    import os

    return ["--no-sandbox", "--disable-dev-shm-usage"] if os.getuid() == 0 else []
