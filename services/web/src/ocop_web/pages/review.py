"""The review queue of one fair: its applications (registration's ``GET /fairs/{id}/
applications``, with each holder's results at past fairs), filtered by status, province and
star and sorted; each applicant's products with their star and certificate validity; a
decision (approve, reject, waitlist) with a reason, for one application or for every one
ticked (``POST /applications/{id}/review`` for each: registration has no bulk decision, so
each is decided and answered on its own, and one refused never stops the others).

A refusal's reason is chosen among registration's review reasons (sent as ``reason_code``: the
exhibitor's page words it in its reader's language) with details sent as ``reason``, or
written out ("other")."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ocop_web.api import ApiError
from ocop_web.forms import FORM, Field, FormState
from ocop_web.i18n import N_, gettext, ngettext
from ocop_web.pages.fairs import console_context, own_fair, see_other
from ocop_web.pages.product_groups import ProductGroups, product_groups
from ocop_web.pages.registration_codes import REVIEW_REASONS
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

APPLICATION_STATUSES: dict[str, tuple[str, str]] = {  # status -> (label, tag colour)
    "submitted": (N_("Waiting for review"), "blue"),
    "approved": (N_("Approved"), "green"),
    "waitlisted": (N_("On the waiting list"), "yellow"),
    "rejected": (N_("Refused"), "red"),
    "withdrawn": (N_("Withdrawn"), "grey"),
}
DECISIONS: dict[str, str] = {
    "approved": N_("Approve"),
    "waitlisted": N_("Put on the waiting list"),
    "rejected": N_("Refuse"),
}
# Registration's review reasons (``reason_code``), as the organizer chooses them.
REASONS: dict[str, str] = {code: labels[0] for code, labels in REVIEW_REASONS.items()}
CERTIFICATES: dict[str, tuple[str, str]] = {
    "valid": (N_("Valid"), "green"),
    "expiring": (N_("Expiring soon"), "yellow"),
    "expired": (N_("Expired"), "red"),
    "revoked": (N_("Revoked"), "red"),
}
EXHIBITOR_KINDS: dict[str, str] = {
    "cooperative": N_("Cooperative"),
    "enterprise": N_("Enterprise"),
    "cooperative_group": N_("Cooperative group"),
    "household_business": N_("Household business"),
    "delegation": N_("Provincial delegation"),
}
BOOTH_TYPES: dict[str, str] = {
    "standard": N_("Standard"),
    "corner": N_("Corner"),
    "premium": N_("Premium"),
    "outdoor": N_("Outdoor"),
}
SORTS: dict[str, str] = {
    "submitted": N_("Oldest first"),
    "name": N_("Name"),
    "star": N_("Highest star first"),
    "province": N_("Province"),
}
# Why registration refused one decision, named for the organizer ("%(name)s": the applicant).
REFUSALS: dict[str, str] = {
    "decided": N_("%(name)s: this application has already been decided or withdrawn"),
    "product": N_(
        "%(name)s: a product can no longer be admitted (its certificate changed, or its holder left the delegation)"
    ),
    "reason": N_("%(name)s: give a reason for the refusal"),
    "not_found": N_("%(name)s: this application was not found"),
    "other": N_("%(name)s: the decision could not be recorded. Try again"),
}
DONE = frozenset({"approved", "waitlisted", "rejected"})
DECISION_FIELDS = (
    Field("application_id", N_("Applications")),
    Field("review_decision", N_("Decision"), api=("decision",)),
    Field("review_reason", N_("Reason"), api=("reason",)),
    Field("review_details", N_("Details for the exhibitor")),
)


@dataclass(frozen=True, slots=True)
class Filters:
    status: str = "submitted"
    province: str = ""
    star: str = ""
    sort: str = "submitted"

    @classmethod
    def of(cls, query: Mapping[str, str]) -> Filters:
        status = query.get("status", "submitted")
        sort = query.get("sort", "submitted")
        return cls(
            status=status if status in APPLICATION_STATUSES or status == "all" else "submitted",
            province=query.get("province", ""),
            star=query.get("star", "") if query.get("star", "") in ("3", "4", "5") else "",
            sort=sort if sort in SORTS else "submitted",
        )

    def query(self, **changes: str) -> str:
        values = {
            "status": self.status,
            "province": self.province,
            "star": self.star,
            "sort": self.sort,
            **changes,
        }
        return urlencode({k: v for k, v in values.items() if v})

    def keep(self, application: Mapping[str, Any]) -> bool:
        return (
            (self.status == "all" or application["status"] == self.status)
            and (not self.province or folded(application["province"]) == folded(self.province))
            and (not self.star or str(application["best_star"]) == self.star)
        )

    def order(self, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        def key(a: Mapping[str, Any]) -> tuple[int, str, str]:
            when = str(a["submitted_at"])
            if self.sort == "name":
                return (0, folded(a["exhibitor_name"]), when)
            if self.sort == "star":
                return (-int(a["best_star"]), "", when)
            if self.sort == "province":
                return (0, folded(a["province"]), when)
            return (0, "", when)

        return sorted(found, key=key)


def folded(text: str) -> str:
    """Compared without diacritics or case (provinces arrive both ways)."""
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def reason_of(form: FormState) -> tuple[str | None, str | None]:
    """The ``reason_code`` and the free ``reason`` (the details) sent to registration."""
    code, details = form.value("review_reason"), form.value("review_details").strip()
    return (code if code in REASONS else None), (details or None)


def check_decision(form: FormState, *, bulk: bool) -> None:
    if bulk and not form.value("application_id"):
        form.add("application_id", "missing")
    if form.value("review_decision") not in DECISIONS:
        form.add("review_decision", "missing")
    if form.value("review_reason") and form.value("review_reason") not in REASONS:
        form.add("review_reason", "missing")
    if form.value("review_decision") == "rejected" and not form.value("review_reason"):
        form.add("review_reason", "missing")
    if form.value("review_reason") == "other" and not form.value("review_details").strip():
        form.add("review_details", "missing")


def refusal(error: ApiError) -> str:
    body = error.body if isinstance(error.body, dict) else {}
    field = str(body.get("field") or "")
    if error.status == 404:
        return "not_found"
    if error.status == 409 and field.startswith("products"):
        return "product"
    if error.status == 409:
        return "decided"
    if field == "reason" or any(
        isinstance(d, dict) and "reason" in d.get("loc", []) for d in body.get("detail") or []
    ):
        return "reason"
    return "other"


async def decide(
    viewer: Viewer,
    applications: Sequence[Mapping[str, Any]],
    decision: str,
    reason: tuple[str | None, str | None],
    request_key: str,
) -> tuple[list[str], list[tuple[str, str]]]:
    """Each application decided on its own (its own idempotency key, derived from the
    form's, so a form sent twice decides once); the names decided, and (application id,
    message) for each one registration refused."""

    async def one(application: Mapping[str, Any]) -> tuple[Mapping[str, Any], ApiError | None]:
        key = str(uuid.uuid5(uuid.UUID(request_key), str(application["application_id"])))
        body: dict[str, Any] = {"decision": decision}
        code, details = reason
        if code:
            body["reason_code"] = code
        if details:
            body["reason"] = details
        try:
            await viewer.api.registration.post(
                f"/applications/{application['application_id']}/review",
                body,
                idempotency_key=key,
            )
        except ApiError as refused:
            return application, refused
        return application, None

    done: list[str] = []
    refused: list[tuple[str, str]] = []
    for application, error in await asyncio.gather(*(one(a) for a in applications)):
        if error is None:
            done.append(str(application["exhibitor_name"]))
        else:
            message = gettext(REFUSALS[refusal(error)], name=application["exhibitor_name"])
            refused.append((str(application["application_id"]), message))
    return done, refused


def request_key_of(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(uuid.uuid4())


async def queue_of(viewer: Viewer, fair_id: UUID) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await viewer.api.registration.get(
        f"/fairs/{fair_id}/applications"
    )
    return found


async def fair_names(viewer: Viewer) -> dict[str, str]:
    """Every fair's name by id, for the holders' results at past fairs (public fairs and the
    organization's own)."""
    public, own = await asyncio.gather(
        viewer.api.registration.get("/fairs"), viewer.api.registration.get("/organizer/fairs")
    )
    return {str(f["fair_id"]): str(f["name"]) for f in [*public, *own]}


def review_context(groups: ProductGroups | None = None) -> dict[str, Any]:
    return {
        **console_context(groups),
        "APPLICATION_STATUSES": APPLICATION_STATUSES,
        "DECISIONS": DECISIONS,
        "REASONS": REASONS,
        "CERTIFICATES": CERTIFICATES,
        "SORTS": SORTS,
        "EXHIBITOR_KINDS": EXHIBITOR_KINDS,
        "BOOTH_TYPES": BOOTH_TYPES,
        "reason_options": [("", gettext("No reason given"))]
        + [(code, gettext(label)) for code, label in REASONS.items()],
    }


async def render_queue(
    request: Request,
    viewer: Viewer,
    fair_id: UUID,
    filters: Filters,
    *,
    form: FormState | None = None,
    refused: Sequence[tuple[str, str]] = (),
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    fair, applications, names, groups = await asyncio.gather(
        own_fair(viewer, fair_id),
        queue_of(viewer, fair_id),
        fair_names(viewer),
        product_groups(viewer),
    )
    counts = {s: sum(1 for a in applications if a["status"] == s) for s in APPLICATION_STATUSES}
    provinces = sorted({str(a["province"]) for a in applications}, key=folded)
    shown = filters.order([a for a in applications if filters.keep(a)])
    return render(
        request,
        "review/queue.html",
        {
            **review_context(groups),
            "fair": fair,
            "applications": shown,
            "total": len(applications),
            "counts": counts,
            "provinces": provinces,
            "filters": filters,
            "fair_names": names,
            "form": form or FormState.of(DECISION_FIELDS),
            "refused": list(refused),
            "notice": notice,
            "request_key": str(uuid.uuid4()),
        },
        status_code=status_code,
    )


def done_notice(decision: str, count: int) -> str | None:
    if count < 1:
        return None
    if decision == "approved":
        return ngettext("%(num)s application approved.", "%(num)s applications approved.", count)
    if decision == "waitlisted":
        return ngettext(
            "%(num)s application put on the waiting list.",
            "%(num)s applications put on the waiting list.",
            count,
        )
    if decision == "rejected":
        return ngettext("%(num)s application refused.", "%(num)s applications refused.", count)
    return None


@router.get("/organizer/fairs/{fair_id}/applications")
async def queue_page(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    query = dict(request.query_params)
    notice = None
    if query.get("done") in DONE and query.get("n", "").isdigit():
        notice = done_notice(query["done"], int(query["n"]))
    return await render_queue(request, viewer, fair_id, Filters.of(query), notice=notice)


@router.post("/organizer/fairs/{fair_id}/applications")
async def decide_many(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    """The ticked applications (or the one whose "Approve" button was pressed) decided."""
    submitted = await request.form()
    filters = Filters.of({k: v for k, v in submitted.items() if isinstance(v, str)})
    one = str(submitted.get("approve") or "")
    ticked = [str(v) for v in submitted.getlist("application_id")]
    values = {k: v for k, v in submitted.items() if isinstance(v, str) and k != "approve"}
    values["application_id"] = ",".join(ticked)
    if one:
        values.update(
            application_id=one, review_decision="approved", review_reason="", review_details=""
        )
    form = FormState.of(DECISION_FIELDS, values)
    check_decision(form, bulk=True)
    if form.has_errors:
        return await render_queue(request, viewer, fair_id, filters, form=form, status_code=422)
    chosen = set(form.value("application_id").split(","))
    applications = [a for a in await queue_of(viewer, fair_id) if a["application_id"] in chosen]
    missing = chosen - {a["application_id"] for a in applications}
    decision = form.value("review_decision")
    done, refused = await decide(
        viewer,
        applications,
        decision,
        reason_of(form),
        request_key_of(submitted.get("request_key")),
    )
    refused += [(m, gettext(REFUSALS["not_found"], name=m)) for m in sorted(missing)]
    if not refused:
        return see_other(
            f"/organizer/fairs/{fair_id}/applications?{filters.query(done=decision, n=str(len(done)))}"
        )
    return await render_queue(
        request,
        viewer,
        fair_id,
        filters,
        form=FormState.of(DECISION_FIELDS),
        refused=refused,
        notice=done_notice(decision, len(done)),
        status_code=200 if done else 422,
    )


async def application_of(viewer: Viewer, fair_id: UUID, application_id: UUID) -> dict[str, Any]:
    for application in await queue_of(viewer, fair_id):
        if str(application["application_id"]) == str(application_id):
            return application
    raise ApiError(404, {"detail": "no such application", "code": "not_found"})


async def render_application(
    request: Request,
    viewer: Viewer,
    fair_id: UUID,
    application_id: UUID,
    form: FormState,
    status_code: int = 200,
) -> Response:
    fair, application, names, groups = await asyncio.gather(
        own_fair(viewer, fair_id),
        application_of(viewer, fair_id, application_id),
        fair_names(viewer),
        product_groups(viewer),
    )
    return render(
        request,
        "review/application.html",
        {
            **review_context(groups),
            "fair": fair,
            "application": application,
            "fair_names": names,
            "form": form,
            "request_key": str(uuid.uuid4()),
        },
        status_code=status_code,
    )


@router.get("/organizer/fairs/{fair_id}/applications/{application_id}")
async def application_page(
    request: Request, viewer: SignedIn, fair_id: UUID, application_id: UUID
) -> Response:
    return await render_application(
        request, viewer, fair_id, application_id, FormState.of(DECISION_FIELDS)
    )


@router.post("/organizer/fairs/{fair_id}/applications/{application_id}")
async def decide_one(
    request: Request, viewer: SignedIn, fair_id: UUID, application_id: UUID
) -> Response:
    submitted = await request.form()
    values = {k: v for k, v in submitted.items() if isinstance(v, str)}
    form = FormState.of(DECISION_FIELDS, values)
    check_decision(form, bulk=False)
    if not form.has_errors:
        application = await application_of(viewer, fair_id, application_id)
        done, refused = await decide(
            viewer,
            [application],
            form.value("review_decision"),
            reason_of(form),
            request_key_of(submitted.get("request_key")),
        )
        if done:
            query = urlencode({"done": form.value("review_decision"), "n": "1"})
            return see_other(f"/organizer/fairs/{fair_id}/applications?{query}")
        form.errors[FORM] = refused[0][1]
    return await render_application(request, viewer, fair_id, application_id, form, status_code=422)
