"""The unit of work: one transaction, the service's repositories on it, and the events the
domain returned, written to the outbox in that same transaction just before it commits.

An application handler receives a ``UnitOfWork`` and never sees a connection or SQL: it loads
state through ``uow.repos``, asks the domain to decide, saves the new state through the
repositories and hands the domain's events to ``uow.emit``. The unit of work commits the
state and the outbox rows together, or neither (eShop's transaction behaviour around every
command handler; cosmicpython's unit of work; eventuate-tram's "domain returns events").

Two ways in:

* ``UnitOfWorkFactory.run(handler, cause=...)``: a command from HTTP or a job. It opens the
  transaction, retries a lost race (serialization failure, deadlock) a few times, and writes
  the emitted events with the request's correlation id.
* ``UnitOfWorkFactory.event_handler(handler)``: a consumed event. The inbox consumer already
  holds the transaction (its inbox row commits with the handler's effects), so the unit of
  work joins it, and emitted events carry the consumed event as their cause.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

import asyncpg

from ocop_shared import outbox
from ocop_shared.db import is_retryable
from ocop_shared.events import Event
from ocop_shared.inbox import Delivery, Handler
from ocop_shared.outbox import Causation

R = TypeVar("R")
T = TypeVar("T")
E = TypeVar("E", bound=Event)

Isolation = Literal["read_committed", "repeatable_read", "serializable"]


class UnitOfWork(Generic[R]):
    """What a handler works with: the repositories and the events to publish."""

    __slots__ = ("_events", "cause", "repos")

    def __init__(self, repos: R, cause: Causation) -> None:
        self.repos = repos
        self.cause = cause
        self._events: list[Event] = []

    def emit(self, *events: Event) -> None:
        """Queues events for the outbox; they commit with the state, or not at all."""
        self._events.extend(events)

    def emit_all(self, events: Sequence[Event]) -> None:
        self._events.extend(events)

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(self._events)


CommandHandler = Callable[[UnitOfWork[R]], Awaitable[T]]
EventHandler = Callable[[UnitOfWork[R], E], Awaitable[None]]
TimedEventHandler = Callable[[UnitOfWork[R], E, datetime], Awaitable[None]]


class UnitOfWorkFactory(Generic[R]):
    """Opens units of work on a service's pool, with the service's repositories.

    ``repositories`` builds the service's repository bundle on one connection; ``pool`` may be
    a getter so a service can declare its handlers before it connects.
    """

    def __init__(
        self,
        pool: asyncpg.Pool | Callable[[], asyncpg.Pool],
        repositories: Callable[[asyncpg.Connection], R],
        *,
        producer: str,
    ) -> None:
        self._pool = pool
        self._repositories = repositories
        self.producer = producer

    @property
    def pool(self) -> asyncpg.Pool:
        return self._pool if isinstance(self._pool, asyncpg.Pool) else self._pool()

    async def run(
        self,
        handler: CommandHandler[R, T],
        *,
        cause: Causation,
        attempts: int = 5,
        isolation: Isolation = "read_committed",
    ) -> T:
        """Runs a command handler in one transaction and commits its events with its state.
        A lost race (serialization failure, deadlock) runs the handler again from the start,
        so clients never see one as a server error."""
        for attempt in range(1, attempts + 1):
            try:
                async with self.pool.acquire() as conn, conn.transaction(isolation=isolation):
                    uow = UnitOfWork(self._repositories(conn), cause)
                    result = await handler(uow)
                    await self._flush(conn, uow)
                    return result
            except asyncpg.PostgresError as exc:
                if not is_retryable(exc) or attempt == attempts:
                    raise
                await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))
        raise AssertionError("unreachable")

    async def read(self, query: Callable[[R], Awaitable[T]]) -> T:
        """Runs a read-only query on one connection, outside any write transaction."""
        async with self.pool.acquire() as conn:
            return await query(self._repositories(conn))

    def event_handler(self, handler: EventHandler[R, Any]) -> Handler:
        """Adapts ``handler(uow, event)`` to the inbox consumer: it joins the inbox's
        transaction, and the events it emits name the consumed event as their cause."""

        async def on_event(conn: asyncpg.Connection, event: Any, delivery: Delivery) -> None:
            uow = UnitOfWork(self._repositories(conn), delivery.cause)
            await handler(uow, event)
            await self._flush(conn, uow)

        on_event.__name__ = getattr(handler, "__name__", "on_event")
        on_event.__doc__ = handler.__doc__
        return on_event

    def timed_event_handler(self, handler: TimedEventHandler[R, Any]) -> Handler:
        """Like ``event_handler``, for ``handler(uow, event, occurred_at)``: a handler that
        judges by when the event happened (the envelope's ``occurred_at``), not by when it
        arrived, so events from different topics apply in the order they were decided."""

        async def on_event(conn: asyncpg.Connection, event: Any, delivery: Delivery) -> None:
            uow = UnitOfWork(self._repositories(conn), delivery.cause)
            await handler(uow, event, delivery.envelope.occurred_at)
            await self._flush(conn, uow)

        on_event.__name__ = getattr(handler, "__name__", "on_event")
        on_event.__doc__ = handler.__doc__
        return on_event

    async def _flush(self, conn: asyncpg.Connection, uow: UnitOfWork[R]) -> None:
        if uow.events:
            await outbox.append(conn, uow.events, producer=self.producer, cause=uow.cause)
