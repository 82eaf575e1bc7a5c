"""What a domain decision returns: the new state, and the events that announce it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ocop_shared.events import Event

S = TypeVar("S")


@dataclass(frozen=True)
class Decision(Generic[S]):
    state: S
    events: list[Event] = field(default_factory=list)
