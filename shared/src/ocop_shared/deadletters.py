"""Dead letters you can work with: an admin API on every service to list, inspect, replay and
discard the messages its inbox consumers set aside (``dead_letters``, written by
``ocop_shared.inbox``).

* **replay** runs the message again through the same ``InboxConsumer`` (found by the
  letter's consumer name among the service's subscriptions) and its handler, in one
  transaction with its inbox row and with the letter's own update, the letter locked for
  the duration: after a fix the event takes effect exactly once, a second or concurrent
  replay finds the letter resolved (409), and a message whose inbox row already exists (it
  was redelivered and handled meanwhile) resolves with no second effect. A replay that fails
  again rolls the handler back and keeps the letter open with the new reason and one more
  attempt.
* **discard** needs a reason; like a replayed letter, a discarded one stays in the table as
  an audit record (``status``, ``resolution``, ``resolved_by``, ``resolved_at``) and is left
  alone if the same message is read again. Only ``status = 'open'`` letters need someone.

Admin role only (``require("admin")``); anyone else gets 401 (no or bad token) or 403.

(No ``from __future__ import annotations`` here: the routes are built in a function and
FastAPI reads their annotations, which name that function's locals. ``ocop_shared.service``
is imported where the routes are built, since it installs this module.)
"""

import asyncio
import random
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

import asyncpg
from aiokafka.structs import ConsumerRecord
from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ocop_shared import auth
from ocop_shared.db import is_infrastructure_error, is_retryable
from ocop_shared.errors import Conflict, NotFound
from ocop_shared.events import Envelope, EventDecodeError, decode_event
from ocop_shared.inbox import InboxConsumer, ReplayOutcome
from ocop_shared.inputs import INT64_MAX
from ocop_shared.logging import get_logger

if TYPE_CHECKING:
    from ocop_shared.service import Service

log = get_logger(__name__)

LetterStatus = Literal["open", "replayed", "discarded"]
RAW_TEXT_LIMIT = 64 * 1024


class DeadLetterOut(BaseModel):
    """One dead letter: where the message came from, why it was set aside, what became of it."""

    id: int
    consumer: str
    topic: str
    partition: int
    offset: int
    key: str | None
    event_type: str | None = Field(description="from the envelope, when it decodes")
    event_id: str | None = Field(description="from the envelope, when it decodes")
    reason: str = Field(description="why the last attempt failed")
    attempts: int = Field(description="1 for the consumer's own attempt, +1 per replay")
    status: LetterStatus
    created_at: datetime
    last_attempt_at: datetime
    resolution: str | None = Field(
        description="replayed: applied / already processed / not handled; discarded: the reason given"
    )
    resolved_by: str | None = Field(description="role:subject of the admin who resolved it")
    resolved_at: datetime | None


class DeadLetterDetail(DeadLetterOut):
    envelope: dict[str, Any] | None = Field(
        description="the decoded envelope (with its payload), when the message is a valid envelope"
    )
    decode_error: str | None = Field(
        description="why the message does not decode to a known event, if it does not"
    )
    raw_text: str | None = Field(
        description=f"the message as UTF-8 text (invalid bytes replaced), its first {RAW_TEXT_LIMIT} bytes"
    )
    raw_size: int


class DeadLetterPage(BaseModel):
    items: list[DeadLetterOut]
    next_after: int | None = Field(description="pass as `after` for the next page; null at the end")


class ReplayOut(BaseModel):
    outcome: ReplayOutcome = Field(
        description="applied: it took effect now; already_processed: its inbox row existed, no second effect; not_handled: the consumer has no handler for its type"
    )
    letter: DeadLetterOut


class ReplayFailedOut(BaseModel):
    detail: str
    code: Literal["replay_failed"] = "replay_failed"
    letter: DeadLetterOut


class DiscardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=1000, description="why it is discarded (audit)")


class ErrorOut(BaseModel):
    detail: str
    code: str


class LetterNotOpen(Conflict):
    code = "dead_letter_not_open"


class UnknownConsumer(Conflict):
    code = "unknown_consumer"


_COLUMNS = """id, consumer, topic, partition, "offset", key, value, reason, attempts, status,
              created_at, last_attempt_at, resolution, resolved_by, resolved_at"""

ConsumerLookup = Callable[[str], InboxConsumer | None]


def install(app: FastAPI, service: "Service") -> None:
    """Adds the admin routes for this service's dead letters to ``app``."""
    found: dict[str, InboxConsumer] = {}

    def consumer(name: str) -> InboxConsumer | None:
        if not found:
            found.update({s.consumer.name: s.consumer for s in service.consumers(service)})
        return found.get(name)

    app.include_router(router(consumer))


def router(consumer: ConsumerLookup) -> APIRouter:
    from ocop_shared.service import get_service, require

    routes = APIRouter(prefix="/admin/dead-letters", tags=["dead letters"])
    Admin = Annotated[auth.Principal, Depends(require("admin"))]
    LetterId = Annotated[int, Path(ge=1, le=INT64_MAX)]
    # 401 and 403 are the platform's refusals, documented with every operation under /admin/
    # by ocop_shared.answers (the Problem body); the 404s and 409s here always carry a code.
    missing: dict[int | str, dict[str, Any]] = {
        404: {"model": ErrorOut, "description": "no such dead letter"}
    }

    @routes.get("")
    async def list_dead_letters(
        request: Request,
        _admin: Admin,
        consumer_name: Annotated[str | None, Query(alias="consumer", max_length=200)] = None,
        status: Literal["open", "replayed", "discarded", "all"] = "open",
        after: Annotated[
            int, Query(ge=0, le=INT64_MAX, description="the id to list after (paging)")
        ] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> DeadLetterPage:
        """Dead letters in id order, open ones unless `status` says otherwise, optionally of
        one consumer; `next_after` pages on."""
        rows = await get_service(request).pool.fetch(
            f"""select {_COLUMNS} from dead_letters
                 where id > $1 and ($2::text is null or consumer = $2)
                   and ($3::text = 'all' or status = $3)
                 order by id limit $4""",
            after,
            consumer_name,
            status,
            limit,
        )
        items = [_letter(r) for r in rows]
        return DeadLetterPage(items=items, next_after=items[-1].id if len(items) == limit else None)

    @routes.get("/{letter_id}", responses=missing)
    async def show_dead_letter(
        request: Request, letter_id: LetterId, _admin: Admin
    ) -> DeadLetterDetail:
        """One dead letter with its message: the decoded envelope when it decodes, why it
        does not otherwise, and the raw text."""
        row = await get_service(request).pool.fetchrow(
            f"select {_COLUMNS} from dead_letters where id = $1", letter_id
        )
        if row is None:
            raise NotFound(f"no dead letter {letter_id}")
        return _detail(row)

    @routes.post(
        "/{letter_id}/replay",
        response_model=ReplayOut,
        responses={
            **missing,
            409: {
                "model": ReplayFailedOut | ErrorOut,
                "description": "the handler failed again (code replay_failed: the letter stays open with the new reason and one more attempt), the letter is not open (dead_letter_not_open), or no consumer of this service has its name (unknown_consumer)",
            },
        },
    )
    async def replay_dead_letter(
        request: Request, letter_id: LetterId, admin: Admin
    ) -> ReplayOut | JSONResponse:
        """Runs the message again through the consumer that set it aside, with its inbox row,
        in one transaction: it takes effect at most once however often it is replayed."""
        pool = get_service(request).pool
        for attempt in range(1, 6):
            try:
                return await _replay(pool, consumer, letter_id, admin)
            except asyncpg.PostgresError as exc:
                if not is_retryable(exc) or attempt == 5:
                    raise
                await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))
        raise AssertionError("unreachable")

    @routes.post(
        "/{letter_id}/discard",
        responses={
            **missing,
            409: {"model": ErrorOut, "description": "the letter is not open"},
        },
    )
    async def discard_dead_letter(
        request: Request, letter_id: LetterId, body: DiscardIn, admin: Admin
    ) -> DeadLetterOut:
        """Gives up on a letter, with a reason; it stays as an audit record."""
        async with get_service(request).pool.acquire() as conn, conn.transaction():
            row = await _locked_open(conn, letter_id)
            updated = await conn.fetchrow(
                f"""update dead_letters set status = 'discarded', resolution = $2,
                           resolved_by = $3, resolved_at = now()
                     where id = $1 returning {_COLUMNS}""",
                row["id"],
                body.reason,
                _who(admin),
            )
        log.info("dead letter discarded", letter=letter_id, reason=body.reason)
        return _letter(updated)

    return routes


async def _replay(
    pool: asyncpg.Pool, consumer: ConsumerLookup, letter_id: int, admin: auth.Principal
) -> ReplayOut | JSONResponse:
    async with pool.acquire() as conn, conn.transaction():
        row = await _locked_open(conn, letter_id)
        found = consumer(row["consumer"])
        if found is None:
            raise UnknownConsumer(f"this service has no consumer named {row['consumer']!r}")
        try:
            async with conn.transaction():  # a savepoint: a failing handler leaves nothing
                outcome = await found.replay(conn, _record(row))
        except Exception as exc:
            if is_infrastructure_error(exc) or is_retryable(exc):
                raise
            reason = str(exc) if isinstance(exc, EventDecodeError) else f"handler failed: {exc!r}"
            failed = await conn.fetchrow(
                f"""update dead_letters set attempts = attempts + 1, reason = $2,
                           last_attempt_at = now()
                     where id = $1 returning {_COLUMNS}""",
                row["id"],
                f"replay: {reason}",
            )
            log.warning("dead letter replay failed", letter=letter_id, reason=reason)
            return JSONResponse(
                status_code=409,
                content=ReplayFailedOut(
                    detail=f"the replay failed again: {reason}", letter=_letter(failed)
                ).model_dump(mode="json"),
            )
        resolution = {
            "applied": "applied",
            "already_processed": "already processed: no second effect",
            "not_handled": "not handled by this consumer: nothing to do",
        }[outcome]
        updated = await conn.fetchrow(
            f"""update dead_letters set status = 'replayed', attempts = attempts + 1,
                       last_attempt_at = now(), resolution = $2, resolved_by = $3,
                       resolved_at = now()
                 where id = $1 returning {_COLUMNS}""",
            row["id"],
            resolution,
            _who(admin),
        )
    log.info("dead letter replayed", letter=letter_id, outcome=outcome)
    return ReplayOut(outcome=outcome, letter=_letter(updated))


async def _locked_open(conn: asyncpg.Connection, letter_id: int) -> asyncpg.Record:
    """The letter, locked until the transaction ends (a twin replay waits, then sees it
    resolved); only an open letter can be replayed or discarded."""
    row = await conn.fetchrow(
        f"select {_COLUMNS} from dead_letters where id = $1 for update", letter_id
    )
    if row is None:
        raise NotFound(f"no dead letter {letter_id}")
    if row["status"] != "open":
        raise LetterNotOpen(f"dead letter {letter_id} is {row['status']}: {row['resolution']}")
    return row


def _record(row: asyncpg.Record) -> ConsumerRecord[Any, Any]:
    """The message as the consumer read it (what its handler path needs of a record)."""
    key: bytes | None = row["key"].encode() if row["key"] is not None else None
    value: bytes | None = row["value"]
    return ConsumerRecord(
        topic=row["topic"],
        partition=row["partition"],
        offset=row["offset"],
        timestamp=int(row["created_at"].timestamp() * 1000),
        timestamp_type=0,
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=len(key) if key else -1,
        serialized_value_size=len(value) if value else -1,
        headers=[],
    )


def _who(principal: auth.Principal) -> str:
    return f"{principal.role}:{principal.subject}"


def _envelope(value: bytes | None) -> Envelope | None:
    if value is None:
        return None
    try:
        return Envelope.model_validate_json(value)
    except ValidationError:
        return None


def _letter(row: asyncpg.Record) -> DeadLetterOut:
    envelope = _envelope(row["value"])
    return DeadLetterOut(
        id=row["id"],
        consumer=row["consumer"],
        topic=row["topic"],
        partition=row["partition"],
        offset=row["offset"],
        key=row["key"],
        event_type=f"{envelope.type} v{envelope.version}" if envelope else None,
        event_id=str(envelope.event_id) if envelope else None,
        reason=row["reason"],
        attempts=row["attempts"],
        status=row["status"],
        created_at=row["created_at"],
        last_attempt_at=row["last_attempt_at"],
        resolution=row["resolution"],
        resolved_by=row["resolved_by"],
        resolved_at=row["resolved_at"],
    )


def _detail(row: asyncpg.Record) -> DeadLetterDetail:
    value: bytes | None = row["value"]
    envelope = _envelope(value)
    decode_error: str | None = None
    try:
        decode_event(value)
    except EventDecodeError as exc:
        decode_error = str(exc)
    return DeadLetterDetail(
        **_letter(row).model_dump(),
        envelope=envelope.model_dump(mode="json") if envelope else None,
        decode_error=decode_error,
        raw_text=value[:RAW_TEXT_LIMIT].decode("utf-8", errors="replace") if value else None,
        raw_size=len(value) if value else 0,
    )
