"""The tills enrolled at a fair (its organizer), at an exhibitor's own booths, and a till's
own view: itself, its fair and booth, its rules, and its catalogue."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID

from ocop_sales.application.ports import Repositories, TerminalRow
from ocop_sales.application.queries.sales import check_fair_in_reach
from ocop_sales.domain.access import Viewer, check_organizer, selling_terminal
from ocop_sales.domain.inspections import suspended_reason
from ocop_sales.domain.terminals import (
    TillRules,
    bank_account,
    catalog_etag,
    default_till_rules,
    unsellable_reason,
)
from ocop_shared.errors import NotFound


async def list_terminals(repos: Repositories, *, fair_id: UUID, by: Viewer) -> list[TerminalRow]:
    """The fair's tills, for its organizer (another's fair answers 404)."""
    check_organizer(by, await repos.fairs.organizer_of(fair_id))
    return await repos.terminals.listing(fair_id)


async def my_terminals(repos: Repositories, *, fair_id: UUID, by: Viewer) -> list[TerminalRow]:
    """The tills at the booths an exhibitor holds at a fair it sells at (another fair: 404)."""
    await check_fair_in_reach(repos, by, fair_id)
    return await repos.terminals.listing(fair_id, exhibitor_id=UUID(by.subject))


async def fair_till_rules(
    repos: Repositories, fair_id: UUID, default_discount_percent: int
) -> TillRules:
    return await repos.till_rules.get(fair_id) or default_till_rules(default_discount_percent)


async def till_rules(
    repos: Repositories, *, fair_id: UUID, by: Viewer, default_discount_percent: int
) -> TillRules:
    """A fair's till rules (its organizer's; the admin any), the defaults until it sets them."""
    check_organizer(by, await repos.fairs.organizer_of(fair_id))
    return await fair_till_rules(repos, fair_id, default_discount_percent)


async def till_profile(
    repos: Repositories, *, by: Viewer, default_discount_percent: int
) -> dict[str, Any]:
    """The calling till as it sees itself: status, receipt prefix and counter, its fair, booth,
    exhibitor (with its bank account when all of it is known), the fair's till rules, its
    open session and the server's time."""
    terminal_id = selling_terminal(by)
    p = await repos.terminals.profile(terminal_id)
    if p is None:
        raise NotFound("no such terminal")
    rules = await fair_till_rules(repos, p["fair_id"], default_discount_percent)
    bank = bank_account(p["bank_bin"], p["bank_account"], p["bank_account_name"])
    return {
        "terminal_id": p["terminal_id"],
        "label": p["label"],
        "status": p["status"],
        "receipt_prefix": p["receipt_prefix"],
        "next_receipt_no": p["next_receipt_no"],
        "fair": {
            "fair_id": p["fair_id"],
            "name": p["fair_name"],
            "status": p["fair_status"],
            "starts_at": p["starts_at"],
            "ends_at": p["ends_at"],
        },
        "booth": {"booth_id": p["booth_id"], "code": p["booth_code"]},
        "exhibitor": None
        if p["exhibitor_id"] is None
        else {
            "exhibitor_id": p["exhibitor_id"],
            "name": p["exhibitor_name"],
            "bank": None
            if bank is None
            else {"bin": bank.bin, "account": bank.account, "account_name": bank.account_name},
        },
        "rules": asdict(rules),
        "session": None
        if p["session_id"] is None
        else {
            "session_id": p["session_id"],
            "opened_at": p["opened_at"],
            "opening_cash_vnd": p["opening_cash_vnd"],
        },
        "server_time": p["server_time"],
    }


@dataclass(frozen=True, slots=True)
class TillCatalog:
    items: list[dict[str, Any]]  # JSON-ready, as answered
    etag: str  # strong: the hash of exactly the items


async def till_catalog(repos: Repositories, *, by: Viewer) -> TillCatalog:
    """The calling till's catalogue: every product its booth's exhibitor lists at the fair,
    blocked ones too (shown "not for sale", with why), and its strong ETag."""
    terminal_id = selling_terminal(by)
    await repos.terminals.seen(terminal_id)  # it polls every second while online
    now, rows = await repos.terminals.catalog(terminal_id)
    items: list[dict[str, Any]] = []
    for r in rows:
        reason = unsellable_reason(
            r["blocked_at"], r["blocked_reason"], r["ocop_until"], now
        ) or suspended_reason(r["suspended_at"], now)  # issue 15: suspended at this fair
        items.append(
            {
                "product_id": str(r["product_id"]),
                "name": r["name"],
                "gtin": r["gtin"],
                "producer_id": str(r["producer_id"]),
                "producer_name": r["producer_name"],
                "star": r["star"],
                "product_group": r["product_group"],
                "list_price_vnd": r["list_price_vnd"],
                "sellable": reason is None,
                "reason": reason,
                # issue 15: on hand at the booth (null: not tracked), none left
                "stock": r["stock"],
                "sold_out": r["stock"] is not None and r["stock"] <= 0,
            }
        )
    return TillCatalog(items, catalog_etag(items))
