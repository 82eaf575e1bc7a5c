"""``ocop``: the organizers' command line (and the demo's).

Tokens come from --token, the OCOP_TOKEN variable, or the demo's saved state
(.local/demo.json). Service addresses come from OCOP_REGISTRATION_URL, OCOP_BOOTHS_URL and
OCOP_SALES_URL (defaults: the local stack).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ocop_cli import demo
from ocop_cli.client import ApiError, Client

app = typer.Typer(
    help="Run OCOP trade fairs: fairs, floor plans, registers, reviews, allocation, tills and reports.",
    no_args_is_help=True,
)
demo_app = typer.Typer(help="The demo fair.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")
dead_letters_app = typer.Typer(
    help="Dead letters: events a service's consumers set aside (admin token).",
    no_args_is_help=True,
)
app.add_typer(dead_letters_app, name="dead-letters")
console = Console()
T = TypeVar("T")
STATE = (
    Path(os.environ.get("OCOP_STATE_DIR", Path(__file__).resolve().parents[3] / ".local"))
    / "demo.json"
)
Token = Annotated[
    str | None,
    typer.Option(
        "--token", envvar="OCOP_TOKEN", help="organizer token (default: the demo organizer's)"
    ),
]


def run(work: Callable[[Client], Awaitable[T]]) -> T:
    async def main() -> T:
        async with Client() as client:
            return await work(client)

    try:
        return asyncio.run(main())
    except ApiError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None


def saved() -> dict[str, Any]:
    return json.loads(STATE.read_text()) if STATE.exists() else {}


def organizer_token(token: str | None) -> str:
    token = token or saved().get("organizer_token")
    if not token:
        console.print(
            "[red]no organizer token: pass --token, set OCOP_TOKEN, or run 'ocop demo load'[/red]"
        )
        raise typer.Exit(2)
    return token


def admin_tokens() -> dict[str, str]:
    return {
        s: os.environ.get(f"OCOP_{s.upper()}_ADMIN_TOKEN", f"dev-admin-token-{s}")
        for s in ("registration", "booths", "sales")
    }


def bar() -> Progress:
    return Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def fmt_vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " ₫"


@demo_app.command("load")
def demo_load(seed: int = 2024, sales: int = 400, scale: float = 1.0) -> None:
    """Generate the demo regional fair and load it through the APIs; leave it running."""
    fair = demo.generate(seed, scale=scale)
    with bar() as progress:
        tasks: dict[str, Any] = {}

        def report(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(step, total=total)
            progress.update(tasks[step], completed=done, total=total)

        async def work(client: Client) -> demo.Loaded:
            await client.ready()
            return await demo.load(client, fair, admin_tokens(), progress=report, sales=sales)

        loaded = run(work)
    STATE.parent.mkdir(parents=True, exist_ok=True)
    STATE.write_text(json.dumps(asdict(loaded), ensure_ascii=False, indent=2))
    table = Table(title="Demo fair loaded")
    for key, value in loaded.summary.items():
        table.add_row(key, str(value))
    console.print(table)
    console.print(f"state saved in {STATE}")


@app.command()
def fairs(token: Token = None) -> None:
    """List the organizer's fairs."""
    rows = run(lambda c: c.call("registration", "GET", "/organizer/fairs", organizer_token(token)))
    table = Table("fair id", "name", "status", "starts", "ends")
    for f in rows:
        table.add_row(f["fair_id"], f["name"], f["status"], f["starts_at"], f["ends_at"])
    console.print(table)


@app.command("create-fair")
def create_fair(
    name: str,
    venue: str,
    province: str,
    starts_at: str,
    ends_at: str,
    applications_open_at: str,
    applications_close_at: str,
    kind: str = "fair",
    min_star: int = 3,
    token: Token = None,
) -> None:
    """Create a fair (times in Viet Nam local time unless an offset is given)."""
    body = {
        "name": name,
        "venue": venue,
        "province": province,
        "kind": kind,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "applications_open_at": applications_open_at,
        "applications_close_at": applications_close_at,
        "rules": {"min_star": min_star},
    }
    out = run(lambda c: c.call("registration", "POST", "/fairs", organizer_token(token), json=body))
    console.print(f"created fair [bold]{out['fair_id']}[/bold] ({out['status']})")


@app.command()
def lifecycle(fair_id: str, action: str, token: Token = None) -> None:
    """Move a fair on: open, close, start or finish."""
    out = run(
        lambda c: c.call(
            "registration",
            "POST",
            f"/fairs/{fair_id}/lifecycle",
            organizer_token(token),
            json={"action": action},
        )
    )
    console.print(f"fair is now [bold]{out['status']}[/bold]")


@app.command("import-register")
def import_register(file: Path, valid_rows_only: bool = False, token: Token = None) -> None:
    """Import a province's OCOP product register (CSV or XLSX)."""
    out = run(
        lambda c: c.call(
            "registration",
            "POST",
            "/imports/register",
            organizer_token(token),
            files={"file": (file.name, file.read_bytes())},
            data={"valid_rows_only": str(valid_rows_only).lower()},
        )
    )
    console.print(f"{out['imported']} of {out['rows']} rows imported, {out['rejected']} rejected")
    for err in out["errors"][:20]:
        console.print(
            f"  line {err['line']}: "
            + "; ".join(f"{e['field']}: {e['message']}" for e in err["errors"])
        )


@app.command("import-floorplan")
def import_floorplan(fair_id: str, file: Path, token: Token = None) -> None:
    """Load a fair's floor plan from JSON (zones and booths)."""
    out = run(
        lambda c: c.call(
            "booths",
            "PUT",
            f"/fairs/{fair_id}/floorplan",
            organizer_token(token),
            json=json.loads(file.read_text()),
        )
    )
    console.print(f"{out['booths']} booths in {out['zones']} zones")


@app.command()
def review(
    fair_id: str, approve_all: bool = typer.Option(False, "--approve-all"), token: Token = None
) -> None:
    """Show the review queue (with each holder's past results); --approve-all approves it."""
    tok = organizer_token(token)

    async def work(client: Client) -> None:
        queue = await client.call(
            "registration",
            "GET",
            f"/fairs/{fair_id}/applications",
            tok,
            params={"status": "submitted"},
        )
        table = Table("application", "exhibitor", "best ★", "booths", "past fairs")
        for a in queue:
            table.add_row(
                a["application_id"][:8],
                a["exhibitor_name"],
                str(a["best_star"]),
                str(a["booth_request"]["count"]),
                str(sum(len(v) for v in a["history"].values())),
            )
        console.print(table)
        if approve_all:
            with bar() as progress:
                task = progress.add_task("approving", total=len(queue))
                for a in queue:
                    await client.call(
                        "registration",
                        "POST",
                        f"/applications/{a['application_id']}/review",
                        tok,
                        json={"decision": "approved"},
                    )
                    progress.advance(task)

    run(work)


@app.command()
def allocate(fair_id: str, commit: bool = False, token: Token = None) -> None:
    """Run the allocation engine, show its proposal, and commit it with --commit."""
    tok = organizer_token(token)
    with bar() as progress:
        task = progress.add_task("solving", total=None)
        proposal = run(
            lambda c: c.call("booths", "POST", f"/fairs/{fair_id}/allocations", tok, timeout=120)
        )
        progress.update(task, total=1, completed=1)
    table = Table("exhibitor", "zone", "booths", "why")
    for p in proposal["placements"][:40]:
        table.add_row(
            p["exhibitor_id"][:8], p["zone"], ", ".join(p["booth_codes"]), p["explanation"]
        )
    console.print(table)
    console.print(
        f"{proposal['solver']}: objective {proposal['objective']} (greedy {proposal['greedy_objective']}) in {proposal['seconds']} s; {len(proposal['placements'])} placed, {len(proposal['waitlist'])} waitlisted"
    )
    if commit:
        out = run(
            lambda c: c.call("booths", "POST", f"/allocations/{proposal['run_id']}/commit", tok)
        )
        console.print(
            f"committed: {out['assigned']} booths assigned, {out['waitlisted']} on the waitlist, payment due {out['payment_due_at']}"
        )


@app.command("enrol-terminal")
def enrol_terminal(fair_id: str, booth_id: str, label: str = "Quầy", token: Token = None) -> None:
    """Enrol a till for a booth; its token is shown once."""
    out = run(
        lambda c: c.call(
            "sales",
            "POST",
            f"/fairs/{fair_id}/terminals",
            organizer_token(token),
            json={"booth_id": booth_id, "label": label},
        )
    )
    console.print(
        f"terminal {out['terminal_id']} for booth {out['booth_code']}\ntoken (shown once): [bold]{out['token']}[/bold]"
    )


@app.command("simulate-day")
def simulate_day(sales: int = 1000) -> None:
    """Simulate a fair day of sales on the demo fair's tills."""
    state = saved()
    if not state:
        console.print("[red]run 'ocop demo load' first[/red]")
        raise typer.Exit(2)
    loaded = demo.Loaded(**state)
    with bar() as progress:
        task = progress.add_task("sales", total=sales)
        recorded = run(
            lambda c: demo.simulate_sales(
                c, loaded, sales, progress=lambda _s, d, _t: progress.update(task, completed=d)
            )
        )
    console.print(f"{recorded} sales recorded")


@app.command()
def report(fair_id: str | None = None, by: str = "product_group", token: Token = None) -> None:
    """Revenue by fair, day, booth, exhibitor, producer, product, product_group, star or province."""
    fair_id = fair_id or saved().get("fair_id")
    out = run(
        lambda c: c.call(
            "sales",
            "GET",
            f"/fairs/{fair_id}/reports/revenue",
            organizer_token(token),
            params={"by": by},
        )
    )
    table = Table(by, "sales", "quantity", "gross", "refunds", "net", title=f"Revenue by {by}")
    for r in out["rows"]:
        table.add_row(
            str(r["key"]),
            str(r["sales"]),
            str(r["quantity"]),
            fmt_vnd(r["gross_vnd"]),
            fmt_vnd(r["refunds_vnd"]),
            fmt_vnd(r["net_vnd"]),
        )
    table.add_row(
        "[bold]total[/bold]", "", "", "", "", f"[bold]{fmt_vnd(out['total_net_vnd'])}[/bold]"
    )
    console.print(table)


SERVICES = ("registration", "booths", "sales")
ServiceOption = Annotated[
    str,
    typer.Option("--service", help="the service whose dead letters: registration, booths or sales"),
]
AdminToken = Annotated[
    str | None,
    typer.Option(
        "--token",
        help="the service's admin token (default: OCOP_<SERVICE>_ADMIN_TOKEN, or the local stack's)",
    ),
]


def admin_call(service: str, token: str | None) -> str:
    if service not in SERVICES:
        console.print(f"[red]--service must be one of {', '.join(SERVICES)}[/red]")
        raise typer.Exit(2)
    return token or admin_tokens()[service]


@dead_letters_app.command("list")
def dead_letters_list(
    service: ServiceOption,
    consumer: Annotated[str | None, typer.Option(help="only this consumer's")] = None,
    status: Annotated[str, typer.Option(help="open, replayed, discarded or all")] = "open",
    after: Annotated[int, typer.Option(help="list after this id (paging)")] = 0,
    limit: int = 50,
    token: AdminToken = None,
) -> None:
    """List a service's dead letters (open ones unless --status says otherwise)."""
    tok = admin_call(service, token)
    params: dict[str, Any] = {"status": status, "after": after, "limit": limit}
    if consumer:
        params["consumer"] = consumer
    page = run(lambda c: c.call(service, "GET", "/admin/dead-letters", tok, params=params))
    table = Table(
        "id", "consumer", "event", "topic/partition@offset", "tries", "status", "when", "reason"
    )
    for d in page["items"]:
        table.add_row(
            str(d["id"]),
            d["consumer"],
            d["event_type"] or "(undecodable)",
            f"{d['topic']}/{d['partition']}@{d['offset']}",
            str(d["attempts"]),
            d["status"],
            d["created_at"][:19],
            d["reason"][:80],
        )
    console.print(table)
    if page["next_after"] is not None:
        console.print(f"more: --after {page['next_after']}")


@dead_letters_app.command("show")
def dead_letters_show(letter_id: int, service: ServiceOption, token: AdminToken = None) -> None:
    """Show one dead letter: its message (decoded when it decodes), reason and history."""
    tok = admin_call(service, token)
    letter = run(lambda c: c.call(service, "GET", f"/admin/dead-letters/{letter_id}", tok))
    console.print_json(data=letter)


@dead_letters_app.command("replay")
def dead_letters_replay(letter_id: int, service: ServiceOption, token: AdminToken = None) -> None:
    """Run a dead letter again through the consumer that set it aside (at most one effect)."""
    tok = admin_call(service, token)
    out = run(
        lambda c: c.call(
            service, "POST", f"/admin/dead-letters/{letter_id}/replay", tok, expect=(200, 409)
        )
    )
    if "outcome" not in out:
        console.print(f"[red]{out['detail']}[/red]")
        raise typer.Exit(1)
    console.print(
        f"dead letter {letter_id}: [bold]{out['outcome']}[/bold] ({out['letter']['resolution']})"
    )


@dead_letters_app.command("discard")
def dead_letters_discard(
    letter_id: int,
    service: ServiceOption,
    reason: Annotated[str, typer.Option(help="why (kept with the letter)")],
    token: AdminToken = None,
) -> None:
    """Give up on a dead letter, with a reason; it is kept as an audit record."""
    tok = admin_call(service, token)
    out = run(
        lambda c: c.call(
            service,
            "POST",
            f"/admin/dead-letters/{letter_id}/discard",
            tok,
            json={"reason": reason},
        )
    )
    console.print(f"dead letter {letter_id}: [bold]{out['status']}[/bold] ({out['resolution']})")


if __name__ == "__main__":
    app()
