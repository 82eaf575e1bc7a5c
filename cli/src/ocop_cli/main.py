"""``ocop``: the organizers' command line (and the demo's).

People sign in (``ocop sign-in --login <email or phone>``); the session is kept in
.local/cli-session.json (readable by you only) until ``ocop sign-out``. A command acts with
--token (or the OCOP_TOKEN variable: a session or an organization's API key) if given, else
with the signed-in session, else as the demo's person for it (organizer or certifier: signed in
again with the demo's saved password when its session has ended). Service addresses come from
OCOP_REGISTRATION_URL, OCOP_BOOTHS_URL and OCOP_SALES_URL (defaults: the local stack).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
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
LOCAL = Path(os.environ.get("OCOP_STATE_DIR", Path(__file__).resolve().parents[3] / ".local"))
STATE = LOCAL / "demo.json"
SESSION = LOCAL / "cli-session.json"
Token = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="OCOP_TOKEN",
        help="a session or API key token (default: your session from 'ocop sign-in', else the demo organizer's)",
    ),
]

CouncilToken = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="OCOP_TOKEN",
        help="a certifying council's session or API key (default: your session from 'ocop sign-in', else the demo's provincial council's)",
    ),
]


class NoCredential(Exception):
    pass


def explain(exc: ApiError) -> str:
    """An API refusal in a line or two: each field and its reason when the answer names them."""
    response = exc.response
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    if isinstance(detail, list) and detail:
        reasons = "; ".join(
            f"{'.'.join(str(x) for x in d.get('loc', [])[1:]) or 'request'}: {d.get('msg')}"
            for d in detail
            if isinstance(d, dict)
        )
    elif isinstance(detail, str):
        reasons = detail
    else:
        return str(exc)
    line = f"{response.request.method} {response.request.url.path} -> {response.status_code}: {reasons}"
    if response.status_code == 401 and response.request.url.path != "/sessions":
        line += "\n(not signed in, or the session ended: 'ocop sign-in --login <email or phone>')"
    return line


def run(work: Callable[[Client], Awaitable[T]]) -> T:
    async def main() -> T:
        async with Client() as client:
            return await work(client)

    try:
        return asyncio.run(main())
    except ApiError as exc:
        console.print(explain(exc), markup=False, style="red")
        raise typer.Exit(1) from None
    except NoCredential as exc:
        console.print(str(exc), markup=False, style="red")
        raise typer.Exit(2) from None


def write_private(path: Path, text: str) -> None:
    """Written readable and writable by its owner only (it holds tokens and passwords)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an older file keeps its mode through O_CREAT
    with os.fdopen(fd, "w") as out:
        out.write(text)


def saved() -> dict[str, Any]:
    return json.loads(STATE.read_text()) if STATE.exists() else {}


def stored_session() -> dict[str, Any] | None:
    return json.loads(SESSION.read_text()) if SESSION.exists() else None


async def demo_person(client: Client, role: str) -> str:
    """The demo's person for ``role`` (organizer or certifier): its saved session while it
    lasts, else signed in again with the demo's saved password (and saved)."""
    state = saved()
    account = state.get("accounts", {}).get(role)
    if account is None:
        raise NoCredential(
            f"no {role} credential: 'ocop sign-in --login <email or phone>', --token or "
            "OCOP_TOKEN, or 'ocop demo load'"
        )
    token: str | None = state.get("organizer_token") if role == "organizer" else None
    if role == "certifier":
        token = state.get("certifiers", {}).get(account["organization_id"])
    if token:
        answer = await client.http.get(
            client.endpoints.registration + "/session",
            headers={"Authorization": f"Bearer {token}"},
        )
        if answer.status_code == 200:
            return token
    signed_in = await client.call(
        "registration",
        "POST",
        "/sessions",
        json={
            "login": account["login"],
            "password": account["password"],
            "organization_id": account["organization_id"],
        },
    )
    token = str(signed_in["token"])
    if role == "organizer":
        state["organizer_token"] = token
    else:
        state.setdefault("certifiers", {})[account["organization_id"]] = token
    write_private(STATE, json.dumps(state, ensure_ascii=False, indent=2))
    return token


async def credential(client: Client, token: str | None, role: str = "organizer") -> str:
    """--token or OCOP_TOKEN, else the signed-in session, else the demo's person for ``role``."""
    if token:
        return token
    session = stored_session()
    if session:
        return str(session["token"])
    return await demo_person(client, role)


def as_caller(
    token: str | None, work: Callable[[Client, str], Awaitable[T]], role: str = "organizer"
) -> T:
    async def with_credential(client: Client) -> T:
        return await work(client, await credential(client, token, role))

    return run(with_credential)


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

        started = time.monotonic()
        loaded = run(work)
    write_private(STATE, json.dumps(asdict(loaded), ensure_ascii=False, indent=2))
    table = Table(title=f"Demo fair loaded in {time.monotonic() - started:.0f} s")
    for key, value in loaded.summary.items():
        table.add_row(key, str(value))
    console.print(table)
    show_accounts(loaded.accounts, loaded.web)
    console.print(
        f"state saved in {STATE} (tokens and passwords: readable by you only)", soft_wrap=True
    )


ROLE_NAMES = {
    "organizer": "organizer (owner)",
    "exhibitor": "exhibitor: a cooperative's owner",
    "delegation": "delegation (owner)",
    "certifier": "certifier: the province's OCOP council",
    "inspector": "inspector: market surveillance",
    "retailer": "retailer: the promotion week's supermarket (owner)",
}


def show_accounts(accounts: dict[str, dict[str, str]], web: str) -> None:
    """One person of each kind, their login and password in full (never cut to fit)."""
    console.print(
        f"\n[bold]Sign in[/bold] at the web app {web}, or: uv run ocop sign-in --login <login>"
    )
    for role in demo.SHOWN:
        if role in accounts:
            a = accounts[role]
            who = escape(f"{a['organization']} ({a['name']})")
            console.print(f"  {ROLE_NAMES[role]}: {who}", soft_wrap=True)
            console.print(
                f"      login [bold]{escape(a['login'])}[/bold]"
                f"   password [bold]{escape(a['password'])}[/bold]",
                soft_wrap=True,
            )
    console.print("  (every account the demo made: 'people' in the state file)")


@demo_app.command("accounts")
def demo_accounts() -> None:
    """Print the demo's sign-in details: an organizer, an exhibitor, a delegation, a certifier,
    an inspector and a retailer (logins and passwords; every account's are in .local/demo.json)."""
    state = saved()
    if not state.get("accounts"):
        console.print("[red]no demo accounts: run 'ocop demo load'[/red]")
        raise typer.Exit(2)
    show_accounts(state["accounts"], state.get("web", demo.WEB_APP))


@app.command("sign-in")
def sign_in(
    login: Annotated[str, typer.Option("--login", help="your email or phone number")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
    organization: Annotated[
        str | None,
        typer.Option("--organization", help="the organization's id, when you belong to several"),
    ] = None,
) -> None:
    """Sign in with your email or phone number (the password is asked for, or read from
    standard input); the session is kept in .local/cli-session.json for the commands that
    follow, until 'ocop sign-out' or until it ends (12 hours, or 30 minutes unused)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True)
    body: dict[str, str] = {"login": login, "password": password}
    if organization:
        body["organization_id"] = organization
    signed_in = run(lambda c: c.call("registration", "POST", "/sessions", json=body))
    kept = {k: signed_in[k] for k in ("token", "session", "user", "organization", "memberships")}
    write_private(SESSION, json.dumps({"login": login, **kept}, ensure_ascii=False, indent=2))
    org = signed_in["organization"]
    console.print(
        f"signed in as [bold]{signed_in['user']['name']}[/bold] for {org['name']} "
        f"({org['role']}, {org['org_role']}); the session ends by {signed_in['session']['expires_at']}"
        f" (or after 30 minutes unused). Kept in {SESSION}."
    )


@app.command("sign-out")
def sign_out(token: Token = None) -> None:
    """End the session (at every service within a second) and forget it here."""
    session = stored_session()
    tok = token or (session["token"] if session else None)
    if tok is None:
        console.print("not signed in")
        return
    run(lambda c: c.call("registration", "DELETE", "/session", tok, expect=(204, 401)))
    if session and session["token"] == tok:
        SESSION.unlink(missing_ok=True)
    console.print("signed out")


@app.command()
def whoami(token: Token = None) -> None:
    """Who the commands act as: the person, the organization, the role, when the session ends."""
    me = as_caller(token, lambda c, tok: c.call("registration", "GET", "/session", tok))
    user, org = me["user"], me["organization"]
    logins = ", ".join(x for x in (user.get("email"), user.get("phone")) if x)
    console.print(f"[bold]{escape(user['name'])}[/bold] ({escape(logins)})")
    level = f", {org['level']} {org.get('province') or ''}".rstrip() if org.get("level") else ""
    console.print(
        f"for {org['name']} ({org['organization_id']}): {org['role']}, {org['org_role']}{level}",
        markup=False,
    )
    console.print(
        f"session ends by {me['session']['expires_at']}, or at {me['session']['idle_expires_at']} "
        "if unused"
    )
    others = [m for m in me["memberships"] if m["organization_id"] != org["organization_id"]]
    if others:
        console.print(
            "also a member of: "
            + ", ".join(f"{m['name']} ({m['organization_id']})" for m in others)
            + " (ocop sign-in --organization ID)",
            markup=False,
        )


@app.command()
def fairs(token: Token = None) -> None:
    """List the organizer's fairs."""
    rows = as_caller(token, lambda c, tok: c.call("registration", "GET", "/organizer/fairs", tok))
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
    out = as_caller(token, lambda c, tok: c.call("registration", "POST", "/fairs", tok, json=body))
    console.print(f"created fair [bold]{out['fair_id']}[/bold] ({out['status']})")


@app.command()
def lifecycle(fair_id: str, action: str, token: Token = None) -> None:
    """Move a fair on: open, close, start or finish."""
    out = as_caller(
        token,
        lambda c, tok: c.call(
            "registration", "POST", f"/fairs/{fair_id}/lifecycle", tok, json={"action": action}
        ),
    )
    console.print(f"fair is now [bold]{out['status']}[/bold]")


@app.command("import-register")
def import_register(file: Path, valid_rows_only: bool = False, token: CouncilToken = None) -> None:
    """Import an OCOP product register (CSV or XLSX): a certifying council's act, so sign in
    as a person of a council first ('ocop sign-in'; default: the demo's provincial council).
    A province's council imports the 3★ and 4★ certificates of its province's holders, the
    central council the 5★ ones; other rows are row errors (a file with any bad row changes
    nothing unless --valid-rows-only)."""
    out = as_caller(
        token,
        lambda c, tok: c.call(
            "registration",
            "POST",
            "/imports/register",
            tok,
            files={"file": (file.name, file.read_bytes())},
            data={"valid_rows_only": str(valid_rows_only).lower()},
        ),
        role="certifier",
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
    plan = json.loads(file.read_text())
    out = as_caller(
        token, lambda c, tok: c.call("booths", "PUT", f"/fairs/{fair_id}/floorplan", tok, json=plan)
    )
    console.print(f"{out['booths']} booths in {out['zones']} zones")


@app.command()
def review(
    fair_id: str, approve_all: bool = typer.Option(False, "--approve-all"), token: Token = None
) -> None:
    """Show the review queue (with each holder's past results); --approve-all approves it."""

    async def work(client: Client, tok: str) -> None:
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

    as_caller(token, work)


@app.command()
def allocate(fair_id: str, commit: bool = False, token: Token = None) -> None:
    """Run the allocation engine, show its proposal, and commit it with --commit."""

    async def work(client: Client, tok: str) -> None:
        with bar() as progress:
            task = progress.add_task("solving", total=None)
            proposal = await client.call(
                "booths", "POST", f"/fairs/{fair_id}/allocations", tok, timeout=120
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
            out = await client.call(
                "booths", "POST", f"/allocations/{proposal['run_id']}/commit", tok
            )
            console.print(
                f"committed: {out['assigned']} booths assigned, {out['waitlisted']} on the waitlist, payment due {out['payment_due_at']}"
            )

    as_caller(token, work)


@app.command("enrol-terminal")
def enrol_terminal(fair_id: str, booth_id: str, label: str = "Quầy", token: Token = None) -> None:
    """Enrol a till for a booth; its token is shown once."""
    out = as_caller(
        token,
        lambda c, tok: c.call(
            "sales",
            "POST",
            f"/fairs/{fair_id}/terminals",
            tok,
            json={"booth_id": booth_id, "label": label},
        ),
    )
    console.print(
        f"terminal {out['terminal_id']} for booth {out['booth_code']}\ntoken (shown once): [bold]{out['token']}[/bold]"
    )


@app.command("simulate-day")
def simulate_day(sales: int = 1000, token: Token = None) -> None:
    """Simulate a fair day of sales on the demo fair's tills (the organizer's session reads
    what each till may sell: --token, else the demo organizer's, whoever is signed in)."""
    state = saved()
    if not state:
        console.print("[red]run 'ocop demo load' first[/red]")
        raise typer.Exit(2)
    with bar() as progress:
        task = progress.add_task("sales", total=sales)

        async def work(client: Client) -> int:
            tok = token or await demo_person(client, "organizer")
            loaded = demo.Loaded(**{**saved(), "organizer_token": tok})
            return await demo.simulate_sales(
                client, loaded, sales, progress=lambda _s, d, _t: progress.update(task, completed=d)
            )

        recorded = run(work)
    console.print(f"{recorded} sales recorded")


@app.command()
def report(fair_id: str | None = None, by: str = "product_group", token: Token = None) -> None:
    """Revenue by fair, day, booth, exhibitor, producer, product, product_group, star or province."""
    fair_id = fair_id or saved().get("fair_id")
    out = as_caller(
        token,
        lambda c, tok: c.call(
            "sales", "GET", f"/fairs/{fair_id}/reports/revenue", tok, params={"by": by}
        ),
    )
    columns = ("sales", "quantity", "gross", "refunds", "net", "OCOP", "local goods")
    table = Table(by, *columns, title=f"Revenue by {by}")
    for r in out["rows"]:
        table.add_row(
            report_key(r),
            str(r["sales"]),
            str(r["quantity"]),
            fmt_vnd(r["gross_vnd"]),
            fmt_vnd(r["refunds_vnd"]),
            fmt_vnd(r["net_vnd"]),
            fmt_vnd(r.get("ocop_net_vnd", r["net_vnd"])),
            fmt_vnd(r.get("local_goods_net_vnd", 0)),
        )
    table.add_row(
        "[bold]total[/bold]",
        "",
        "",
        "",
        "",
        f"[bold]{fmt_vnd(out['total_net_vnd'])}[/bold]",
        fmt_vnd(out.get("total_ocop_net_vnd", out["total_net_vnd"])),
        fmt_vnd(out.get("total_local_goods_net_vnd", 0)),
    )
    console.print(table)


def report_key(row: dict[str, Any]) -> str:
    """A report row's key as printed: a product group by its Vietnamese name with its number
    and taxonomy ("Thực phẩm (nhóm 1, 2023)"); a row of local goods only, flagged (issue 15)."""
    key = str(row["key"])
    if row.get("code") is not None:
        key = f"{key} (nhóm {row['code']}, {row.get('taxonomy') or '?'})"
    if row.get("local_goods"):
        key = f"{key} [hàng địa phương, không OCOP]"
    return key


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
