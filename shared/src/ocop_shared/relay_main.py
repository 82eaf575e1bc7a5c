"""Runs one schema's outbox relay on its own: ``python -m ocop_shared.relay_main SCHEMA``.

The services run their relay in-process; this entry point lets a deployment run it apart,
and lets the tests kill a relay with SIGKILL mid-batch. Several may run on one schema: one
leads (it holds the schema's lease), the others stand by and take over an expired lease.
Lease and timeouts come from ``OCOP_RELAY_*`` (``ocop_shared.outbox.RelaySettings``).
"""

from __future__ import annotations

import asyncio
import signal
import sys

from ocop_shared.logging import configure_logging
from ocop_shared.outbox import OutboxRelay, RelaySettings
from ocop_shared.settings import ServiceSettings


async def main(schema: str) -> None:
    settings = ServiceSettings(service=schema)
    configure_logging(f"{schema}-relay", settings.log_level, settings.log_format)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    relay = OutboxRelay(
        settings.dsn(),
        schema=schema,
        kafka=settings,
        topic_prefix=settings.topic_prefix,
        settings=RelaySettings(),
    )
    await relay.run(stop)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
