"""OCOP certificates: issued (or renewed) one by one and revoked one by one or in bulk by one
decision, each by the certifying council whose jurisdiction it is in, and announced once as
expiring and once as expired by a scheduled scan."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ocop_registration.application import clock
from ocop_registration.application.ports import Repositories
from ocop_registration.domain import products
from ocop_registration.domain.authority import Authority, check_decides, check_revokes
from ocop_registration.domain.timezone import local_date
from ocop_shared.errors import NotFound
from ocop_shared.uow import UnitOfWork


async def issue_certificate(
    uow: UnitOfWork[Repositories],
    authority: Authority,
    product_id: UUID,
    draft: products.CertificateDraft,
) -> products.Product:
    """POST /products/{product_id}/certificates (issue or renew) and each row of a register
    import: by the council whose territory and level the holder and the star are in (a
    product outside it answers 404, a star beyond its level 403)."""
    today = clock.today()
    certificate = products.new_certificate(draft, uuid.uuid4(), today, authority=authority)
    product = await uow.repos.products.get(product_id, lock=True)
    if product is None:
        raise NotFound("no such product")
    holder = await uow.repos.exhibitors.get(product.holder_id)
    assert holder is not None  # a product's holder is never deleted
    check_decides(authority, holder.province, certificate.star)
    decided = products.certify(product, certificate, today)
    await uow.repos.certificates.add(product_id, certificate)
    uow.emit_all(decided.events)
    return decided.state


@dataclass(frozen=True)
class Revoked:
    decision_number: str
    numbers: list[str]
    product_ids: list[UUID]
    authority: Authority


async def revoke_certificates(
    uow: UnitOfWork[Repositories],
    authority: Authority,
    numbers: Sequence[str],
    *,
    reason: str,
    decision_number: str,
) -> Revoked:
    """All or none, one event per certificate: every number must be in the council's
    jurisdiction (else 404 for the whole decision) and level (else 403), and not revoked."""
    products.check_reason(reason)  # before anything is locked
    unique = list(dict.fromkeys(numbers))
    held = await uow.repos.certificates.held(unique)
    check_revokes(authority, held, unique)
    found = await uow.repos.products.get_many(
        sorted({h.product_id for h in held.values()}), lock=True
    )
    held_by = {number: found[h.product_id] for number, h in held.items()}
    decided = products.revoke(numbers, held_by, reason=reason, decision_number=decision_number)
    for number, _product in decided.state:
        await uow.repos.certificates.revoke(number, decision_number, reason, authority)
    uow.emit_all(decided.events)
    return Revoked(
        decision_number=decision_number,
        numbers=[number for number, _ in decided.state],
        product_ids=[product.product_id for _, product in decided.state],
        authority=authority,
    )


async def announce_expiry(uow: UnitOfWork[Repositories], now: datetime) -> int:
    """The expiry scan as of ``now``: returns how many certificates it announced."""
    today = local_date(now)
    candidates = await uow.repos.certificates.expiry_candidates(today, products.EXPIRY_NOTICE_DAYS)
    current = await uow.repos.products.get_many(sorted({c.product_id for c in candidates}))
    decided = products.announce_expiry(candidates, current, today)
    for mark in decided.state:
        await uow.repos.certificates.mark_announced(mark.certificate_id, expired=mark.expired)
    uow.emit_all(decided.events)
    return len(decided.events)
