"""Routes: VietQR transfers (the cashier's confirmation, listings), the exhibitor's webhook
keys, and the bank-notification webhook (SePay style).

The webhook is not called with a person's or a till's credential: the provider sends the
exhibitor's own webhook key as ``Authorization: Apikey <key>`` (the authorization table's
``key`` reach). The key is checked before the body is read; a missing, unknown or revoked key
answers 401 and changes nothing; each failed attempt counts like a failed sign-in. Accepted,
the notification is kept and matched in one short transaction (the event goes to the outbox,
nothing waits for Kafka), and the answer is SePay's ``{"success": true}``."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Path, Request

from ocop_sales.adapters.http.deps import Cause, Wired
from ocop_sales.adapters.http.schemas import (
    NotificationAccepted,
    SepayNotification,
    TransferAnswer,
    WebhookKeyListed,
    WebhookKeyMade,
    WebhookKeyRequest,
)
from ocop_sales.application.commands import transfers
from ocop_sales.application.queries import transfers as transfer_queries
from ocop_sales.domain.transfers import PAYMENT_CODE, NotificationIn
from ocop_shared import ratelimit
from ocop_shared.answers import Problem
from ocop_shared.authz import Caller
from ocop_shared.errors import Conflict
from ocop_shared.service import body_schema, json_body

router = APIRouter(tags=["transfers"])

WEBHOOK_BODY_LIMIT = 64 * 1024  # a SePay notification is well under 2 KB
Code = Annotated[str, Path(pattern=PAYMENT_CODE, description="the transfer's payment code")]


@router.post("/sales/{sale_id}/transfers/{payment_code}/confirm")
async def confirm_transfer(
    sale_id: UUID, payment_code: Code, principal: Caller, cause: Cause, wired: Wired
) -> TransferAnswer:
    """The cashier saw the money arrive: confirms the sale's pending transfer (by
    ``cashier``). Confirming a confirmed transfer answers it as it is."""
    done = await wired.uow.run(
        lambda uow: transfers.confirm_transfer(
            uow, sale_id=sale_id, payment_code=payment_code, by=principal
        ),
        cause=cause,
    )
    return TransferAnswer.model_validate(done)


@router.get("/transfers")
async def list_transfers(
    principal: Caller,
    wired: Wired,
    fair_id: UUID | None = None,
    status: Literal["pending", "confirmed"] | None = None,
) -> list[TransferAnswer]:
    """A till sees its own sales' transfers, an exhibitor its own, an organizer one fair's of
    its own (``fair_id`` required); ``status`` narrows to pending or confirmed ones."""
    rows = await wired.uow.read(
        lambda repos: transfer_queries.list_transfers(
            repos, by=principal, fair_id=fair_id, status=status
        )
    )
    return [TransferAnswer.model_validate(r) for r in rows]


def _exhibitor(principal: Caller) -> UUID:
    if principal.role != "exhibitor":  # the table lets only exhibitors' owners through
        raise Conflict("webhook keys belong to an exhibitor", field="role")
    return UUID(principal.subject)


@router.post("/bank-webhook-keys", status_code=201)
async def make_webhook_key(
    body: WebhookKeyRequest, principal: Caller, cause: Cause, wired: Wired
) -> WebhookKeyMade:
    """A key for the exhibitor's bank-notification webhook (give it to the provider, e.g.
    SePay's "API Key" authentication). Shown once; only its hash is kept."""
    _exhibitor(principal)
    made = await wired.uow.run(
        lambda uow: transfers.make_key(uow, by=principal, label=body.label), cause=cause
    )
    return WebhookKeyMade.model_validate(
        {**dict(made.row), "key": made.key, "header": f"Authorization: Apikey {made.key}"}
    )


@router.get("/bank-webhook-keys")
async def list_webhook_keys(principal: Caller, wired: Wired) -> list[WebhookKeyListed]:
    """The exhibitor's webhook keys (never the keys themselves), revoked ones too."""
    exhibitor = _exhibitor(principal)
    rows = await wired.uow.read(
        lambda repos: transfer_queries.list_keys(repos, exhibitor_id=exhibitor)
    )
    return [WebhookKeyListed.model_validate(dict(r)) for r in rows]


@router.delete("/bank-webhook-keys/{key_id}")
async def revoke_webhook_key(
    key_id: UUID, principal: Caller, cause: Cause, wired: Wired
) -> WebhookKeyListed:
    """Revokes one of the exhibitor's webhook keys at once (another's answers 404)."""
    _exhibitor(principal)
    row = await wired.uow.run(
        lambda uow: transfers.revoke_key(uow, by=principal, key_id=key_id), cause=cause
    )
    return WebhookKeyListed.model_validate(dict(row))


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Apikey"})


async def webhook_key(request: Request, wired: Wired) -> tuple[UUID, UUID]:
    """The exhibitor whose key the provider sent (``Authorization: Apikey <key>``): its key id
    and exhibitor id; 401 otherwise (counted like a failed sign-in)."""
    scheme, _, key = request.headers.get("authorization", "").strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "apikey" or not key:
        raise _unauthorized("send the exhibitor's webhook key: Authorization: Apikey <key>")
    owner = await wired.uow.read(lambda repos: transfers.webhook_exhibitor(repos, key))
    if owner is None:
        await ratelimit.enforce(request, "failed_auth")
        raise _unauthorized("invalid or revoked webhook key")
    return owner


@router.post(
    "/bank-notifications",
    max_body_size=WEBHOOK_BODY_LIMIT,
    responses={401: {"model": Problem, "description": "No valid webhook key"}},
    openapi_extra=body_schema(SepayNotification),
)
async def bank_notification(
    owner: Annotated[tuple[UUID, UUID], Depends(webhook_key)],
    body: Annotated[SepayNotification, Depends(json_body(SepayNotification))],
    cause: Cause,
    wired: Wired,
) -> NotificationAccepted:
    """A bank notification in SePay's shape, sent by the provider with the exhibitor's
    webhook key. Repeats of the provider's id are dropped; only incoming transfers count;
    one is matched to the exhibitor's pending transfer whose payment code it names with the
    same amount, else kept for a transfer uploaded later."""
    key_id, exhibitor_id = owner
    note = NotificationIn(
        provider_id=str(body.id),
        gateway=body.gateway,
        transaction_date=body.transactionDate,
        account_number=body.accountNumber,
        code=body.code,
        content=body.content,
        transfer_type=body.transferType,
        amount_vnd=body.transferAmount,
        reference_code=body.referenceCode,
        body=body.model_dump(mode="json"),
    )
    await wired.uow.run(
        lambda uow: transfers.receive_notification(
            uow, key_id=key_id, exhibitor_id=exhibitor_id, note=note
        ),
        cause=cause,
    )
    return NotificationAccepted()
