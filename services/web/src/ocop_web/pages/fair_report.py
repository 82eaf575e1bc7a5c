"""The organizer's fair report as the province files it (issue 15): revenue (by product group,
named, star, producer and province), visitors per day, contracts and memoranda signed (by
group, province and exhibitor), inspections; as a page, an XLSX workbook and a PDF.

Every figure is a service's, read with the organizer's own session: revenue is sales'
(``GET /fairs/{id}/reports/revenue?by=...``), visitors, trade and inspections registration's
(``GET /fairs/{id}/visitor-counts``, ``/trade-report``, ``/inspections``). The page adds
nothing up but what a service answered; a part a service cannot give (not yet counted, an
older service without the route) is shown as "—" and said so, never as 0.

The PDF is drawn with fpdf2 in DejaVu Sans (``ocop_web/fonts``: a TrueType font with every
Vietnamese letter, embedded as a subset), so "Báo cáo" prints as it reads."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ocop_shared.exports import append_row
from ocop_web.api import ApiError
from ocop_web.i18n import N_, VIET_NAM, day, gettext, money, number
from ocop_web.pages.dashboard import label_of, revenue, row_key
from ocop_web.pages.fairs import own_fair
from ocop_web.pages.money import money_context
from ocop_web.pages.product_groups import ProductGroups, product_groups
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

FONTS = Path(__file__).resolve().parent.parent / "fonts"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

REVENUE_BY: tuple[tuple[str, str], ...] = (
    ("product_group", N_("Revenue by product group")),
    ("star", N_("Revenue by star")),
    ("producer", N_("Revenue by producer")),
    ("province", N_("Revenue by province")),
)
OUTCOMES = {
    "agreed": N_("Agreed"),
    "follow_up": N_("To follow up"),
    "no_deal": N_("No deal"),
}


@dataclass(frozen=True, slots=True)
class Line:
    """One row of a part of the report: its label and its figures, in the part's order."""

    label: str
    figures: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    columns: tuple[str, ...]  # the label's column, then the figures'
    lines: list[Line]
    money_columns: frozenset[int] = frozenset()  # indexes into figures shown as ₫


@dataclass(frozen=True, slots=True)
class Summary:
    label: str
    value: int | None  # None: not known ("—")
    is_money: bool = False


@dataclass
class FairReport:
    fair: dict[str, Any]
    as_of: datetime
    summary: list[Summary] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # parts a service could not give


async def _optional(call: Any) -> dict[str, Any] | None:
    """A service's answer, or None where it has none to give (404: nothing counted yet or
    the route is not there; 503: the service is away)."""
    try:
        found: dict[str, Any] = await call
    except ApiError as refused:
        if refused.status in (404, 405, 503):
            return None
        raise
    return found


async def assemble(viewer: Viewer, fair: dict[str, Any]) -> FairReport:
    fair_id = UUID(str(fair["fair_id"]))
    registration = viewer.api.registration
    groups, revenues, visitors, trade, inspections = await asyncio.gather(
        product_groups(viewer),
        asyncio.gather(*(revenue(viewer, fair_id, by) for by, _ in REVENUE_BY)),
        _optional(registration.get(f"/fairs/{fair_id}/visitor-counts")),
        _optional(registration.get(f"/fairs/{fair_id}/trade-report")),
        _optional(registration.get(f"/fairs/{fair_id}/inspections")),
    )
    report = FairReport(fair, datetime.now(VIET_NAM))
    _revenue(report, revenues, groups)
    _visitors(report, visitors)
    _trade(report, trade, groups)
    _inspections(report, inspections)
    return report


def _revenue(
    report: FairReport, bodies: list[dict[str, Any] | None], groups: ProductGroups
) -> None:
    first = next((b for b in bodies if b), None)
    total = int(first["total_net_vnd"]) if first else 0
    report.summary.append(Summary(gettext("Net revenue"), total, is_money=True))
    local = int(first.get("total_local_goods_net_vnd", 0)) if first else 0
    if local:  # a fair admitting non-OCOP local goods: always said apart (issue 15)
        ocop = int(first.get("total_ocop_net_vnd", total - local)) if first else 0
        report.summary.append(Summary(gettext("of which OCOP products"), ocop, is_money=True))
        report.summary.append(
            Summary(gettext("of which local goods (not OCOP)"), local, is_money=True)
        )
    columns = (gettext("Item"), gettext("Number of sales"), gettext("Net revenue"))
    for (by, title), body in zip(REVENUE_BY, bodies, strict=True):
        lines = [
            Line(
                label_of(by, row_key(r), report.fair, groups),
                (int(r["sales"]), int(r["net_vnd"])),
            )
            for r in (body or {}).get("rows", [])
        ]
        report.tables.append(Table(gettext(title), columns, lines, frozenset({1})))


def _visitors(report: FairReport, body: dict[str, Any] | None) -> None:
    if body is None:
        report.summary.append(Summary(gettext("Visitors"), None))
        report.missing.append(gettext("Visitors"))
        return
    report.summary.append(Summary(gettext("Visitors"), int(body["total"])))
    lines = [Line(day(d["day"]), (int(d["visitors"]),)) for d in body.get("days", [])]
    report.tables.append(
        Table(gettext("Visitors per day"), (gettext("Day"), gettext("Visitors")), lines)
    )


def _trade(report: FairReport, body: dict[str, Any] | None, groups: ProductGroups) -> None:
    if body is None:
        for label in (gettext("Contracts signed"), gettext("Memoranda signed")):
            report.summary.append(Summary(label, None))
        report.missing.append(gettext("Contracts signed"))
        return
    total = body["total"]
    report.summary += [
        Summary(gettext("Trade meetings"), int(body["meetings"])),
        Summary(gettext("Contracts signed"), int(total["contracts"])),
        Summary(gettext("Memoranda signed"), int(total["mous"])),
        Summary(gettext("Value of contracts and memoranda"), int(total["value_vnd"]), True),
    ]
    columns = (
        gettext("Item"),
        gettext("Contracts"),
        gettext("Memoranda"),
        gettext("Value"),
    )

    def figures(t: dict[str, Any]) -> tuple[int, ...]:
        return (int(t["contracts"]), int(t["mous"]), int(t["value_vnd"]))

    by_group = [
        Line(groups.name(str(g["taxonomy"]), str(g["product_group"])), figures(g))
        for g in body.get("by_group", [])
    ]
    by_province = [Line(str(p["province"]), figures(p)) for p in body.get("by_province", [])]
    by_exhibitor = [
        Line(str(e["exhibitor_name"]), figures(e)) for e in body.get("by_exhibitor", [])
    ]
    money_at = frozenset({2})
    report.tables += [
        Table(gettext("Contracts by product group"), columns, by_group, money_at),
        Table(gettext("Contracts by province"), columns, by_province, money_at),
        Table(gettext("Contracts by exhibitor"), columns, by_exhibitor, money_at),
    ]
    outcomes = body.get("meetings_by_outcome", {})
    report.tables.append(
        Table(
            gettext("Trade meetings by outcome"),
            (gettext("Outcome"), gettext("Meetings")),
            [Line(gettext(label), (int(outcomes.get(k, 0)),)) for k, label in OUTCOMES.items()],
        )
    )


def _inspections(report: FairReport, body: dict[str, Any] | None) -> None:
    if body is None:
        report.summary.append(Summary(gettext("Inspections"), None))
        report.missing.append(gettext("Inspections"))
        return
    s = body["summary"]
    report.summary += [
        Summary(gettext("Inspections"), int(s["inspections"])),
        Summary(gettext("Suspensions"), int(s["suspensions"])),
        Summary(gettext("Referred for revocation"), int(s["referrals"])),
    ]


# --- files -------------------------------------------------------------------------------


def _shown(value: int | None, is_money: bool) -> str:
    if value is None:
        return "—"
    return money(value) if is_money else number(value)


def xlsx(report: FairReport) -> bytes:
    """One sheet of the summary, one per part; figures as numbers (integer đồng), text as
    text (``ocop_shared.exports``: never a formula)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext("Summary")[:31]
    append_row(sheet, [gettext("Fair report"), str(report.fair["name"])])
    append_row(sheet, [gettext("Figures as of"), report.as_of.strftime("%d/%m/%Y %H:%M")])
    append_row(sheet, [])
    for s in report.summary:
        append_row(sheet, [s.label, s.value if s.value is not None else "—"])
    for n, table in enumerate(report.tables, start=1):
        part = book.create_sheet(f"{n}. {table.title}"[:31])
        append_row(part, list(table.columns))
        for line in table.lines:
            append_row(part, [line.label, *line.figures])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(report: FairReport) -> bytes:
    from fpdf import FPDF

    doc = FPDF(orientation="portrait", unit="mm", format="A4")
    doc.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    doc.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    title = gettext("Fair report")
    doc.set_title(f"{title}: {report.fair['name']}")
    doc.set_creator("OCOP")
    doc.set_lang("vi" if gettext("Fair report") != "Fair report" else "en")
    doc.add_page()
    doc.set_font("DejaVu", "B", 16)
    doc.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 12)
    doc.multi_cell(0, 7, str(report.fair["name"]), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 9)
    when = gettext("Figures as of %(time)s", time=report.as_of.strftime("%d/%m/%Y %H:%M"))
    doc.multi_cell(0, 5, when, new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    doc.set_font("DejaVu", "", 10)
    with doc.table(col_widths=(110, 70), text_align=("LEFT", "RIGHT")) as t:
        for s in report.summary:
            row = t.row()
            row.cell(s.label)
            row.cell(_shown(s.value, s.is_money))
    for table in report.tables:
        doc.ln(4)
        doc.set_font("DejaVu", "B", 11)
        doc.multi_cell(0, 7, table.title, new_x="LMARGIN", new_y="NEXT")
        doc.set_font("DejaVu", "", 9)
        if not table.lines:
            doc.multi_cell(0, 6, gettext("Nothing recorded."), new_x="LMARGIN", new_y="NEXT")
            continue
        widths = (80,) + (100 // (len(table.columns) - 1),) * (len(table.columns) - 1)
        aligns = ("LEFT",) + ("RIGHT",) * (len(table.columns) - 1)
        with doc.table(col_widths=widths, text_align=aligns) as t:
            head = t.row()
            for c in table.columns:
                head.cell(c)
            for line in table.lines:
                row = t.row()
                row.cell(line.label)
                for i, value in enumerate(line.figures):
                    row.cell(_shown(value, i in table.money_columns))
    if report.missing:
        doc.ln(4)
        doc.set_font("DejaVu", "", 9)
        doc.multi_cell(0, 5, _missing_note(report), new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def _missing_note(report: FairReport) -> str:
    return gettext("Not available now: %(parts)s.", parts=", ".join(report.missing))


def _filename(fair: dict[str, Any], extension: str) -> str:
    return f"bao-cao-hoi-cho-{fair['fair_id']}.{extension}"


# --- routes ------------------------------------------------------------------------------


@router.get("/organizer/fairs/{fair_id}/report")
async def report_page(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    fair = await own_fair(viewer, fair_id)
    found = await assemble(viewer, fair)
    return render(
        request,
        "fair_report/report.html",
        money_context(fair, report=found, missing_note=_missing_note(found), shown=_shown),
    )


@router.get("/organizer/fairs/{fair_id}/report.xlsx")
async def report_xlsx(viewer: SignedIn, fair_id: UUID) -> Response:
    fair = await own_fair(viewer, fair_id)
    return Response(
        xlsx(await assemble(viewer, fair)),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{_filename(fair, "xlsx")}"'},
    )


@router.get("/organizer/fairs/{fair_id}/report.pdf")
async def report_pdf(viewer: SignedIn, fair_id: UUID) -> Response:
    fair = await own_fair(viewer, fair_id)
    return Response(
        pdf(await assemble(viewer, fair)),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{_filename(fair, "pdf")}"'},
    )
