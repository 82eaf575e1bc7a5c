"""Benchmarks: ``./dev bench [relay]``. Each prints its numbers and saves JSON in bench/results/."""

from __future__ import annotations

import asyncio
import sys

from bench import allocation, relay, sales

BENCHES = {"relay": relay.main, "allocation": allocation.main, "sales": sales.main}


def main() -> None:
    names = sys.argv[1:] or list(BENCHES)
    for name in names:
        asyncio.run(BENCHES[name]())


if __name__ == "__main__":
    main()
