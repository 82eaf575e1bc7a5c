"""The till (issue 13), the journeys test_till.py leaves out, against the same running system
(its fair, its helpers imported):

- a VietQR sale left "waiting for the bank" in the till, confirmed by a bank notification in
  SePay's shape sent by a local sender (httpx from this test, the exhibitor's webhook key)
  delivered five times, three of them at once: one confirmed transfer, one
  ``sales.transfer_confirmed`` in sales' outbox, and the till no longer lists it as waiting
  after its next refresh;
- the sales service SIGKILLed while the till uploads 30 queued sales, then started again: the
  queue finishes with the 30 stored once, receipt numbers unique and without gaps; the first
  upload after the restart is stored and its answer lost on the way back (a dropped
  connection), so the till sends the batch again: harmless."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import asyncpg
import httpx
from playwright.sync_api import expect

from ocop_shared.settings import CommonSettings

from .conftest import DATABASE, System
from .test_till import (  # noqa: F401  (fixtures: fair, phone, used by name)
    Fair,
    Watch,
    controlled,
    device_token,
    enrol,
    fair,
    pair_and_open,
    pay_cash,
    phone,
    scan,
    screenshot,
    till_sales,
    waiting,
)


def outbox_count(settings: CommonSettings, event_type: str, needle: str) -> int:
    """Events of ``event_type`` in sales' outbox whose envelope names ``needle``."""

    async def count() -> int:
        conn = await asyncpg.connect(settings.admin_dsn(DATABASE))
        try:
            found = await conn.fetchval(
                "select count(*) from sales.outbox where event_type = $1"
                " and position($2::bytea in value) > 0",
                event_type,
                needle.encode(),
            )
        finally:
            await conn.close()
        return int(found)

    with ThreadPoolExecutor(1) as own:  # Playwright's loop runs in this thread
        return own.submit(asyncio.run, count()).result()


def sepay(provider_id: int, code: str, amount: int) -> dict[str, Any]:
    """A SePay notification body, as its webhook sends one for an incoming transfer."""
    return {
        "id": provider_id,
        "gateway": "Vietcombank",
        "transactionDate": time.strftime("%Y-%m-%d %H:%M:%S"),
        "accountNumber": "0123456789",
        "code": None,
        "content": f"{code} thanh toan hang OCOP",
        "transferType": "in",
        "transferAmount": amount,
        "accumulated": 10_000_000 + amount,
        "subAccount": None,
        "referenceCode": f"FT{provider_id}",
        "description": f"BankAPINotify {code} thanh toan hang OCOP",
    }


def test_a_bank_notification_delivered_five_times_confirms_a_waiting_vietqr_sale_once(
    web: System,
    fair: Fair,  # noqa: F811  (test_till's fixture)
    phone: tuple[Any, Watch],  # noqa: F811
    stack_settings: CommonSettings,
) -> None:
    context, _ = phone
    till = enrol(web, fair, "Quầy 4")
    page = context.new_page()
    pair_and_open(page, till["pairing_code"])
    token = device_token(page)
    prefix = till["receipt_prefix"]
    product = fair.products[1]

    # A VietQR sale left waiting for the bank (online: uploaded at once).
    scan(page, product["gtin"])
    page.get_by_test_id("to-payment").click()
    page.get_by_test_id("make-qr").click()
    code = f"OCOP{prefix}1"
    expect(page.get_by_test_id("payment-code")).to_have_text(code)
    page.get_by_test_id("qr-pending").click()
    expect(page.get_by_test_id("receipt-no")).to_have_text(f"{prefix}-000001")
    waiting(page, 0)
    page.get_by_test_id("new-sale").click()
    page.get_by_role("button", name="Chờ ngân hàng").first.click()
    expect(page.locator(f'[data-code="{code}"]')).to_be_visible()

    # The exhibitor's owner makes a webhook key; the provider sends the notification five
    # times (twice in turn, then three at once), as a webhook retried on a slow answer does.
    with web.api("sales", fair.holder) as sales:
        made = sales.post(
            "/bank-webhook-keys",
            json={"label": "SePay"},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
    assert made.status_code == 201, made.text
    key = made.json()["key"]
    body = sepay(int(time.time() * 1000) % 10**9, code, product["price"])

    def deliver(_: int = 0) -> httpx.Response:
        with httpx.Client(base_url=web.urls["sales"], timeout=10) as provider:
            return provider.post(
                "/bank-notifications", json=body, headers={"Authorization": f"Apikey {key}"}
            )

    answers = [deliver(), deliver()]
    with ThreadPoolExecutor(3) as pool:
        answers += list(pool.map(deliver, range(3)))
    assert [(a.status_code, a.json()) for a in answers] == [(200, {"success": True})] * 5, [
        a.text for a in answers
    ]
    with httpx.Client(base_url=web.urls["sales"], timeout=10) as provider:
        wrong = provider.post(
            "/bank-notifications", json=body, headers={"Authorization": "Apikey not-a-key"}
        )
    assert wrong.status_code == 401

    with web.api("sales", token) as sales:
        transfers = sales.get("/transfers", params={"fair_id": fair.fair_id}).json()
    assert [(t["payment_code"], t["status"], t["confirmed_by"]) for t in transfers] == [
        (code, "confirmed", "bank")
    ], transfers
    assert outbox_count(stack_settings, "sales.transfer_confirmed", code) == 1

    # The till's next refresh of the list: nothing waits for the bank any more.
    page.get_by_role("button", name="Bán hàng", exact=True).click()
    page.get_by_role("button", name="Chờ ngân hàng").first.click()
    expect(page.get_by_test_id("no-transfers")).to_be_visible()
    expect(page.locator(f'[data-code="{code}"]')).to_have_count(0)
    screenshot(page, "transfer-confirmed-by-bank")


def test_sales_killed_during_an_upload_of_30_queued_sales_the_queue_finishes_once(
    web: System,
    fair: Fair,  # noqa: F811  (test_till's fixture)
    phone: tuple[Any, Watch],  # noqa: F811
) -> None:
    context, watch = phone
    till = enrol(web, fair, "Quầy 5")
    page = context.new_page()
    pair_and_open(page, till["pairing_code"])
    token = device_token(page)
    a, b = fair.products[0], fair.products[2]
    controlled(page, web, watch)

    # 30 sales queued offline.
    context.set_offline(True)
    expect(page.get_by_test_id("status")).to_have_text("Ngoại tuyến", timeout=5000)
    expected = 0
    for i in range(30):
        product = (a, b)[i % 2]
        scan(page, product["gtin"])
        pay_cash(page)
        expected += product["price"]
        page.get_by_test_id("new-sale").click()
    waiting(page, 30)

    # The first upload: sales SIGKILLed 30 ms into it, and whatever came back (a batch of 30
    # may be stored in less) lost with the connection: the till cannot know whether it was
    # stored. Those while sales starts again get the web app's 503 and the till retries. The
    # first stored after the restart has its answer lost on the way back. The rest: as they
    # come.
    uploads: list[str] = []  # each upload's fate, for the failure message
    killed, lost = threading.Event(), threading.Event()

    def kill_sales() -> None:
        web.processes["sales"].kill()
        web.processes["sales"].wait()
        killed.set()

    def on_batch(route: Any) -> None:
        if not uploads:
            threading.Timer(0.03, kill_sales).start()
            try:
                answer = route.fetch()
                uploads.append(f"sales killed; its {answer.status} lost")
            except Exception as error:  # the till must see it fail, not hang
                uploads.append(f"sales killed: {error}")
            route.abort("connectionreset")
        elif not lost.is_set():
            # Through the web app to sales. An upload sent while sales was still starting
            # (a slow machine: 8 s) gets a 503 the till must see, not the lost answer.
            try:
                answer = route.fetch()
            except Exception as error:  # the till must see it fail, not hang
                uploads.append(f"failed: {error}")
                route.abort("failed")
                return
            uploads.append(f"answered {answer.status}")
            if answer.status == 200:
                lost.set()
                route.abort("connectionreset")  # stored there; the answer lost on the way back
            else:
                route.fulfill(response=answer)
        else:
            uploads.append("sent")
            route.continue_()

    def until(event: threading.Event, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not event.is_set():  # Playwright calls the route handler while we wait in it
            assert time.monotonic() < deadline, f"{what}; uploads: {uploads}\n{web.tail()}"
            page.wait_for_timeout(50)

    page.route("**/till/api/sales/batch", on_batch)
    started = time.monotonic()
    context.set_offline(False)
    until(killed, 15, "no upload began")
    web.restart("sales")
    print(f"\n[till] sales up again {time.monotonic() - started:.1f} s after going online")
    until(lost, 90, "no upload after the restart")
    waiting(page, 0, timeout=90_000)
    print(f"[till] 30 queued sales synced {time.monotonic() - started:.1f} s after going online")
    assert len(uploads) >= 3, uploads

    stored = till_sales(web, token)
    numbers = sorted(s["receipt_no"] for s in stored)
    assert numbers == list(range(1, 31)), numbers
    assert len({s["sale_id"] for s in stored}) == 30
    assert sum(s["total_vnd"] for s in stored) == expected
    expect(page.get_by_test_id("queue-count")).not_to_contain_text("để riêng")
    screenshot(page, "sales-restarted-queue-done")


def test_a_till_page_the_worker_did_not_claim_is_claimed_once_it_asks(
    web: System,
    fair: Fair,  # noqa: F811  (test_till's fixture)
    phone: tuple[Any, Watch],  # noqa: F811
) -> None:
    """A page can be left out of the worker's control though the worker is active: its
    ``clients.claim()`` passes over a page still loading (the pairing link opened while the
    worker installed: a clean-clone CI run saw the worker active and the page uncontrolled
    for 45 s), and a hard reload bypasses the worker. Such a page would not open again with
    no network. The app asks the active worker to claim it. A hard reload (cache ignored)
    makes such a page on purpose."""
    context, watch = phone
    till = enrol(web, fair, "Quầy 6")
    page = context.new_page()
    pair_and_open(page, till["pairing_code"])
    controlled(page, web, watch)

    cdp = context.new_cdp_session(page)
    cdp.send("Page.reload", {"ignoreCache": True})  # shift-reload: not controlled at load
    expect(page.get_by_role("heading", name="Bán hàng", level=1)).to_be_visible()
    page.wait_for_function("() => !!navigator.serviceWorker.controller", timeout=10_000)

    # Controlled, it opens with no network.
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Bán hàng", level=1)).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Ngoại tuyến", timeout=5000)
    context.set_offline(False)
