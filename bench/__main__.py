"""Benchmarks: ``./dev bench [NAME ...] [OPTIONS]``. Each prints its numbers and saves JSON in
bench/results/.

With no name: relay, allocation and sales. ``season`` (bench/season.py: a national season
through the services, started as processes of its own) runs only when named. Options after
the names go to the benchmark named (one name, then): ``./dev bench season --scale 0.05``,
``./dev bench relay --rounds 5``; ``./dev bench NAME --help`` lists them.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from bench import allocation, relay, sales, season

BENCHES: dict[str, Callable[..., Coroutine[Any, Any, Any]]] = {
    "relay": relay.main,
    "allocation": allocation.main,
    "sales": sales.main,
    "season": season.main,
}
DEFAULT = ("relay", "allocation", "sales")


def split(argv: list[str]) -> tuple[list[str], list[str]]:
    """The benchmarks named first, then the options for them."""
    names: list[str] = []
    for i, arg in enumerate(argv):
        if arg not in BENCHES:
            return names, argv[i:]
        names.append(arg)
    return names, []


def main() -> None:
    names, options = split(sys.argv[1:])
    if options and not names:
        sys.exit(f"unknown benchmark {options[0]!r}: one of {', '.join(BENCHES)}")
    if options and len(names) > 1:
        sys.exit("options go to one benchmark: name it alone")
    for name in names or DEFAULT:
        run = BENCHES[name]
        takes_options = bool(inspect.signature(run).parameters)
        if options and not takes_options:
            sys.exit(f"bench {name} takes no options")
        asyncio.run(run(options) if takes_options else run())


if __name__ == "__main__":
    main()
