"""HTTP routes: parse, authorize, run the domain, then state + outbox in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from pydantic import BaseModel

from ocop_registration.adapters import repository as repo
from ocop_registration.adapters.importer import import_register
from ocop_registration.adapters.schemas import (
    ApplicationCreate,
    CertificateCreate,
    ExhibitorCreate,
    ExhibitorUpdate,
    FairAction,
    FairCreate,
    MembersAdd,
    OrganizerCreate,
    ProductCreate,
    ProductUpdate,
    Review,
    Revocation,
    RulesBody,
)
from ocop_registration.domain import applications, exhibitors, fairs, products
from ocop_registration.domain.text import fold
from ocop_registration.domain.timezone import as_utc, local_date
from ocop_shared import auth
from ocop_shared.contracts.identity import CredentialIssued
from ocop_shared.contracts.registration import (
    AdmissionRules,
    ApplicationApproved,
    ApplicationRejected,
    ApplicationSnapshot,
    ApplicationSubmitted,
    ApplicationWaitlisted,
    ApplicationWithdrawn,
    BoothRequest,
    CertificateIssued,
    CertificateRevoked,
    CertificateSnapshot,
    ExhibitorRegistered,
    ExhibitorSnapshot,
    ExhibitorUpdated,
    FairRulesChanged,
    FairSnapshot,
    ProductRegistered,
    ProductSnapshot,
    ProductUpdated,
)
from ocop_shared.db import transact
from ocop_shared.errors import Conflict, InvalidField, NotFound
from ocop_shared.events import Event
from ocop_shared.outbox import Causation, append
from ocop_shared.service import get_service, request_cause, require

SERVICE = "registration"
T = TypeVar("T")

router = APIRouter()
Organizer = Annotated[auth.Principal, Depends(require("organizer"))]
Exhibitor = Annotated[auth.Principal, Depends(require("exhibitor"))]
Anyone = Annotated[auth.Principal, Depends(require("organizer", "exhibitor"))]
Cause = Annotated[Causation, Depends(request_cause)]

UNIQUE_FIELDS = {
    "exhibitors_tax_code_key": "tax_code",
    "products_gtin_key": "gtin",
    "certificates_number_key": "number",
    "organizers_pkey": "organizer_id",
    "applications_one_live": "fair_id",
}


async def run(request: Request, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    try:
        return await transact(get_service(request).pool, work)
    except asyncpg.UniqueViolationError as exc:
        field = UNIQUE_FIELDS.get(exc.constraint_name or "", "body")
        raise Conflict(f"{field} is already taken", field=field) from None


async def emit(conn: asyncpg.Connection, events: Sequence[Event], cause: Causation) -> None:
    await append(conn, events, producer=SERVICE, cause=cause)


async def issue_credential(
    conn: asyncpg.Connection, role: auth.Role, subject: str, label: str, cause: Causation
) -> str:
    """Issues a token here and announces its hash, so booths and sales accept it too."""
    token = await auth.issue_token(conn, role, subject, label)
    await emit(
        conn,
        [
            CredentialIssued(
                role=role, subject=subject, token_sha256=auth.hash_token(token).hex(), label=label
            )
        ],
        cause,
    )
    return token


def now() -> datetime:
    return datetime.now(UTC)


def owns_fair(principal: auth.Principal, fair: FairSnapshot | None) -> FairSnapshot:
    # Someone else's fair is answered as missing: its existence is not theirs to learn.
    if fair is None or not (principal.is_admin or fair.organizer_id == principal.subject):
        raise NotFound("no such fair")
    return fair


def is_self(principal: auth.Principal, exhibitor_id: UUID) -> bool:
    return principal.role == "exhibitor" and principal.subject == str(exhibitor_id)


# --- organizers -------------------------------------------------------------------------


class Issued(BaseModel):
    token: str
    note: str = "shown once; only a hash is stored"


class OrganizerIssued(Issued):
    organizer_id: str


@router.post("/organizers", status_code=201, tags=["organizers"])
async def create_organizer(
    body: OrganizerCreate,
    request: Request,
    _admin: Annotated[auth.Principal, Depends(require("admin"))],
    cause: Cause,
) -> OrganizerIssued:
    async def work(conn: asyncpg.Connection) -> str:
        await conn.execute(
            "insert into organizers (organizer_id, name) values ($1, $2)",
            body.organizer_id,
            body.name,
        )
        return await issue_credential(conn, "organizer", body.organizer_id, body.name, cause)

    return OrganizerIssued(organizer_id=body.organizer_id, token=await run(request, work))


# --- fairs ------------------------------------------------------------------------------


@router.post("/fairs", status_code=201, tags=["fairs"])
async def create_fair(body: FairCreate, request: Request, principal: Organizer) -> FairSnapshot:
    if principal.is_admin:
        raise Conflict(
            "fairs belong to an organizer: use an organizer's token", field="organizer_id"
        )
    starts, ends = as_utc(body.starts_at), as_utc(body.ends_at)
    opens, closes = as_utc(body.applications_open_at), as_utc(body.applications_close_at)
    fairs.check_schedule(starts, ends, opens, closes)
    rules = AdmissionRules.model_validate(body.rules.model_dump())
    fairs.check_rules(rules)
    fair = FairSnapshot(
        fair_id=uuid.uuid4(),
        organizer_id=principal.subject,
        name=body.name,
        kind=body.kind,
        venue=body.venue,
        province=body.province,
        starts_at=starts,
        ends_at=ends,
        applications_open_at=opens,
        applications_close_at=closes,
        rules=rules,
        status="draft",
    )

    async def work(conn: asyncpg.Connection) -> None:
        await repo.insert_fair(conn, fair)  # a draft is private: no event until it opens

    await run(request, work)
    return fair


@router.get("/fairs", tags=["fairs"])
async def list_fairs(request: Request) -> list[FairSnapshot]:
    """Every fair that has opened, public."""
    return await repo.list_fairs(get_service(request).pool, organizer_id=None, public_only=True)


@router.get("/organizer/fairs", tags=["fairs"])
async def my_fairs(request: Request, principal: Organizer) -> list[FairSnapshot]:
    organizer = None if principal.is_admin else principal.subject
    return await repo.list_fairs(
        get_service(request).pool, organizer_id=organizer, public_only=False
    )


@router.get("/fairs/{fair_id}", tags=["fairs"])
async def get_fair(fair_id: UUID, request: Request) -> FairSnapshot:
    fair = await repo.get_fair(get_service(request).pool, fair_id)
    if fair is None or fair.status == "draft":
        raise NotFound("no such fair")
    return fair


@router.post("/fairs/{fair_id}/lifecycle", tags=["fairs"])
async def change_fair_status(
    fair_id: UUID, body: FairAction, request: Request, principal: Organizer, cause: Cause
) -> FairSnapshot:
    async def work(conn: asyncpg.Connection) -> FairSnapshot:
        fair = owns_fair(principal, await repo.get_fair(conn, fair_id, lock=True))
        step = fairs.transition(fair, body.action)
        await repo.update_fair(conn, step.fair)
        await emit(conn, [step.event(fair=step.fair)], cause)
        return step.fair

    return await run(request, work)


@router.put("/fairs/{fair_id}/rules", tags=["fairs"])
async def change_fair_rules(
    fair_id: UUID, body: RulesBody, request: Request, principal: Organizer, cause: Cause
) -> FairSnapshot:
    async def work(conn: asyncpg.Connection) -> FairSnapshot:
        fair = owns_fair(principal, await repo.get_fair(conn, fair_id, lock=True))
        changed = fairs.change_rules(fair, AdmissionRules.model_validate(body.model_dump()))
        await repo.update_fair(conn, changed)
        if changed.status != "draft":
            await emit(conn, [FairRulesChanged(fair=changed)], cause)
        return changed

    return await run(request, work)


# --- exhibitors -------------------------------------------------------------------------


class ExhibitorIssued(Issued):
    exhibitor: ExhibitorSnapshot


def new_exhibitor(body: ExhibitorCreate, exhibitor_id: UUID) -> ExhibitorSnapshot:
    tax_code = exhibitors.parse_tax_code(body.tax_code) if body.tax_code else None
    exhibitors.check_kind(body.kind, tax_code)
    return ExhibitorSnapshot(
        exhibitor_id=exhibitor_id,
        kind=body.kind,
        name=body.name,
        tax_code=tax_code,
        province=body.province,
        commune=body.commune,
        phone=exhibitors.parse_phone(body.phone) if body.phone else None,
    )


@router.post("/exhibitors", status_code=201, tags=["exhibitors"])
async def register_exhibitor(
    body: ExhibitorCreate, request: Request, cause: Cause
) -> ExhibitorIssued:
    """Self-registration of an OCOP holder or a delegation; answers with its token, once."""
    exhibitor = new_exhibitor(body, uuid.uuid4())

    async def work(conn: asyncpg.Connection) -> str:
        await repo.upsert_exhibitor(conn, exhibitor, fold(exhibitor.name), body.address, body.email)
        await emit(conn, [ExhibitorRegistered(exhibitor=exhibitor)], cause)
        return await issue_credential(
            conn, "exhibitor", str(exhibitor.exhibitor_id), exhibitor.name, cause
        )

    return ExhibitorIssued(exhibitor=exhibitor, token=await run(request, work))


@router.get("/exhibitors", tags=["exhibitors"])
async def search_exhibitors(
    request: Request,
    _p: Organizer,
    q: Annotated[str, Query(max_length=100)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ExhibitorSnapshot]:
    return await repo.search_exhibitors(get_service(request).pool, fold(q), limit)


@router.get("/exhibitors/{exhibitor_id}", tags=["exhibitors"])
async def get_exhibitor(
    exhibitor_id: UUID, request: Request, principal: Anyone
) -> ExhibitorSnapshot:
    found = await repo.get_exhibitor(get_service(request).pool, exhibitor_id)
    if found is None or not (
        principal.role in ("organizer", "admin") or is_self(principal, exhibitor_id)
    ):
        raise NotFound("no such exhibitor")
    return found


@router.patch("/exhibitors/{exhibitor_id}", tags=["exhibitors"])
async def update_exhibitor(
    exhibitor_id: UUID, body: ExhibitorUpdate, request: Request, principal: Exhibitor, cause: Cause
) -> ExhibitorSnapshot:
    if not (is_self(principal, exhibitor_id) or principal.is_admin):
        raise NotFound("no such exhibitor")
    changes = body.model_dump(exclude_unset=True)

    async def work(conn: asyncpg.Connection) -> ExhibitorSnapshot:
        current = await repo.get_exhibitor(conn, exhibitor_id, lock=True)
        if current is None:
            raise NotFound("no such exhibitor")
        row = await conn.fetchrow(
            "select address, email from exhibitors where exhibitor_id = $1", exhibitor_id
        )
        update: dict[str, Any] = {
            k: v for k, v in changes.items() if k in ("name", "province", "commune")
        }
        if "phone" in changes:
            update["phone"] = exhibitors.parse_phone(changes["phone"]) if changes["phone"] else None
        updated = current.model_copy(update=update)
        await repo.upsert_exhibitor(
            conn,
            updated,
            fold(updated.name),
            changes.get("address", row["address"]) or "",
            changes.get("email", row["email"]),
        )
        await emit(conn, [ExhibitorUpdated(exhibitor=updated)], cause)
        return updated

    return await run(request, work)


@router.post("/exhibitors/{exhibitor_id}/members", tags=["exhibitors"])
async def add_delegation_members(
    exhibitor_id: UUID, body: MembersAdd, request: Request, principal: Exhibitor, cause: Cause
) -> ExhibitorSnapshot:
    if not (is_self(principal, exhibitor_id) or principal.is_admin):
        raise NotFound("no such exhibitor")

    async def work(conn: asyncpg.Connection) -> ExhibitorSnapshot:
        delegation = await repo.get_exhibitor(conn, exhibitor_id, lock=True)
        if delegation is None:
            raise NotFound("no such exhibitor")
        members = await repo.get_exhibitors(conn, body.member_ids)
        missing = [str(m) for m in body.member_ids if m not in members]
        if missing:
            raise InvalidField("member_ids", f"unknown holders: {', '.join(missing)}")
        exhibitors.check_members(delegation.kind, {str(k): v.kind for k, v in members.items()})
        await repo.add_members(conn, exhibitor_id, body.member_ids)
        updated = await repo.get_exhibitor(conn, exhibitor_id)
        assert updated is not None
        await emit(conn, [ExhibitorUpdated(exhibitor=updated)], cause)
        return updated

    return await run(request, work)


# --- products and certificates ----------------------------------------------------------


class ProductOut(ProductSnapshot):
    gtin_vietnamese: bool | None = None


@router.post("/products", status_code=201, tags=["products"])
async def register_product(
    body: ProductCreate, request: Request, principal: Anyone, cause: Cause
) -> ProductOut:
    if principal.role == "exhibitor":
        if body.holder_id is not None and str(body.holder_id) != principal.subject:
            raise InvalidField("holder_id", "exhibitors register their own products only")
        holder_id = UUID(principal.subject)
    elif body.holder_id is None:
        raise InvalidField("holder_id", "say which holder the product belongs to")
    else:
        holder_id = body.holder_id
    products.check_group(body.taxonomy, body.group)
    products.check_price(body.list_price_vnd)
    gtin = products.parse_gtin(body.gtin) if body.gtin else None
    product = ProductSnapshot(
        product_id=uuid.uuid4(),
        holder_id=holder_id,
        name=body.name,
        group=body.group,
        taxonomy=body.taxonomy,
        gtin=gtin.code if gtin else None,
        unit=body.unit,
        list_price_vnd=body.list_price_vnd,
        certificate=None,
    )

    async def work(conn: asyncpg.Connection) -> None:
        holder = await repo.get_exhibitor(conn, holder_id)
        if holder is None:
            raise InvalidField("holder_id", "no such holder")
        if holder.kind == "delegation":
            raise InvalidField("holder_id", "a delegation holds no products: its members do")
        url = str(body.traceability_url) if body.traceability_url else None
        await repo.insert_product(
            conn, product, fold(product.name), gtin.vietnamese if gtin else None, url
        )
        await emit(conn, [ProductRegistered(product=product)], cause)

    await run(request, work)
    return ProductOut(**product.model_dump(), gtin_vietnamese=gtin.vietnamese if gtin else None)


@router.get("/products", tags=["products"])
async def search_products(
    request: Request,
    q: Annotated[str, Query(max_length=100)] = "",
    group: int | None = None,
    holder_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ProductSnapshot]:
    """Public catalogue search; matches with or without Vietnamese diacritics."""
    return await repo.search_products(
        get_service(request).pool, folded=fold(q), group=group, holder_id=holder_id, limit=limit
    )


@router.get("/products/{product_id}", tags=["products"])
async def get_product(product_id: UUID, request: Request) -> ProductSnapshot:
    found = await repo.get_product(get_service(request).pool, product_id)
    if found is None:
        raise NotFound("no such product")
    return found


@router.patch("/products/{product_id}", tags=["products"])
async def update_product(
    product_id: UUID, body: ProductUpdate, request: Request, principal: Anyone, cause: Cause
) -> ProductSnapshot:
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    if "list_price_vnd" in changes:
        products.check_price(changes["list_price_vnd"])
    if "name" in changes:
        changes["name_folded"] = fold(changes["name"])
    if "traceability_url" in changes and changes["traceability_url"] is not None:
        changes["traceability_url"] = str(changes["traceability_url"])

    async def work(conn: asyncpg.Connection) -> ProductSnapshot:
        current = await repo.get_product(conn, product_id, lock=True)
        if current is None or not (
            principal.role in ("organizer", "admin") or is_self(principal, current.holder_id)
        ):
            raise NotFound("no such product")
        if changes:
            await repo.update_product(conn, product_id, changes)
        updated = await repo.get_product(conn, product_id)
        assert updated is not None
        await emit(conn, [ProductUpdated(product=updated)], cause)
        return updated

    return await run(request, work)


@router.post("/products/{product_id}/certificates", status_code=201, tags=["certificates"])
async def issue_certificate(
    product_id: UUID, body: CertificateCreate, request: Request, _p: Organizer, cause: Cause
) -> ProductSnapshot:
    valid_to = body.valid_to or products.default_valid_to(body.valid_from)
    products.check_certificate(body.star, body.issuing_level, body.valid_from, valid_to)
    certificate = CertificateSnapshot(
        certificate_id=uuid.uuid4(),
        number=body.number,
        star=body.star,
        issuing_level=body.issuing_level,
        issuing_body=body.issuing_body,
        decision_number=body.decision_number,
        decision_date=body.decision_date,
        valid_from=body.valid_from,
        valid_to=valid_to,
        status=products.certificate_status(valid_to, False, repo.today()),
    )

    async def work(conn: asyncpg.Connection) -> ProductSnapshot:
        if await repo.get_product(conn, product_id, lock=True) is None:
            raise NotFound("no such product")
        await repo.insert_certificate(conn, product_id, certificate)
        product = await repo.get_product(conn, product_id)
        assert product is not None
        await emit(conn, [CertificateIssued(product=product)], cause)
        return product

    return await run(request, work)


class RevocationResult(BaseModel):
    decision_number: str
    revoked: list[str]
    products: list[UUID]


@router.post("/certificates/revocations", tags=["certificates"])
async def revoke_certificates(
    body: Revocation, request: Request, _p: Organizer, cause: Cause
) -> RevocationResult:
    """Revokes one or many certificates by one decision: all or none, one event per product."""
    numbers = list(dict.fromkeys(body.certificate_numbers))
    if not body.reason:
        raise InvalidField("reason", "a revocation must say why")

    async def work(conn: asyncpg.Connection) -> RevocationResult:
        found = await repo.certificates_by_number(conn, numbers)
        missing = [n for n in numbers if n not in found]
        if missing:
            raise InvalidField(
                "certificate_numbers", f"unknown certificates: {', '.join(missing[:20])}"
            )
        events: list[Event] = []
        for number in numbers:
            product = await repo.get_product(conn, found[number], lock=True)
            assert product is not None and product.certificate is not None
            if product.certificate.number == number:
                products.check_revocable(product.certificate)
            await repo.revoke_certificate(conn, number, body.decision_number, body.reason)
            revoked = await repo.get_product(conn, found[number])
            assert revoked is not None
            events.append(
                CertificateRevoked(
                    product=revoked, reason=body.reason, decision_number=body.decision_number
                )
            )
        await emit(conn, events, cause)
        return RevocationResult(
            decision_number=body.decision_number,
            revoked=numbers,
            products=[found[n] for n in numbers],
        )

    return await run(request, work)


# --- applications -----------------------------------------------------------------------


@router.post("/fairs/{fair_id}/applications", status_code=201, tags=["applications"])
async def apply(
    fair_id: UUID, body: ApplicationCreate, request: Request, principal: Exhibitor, cause: Cause
) -> ApplicationSnapshot:
    if principal.is_admin:
        raise Conflict("apply with the exhibitor's own token", field="exhibitor_id")
    exhibitor_id = UUID(principal.subject)
    if len(set(body.product_ids)) != len(body.product_ids):
        raise InvalidField("product_ids", "a product is listed twice")

    async def work(conn: asyncpg.Connection) -> ApplicationSnapshot:
        fair = await repo.get_fair(conn, fair_id)
        if fair is None or fair.status == "draft":
            raise NotFound("no such fair")
        applicant = await repo.get_exhibitor(conn, exhibitor_id, lock=True)
        if applicant is None:
            raise NotFound("no such exhibitor")
        found = await repo.get_products(conn, body.product_ids)
        for i, pid in enumerate(body.product_ids):
            if pid not in found:
                raise InvalidField(f"product_ids.{i}", f"no product {pid}")
        shown = [found[p] for p in body.product_ids]
        booth_request = BoothRequest.model_validate(body.booth_request.model_dump())
        best = applications.check_application(fair, applicant, shown, booth_request, now())
        application = ApplicationSnapshot(
            application_id=uuid.uuid4(),
            fair_id=fair_id,
            exhibitor_id=exhibitor_id,
            exhibitor_name=applicant.name,
            exhibitor_kind=applicant.kind,
            province=applicant.province,
            products=shown,
            booth_request=booth_request,
            status="submitted",
            submitted_at=now(),
            best_star=best,
        )
        await repo.insert_application(conn, application)
        await emit(conn, [ApplicationSubmitted(application=application)], cause)
        return application

    return await run(request, work)


class ApplicationForReview(ApplicationSnapshot):
    history: dict[UUID, list[dict[str, Any]]]


@router.get("/fairs/{fair_id}/applications", tags=["applications"])
async def fair_applications(
    fair_id: UUID, request: Request, principal: Organizer, status: str | None = None
) -> list[ApplicationForReview]:
    """The review queue, with each holder's results at past fairs (from the sales service)."""
    pool = get_service(request).pool
    owns_fair(principal, await repo.get_fair(pool, fair_id))
    found = await repo.list_applications(pool, fair_id=fair_id, status=status)
    holders = {p.holder_id for a in found for p in a.products}
    history = await repo.holder_history(pool, list(holders))
    return [
        ApplicationForReview(
            **a.model_dump(),
            history={h: history.get(h, []) for h in {p.holder_id for p in a.products}},
        )
        for a in found
    ]


@router.get("/applications", tags=["applications"])
async def my_applications(request: Request, principal: Exhibitor) -> list[ApplicationSnapshot]:
    return await repo.list_applications(
        get_service(request).pool, exhibitor_id=UUID(principal.subject)
    )


async def visible_application(
    conn: asyncpg.Connection | asyncpg.Pool,
    application_id: UUID,
    principal: auth.Principal,
    *,
    lock: bool = False,
) -> ApplicationSnapshot:
    found = await repo.get_application(conn, application_id, lock=lock)
    if found is not None:
        if principal.is_admin or is_self(principal, found.exhibitor_id):
            return found
        if principal.role == "organizer":
            fair = await repo.get_fair(conn, found.fair_id)
            if fair is not None and fair.organizer_id == principal.subject:
                return found
    raise NotFound("no such application")


@router.get("/applications/{application_id}", tags=["applications"])
async def get_application(
    application_id: UUID, request: Request, principal: Anyone
) -> ApplicationSnapshot:
    return await visible_application(get_service(request).pool, application_id, principal)


REVIEW_EVENTS: dict[str, Callable[..., Event]] = {
    "approved": ApplicationApproved,
    "rejected": ApplicationRejected,
    "waitlisted": ApplicationWaitlisted,
}


@router.post("/applications/{application_id}/review", tags=["applications"])
async def review(
    application_id: UUID, body: Review, request: Request, principal: Organizer, cause: Cause
) -> ApplicationSnapshot:
    async def work(conn: asyncpg.Connection) -> ApplicationSnapshot:
        current = await visible_application(conn, application_id, principal, lock=True)
        if principal.role == "exhibitor":
            raise NotFound("no such application")
        status = applications.check_review(current.status, body.decision, body.reason)
        if status == "approved":
            fair = await repo.get_fair(conn, current.fair_id)
            assert fair is not None
            # Certificates may have changed since submission: approve only what is still admitted.
            fresh = await repo.get_products(conn, [p.product_id for p in current.products])
            for i, p in enumerate(current.products):
                refusal = products.admits(
                    fresh[p.product_id].certificate,
                    min_star=fair.rules.min_star,
                    through=local_date(fair.ends_at),
                )
                if refusal:
                    raise Conflict(f"'{p.name}' {refusal}", field=f"products.{i}")
            current = current.model_copy(
                update={"products": [fresh[p.product_id] for p in current.products]}
            )
        reviewed = current.model_copy(
            update={
                "status": status,
                "reviewed_by": principal.subject,
                "reviewed_at": now(),
                "reason": body.reason,
            }
        )
        await repo.update_application(conn, reviewed)
        await emit(conn, [REVIEW_EVENTS[status](application=reviewed)], cause)
        return reviewed

    return await run(request, work)


@router.post("/applications/{application_id}/withdraw", tags=["applications"])
async def withdraw(
    application_id: UUID, request: Request, principal: Exhibitor, cause: Cause
) -> ApplicationSnapshot:
    async def work(conn: asyncpg.Connection) -> ApplicationSnapshot:
        current = await visible_application(conn, application_id, principal, lock=True)
        applications.check_withdraw(current.status)
        withdrawn = current.model_copy(update={"status": "withdrawn"})
        await repo.update_application(conn, withdrawn)
        await emit(conn, [ApplicationWithdrawn(application=withdrawn)], cause)
        return withdrawn

    return await run(request, work)


# --- bulk import ------------------------------------------------------------------------


@router.post("/imports/register", tags=["imports"])
async def import_product_register(
    request: Request,
    _p: Organizer,
    cause: Cause,
    file: Annotated[
        UploadFile, File(description="CSV (UTF-8) or XLSX: a province's OCOP product register")
    ],
    valid_rows_only: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    content = await file.read()
    report = await import_register(
        get_service(request).pool,
        file.filename or "",
        content,
        valid_rows_only=valid_rows_only,
        emit=lambda conn, events: emit(conn, events, cause),
    )
    return report
