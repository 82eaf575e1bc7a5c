"""Idempotency keys for every mutating request (the IETF draft's ``Idempotency-Key`` header).

A POST, PUT, PATCH or DELETE that carries ``Idempotency-Key`` runs at most once per principal
and key within 24 hours:

* the first request claims the key (a row in the service's ``idempotency_keys``, "in
  flight", with a lease its request keeps alive), runs, and its answer (status, headers,
  body) is stored before it is sent, if it is a success or a client error (< 500). A 5xx or
  503 answer, or an exception, frees the key, so a retry runs the request again;
* the same key with the same request (method, path, query, body) answers the stored answer
  again, with ``Idempotent-Replayed: true``, without running the handler;
* the same key with another request: 422 naming the header; while the first is still
  running: 409 naming the header, with ``Retry-After``;
* no header: the request runs as it always did, and this middleware costs a header scan
  (no database round trip; the sales hot path pays nothing).

Keys are scoped by principal: ``role:subject`` of the bearer token (so an organizer's key
never meets another's); a token the service does not know is scoped by its hash (its
request will be refused anyway); a request without a token (sign-up) by the key alone, so an
anonymous client must send an unguessable key (a random UUID, as the CLI does): anyone
sending the same key and body within 24 h would get the same answer.

Neither the key nor the principal is stored: the row is found by a hash of both, and the
stored body (a sign-up answer holds a new token) is encrypted with AES-256-GCM under a secret
derived from them (a random nonce per answer, the row's hash as associated data), so the
table alone reveals no answer and a tampered one fails to open. Expired keys are deleted by a periodic job.

The answer is stored right after the handler's own transaction commits: if the process dies
between the two, the key stays in flight until its lease (30 s) runs out, and a retry after
that runs the request again.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import os
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import asyncpg
import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import FastAPI
from starlette.middleware import Middleware

from ocop_shared import auth
from ocop_shared.db import is_infrastructure_error
from ocop_shared.logging import get_logger

if TYPE_CHECKING:
    from ocop_shared.service import BackgroundJob, Service

log = get_logger(__name__)

HEADER = "Idempotency-Key"
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETENTION_SECONDS = 24 * 3600.0
LEASE_SECONDS = 30.0
PURGE_EVERY_SECONDS = 600.0
MAX_KEY_LENGTH = 255
RETRY_AFTER_SECONDS = 5  # the database away: as the service's own 503s
IN_FLIGHT_RETRY_AFTER_SECONDS = 1

_HEADER = HEADER.lower().encode()
_AUTHORIZATION = b"authorization"
_REPLAYED = (b"idempotent-replayed", b"true")
# Per response, not part of the answer: a replay gets its own.
_NOT_STORED = frozenset({b"date", b"server", b"set-cookie", b"x-correlation-id"})

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
PrincipalOf = Callable[[str], Awaitable[auth.Principal | None]]


def install(app: FastAPI, service: Service) -> None:
    """Puts the middleware on ``app`` and the purge of expired keys among ``service``'s jobs."""
    store = KeyStore(lambda: service.pool)
    # The innermost middleware: inside the correlation id (a replay carries the new request's)
    # and any metrics (replays are counted), and still outside the exception handlers, so
    # the "database unavailable" 503 reaches it as an answer (not stored).
    app.user_middleware.append(
        Middleware(IdempotencyMiddleware, store=store, principal=service.principal)
    )
    service.jobs.append(purge_job(store))


@dataclass(frozen=True, slots=True)
class KeyId:
    """What a principal's key becomes: the row's lookup hash and the secret for its body."""

    lookup: bytes
    secret: bytes

    @classmethod
    def of(cls, principal: str, key: str) -> KeyId:
        ident = principal.encode() + b"\0" + key.encode()
        return cls(
            lookup=hashlib.sha256(b"ocop-idempotency/lookup\0" + ident).digest(),
            secret=hashlib.sha256(b"ocop-idempotency/secret\0" + ident).digest(),
        )

    def fingerprint(self, scope: Scope, body: bytes) -> bytes:
        request = b"\0".join(
            (scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""))
        )
        return hmac.new(self.secret, request + b"\0" + body, hashlib.sha256).digest()

    def seal(self, nonce: bytes, data: bytes) -> bytes:
        return AESGCM(self.secret).encrypt(nonce, data, self.lookup)

    def open(self, nonce: bytes, data: bytes) -> bytes:
        return AESGCM(self.secret).decrypt(nonce, data, self.lookup)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    async def send(self, send: Send, *extra: tuple[bytes, bytes]) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": self.status,
                "headers": [*self.headers, *extra],
            }
        )
        await send({"type": "http.response.body", "body": self.body})


@dataclass(frozen=True, slots=True)
class Claimed:
    owner: uuid.UUID


@dataclass(frozen=True, slots=True)
class InFlight:
    pass


@dataclass(frozen=True, slots=True)
class OtherRequest:
    pass


Claim = Claimed | Answer | InFlight | OtherRequest


class KeyStore:
    """The ``idempotency_keys`` table of the service's schema."""

    def __init__(
        self,
        pool: Callable[[], asyncpg.Pool],
        *,
        retention_seconds: float = RETENTION_SECONDS,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self._pool = pool
        self.retention_seconds = retention_seconds
        self.lease_seconds = lease_seconds

    async def claim(self, key: KeyId, fingerprint: bytes) -> Claim:
        """Takes the key for this request, or says what holds it. An expired key, or one
        whose owner's lease ran out (the same request: its process died), is taken over."""
        pool = self._pool()
        owner = uuid.uuid4()
        for _ in range(5):
            got = await pool.fetchval(
                """insert into idempotency_keys as k
                          (key_hash, fingerprint, state, owner, locked_until, expires_at)
                   values ($1, $2, 'in_flight', $3, now() + make_interval(secs => $4),
                           now() + make_interval(secs => $5))
                   on conflict (key_hash) do update
                      set fingerprint = excluded.fingerprint, state = 'in_flight',
                          owner = excluded.owner, locked_until = excluded.locked_until,
                          status = null, headers = null, nonce = null, body = null,
                          created_at = now(), expires_at = excluded.expires_at
                    where k.expires_at <= now()
                       or (k.state = 'in_flight' and k.locked_until <= now()
                           and k.fingerprint = excluded.fingerprint)
                   returning k.owner""",
                key.lookup,
                fingerprint,
                owner,
                self.lease_seconds,
                self.retention_seconds,
            )
            if got == owner:
                return Claimed(owner)
            row = await pool.fetchrow(
                """select fingerprint, state, status, headers, nonce, body,
                          expires_at <= now() as expired,
                          state = 'in_flight' and locked_until <= now() as abandoned
                     from idempotency_keys where key_hash = $1""",
                key.lookup,
            )
            if row is None or row["expired"]:
                continue  # freed or expired since: claim again
            if not hmac.compare_digest(row["fingerprint"], fingerprint):
                return OtherRequest()
            if row["state"] == "in_flight":
                if row["abandoned"]:
                    continue
                return InFlight()
            return Answer(
                status=row["status"],
                headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in row["headers"]],
                body=key.open(row["nonce"], row["body"]),
            )
        raise RuntimeError("idempotency key: could not claim or read it")

    async def save(self, key: KeyId, owner: uuid.UUID, answer: Answer) -> None:
        nonce = os.urandom(12)  # GCM's nonce; random per answer
        await self._pool().execute(
            """update idempotency_keys
                  set state = 'done', locked_until = null, status = $3, headers = $4,
                      nonce = $5, body = $6
                where key_hash = $1 and owner = $2""",
            key.lookup,
            owner,
            answer.status,
            [
                [k.decode("latin-1"), v.decode("latin-1")]
                for k, v in answer.headers
                if k.lower() not in _NOT_STORED
            ],
            nonce,
            key.seal(nonce, answer.body),
        )

    async def release(self, key: KeyId, owner: uuid.UUID) -> None:
        await self._pool().execute(
            "delete from idempotency_keys where key_hash = $1 and owner = $2 and state = 'in_flight'",
            key.lookup,
            owner,
        )

    async def keep_leased(self, key: KeyId, owner: uuid.UUID) -> None:
        """Extends an in-flight key's lease while its request runs (a long one keeps it)."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            with contextlib.suppress(Exception):
                await self._pool().execute(
                    """update idempotency_keys
                          set locked_until = now() + make_interval(secs => $3)
                        where key_hash = $1 and owner = $2 and state = 'in_flight'""",
                    key.lookup,
                    owner,
                    self.lease_seconds,
                )

    async def purge(self, batch: int = 5000) -> int:
        """Deletes expired keys, a batch at a time; returns how many."""
        total = 0
        while True:
            status = await self._pool().execute(
                """delete from idempotency_keys where key_hash in (
                       select key_hash from idempotency_keys where expires_at <= now() limit $1)""",
                batch,
            )
            deleted = int(status.split()[-1])
            total += deleted
            if deleted < batch:
                return total


def purge_job(store: KeyStore, every: float = PURGE_EVERY_SECONDS) -> BackgroundJob:
    async def purge_expired_idempotency_keys(_service: Service, stop: asyncio.Event) -> None:
        while not stop.is_set():
            deleted = await store.purge()
            if deleted:
                log.info("expired idempotency keys deleted", keys=deleted)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)

    return purge_expired_idempotency_keys


@dataclass
class _Capture:
    """The app's answer, held until it is stored."""

    status: int | None = None
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    chunks: list[bytes] = field(default_factory=list)

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            self.headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            self.chunks.append(bytes(message.get("body", b"")))

    def answer(self) -> Answer:
        assert self.status is not None
        return Answer(self.status, self.headers, b"".join(self.chunks))


class IdempotencyMiddleware:
    """Plain ASGI: without the header (or on a GET) it only scans the headers."""

    def __init__(self, app: ASGIApp, store: KeyStore, principal: PrincipalOf) -> None:
        self.app = app
        self.store = store
        self.principal = principal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in MUTATING:
            await self.app(scope, receive, send)
            return
        raw_key: bytes | None = None
        authorization: bytes | None = None
        for name, value in scope["headers"]:
            if name == _HEADER:
                raw_key = value
            elif name == _AUTHORIZATION:
                authorization = value
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        await self._idempotent(scope, receive, send, raw_key, authorization)

    async def _idempotent(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        raw_key: bytes,
        authorization: bytes | None,
    ) -> None:
        key = parse_key(raw_key)
        if key is None:
            await _header_error(
                send,
                422,
                "value_error",
                f"must be 1 to {MAX_KEY_LENGTH} visible ASCII characters, optionally quoted (a random UUID is best)",
            )
            return
        body = await _read_body(receive)
        if body is None:
            return  # the client went away before sending its body
        try:
            key_id = KeyId.of(await self._scope(authorization), key)
            claim = await self.store.claim(key_id, key_id.fingerprint(scope, body))
        except Exception as exc:
            if not is_infrastructure_error(exc):
                raise
            log.warning("database unavailable (idempotency key)", error=repr(exc))
            await _json(
                send,
                503,
                {"detail": "service temporarily unavailable", "code": "unavailable"},
                (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
            )
            return
        if isinstance(claim, Answer):
            await claim.send(send, _REPLAYED)
        elif isinstance(claim, OtherRequest):
            await _header_error(
                send,
                422,
                "idempotency_key_reused",
                "this Idempotency-Key was used with another request (method, path, query or body)",
            )
        elif isinstance(claim, InFlight):
            await _header_error(
                send,
                409,
                "idempotency_key_in_flight",
                "a request with this Idempotency-Key is still being processed; retry later",
                (b"retry-after", str(IN_FLIGHT_RETRY_AFTER_SECONDS).encode()),
            )
        else:
            await self._run(scope, _replaying(body, receive), send, key_id, claim.owner)

    async def _run(
        self, scope: Scope, receive: Receive, send: Send, key: KeyId, owner: uuid.UUID
    ) -> None:
        captured = _Capture()
        lease = asyncio.create_task(self.store.keep_leased(key, owner))
        try:
            await self.app(scope, receive, captured.send)
        except BaseException:
            await self._release(key, owner)
            raise
        finally:
            lease.cancel()
        if captured.status is None:
            await self._release(key, owner)
            return
        answer = captured.answer()
        if answer.status < 500:
            try:
                await self.store.save(key, owner, answer)
            except Exception as exc:
                # The client still gets its answer; the key stays in flight until its lease
                # runs out, and a retry after that runs the request again.
                log.error("idempotency key: the answer could not be stored", error=repr(exc))
        else:
            await self._release(key, owner)
        await answer.send(send)

    async def _release(self, key: KeyId, owner: uuid.UUID) -> None:
        try:
            await self.store.release(key, owner)
        except Exception as exc:
            log.warning("idempotency key: could not free it", error=repr(exc))

    async def _scope(self, authorization: bytes | None) -> str:
        """Whose key it is: the token's role and subject; a token's hash when the service
        does not know it; "anonymous" without one."""
        if authorization is None:
            return "anonymous"
        scheme, _, token = authorization.decode("latin-1").partition(" ")
        token = token.strip()
        if scheme.lower() == "bearer" and token:
            principal = await self.principal(token)
            if principal is not None:
                return f"{principal.role}:{principal.subject}"
        return "unknown:" + hashlib.sha256(authorization).hexdigest()


def parse_key(raw: bytes) -> str | None:
    """The key: an sf-string (``"..."``) as the draft writes it, or the bare text; 1 to 255
    visible ASCII characters."""
    try:
        text = raw.decode("ascii").strip()
    except UnicodeDecodeError:
        return None
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    if not 0 < len(text) <= MAX_KEY_LENGTH or not all(33 <= ord(c) <= 126 for c in text):
        return None
    return text


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """Gives the app the body already read, then the connection's own messages."""
    pending = True

    async def again() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


async def _json(send: Send, status: int, content: Any, *headers: tuple[bytes, bytes]) -> None:
    body = orjson.dumps(content)
    await Answer(
        status,
        [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *headers,
        ],
        body,
    ).send(send)


async def _header_error(
    send: Send, status: int, kind: str, message: str, *headers: tuple[bytes, bytes]
) -> None:
    await _json(
        send,
        status,
        {"detail": [{"type": kind, "loc": ["header", HEADER], "msg": message}]},
        *headers,
    )
