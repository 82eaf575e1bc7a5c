"""Finding event contract classes where they must not be: the services' guard tests use this
to keep the contracts (ocop_shared.contracts) apart from their HTTP models and domain state."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import typing
from collections.abc import Callable
from types import ModuleType
from typing import Any

from pydantic import BaseModel

CONTRACTS = "ocop_shared.contracts"


def modules_under(name: str) -> list[ModuleType]:
    """A module, or a package and every module below it."""
    package = importlib.import_module(name)
    found = [package]
    if hasattr(package, "__path__"):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            found.append(importlib.import_module(info.name))
    return found


def is_contract(cls: type, contracts: str = CONTRACTS) -> bool:
    """A class of the event contracts, or one built on them."""
    return any(
        base.__module__ == contracts or base.__module__.startswith(contracts + ".")
        for base in inspect.getmro(cls)
    )


def contracts_in(
    tp: Any,
    contracts: str = CONTRACTS,
    *,
    localns: dict[str, Any] | None = None,
    _seen: set[int] | None = None,
) -> set[type]:
    """Every contract class a type is, subclasses, or holds anywhere in its fields (pydantic
    models and dataclasses, through generics). A dataclass's ``events`` field is left out: a
    decision carries the events it made, which is where contracts belong."""
    seen = set() if _seen is None else _seen
    if id(tp) in seen:
        return set()
    seen.add(id(tp))

    def inner(t: Any) -> set[type]:
        return contracts_in(t, contracts, localns=localns, _seen=seen)

    found: set[type] = set()
    for arg in typing.get_args(tp):
        found |= inner(arg)
    origin = typing.get_origin(tp)
    if origin is not None:
        return found | inner(origin)
    if not isinstance(tp, type):
        return found
    if is_contract(tp, contracts):
        found.add(tp)
    if issubclass(tp, BaseModel):
        for field in tp.model_fields.values():
            found |= inner(field.annotation)
    elif dataclasses.is_dataclass(tp):
        names = {**vars(importlib.import_module(tp.__module__)), **(localns or {})}
        for name, hint in typing.get_type_hints(tp, localns=names).items():
            if name != "events":
                found |= inner(hint)
    return found


def own_classes(module: ModuleType) -> list[type]:
    """The classes a module defines (not those it imports)."""
    return [
        v for v in vars(module).values() if isinstance(v, type) and v.__module__ == module.__name__
    ]


def own_functions(module: ModuleType) -> list[Callable[..., Any]]:
    """The functions a module defines, and the methods of its own classes."""
    functions: list[Callable[..., Any]] = [
        f
        for _, f in inspect.getmembers(module, inspect.isfunction)
        if f.__module__ == module.__name__
    ]
    methods = [
        f for cls in own_classes(module) for f in vars(cls).values() if inspect.isfunction(f)
    ]
    return functions + methods
