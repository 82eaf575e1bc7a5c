"""A service's runtime: its pool, its Kafka broker and consumers, its outbox relay, and the
FastAPI app around them, started and stopped together in the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hmac
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar

import asyncpg
import structlog
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from faststream.kafka import KafkaBroker
from pydantic import BaseModel, ValidationError

from ocop_shared import (
    answers,
    auth,
    deadletters,
    docs,
    housekeeping,
    idempotency,
    inputs,
    metrics,
    ratelimit,
)
from ocop_shared.authz import PLATFORM_RULES, AuthorizationTable, api_routes
from ocop_shared.db import create_pool, is_infrastructure_error
from ocop_shared.errors import DomainError
from ocop_shared.inbox import InboxConsumer
from ocop_shared.kafka import ensure_topics, kafka_broker
from ocop_shared.limits import install_body_limits
from ocop_shared.logging import configure_logging, get_logger
from ocop_shared.migrations import ServiceSchema, ensure_database, migrate
from ocop_shared.outbox import Causation, OutboxRelay, RelaySettings, backlog
from ocop_shared.settings import ServiceSettings
from ocop_shared.topics import Topic

log = get_logger(__name__)

CORRELATION_HEADER = "X-Correlation-ID"


@dataclass(frozen=True, slots=True)
class Health:
    database: bool
    kafka: bool
    outbox_backlog: int | None  # events not yet on their topic; None when unknown
    outbox_oldest_seconds: float | None

    @property
    def status(self) -> str:
        if not self.database:
            return "unavailable"
        return "ok" if self.kafka else "degraded"

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "database": self.database,
            "kafka": self.kafka,
            "outbox_backlog": self.outbox_backlog,
            "outbox_oldest_seconds": self.outbox_oldest_seconds,
        }


# How long a client should wait before trying again when the database is away.
RETRY_AFTER_SECONDS = 5


@dataclass
class Subscription:
    consumer: InboxConsumer
    topics: Sequence[Topic]


ConsumerFactory = Callable[["Service"], Sequence[Subscription]]
BackgroundJob = Callable[["Service", asyncio.Event], Awaitable[None]]


@dataclass
class Service:
    settings: ServiceSettings
    migrations: Path
    consumers: ConsumerFactory = lambda _service: ()
    jobs: list[BackgroundJob] = field(default_factory=list)
    publishes: Sequence[Topic] = ()
    run_relay: bool = True
    relay_settings: RelaySettings = field(default_factory=RelaySettings)
    housekeeping_settings: housekeeping.HousekeepingSettings = field(
        default_factory=housekeeping.HousekeepingSettings
    )
    _pool: asyncpg.Pool | None = None
    broker: KafkaBroker | None = None
    relay: OutboxRelay | None = None
    _subscribed: list[Topic] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    tokens: auth.TokenCache = field(default_factory=auth.TokenCache)
    rate_limits: dict[str, ratelimit.Limit] = field(default_factory=ratelimit.limits)
    # Called with each accepted credential before the request runs (registration records a
    # session's last activity for its idle expiry); cached acceptances skip it.
    on_authenticated: Callable[[auth.Principal], Awaitable[None]] | None = None

    @property
    def name(self) -> str:
        return self.settings.service

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("service not started")
        return self._pool

    async def migrate(self) -> list[str]:
        s = self.settings
        await ensure_database(s.admin_dsn("postgres"), s.pg_database)
        assert s.db_password is not None
        return await migrate(
            s.admin_dsn(),
            ServiceSchema(self.name, s.db_password.get_secret_value(), self.migrations),
        )

    async def start(self) -> None:
        s = self.settings
        self._stop = asyncio.Event()
        if s.migrate_on_start:
            await self.migrate()
        self._pool = await create_pool(s.dsn(), min_size=s.pool_min, max_size=s.pool_max)
        self.broker = self.build_broker()
        # The topics it writes and reads: those its Kafka principal may create.
        await ensure_topics(s, s.topic_prefix, [*self.publishes, *self._subscribed])
        await self.broker.start()
        if self.run_relay:
            # Leadership is a lease on a connection of the relay's own, never the pool's.
            self.relay = OutboxRelay(
                s.dsn(),
                schema=self.name,
                kafka=s,
                topic_prefix=s.topic_prefix,
                settings=self.relay_settings,
            )
            relay = self.relay
            self._supervise("outbox-relay", lambda: relay.run(self._stop))
        # Every replica hears of revocations, whichever of them consumed the event.
        self._supervise("credential-revocations", lambda: self.tokens.listen(s.dsn(), self._stop))
        pool, holder = self._pool, f"{socket.gethostname()}:{os.getpid()}"
        self._supervise(
            "housekeeping",
            lambda: housekeeping.run(
                pool, self.name, holder, self.housekeeping_settings, self._stop
            ),
        )
        for job in self.jobs:
            self._supervise(job.__name__, lambda job=job: job(self, self._stop))  # type: ignore[misc]
        log.info("service started", kafka=s.kafka_bootstrap, database=s.pg_database)

    def build_broker(self) -> KafkaBroker:
        """The service's Kafka side: its consumers. (The outbox relay publishes; the AsyncAPI
        document is built from the contracts, ``ocop_shared.asyncapi``.)"""
        s = self.settings
        broker = kafka_broker(s, client_id=self.name, logger=None)
        self._subscribed = []
        for sub in self.consumers(self):
            sub.consumer.subscribe(broker, sub.topics, prefix=s.topic_prefix)
            self._subscribed.extend(sub.topics)
        return broker

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=10)
        self._tasks.clear()
        if self.broker is not None:
            await self.broker.stop()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    def _supervise(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        """Keeps a background loop alive: a crash (say, a lost connection) restarts it."""

        async def loop() -> None:
            while not self._stop.is_set():
                try:
                    await run()
                except Exception as exc:
                    log.error("background task crashed; restarting", task=name, error=repr(exc))
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(self._stop.wait(), timeout=1.0)

        self._tasks.append(asyncio.create_task(loop(), name=name))

    async def health(self) -> Health:
        """What the service can do now. The database is what serving needs; Kafka trouble
        only delays events (the outbox keeps them), so it degrades the service, and the
        outbox backlog says by how much."""
        outbox = None
        with contextlib.suppress(Exception):
            outbox = await asyncio.wait_for(backlog(self.pool), timeout=2.0)
        kafka_ok = False
        if self.broker is not None:
            with contextlib.suppress(Exception):
                kafka_ok = bool(await self.broker.ping(timeout=2.0))
        return Health(
            database=outbox is not None,
            kafka=kafka_ok,
            outbox_backlog=outbox.rows if outbox else None,
            outbox_oldest_seconds=round(outbox.oldest_seconds, 1) if outbox else None,
        )

    async def principal(self, token: str) -> auth.Principal | None:
        cached = self.tokens.get(token)
        if cached is not None:
            return cached
        assert self.settings.admin_token is not None
        admin_token = self.settings.admin_token.get_secret_value()
        if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
            return auth.Principal("admin", "admin")
        found = await auth.lookup(self.pool, token)
        if found is None:
            return None  # refusals are not cached
        if self.on_authenticated is not None:
            await self.on_authenticated(found.principal)
        self.tokens.put(token, found)
        return found.principal


def create_app(
    service: Service,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter] = (),
    wiring: object = None,
    authorization: AuthorizationTable | None = None,
) -> FastAPI:
    """The service's HTTP app: its lifespan starts and stops the service; ``wiring`` is what
    the routes need from app.py (a service's own typed object: its unit-of-work factory,
    settings, policies), read back in a route through ``wired(TheWiringClass)``."""
    s = service.settings
    configure_logging(s.service, s.log_level, s.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await service.start()
        app.state.service = service
        settle_garbage_collector()
        try:
            yield
        finally:
            await service.stop()

    app = FastAPI(
        title=title,
        description=description,
        lifespan=lifespan,
        # Swagger UI served by the service itself (ocop_shared.docs), never from a CDN.
        docs_url=None,
        redoc_url=None,
    )

    app.add_middleware(inputs.ControlCharacterGuard)
    app.add_middleware(CorrelationMiddleware)

    @app.exception_handler(DomainError)
    async def domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        body: dict[str, Any]
        if exc.status_code == 422:
            loc = ["body", *exc.field.split(".")] if exc.field else ["body"]
            body = {"detail": [{"type": exc.code, "loc": loc, "msg": exc.message}]}
        else:
            body = {"detail": exc.message, "code": exc.code}
            if exc.field:
                body["field"] = exc.field
        return JSONResponse(status_code=exc.status_code, content=body)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # Never echo the input: it may be undecodable (invalid UTF-8, NaN) or hostile.
        return JSONResponse(status_code=422, content={"detail": inputs.safe_errors(exc.errors())})

    async def unavailable(_request: Request, exc: Exception) -> JSONResponse:
        # The database away (restart, failover, too many connections) is a 503 the client
        # may retry, not a 500. A value the database refuses (out of range, not in its
        # character set) is input no validator caught: a 422, logged so it gets a class of
        # its own. Any other error of these kinds is a real server error.
        if isinstance(exc, asyncpg.DataError):
            log.warning("input reached the database unchecked", error=repr(exc))
            return JSONResponse(
                status_code=422,
                content={
                    "detail": [
                        {"type": "value_error", "loc": ["body"], "msg": "a value is out of range"}
                    ]
                },
            )
        if not is_infrastructure_error(exc):
            raise exc
        log.warning("database unavailable", error=repr(exc))
        return JSONResponse(
            status_code=503,
            content={"detail": "service temporarily unavailable", "code": "unavailable"},
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    for kind in (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
        app.add_exception_handler(kind, unavailable)

    @app.get("/health/live", tags=["health"])
    async def live() -> dict[str, str]:
        """The process answers."""
        return {"status": "ok"}

    @app.get("/health/ready", tags=["health"])
    async def ready() -> JSONResponse:
        """Can serve requests: its database answers. Kafka trouble does not make it unready
        (sales go on; the outbox holds their events), it shows as "degraded"."""
        health = await service.health()
        return JSONResponse(
            status_code=200 if health.database else 503,
            content=health.as_json(),
            headers=None if health.database else {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.get("/health", tags=["health"])
    async def health() -> dict[str, Any]:
        """The service's state for people and dashboards: ok, degraded (Kafka unreachable,
        events wait in the outbox) or unavailable (no database), with the outbox backlog."""
        return (await service.health()).as_json()

    # Operations: each module installs its own middleware and routes.
    metrics.install(app, service)
    idempotency.install(app, service)
    deadletters.install(app, service)
    install_body_limits(app)  # installed last, runs first: before anything reads a body

    for router in routers:
        app.include_router(router)
    app.state.wiring = wiring
    if authorization is not None:
        # The table is the gate (ocop_shared.authz): no route without a rule, and each
        # route's OpenAPI description says who may call it.
        table = authorization.with_rules(PLATFORM_RULES)
        routes = api_routes(app.routes)
        table.check_covers(routes)
        table.describe_routes(routes)
        app.state.authorization = table
    answers.document(app)
    docs.install(app)
    return app


# Young objects collected every 20,000 allocations (not 700): a batch of 1,000 sales allocates
# ~10^5 objects that live until its answer, and with the defaults the collector ran gen-2
# passes over the whole heap during it (a quarter of the batch's CPU).
GC_THRESHOLDS = (20_000, 50, 100)


def settle_garbage_collector() -> None:
    """Once started: what import and start-up made is moved out of the collector's sight
    (``gc.freeze``: it lives as long as the process), and collections run less often. Once
    per process (tests start many apps in one)."""
    if gc.get_threshold() == GC_THRESHOLDS:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


W = TypeVar("W")


def wired(kind: type[W]) -> Callable[[Request], Awaitable[W]]:
    """A dependency giving routes the service's wiring (``create_app(..., wiring=...)``),
    typed as the service declares it."""

    # async: FastAPI runs a plain-def dependency in its thread pool, a hop per request.
    async def dependency(request: Request) -> W:
        wiring = request.app.state.wiring
        if not isinstance(wiring, kind):
            raise TypeError(f"the app was wired with {type(wiring).__name__}, not {kind.__name__}")
        return wiring

    return dependency


class CorrelationMiddleware:
    """Binds a correlation id (the client's X-Correlation-ID, or a new one) to the request's
    logs, its state and its events, and echoes it in the response. Plain ASGI: it sits on
    the hot path of every till."""

    _header = CORRELATION_HEADER.lower().encode()

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = next((v for k, v in scope["headers"] if k == self._header), None)
        correlation_id = raw.decode("latin-1")[:100] if raw else str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        echo = (self._header, correlation_id.encode("latin-1"))

        async def send_with_header(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), echo]
            await send(message)

        with structlog.contextvars.bound_contextvars(correlation_id=correlation_id):
            await self.app(scope, receive, send_with_header)


_bearer = HTTPBearer(auto_error=False)


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> auth.Principal:
    if credentials is None:
        raise HTTPException(
            status_code=401, detail="missing bearer token", headers={"WWW-Authenticate": "Bearer"}
        )
    service: Service = request.app.state.service
    principal = await service.principal(credentials.credentials)
    if principal is None:
        raise HTTPException(
            status_code=401,
            detail="invalid or revoked token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    structlog.contextvars.bind_contextvars(principal=f"{principal.role}:{principal.subject}")
    return principal


def require(*roles: auth.Role) -> Callable[..., Awaitable[auth.Principal]]:
    async def dependency(
        principal: Annotated[auth.Principal, Depends(current_principal)],
    ) -> auth.Principal:
        if principal.role not in roles and not principal.is_admin:
            raise HTTPException(status_code=403, detail=f"requires role {' or '.join(roles)}")
        return principal

    return dependency


async def request_cause(request: Request) -> Causation:
    # async: a plain-def dependency would run in FastAPI's thread pool on every request.
    return Causation(correlation_id=request.state.correlation_id)


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


M = TypeVar("M", bound=BaseModel)


def json_body(model: type[M]) -> Callable[[Request], Awaitable[M]]:
    """A request body parsed straight from bytes by pydantic's JSON parser, for hot paths
    (FastAPI's own body handling decodes with the standard json module first). Errors come
    back as FastAPI's usual 422, located under "body"."""

    async def parse(request: Request) -> M:
        try:
            return model.model_validate_json(await request.body())
        except ValidationError as exc:
            errors = [
                {**e, "loc": ("body", *e["loc"])}
                for e in exc.errors(include_url=False, include_context=False)
            ]
            raise RequestValidationError(errors) from None

    return parse


def body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI request body of a route that parses with ``json_body``."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline(schema)}},
        }
    }
