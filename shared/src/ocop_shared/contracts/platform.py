"""Events of the platform itself: probes used by the foundation's tests and benchmarks."""

from __future__ import annotations

from typing import ClassVar

from ocop_shared.events import Event
from ocop_shared.topics import PLATFORM_PROBES, Topic


class ProbeHappened(Event):
    event_type: ClassVar[str] = "platform.probe_happened"
    version: ClassVar[int] = 1
    topic: ClassVar[Topic] = PLATFORM_PROBES

    key: str
    seq: int

    def partition_key(self) -> str:
        return self.key
