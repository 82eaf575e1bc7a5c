"""The organizer's money at a fair: each exhibitor's fee statement with its subsidy, payments
recorded by hand, and a bank statement imported with its match report.

Calls booths (which owns fees and payments; registration names the exhibitors):
- ``GET /fairs/{id}/floorplan``: who occupies which booth (the exhibitors with a statement);
- ``GET /fairs/{id}/fees?exhibitor_id=``: one exhibitor's statement (booths keeps no list of
  every statement, so the page asks once per exhibitor on the plan);
- ``POST /fairs/{id}/payments`` (exhibitor, amount, reference): booths confirms the booths
  the payment covers;
- ``POST /fairs/{id}/payments/statement`` (a CSV file): matched lines, unmatched ones with
  booths' reason, and lines already recorded (a transfer imported twice pays once);
- ``GET /fairs/{id}/payments/unmatched``: the bank lines no payment was found for (kept until
  a later statement pays them), each with booths' reason code worded here;
- registration ``GET /fairs/{id}/applications?status=approved`` for the exhibitors' names.

Booths' reasons come in English; each known one is said here in the reader's language."""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ocop_web.api import ApiError
from ocop_web.forms import FORM, Field, FormState
from ocop_web.i18n import N_, gettext
from ocop_web.pages.fairs import console_context, own_fair
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

OCCUPIED = ("held", "assigned", "confirmed")
STATEMENT_MAX_BYTES = 5 * 1024 * 1024

PAYMENT_FIELDS = (
    Field("amount", N_("Amount received"), api=("amount_vnd",)),
    Field("payment_reference", N_("Reference of the payment"), api=("reference",)),
)
STATEMENT_FIELDS = (Field("statement_file", N_("Bank statement (CSV)"), api=("file",)),)

LINE_STATUSES: dict[str, tuple[str, str]] = {  # a fee line's booth state -> (label, colour)
    "held": (N_("Held"), "yellow"),
    "assigned": (N_("Assigned"), "blue"),
    "confirmed": (N_("Confirmed"), "green"),
    "released": (N_("Released"), "grey"),
}
BOOTH_TYPES: dict[str, str] = {
    "standard": N_("Standard"),
    "corner": N_("Corner"),
    "premium": N_("Premium"),
    "outdoor": N_("Outdoor"),
}
PAYMENT_STATES: dict[str, tuple[str, str]] = {
    "paid": (N_("Paid"), "green"),
    "part": (N_("Part paid"), "yellow"),
    "unpaid": (N_("Not paid"), "red"),
    "nothing": (N_("Nothing due"), "grey"),
}

# Booths' reasons for a statement line it could not use, and its refusals of a file (a 422
# on ``file`` naming the line): pattern -> words in the reader's language.
LINE_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"already recorded \(transaction (?P<transaction>.+)\)$"),
        N_("Already recorded: transaction %(transaction)s was imported before"),
    ),
    (
        re.compile(r"already recorded"),
        N_("Already recorded: a transfer of the same date, amount and description"),
    ),
    (re.compile(r"amount is not a whole number"), N_("The amount is not a whole number of đồng")),
    (re.compile(r"amount is above"), N_("The amount is larger than any fee")),
    (
        re.compile(r"no payment reference of this fair found"),
        N_("No payment reference of this fair in the description"),
    ),
)
FILE_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"columns amount_vnd and description are required"),
        N_(
            "The file must have the columns amount_vnd and description in its first line "
            "(and transaction_id, date and time if the bank gives them)"
        ),
    ),
    (re.compile(r"a CSV must be UTF-8"), N_("Save the file as CSV UTF-8, then upload it again")),
    (
        re.compile(r"at most (?P<count>\d+) lines"),
        N_("The file has more than %(count)s lines: split it and upload each part"),
    ),
    (
        re.compile(r"line (?P<line>\d+) has (?P<values>\d+) value\(s\) where the header has"),
        N_("Line %(line)s has fewer values than the first line has columns"),
    ),
    (
        re.compile(r"line (?P<line>\d+) has more values than the header"),
        N_("Line %(line)s has more values than the first line has columns"),
    ),
    (
        re.compile(r"line (?P<line>\d+): a value longer than"),
        N_("Line %(line)s has a value that is too long"),
    ),
    (
        re.compile(r"line (?P<line>\d+): more than (?P<count>\d+) columns"),
        N_("Line %(line)s has more than %(count)s columns"),
    ),
    (
        re.compile(r"line (?P<line>\d+): not valid CSV"),
        N_("Line %(line)s is not valid CSV: check its quotation marks"),
    ),
    (
        re.compile(r"line (?P<line>\d+)"),
        N_("Line %(line)s cannot be read: check its values"),
    ),
)


# The same by booths' reason codes (``reason_code`` and ``reason_params``), when it sends them.
LINE_REASON_CODES: dict[str, str] = {
    "amount_not_whole": N_("The amount is not a whole number of đồng"),
    "amount_above_limit": N_("The amount is larger than any fee"),
    "no_payment_reference": N_("No payment reference of this fair in the description"),
    "already_recorded": N_("Already recorded: transaction %(transaction)s was imported before"),
}


def line_reason(unmatched: dict[str, Any]) -> str:
    """An unmatched line's reason in words: by booths' code, else by its English words."""
    code, reason = unmatched.get("reason_code"), str(unmatched.get("reason", ""))
    params = unmatched.get("reason_params") or {}
    if code == "already_recorded" and not params.get("transaction_id"):
        return gettext(N_("Already recorded: a transfer of the same date, amount and description"))
    if isinstance(code, str) and code in LINE_REASON_CODES:
        return (
            gettext(LINE_REASON_CODES[code]) % {"transaction": params.get("transaction_id", "")}
            if code == "already_recorded"
            else gettext(LINE_REASON_CODES[code])
        )
    return say(LINE_REASONS, reason) or reason


def say(patterns: tuple[tuple[re.Pattern[str], str], ...], text: str) -> str | None:
    """A known reason of booths' in the reader's language, or None."""
    for pattern, message in patterns:
        found = pattern.search(text)
        if found:
            return gettext(message) % found.groupdict() if found.groupdict() else gettext(message)
    return None


@dataclass
class Statement:
    exhibitor_id: str
    name: str
    booths: list[str]
    body: dict[str, Any] | None  # booths' FeeStatementOut, or None when it gave none

    @property
    def subsidy_vnd(self) -> int:
        return sum(int(line["subsidy_vnd"]) for line in (self.body or {}).get("lines", []))

    @property
    def state(self) -> str:
        if self.body is None:
            return "nothing"
        due, paid = int(self.body["due_vnd"]), int(self.body["paid_vnd"])
        if due <= 0:
            return "nothing" if paid == 0 else "paid"
        if paid >= due:
            return "paid"
        return "part" if paid > 0 else "unpaid"


@dataclass
class Totals:
    due_vnd: int = 0
    subsidy_vnd: int = 0
    paid_vnd: int = 0
    balance_vnd: int = 0
    unpaid: int = 0
    exhibitors: int = 0
    names: dict[str, str] = field(default_factory=dict)


async def exhibitor_names(viewer: Viewer, fair_id: UUID | str) -> dict[str, str]:
    """Exhibitor id -> name, from the fair's approved applications (registration)."""
    with contextlib.suppress(ApiError):
        applications = await viewer.api.registration.get(
            f"/fairs/{fair_id}/applications", params={"status": "approved"}
        )
        return {
            str(a["exhibitor_id"]): str(a.get("exhibitor_name") or a["exhibitor_id"])
            for a in applications
        }
    return {}


async def occupants(viewer: Viewer, fair_id: UUID | str) -> dict[str, list[dict[str, Any]]]:
    """Exhibitor id -> the booths it holds, is assigned or has confirmed (booths' plan)."""
    plan: dict[str, Any] = {"booths": []}
    with contextlib.suppress(ApiError):
        plan = await viewer.api.booths.get(f"/fairs/{fair_id}/floorplan")
    found: dict[str, list[dict[str, Any]]] = {}
    for booth in plan.get("booths", []):
        if booth.get("exhibitor_id") and booth.get("state") in OCCUPIED:
            found.setdefault(str(booth["exhibitor_id"]), []).append(booth)
    return found


async def fee_statement(viewer: Viewer, fair_id: UUID, exhibitor_id: str) -> dict[str, Any] | None:
    try:
        body: dict[str, Any] = await viewer.api.booths.get(
            f"/fairs/{fair_id}/fees", params={"exhibitor_id": exhibitor_id}
        )
    except ApiError as refused:
        if refused.status == 404:
            return None
        raise
    return body


def money_context(fair: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        **console_context(),
        "fair": fair,
        "LINE_STATUSES": LINE_STATUSES,
        "BOOTH_TYPES": BOOTH_TYPES,
        "PAYMENT_STATES": PAYMENT_STATES,
        **more,
    }


@router.get("/organizer/fairs/{fair_id}/money")
async def money_page(
    request: Request, viewer: SignedIn, fair_id: UUID, notice: str = ""
) -> Response:
    fair = await own_fair(viewer, fair_id)
    names, held, unmatched = await asyncio.gather(
        exhibitor_names(viewer, fair_id),
        occupants(viewer, fair_id),
        unmatched_lines(viewer, fair_id),
    )
    ids = sorted(held, key=lambda e: names.get(e, e))
    bodies = await asyncio.gather(*(fee_statement(viewer, fair_id, e) for e in ids))
    statements = [
        Statement(e, names.get(e, e[:8]), sorted(b["code"] for b in held[e]), body)
        for e, body in zip(ids, bodies, strict=True)
    ]
    totals = Totals(exhibitors=len(statements))
    for s in statements:
        if s.body is None:
            continue
        totals.due_vnd += int(s.body["due_vnd"])
        totals.paid_vnd += int(s.body["paid_vnd"])
        totals.balance_vnd += max(0, int(s.body["balance_vnd"]))
        totals.subsidy_vnd += s.subsidy_vnd
        totals.unpaid += s.state in ("unpaid", "part")
    return render(
        request,
        "money/money.html",
        money_context(
            fair,
            statements=statements,
            totals=totals,
            unmatched=unmatched,
            notice=NOTICES.get(notice),
        ),
    )


@dataclass(frozen=True, slots=True)
class UnmatchedLine:
    """A bank line no payment was found for, its reason in words."""

    booked_at: str
    amount: str
    amount_vnd: int | None
    description: str
    transaction_id: str
    reason: str
    imported_at: str


async def unmatched_lines(viewer: Viewer, fair_id: UUID) -> list[UnmatchedLine] | None:
    """Booths' unmatched bank lines, the latest imported first; None when booths cannot say."""
    try:
        found = await viewer.api.booths.get(f"/fairs/{fair_id}/payments/unmatched")
    except ApiError:
        return None
    lines = [
        UnmatchedLine(
            booked_at=str(u.get("booked_at") or ""),
            amount=str(u.get("amount") or ""),
            amount_vnd=int(u["amount_vnd"]) if u.get("amount_vnd") is not None else None,
            description=str(u.get("description") or ""),
            transaction_id=str(u.get("transaction_id") or ""),
            reason=line_reason(u),
            imported_at=str(u.get("imported_at") or ""),
        )
        for u in found
        if isinstance(u, dict)
    ]
    return sorted(lines, key=lambda line: line.imported_at, reverse=True)


async def _statement_page(
    request: Request,
    viewer: Viewer,
    fair_id: UUID,
    exhibitor_id: UUID,
    form: FormState | None = None,
    status_code: int = 200,
    notice: str | None = None,
) -> Response:
    fair = await own_fair(viewer, fair_id)
    names, held = await asyncio.gather(exhibitor_names(viewer, fair_id), occupants(viewer, fair_id))
    body = await fee_statement(viewer, fair_id, str(exhibitor_id))
    if body is None:
        raise ApiError(404, {"detail": "no fee statement", "code": "not_found"})
    key = str(exhibitor_id)
    statement = Statement(
        key, names.get(key, key[:8]), [b["code"] for b in held.get(key, [])], body
    )
    form = form or FormState.of(PAYMENT_FIELDS, {"idempotency_key": str(uuid.uuid4())})
    return render(
        request,
        "money/statement.html",
        money_context(fair, statement=statement, form=form, notice=notice),
        status_code=status_code,
    )


@router.get("/organizer/fairs/{fair_id}/money/exhibitors/{exhibitor_id}")
async def statement_page(
    request: Request, viewer: SignedIn, fair_id: UUID, exhibitor_id: UUID, notice: str = ""
) -> Response:
    return await _statement_page(request, viewer, fair_id, exhibitor_id, notice=NOTICES.get(notice))


def parse_amount(form: FormState, name: str) -> int | None:
    """Đồng as typed: 4.000.000, 4,000,000, 4 000 000 or 4000000 (₫ and "đ" allowed)."""
    text = form.value(name).strip()
    for mark in (".", ",", " ", "\u00a0", "₫", "đ", "Đ", "VND", "vnd"):
        text = text.replace(mark, "")
    if not form.value(name).strip():
        form.add(name, "missing")
        return None
    if not text.isdigit():
        form.add(name, "int_parsing")
        return None
    amount = int(text)
    if amount <= 0:
        form.add(name, "greater_than")
        return None
    return amount


@router.post("/organizer/fairs/{fair_id}/money/exhibitors/{exhibitor_id}/payments")
async def record_payment(
    request: Request, viewer: SignedIn, fair_id: UUID, exhibitor_id: UUID
) -> Response:
    form = FormState.of(PAYMENT_FIELDS, dict(await request.form()))
    amount = parse_amount(form, "amount")
    form.require("payment_reference")
    if not form.has_errors:
        try:
            done = await viewer.api.booths.post(
                f"/fairs/{fair_id}/payments",
                json={
                    "exhibitor_id": str(exhibitor_id),
                    "amount_vnd": amount,
                    "reference": form.value("payment_reference").strip(),
                },
                idempotency_key=form.value("idempotency_key") or None,
            )
        except ApiError as refused:
            if refused.status == 403:
                raise
            form.add_api_error(refused)
            form.values["idempotency_key"] = str(uuid.uuid4())  # refused: nothing was done
        else:
            confirmed = ", ".join(done.get("confirmed") or [])
            notice = "payment_recorded_confirmed" if confirmed else "payment_recorded"
            return RedirectResponse(
                f"/organizer/fairs/{fair_id}/money/exhibitors/{exhibitor_id}?notice={notice}",
                status_code=303,
            )
    return await _statement_page(request, viewer, fair_id, exhibitor_id, form=form, status_code=422)


NOTICES: dict[str, str] = {
    "payment_recorded": N_("The payment is recorded."),
    "payment_recorded_confirmed": N_(
        "The payment is recorded. The booths it pays for in full are now confirmed."
    ),
}


@router.get("/organizer/fairs/{fair_id}/money/bank-statement")
async def bank_statement_page(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    fair = await own_fair(viewer, fair_id)
    return render(
        request,
        "money/bank_statement.html",
        money_context(fair, form=FormState.of(STATEMENT_FIELDS), report=None),
    )


@dataclass
class ReportLine:
    line: int
    text: str
    amount_vnd: int | None = None
    exhibitor: str | None = None
    exhibitor_id: str | None = None
    confirmed: list[str] = field(default_factory=list)


@router.post("/organizer/fairs/{fair_id}/money/bank-statement")
async def import_bank_statement(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    fair = await own_fair(viewer, fair_id)
    submitted = await request.form()
    form = FormState.of(STATEMENT_FIELDS)
    upload = submitted.get("statement_file")
    content = b""
    filename = "statement.csv"
    if upload is not None and not isinstance(upload, str):
        content = await upload.read(STATEMENT_MAX_BYTES + 1)
        filename = upload.filename or filename
    if not content:
        form.add("statement_file", "choose_file")
    elif len(content) > STATEMENT_MAX_BYTES:
        form.add("statement_file", "too_large")
    report = None
    if not form.has_errors:
        try:
            answer = await viewer.api.booths.send(
                "POST",
                f"/fairs/{fair_id}/payments/statement",
                files={"file": (filename, content, "text/csv")},
            )
        except ApiError as refused:
            file_error(form, refused)
        else:
            report = match_report(answer.json(), await exhibitor_names(viewer, fair_id))
    return render(
        request,
        "money/bank_statement.html",
        money_context(fair, form=form, report=report),
        status_code=422 if form.has_errors else 200,
    )


def file_error(form: FormState, refused: ApiError) -> None:
    """Booths' refusal of the file, naming the line where it says one, in words."""
    body = refused.body if isinstance(refused.body, dict) else {}
    detail = body.get("detail")
    texts = (
        [str(d.get("msg", "")) for d in detail if isinstance(d, dict)]
        if isinstance(detail, list)
        else [str(detail or "")]
    )
    for text in texts:
        said = say(FILE_ERRORS, text)
        if said:
            form.errors.setdefault("statement_file", said)
            return
    if refused.status == 413:
        form.add("statement_file", "too_large")
        return
    form.add_api_error(refused)
    if FORM in form.errors and "statement_file" not in form.errors:
        form.errors["statement_file"] = form.errors.pop(FORM)


def match_report(body: dict[str, Any], names: dict[str, str]) -> dict[str, list[ReportLine]]:
    """Matched, unmatched and already recorded lines (duplicates), each in words."""
    matched = [
        ReportLine(
            int(m["line"]),
            "",
            int(m["amount_vnd"]),
            names.get(str(m["exhibitor_id"]), str(m["exhibitor_id"])[:8]),
            str(m["exhibitor_id"]),
            list(m.get("confirmed") or []),
        )
        for m in body.get("matched", [])
    ]
    unmatched: list[ReportLine] = []
    duplicates: list[ReportLine] = []
    for u in body.get("unmatched", []):
        reason = str(u.get("reason", ""))
        line = ReportLine(int(u["line"]), line_reason(u))
        duplicate = u.get("reason_code") == "already_recorded" or reason.startswith(
            "already recorded"
        )
        (duplicates if duplicate else unmatched).append(line)
    return {"matched": matched, "unmatched": unmatched, "duplicates": duplicates}
