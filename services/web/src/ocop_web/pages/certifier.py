"""A certifying council's pages: a province's OCOP council (3★ and 4★ of its province's
holders) or the central council (5★).

- finding products: holders of the council's province by name, with or without diacritics
  (registration ``GET /directory/exhibitors?q=``), each with its products and certificates
  (``GET /products?holder_id=``); products by name (``GET /products?q=``);
- issuing or renewing a product's certificate (a form, then a check-your-answers page with
  the validity, 36 months, then ``POST /products/{id}/certificates``): a star beyond the
  council's level is refused by registration (403 naming ``star``), shown on the field;
- revoking certificates by one decision (numbers pasted or ticked, a reason, the decision's
  number; a check-your-answers page listing every certificate; ``POST
  /certificates/revocations``, all or nothing: each refused number named in words);
- importing the province's register (``POST /imports/register``, CSV or XLSX): the report row
  by row, then the valid rows only on request (``valid_rows_only``).

Registration decides every rule; this page reads what was typed and names a refusal."""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
import uuid
from datetime import date
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from ocop_web.api import ApiError
from ocop_web.forms import Field, FormState
from ocop_web.i18n import N_, gettext, ngettext
from ocop_web.pages.authority import (
    ISSUING_LEVEL_OF,
    LEVELS,
    STARS_OF,
    certificate_in_force,
    default_valid_to,
    level_of,
    require_role,
    same_province,
)
from ocop_web.pages.exhibitor_common import CERTIFICATE_STATUSES, EXHIBITOR_KINDS
from ocop_web.pages.fairs import parse_day
from ocop_web.pages.product_groups import product_groups
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

HOLDERS_SHOWN = 20
MAX_NUMBERS = 500  # registration's bound on one decision
# The valid rows are sent again from the report page (the web app keeps no file): up to this
# size in the page itself; a larger file is chosen again with "valid rows only" ticked.
CARRIED_FILE_BYTES = 4 << 20

ISSUE_FIELDS = (
    Field("number", N_("Certificate number")),
    Field("star", N_("Star rating")),
    Field("issuing_body", N_("Issued by")),
    Field("decision_number", N_("Decision number")),
    Field("decision_date", N_("Date of the decision")),
    Field("valid_from", N_("Valid from"), api=("valid_from", "valid_to", "issuing_level")),
)
REVOKE_FIELDS = (
    Field("certificate_numbers", N_("Certificate numbers")),
    Field("reason", N_("Reason for revocation")),
    Field("decision_number", N_("Decision number")),
)
IMPORT_FIELDS = (Field("file", N_("Register file")),)

NOTICES = {
    "issued": N_("The certificate has been issued."),
    "revoked": N_("The certificates have been revoked by decision %(decision)s."),
}

# The register's columns, named in words.
COLUMNS: dict[str, str] = {
    "holder_name": N_("Holder's name"),
    "holder_kind": N_("Kind of holder"),
    "tax_code": N_("Tax code"),
    "province": N_("Province or city"),
    "commune": N_("Commune or ward"),
    "phone": N_("Phone number"),
    "product_name": N_("Product name"),
    "group": N_("Product group"),
    "taxonomy": N_("Classification"),
    "unit": N_("Unit of sale"),
    "list_price_vnd": N_("List price"),
    "gtin": N_("Barcode (GTIN)"),
    "certificate_number": N_("Certificate number"),
    "star": N_("Star rating"),
    "issuing_level": N_("Issuing level"),
    "issuing_body": N_("Issued by"),
    "decision_number": N_("Decision number"),
    "decision_date": N_("Date of the decision"),
    "valid_from": N_("Valid from"),
    "valid_to": N_("Valid until"),
    "row": N_("Whole row"),
}

# Registration's row errors (``register_file.py``, ``commands/imports.py``,
# ``domain/authority.py``) in the reader's words: (pattern, message id). A message no
# pattern knows is shown as "not accepted" with registration's own words beside it.
ROW_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), message)
    for pattern, message in (
        (r"^required$", N_("Empty: this column must be filled in")),
        (r"^must not contain control characters$", N_("Contains invisible control characters")),
        (r"^also on line (?P<line>\d+)$", N_("Also on line %(line)s of the file")),
        (r"^already recorded$", N_("This certificate number is already recorded")),
        (r"^already registered to a product$", N_("This barcode is already registered")),
        (
            r"^the holder is in (?P<province>.+); .+ decides for (?P<own>.+)$",
            N_("The holder is in %(province)s; your council decides for %(own)s"),
        ),
        (
            r"^(?P<star>\d)★ is decided by the central OCOP council",
            N_("%(star)s★ is decided by the central OCOP council, not a province's"),
        ),
        (
            r"^(?P<star>\d)★ is decided by the province's OCOP council",
            N_("%(star)s★ is decided by the province's OCOP council, not the central one"),
        ),
        (
            r"^this holder is registered in (?P<province>.+)$",
            N_("This holder is registered in %(province)s, outside your jurisdiction"),
        ),
        (r"^a register lists holders, not delegations$", N_("A register lists holders only")),
        (r"^not a whole number", N_("Not a whole number")),
        (r"^out of range$", N_("The number is too large")),
        (r"^not a date", N_("Not a date: write it as dd/mm/yyyy")),
        (r"^must be between", N_("The date is out of range")),
        (r"^OCOP certifies 3, 4 or 5 stars$", N_("OCOP certifies 3, 4 or 5 stars")),
        (r"^must be after valid_from$", N_("Must be after the first day of validity")),
    )
)
FILE_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), message)
    for pattern, message in (
        (r"send a \.csv or \.xlsx file", N_("Choose a CSV or XLSX file")),
        (r"the file is empty", N_("The file is empty")),
        (r"missing columns: (?P<columns>.+)$", N_("The file lacks these columns: %(columns)s")),
        (r"a CSV must be UTF-8", N_("Save the CSV file as UTF-8 and choose it again")),
        (r"at most (?P<rows>\d+) rows", N_("A file may hold at most %(rows)s rows")),
        (r"not (a readable|an) XLSX", N_("The file cannot be read as an XLSX workbook")),
    )
)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def certifier_context(viewer: Viewer, **values: Any) -> dict[str, Any]:
    level = level_of(viewer)
    return {
        "LEVELS": LEVELS,
        "CERTIFICATE_STATUSES": CERTIFICATE_STATUSES,
        "EXHIBITOR_KINDS": EXHIBITOR_KINDS,
        "COLUMNS": COLUMNS,
        "level": level,
        "own_stars": STARS_OF[level],
        "star_options": star_options(level),
        **values,
    }


def star_options(level: str) -> list[tuple[str, str, str]]:
    """Every star, each with who decides it (registration refuses one beyond the level)."""
    options = []
    for star in (3, 4, 5):
        if star in STARS_OF[level]:
            who = gettext("Decided by your council")
        elif star == 5:
            who = gettext("Decided by the central OCOP council")
        else:
            who = gettext("Decided by the province's OCOP council")
        options.append((str(star), ngettext("%(num)s star", "%(num)s stars", star), who))
    return options


def require_certifier(viewer: Viewer) -> None:
    require_role(viewer, "certifier")


# --- finding products -------------------------------------------------------------------------


@router.get("/certifier")
async def certifier_home(
    request: Request, viewer: SignedIn, q: str = "", notice: str = ""
) -> Response:
    require_certifier(viewer)
    q = q.strip()[:100]
    holders: list[dict[str, Any]] = []
    products: list[dict[str, Any]] = []
    if q:
        holders, products = await find(viewer, q)
    message = NOTICES.get(notice)
    return render(
        request,
        "certifier/home.html",
        certifier_context(
            viewer,
            q=q,
            holders=holders,
            products=products,
            notice=gettext(message, decision=request.query_params.get("decision", ""))
            if message
            else None,
            revoked=[n for n in request.query_params.getlist("revoked") if n][:MAX_NUMBERS],
        ),
    )


async def find(viewer: Viewer, q: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Holders of the council's province named like ``q``, each with its products, and the
    products named like ``q`` (registration folds both searches: no diacritics needed)."""
    province = viewer.organization.province
    listing, named = await asyncio.gather(
        viewer.api.registration.get("/directory/exhibitors", params={"q": q, "limit": 200}),
        viewer.api.registration.get("/products", params={"q": q, "limit": 50}),
    )
    holders = [
        h
        for h in listing
        if h.get("kind") != "delegation"
        and (level_of(viewer) == "central" or same_province(h.get("province"), province))
    ][:HOLDERS_SHOWN]
    own = await asyncio.gather(
        *(
            viewer.api.registration.get(
                "/products", params={"holder_id": str(h["exhibitor_id"]), "limit": 100}
            )
            for h in holders
        )
    )
    shown = {str(p["product_id"]) for found in own for p in found}
    result = [{**h, "all_products": found} for h, found in zip(holders, own, strict=True)]
    return result, [p for p in named if str(p["product_id"]) not in shown]


# --- issuing a certificate ----------------------------------------------------------------------


async def product_of(viewer: Viewer, product_id: UUID) -> dict[str, Any]:
    found: dict[str, Any] = await viewer.api.registration.get(f"/products/{product_id}")
    return found


def issue_defaults(viewer: Viewer) -> dict[str, str]:
    own = STARS_OF[level_of(viewer)]
    return {"star": str(own[-1]) if len(own) == 1 else "", "issuing_body": viewer.organization.name}


def issue_body(viewer: Viewer, form: FormState) -> dict[str, Any] | None:
    """``POST /products/{id}/certificates``'s body, or None (errors on the fields)."""
    form.require("number", "star", "issuing_body", "decision_number")
    days: dict[str, date] = {}
    for name in ("decision_date", "valid_from"):
        text = form.value(name)
        if not text.strip():
            form.add(name, "missing")
        elif (found := parse_day(text)) is None:
            form.add(name, "date_parsing")
        else:
            days[name] = found
    star = form.value("star")
    if star and star not in ("3", "4", "5"):
        form.add("star", "literal_error")
    if form.has_errors:
        return None
    return {
        "number": form.value("number").strip(),
        "star": int(star),
        "issuing_level": ISSUING_LEVEL_OF[level_of(viewer)],
        "issuing_body": form.value("issuing_body").strip(),
        "decision_number": form.value("decision_number").strip(),
        "decision_date": days["decision_date"].isoformat(),
        "valid_from": days["valid_from"].isoformat(),
    }


def add_issue_error(viewer: Viewer, form: FormState, refused: ApiError) -> None:
    body = refused.body if isinstance(refused.body, dict) else {}
    if refused.status == 403 and body.get("field") == "star":
        form.add("star", f"beyond_{level_of(viewer)}")
    elif refused.status == 404:
        form.add(None, "outside_jurisdiction")
    else:
        form.add_api_error(refused)


def issue_page(
    request: Request,
    viewer: Viewer,
    product: dict[str, Any],
    form: FormState,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "certifier/issue.html",
        certifier_context(viewer, product=product, form=form),
        status_code=status_code,
    )


@router.get("/certifier/products/{product_id}/certificate")
async def issue_form(request: Request, viewer: SignedIn, product_id: UUID) -> Response:
    """The form: empty, or (from a "Change" link) with the answers given so far."""
    require_certifier(viewer)
    product = await product_of(viewer, product_id)
    given = {k: v for k, v in request.query_params.items() if k in {f.name for f in ISSUE_FIELDS}}
    form = FormState.of(ISSUE_FIELDS, {**issue_defaults(viewer), **given})
    return issue_page(request, viewer, product, form)


@router.post("/certifier/products/{product_id}/certificate/check")
async def issue_check(request: Request, viewer: SignedIn, product_id: UUID) -> Response:
    require_certifier(viewer)
    product = await product_of(viewer, product_id)
    form = FormState.of(ISSUE_FIELDS, dict(await request.form()))
    body = issue_body(viewer, form)
    if body is None:
        return issue_page(request, viewer, product, form, status_code=422)
    query = urlencode({f.name: form.value(f.name) for f in ISSUE_FIELDS})
    return render(
        request,
        "certifier/issue_check.html",
        certifier_context(
            viewer,
            product=product,
            form=form,
            body=body,
            valid_to=default_valid_to(date.fromisoformat(body["valid_from"])),
            change={
                f.name: f"/certifier/products/{product_id}/certificate?{query}#{f.name}"
                for f in ISSUE_FIELDS
            },
            request_key=str(uuid.uuid4()),
        ),
    )


@router.post("/certifier/products/{product_id}/certificate")
async def issue(request: Request, viewer: SignedIn, product_id: UUID) -> Response:
    require_certifier(viewer)
    submitted = await request.form()
    form = FormState.of(ISSUE_FIELDS, dict(submitted))
    key = str(submitted.get("request_key") or uuid.uuid4())
    body = issue_body(viewer, form)
    if body is not None:
        try:
            await viewer.api.registration.post(
                f"/products/{product_id}/certificates", body, idempotency_key=key
            )
        except ApiError as refused:
            add_issue_error(viewer, form, refused)
        else:
            return see_other(f"/certifier/products/{product_id}?notice=issued")
    product = await product_of(viewer, product_id)
    return issue_page(request, viewer, product, form, status_code=422)


@router.get("/certifier/products/{product_id}")
async def product_page(
    request: Request, viewer: SignedIn, product_id: UUID, notice: str = ""
) -> Response:
    require_certifier(viewer)
    product = await product_of(viewer, product_id)
    message = NOTICES.get(notice)
    return render(
        request,
        "certifier/product.html",
        certifier_context(
            viewer,
            product=product,
            GROUPS=await product_groups(viewer),
            in_force=certificate_in_force(product),
            notice=gettext(message) if message else None,
        ),
    )


# --- revoking by one decision -------------------------------------------------------------------


def numbers_of(text: str) -> list[str]:
    """Certificate numbers pasted one a line (or separated by commas, semicolons or spaces),
    each once, in the order given."""
    found = [n.strip() for n in re.split(r"[\s,;]+", text) if n.strip()]
    return list(dict.fromkeys(found))


def revocation_page(
    request: Request, viewer: Viewer, form: FormState, refused: dict[str, str] | None = None
) -> Response:
    return render(
        request,
        "certifier/revoke.html",
        certifier_context(viewer, form=form, refused=refused or {}, max_numbers=MAX_NUMBERS),
        status_code=422 if form.has_errors else 200,
    )


@router.get("/certifier/revocations")
async def revocation_form(request: Request, viewer: SignedIn) -> Response:
    """The form; numbers ticked in the search results (or from a "Change" link) filled in."""
    require_certifier(viewer)
    params = request.query_params
    ticked = [n for n in params.getlist("numbers") if n]
    values = {
        "certificate_numbers": params.get("certificate_numbers") or "\n".join(ticked),
        "reason": params.get("reason", ""),
        "decision_number": params.get("decision_number", ""),
    }
    return revocation_page(request, viewer, FormState.of(REVOKE_FIELDS, values))


def revocation_body(form: FormState) -> dict[str, Any] | None:
    form.require("certificate_numbers", "reason", "decision_number")
    numbers = numbers_of(form.value("certificate_numbers"))
    if form.value("certificate_numbers").strip() and not numbers:
        form.add("certificate_numbers", "missing")
    if len(numbers) > MAX_NUMBERS:
        form.add("certificate_numbers", "too_many_numbers", limit=MAX_NUMBERS)
    if form.has_errors:
        return None
    return {
        "decision_number": form.value("decision_number").strip(),
        "reason": form.value("reason").strip(),
        "certificate_numbers": numbers,
    }


@router.post("/certifier/revocations/check")
async def revocation_check(request: Request, viewer: SignedIn) -> Response:
    require_certifier(viewer)
    form = FormState.of(REVOKE_FIELDS, dict(await request.form()))
    body = revocation_body(form)
    if body is None:
        return revocation_page(request, viewer, form)
    query = urlencode({f.name: form.value(f.name) for f in REVOKE_FIELDS})
    return render(
        request,
        "certifier/revoke_check.html",
        certifier_context(
            viewer,
            form=form,
            body=body,
            change={f.name: f"/certifier/revocations?{query}#{f.name}" for f in REVOKE_FIELDS},
            request_key=str(uuid.uuid4()),
        ),
    )


def refused_numbers(numbers: list[str], refused: ApiError) -> dict[str, str]:
    """Registration refuses the whole decision and names the numbers in its words: each
    number found there, with why, as a message id. All or nothing: nothing was revoked."""
    body = refused.body if isinstance(refused.body, dict) else {}
    detail = body.get("detail")
    if not isinstance(detail, str):
        return {}
    why = {
        404: N_("Not found among the certificates of your jurisdiction"),
        409: N_("Already revoked"),
        403: N_("Beyond your council's level: another council decides this star"),
    }.get(refused.status)
    if why is None:
        return {}
    found = {}
    for number in numbers:
        if re.search(rf"(?<![\w/.-]){re.escape(number)}(?![\w/.-])", detail):
            found[number] = why
    return found


@router.post("/certifier/revocations")
async def revoke(request: Request, viewer: SignedIn) -> Response:
    require_certifier(viewer)
    submitted = await request.form()
    form = FormState.of(REVOKE_FIELDS, dict(submitted))
    key = str(submitted.get("request_key") or uuid.uuid4())
    body = revocation_body(form)
    refused_by_number: dict[str, str] = {}
    if body is not None:
        try:
            done = await viewer.api.registration.post(
                "/certificates/revocations", body, idempotency_key=key
            )
        except ApiError as refused:
            refused_by_number = refused_numbers(body["certificate_numbers"], refused)
            if refused_by_number:
                form.add(
                    "certificate_numbers",
                    "decision_refused",
                    count=len(refused_by_number),
                )
            elif refused.status == 404:
                form.add("certificate_numbers", "not_found")
            else:
                form.add_api_error(refused)
        else:
            query = urlencode(
                [("notice", "revoked"), ("decision", body["decision_number"])]
                + [("revoked", n) for n in done.get("revoked", [])]
            )
            return see_other(f"/certifier?{query}")
    return revocation_page(request, viewer, form, refused_by_number)


# --- the register import ------------------------------------------------------------------------


def row_message(message: str) -> tuple[str, bool]:
    """A row error in the reader's words; False when no pattern knew it."""
    for pattern, message_id in ROW_MESSAGES:
        found = pattern.search(message)
        if found:
            return gettext(message_id, **found.groupdict()), True
    return gettext("Not accepted"), False


def file_error(form: FormState, refused: ApiError) -> None:
    """A file registration could not read: 422 naming ``file``, in its words."""
    body = refused.body if isinstance(refused.body, dict) else {}
    detail = body.get("detail")
    messages = (
        [str(item.get("msg", "")) for item in detail if isinstance(item, dict)]
        if isinstance(detail, list)
        else [str(detail or "")]
    )
    for text in messages:
        for pattern, message_id in FILE_MESSAGES:
            found = pattern.search(text)
            if found:
                form.errors["file"] = gettext(message_id, **found.groupdict())
                return
    if refused.status == 429:
        form.add("file", "too_many_attempts", retry_after=refused.headers.get("retry-after", ""))
    elif refused.status == 413:
        form.add("file", "too_large")
    else:
        form.add("file", "unreadable_file")


def report_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for rejected in report.get("errors", []):
        for error in rejected.get("errors", []):
            text, known = row_message(str(error.get("message", "")))
            rows.append(
                {
                    "line": rejected.get("line"),
                    "field": error.get("field"),
                    "message": text,
                    "original": None if known else error.get("message"),
                }
            )
    return rows


async def send_register(
    viewer: Viewer, filename: str, content: bytes, valid_rows_only: bool, key: str
) -> dict[str, Any]:
    answer = await viewer.api.registration.send(
        "POST",
        "/imports/register",
        files={"file": (filename, content, "application/octet-stream")},
        data={"valid_rows_only": "true" if valid_rows_only else "false"},
        idempotency_key=key,
    )
    found: dict[str, Any] = answer.json()
    return found


def import_page(
    request: Request,
    viewer: Viewer,
    form: FormState,
    *,
    report: dict[str, Any] | None = None,
    filename: str = "",
    carried: str | None = None,
) -> Response:
    return render(
        request,
        "certifier/import.html",
        certifier_context(
            viewer,
            form=form,
            report=report,
            rows=report_rows(report) if report else [],
            filename=filename,
            carried=carried,
            request_key=str(uuid.uuid4()),
        ),
        status_code=422 if form.has_errors else 200,
    )


@router.get("/certifier/import")
async def import_form(request: Request, viewer: SignedIn) -> Response:
    require_certifier(viewer)
    return import_page(request, viewer, FormState.of(IMPORT_FIELDS))


@router.post("/certifier/import")
async def import_register(request: Request, viewer: SignedIn) -> Response:
    """A file chosen (and "valid rows only" ticked, or not), or the valid rows of the file
    the report was about (carried in the report page, base64)."""
    require_certifier(viewer)
    submitted = await request.form()
    form = FormState.of(IMPORT_FIELDS)
    upload = submitted.get("file")
    carried = submitted.get("carried")
    valid_rows_only = submitted.get("valid_rows_only") in ("1", "true", "on")
    key = str(submitted.get("request_key") or uuid.uuid4())
    filename, content = "", b""
    if isinstance(upload, UploadFile) and upload.filename:
        filename, content = upload.filename, await upload.read()
    elif isinstance(carried, str) and carried:
        filename = str(submitted.get("filename") or "register.csv")
        try:
            content = base64.b64decode(carried, validate=True)
        except (binascii.Error, ValueError):
            content = b""
    if not content:
        form.add("file", "missing" if not filename else "empty_file")
        return import_page(request, viewer, form)
    try:
        report = await send_register(viewer, filename, content, valid_rows_only, key)
    except ApiError as refused:
        if refused.status == 403:
            raise
        file_error(form, refused)
        return import_page(request, viewer, form)
    keep = (
        base64.b64encode(content).decode()
        if report.get("rejected")
        and not report.get("applied")
        and len(content) <= CARRIED_FILE_BYTES
        else None
    )
    return import_page(request, viewer, form, report=report, filename=filename, carried=keep)
