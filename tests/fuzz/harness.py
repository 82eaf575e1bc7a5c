"""The fuzzing harness: schemathesis against every operation of a running service, once per
role (and once without credentials), all roles at once within one time budget.

Everything comes from the service's live OpenAPI document: the operations, and which path,
query and body fields name a record (``fair_id``, ``to_booth_id``, ``product_ids[*]``...),
bound to the seeded records of that kind so that most generated requests reach real ones
(the rest keep generated values, so "not found" paths are fuzzed too).

Checks: ``not_a_server_error`` (any 5xx), ``response_schema_conformance`` (the body breaks the
documented schema) and ``status_code_conformance`` (a status the operation does not
document), with continue-on-failure (every case of an operation runs and is checked, not
just those up to its first finding). Phases: examples, coverage (boundary and invalid values
per field, deterministic) and fuzzing (generated, repeated until the budget is spent).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import schemathesis
from schemathesis import BaseSchema
from schemathesis.config import SchemathesisConfig
from schemathesis.core.version import SCHEMATHESIS_VERSION
from schemathesis.engine import events
from schemathesis.engine import from_schema as engine_for

CHECKS = ("not_a_server_error", "response_schema_conformance", "status_code_conformance")
CLASS_OF_CHECK = {
    "not_a_server_error": "5xx",
    "response_schema_conformance": "schema",
    "status_code_conformance": "status",
}
ANONYMOUS = "anonymous"
# A field named after a kind of record: "<kind>_id", "<kind>_ids", "<something>_<kind>_id".
ID_FIELD = re.compile(r"^(?:.*_)?(?P<kind>[a-z]+)_ids?$")
ALIASES = {"holder": "exhibitor", "member": "exhibitor", "number": "certificate"}
EXTRA_FIELDS = {"terminal": "terminal", "certificate_numbers": "certificate"}


@dataclass(frozen=True)
class Settings:
    budget_s: int = 60  # per service: all its roles run at once within it
    max_examples: int = 30  # per operation and phase, in the deep pass
    sweep_examples: int = 3  # per operation, in the sweep
    workers: int = max(2, os.cpu_count() or 2)  # roles fuzzed at once (generation is CPU-bound)
    seed: int = 20250
    # Catches a request that hangs, not a slow machine: the checks are not about time.
    request_timeout_s: float = 60.0
    bind_probability: float = 0.8  # how often a bound field takes a seeded id


@dataclass(frozen=True)
class Finding:
    service: str
    role: str
    operation: str  # "POST /sales"
    check: str
    status: int | None
    title: str
    message: str
    curl: str
    method: str = ""
    url: str = ""
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def kind(self) -> str:
        return CLASS_OF_CHECK.get(self.check, self.check)


@dataclass
class RoleRun:
    role: str
    elapsed_s: float = 0.0
    operations: set[str] = field(default_factory=set)
    responses: Counter[tuple[str, int]] = field(default_factory=Counter)  # (operation, status)
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the engine's own (not the API's)
    stop_reason: str = ""
    slowest: list[tuple[float, str, int]] = field(default_factory=list)  # (s, operation, status)
    phases: dict[str, float] = field(default_factory=dict)  # phase -> seconds


@dataclass
class ServiceRun:
    service: str
    url: str
    operations: list[str]
    documented: dict[str, set[str]]  # operation -> documented statuses
    bindings: dict[str, str]  # parameter key -> kind
    roles: list[RoleRun]
    elapsed_s: float
    causes: list[Cause] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.roles for f in r.findings]

    @property
    def requests(self) -> int:
        return sum(sum(r.responses.values()) for r in self.roles)


@dataclass
class Cause:
    """A 5xx root cause, as the service's log tells it: the exception and where it was raised."""

    exception: str  # "ValueError: year 0 is out of range"
    where: str  # the innermost frame in the project's code
    count: int = 0  # tracebacks of it in the service's log during the run
    operations: set[tuple[str, str]] = field(default_factory=set)  # (operation, role) replayed

    @property
    def key(self) -> tuple[str, str]:
        return (self.exception.split(":", 1)[0], self.where)


# --- the OpenAPI document -------------------------------------------------------------------


def operations_of(openapi: dict[str, Any]) -> tuple[list[str], dict[str, set[str]]]:
    ops, documented = [], {}
    for path, item in openapi.get("paths", {}).items():
        for method, op in item.items():
            if method.lower() not in {"get", "put", "post", "patch", "delete"}:
                continue
            label = f"{method.upper()} {path}"
            ops.append(label)
            documented[label] = set(op.get("responses", {}))
    return ops, documented


def kind_of(name: str, known: Iterable[str]) -> str | None:
    if name in EXTRA_FIELDS:
        return EXTRA_FIELDS[name]
    match = ID_FIELD.match(name)
    if not match:
        return None
    kind = ALIASES.get(match["kind"], match["kind"])
    return kind if kind in known else None


def bindings_of(openapi: dict[str, Any], known: Iterable[str]) -> dict[str, str]:
    """Parameter keys (schemathesis' ``parameters`` syntax) -> kind of record."""
    known = set(known)
    out: dict[str, str] = {}
    for item in openapi.get("paths", {}).values():
        for op in item.values():
            if not isinstance(op, dict):
                continue
            for param in op.get("parameters", []):
                kind = kind_of(param.get("name", ""), known)
                if kind and param.get("in") in ("path", "query"):
                    out[f"{param['in']}.{param['name']}"] = kind
            content = op.get("requestBody", {}).get("content", {})
            for media in content.values():
                for path, name in _body_fields(openapi, media.get("schema", {}), (), set()):
                    kind = kind_of(name, known)
                    if kind:
                        out["body." + ".".join(path)] = kind
    return out


def _body_fields(
    doc: dict[str, Any], schema: Any, prefix: tuple[str, ...], seen: set[str]
) -> Iterator[tuple[tuple[str, ...], str]]:
    """(path in schemathesis' body binding syntax, field name) for every scalar field or array
    of scalars, through $refs, arrays of objects and anyOf/allOf."""
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if ref in seen:
            return
        target: Any = doc
        for part in ref.lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        yield from _body_fields(doc, target, prefix, seen | {ref})
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            yield from _body_fields(doc, sub, prefix, seen)
    for name, sub in schema.get("properties", {}).items():
        resolved = _resolve(doc, sub)
        items = (
            _resolve(doc, resolved.get("items", {})) if resolved.get("type") == "array" else None
        )
        if items is not None and (items.get("properties") or "$ref" in resolved.get("items", {})):
            yield from _body_fields(doc, resolved["items"], (*prefix, f"{name}[*]"), seen)
        elif items is not None:
            yield (*prefix, f"{name}[*]"), name
        elif resolved.get("properties") or any(k in resolved for k in ("anyOf", "oneOf", "allOf")):
            if _scalar_variant(doc, resolved):
                yield (*prefix, name), name
            yield from _body_fields(doc, sub, (*prefix, name), seen)
        else:
            yield (*prefix, name), name


def _resolve(doc: dict[str, Any], schema: Any) -> dict[str, Any]:
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        target: Any = doc
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        schema = target
    return schema if isinstance(schema, dict) else {}


def _scalar_variant(doc: dict[str, Any], schema: dict[str, Any]) -> bool:
    variants = schema.get("anyOf", []) + schema.get("oneOf", [])
    return any(_resolve(doc, v).get("type") in ("string", "integer") for v in variants)


# --- one role's run -------------------------------------------------------------------------


@dataclass(frozen=True)
class Pass:
    """One schemathesis run for one role: which phases, how many examples, which operations,
    how long at most (None: until every operation had its examples)."""

    phases: tuple[str, ...]
    max_examples: int
    operations: frozenset[str] | None = None
    max_time_s: int | None = None


SWEEP_PHASES = ("fuzzing",)
DEEP_PHASES = ("examples", "coverage", "fuzzing")


def config_for(
    url: str,
    token: str | None,
    values: dict[str, list[str]],
    bindings: dict[str, str],
    settings: Settings,
    plan: Pass,
) -> SchemathesisConfig:
    used = sorted(set(bindings.values()))
    data: dict[str, Any] = {
        "base-url": url,
        "seed": settings.seed,
        "continue-on-failure": True,
        "workers": 1,
        "request-timeout": settings.request_timeout_s,
        "suppress-health-check": ["all"],
        "warnings": False,
        "headers": {"Authorization": f"Bearer {token}"} if token else {},
        "generation": {
            "mode": "all",
            "max-examples": plan.max_examples,
            "deterministic": True,
            "no-shrink": True,  # every failing case is recorded anyway; shrinking costs budget
            "database": "none",
        },
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        "phases": {
            "examples": {"enabled": "examples" in plan.phases},
            # No requests with methods the path does not declare: 405s are not this run's subject.
            "coverage": {"enabled": "coverage" in plan.phases, "unexpected-methods": []},
            "fuzzing": {"enabled": "fuzzing" in plan.phases},
            "stateful": {"enabled": False},
        },
        "dictionaries": {kind: {"values": values[kind]} for kind in used},
        "parameters": {
            key: {"dictionary": kind, "probability": settings.bind_probability}
            for key, kind in bindings.items()
        },
    }
    if plan.max_time_s is not None:
        data["max-time"] = max(1, plan.max_time_s)
    return SchemathesisConfig.from_dict(data)


def run_role(
    service: str,
    url: str,
    openapi: dict[str, Any],
    role: str,
    token: str | None,
    values: dict[str, list[str]],
    bindings: dict[str, str],
    settings: Settings,
    plan: Pass,
) -> RoleRun:
    out = RoleRun(role)
    started = phase_started = time.monotonic()
    config = config_for(url, token, values, bindings, settings, plan)
    schema: BaseSchema = schemathesis.openapi.from_dict(openapi, config=config)
    if plan.operations is not None:
        schema = schema.include(name=sorted(plan.operations))
    seen: set[str] = set()  # a recorder may come again as its scenario grows
    for event in engine_for(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            _collect(service, role, event.recorder, out, seen)
        elif isinstance(event, events.NonFatalError):
            out.errors.append(f"{event.label}: {event.info.title}: {event.info.message}"[:500])
        elif isinstance(event, events.FatalError):
            out.errors.append(f"fatal: {event.exception!r}"[:500])
        elif isinstance(event, events.PhaseStarted):
            phase_started = time.monotonic()
        elif isinstance(event, events.PhaseFinished):
            name = str(event.phase.name)
            out.phases[name] = out.phases.get(name, 0.0) + time.monotonic() - phase_started
        elif isinstance(event, events.EngineFinished):
            out.stop_reason = str(event.stop_reason)
    out.elapsed_s = time.monotonic() - started
    return out


def _collect(service: str, role: str, recorder: Any, out: RoleRun, seen: set[str]) -> None:
    for case_id, interaction in recorder.interactions.items():
        if case_id in seen:
            continue
        seen.add(case_id)
        node = recorder.cases.get(case_id)
        label = node.value.operation.label if node is not None else recorder.label
        out.operations.add(label)
        response = interaction.response
        if response is not None:
            out.responses[(label, response.status_code)] += 1
            out.slowest.append((response.elapsed, label, response.status_code))
            out.slowest = sorted(out.slowest, reverse=True)[:10]
        for check in recorder.checks.get(case_id, []):
            info = check.failure_info
            if info is None or check.name not in CHECKS:
                continue
            failure = info.failure
            request = interaction.request
            out.findings.append(
                Finding(
                    service=service,
                    role=role,
                    operation=failure.operation or label,
                    check=check.name,
                    status=response.status_code if response is not None else None,
                    title=failure.title,
                    message=failure.message,
                    curl=info.steps[-1].curl if info.steps else info.code_sample,
                    method=request.method,
                    url=request.uri,
                    body=request.body,
                    headers=tuple((k, v[0]) for k, v in request.headers.items() if v),
                )
            )


def merge(first: RoleRun, second: RoleRun) -> RoleRun:
    out = RoleRun(first.role, elapsed_s=first.elapsed_s + second.elapsed_s)
    out.operations = first.operations | second.operations
    out.responses = first.responses + second.responses
    out.findings = first.findings + second.findings
    out.errors = first.errors + second.errors
    out.stop_reason = second.stop_reason or first.stop_reason
    out.slowest = sorted(first.slowest + second.slowest, reverse=True)[:10]
    for run in (first, second):
        for name, seconds in run.phases.items():
            key = name if run is second else f"sweep {name}"
            out.phases[key] = out.phases.get(key, 0.0) + seconds
    return out


# --- a service's run ------------------------------------------------------------------------


def reachable(run: RoleRun, operations: list[str]) -> set[str]:
    """The operations not shown closed to this role: those it got past authentication and
    authorization on at least once, and those the sweep did not get to."""
    closed = {op for op, _ in run.responses} - {
        op for (op, status) in run.responses if status not in (401, 403)
    }
    return set(operations) - closed


def fuzz_service(
    service: str,
    url: str,
    tokens: dict[str, str],
    values: dict[str, list[str]],
    settings: Settings,
    *,
    log: Path | None = None,
) -> ServiceRun:
    """Two passes, all roles at once in each, within ``budget_s`` together:

    - a sweep: every operation with a few examples per role, which also tells which
      operations each role gets past authorization on (a 403 or 401 to everything it sends
      is a finding only if undocumented, and a few requests show that);
    - the deep pass: every phase with ``max_examples``, each role on the operations it got
      through, for the rest of the budget.

    One process per role (schemathesis is not safe in several threads of one process:
    CPython's compiler trips over code generated at once), forked from this one."""
    openapi = httpx.get(url + "/openapi.json", timeout=30).json()
    ops, documented = operations_of(openapi)
    bindings = bindings_of(openapi, values)
    log_from = log.stat().st_size if log is not None and log.exists() else 0
    roles: list[tuple[str, str | None]] = [(ANONYMOUS, None), *tokens.items()]
    started = time.monotonic()
    # Roles wait their turn for a worker: each pass gets its share of the time.
    share = max(1, len(roles) / settings.workers)
    sweep = Pass(
        SWEEP_PHASES, settings.sweep_examples, max_time_s=int(settings.budget_s / 4 / share)
    )
    swept = _parallel(
        service, url, openapi, roles, values, bindings, settings, {r: sweep for r, _ in roles}
    )
    deep_roles = [(r.role, dict(roles)[r.role]) for r in swept if reachable(r, ops)]
    left = settings.budget_s - (time.monotonic() - started)
    seconds = int(left / max(1, len(deep_roles) / settings.workers))
    plans = {
        r.role: Pass(DEEP_PHASES, settings.max_examples, frozenset(reachable(r, ops)), seconds)
        for r in swept
        if reachable(r, ops)
    }
    deep = {}
    if seconds >= 5:
        deep = {
            r.role: r
            for r in _parallel(service, url, openapi, deep_roles, values, bindings, settings, plans)
        }
    runs = [merge(run, deep[run.role]) if run.role in deep else run for run in swept]
    result = ServiceRun(service, url, ops, documented, bindings, runs, time.monotonic() - started)
    if log is not None:
        result.causes = causes_of(result, log, log_from)
    return result


def _parallel(
    service: str,
    url: str,
    openapi: dict[str, Any],
    roles: list[tuple[str, str | None]],
    values: dict[str, list[str]],
    bindings: dict[str, str],
    settings: Settings,
    plans: dict[str, Pass],
) -> list[RoleRun]:
    if not roles:
        return []
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(min(len(roles), settings.workers), mp_context=context) as pool:
        futures = [
            pool.submit(
                run_role,
                service,
                url,
                openapi,
                role,
                token,
                values,
                bindings,
                settings,
                plans[role],
            )
            for role, token in roles
        ]
        return [f.result() for f in futures]


# --- 5xx root causes ------------------------------------------------------------------------

FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>\S+)')


def tracebacks(text: str) -> list[tuple[str, str]]:
    """(exception, innermost project frame) of each traceback in a log. A chained traceback
    (``During handling...``, ``The above exception...``) counts once, by the exception that
    started it (the first block): the later ones are its consequences."""
    out: list[tuple[str, str]] = []
    frames: list[str] = []
    in_block = chained = False
    for line in text.splitlines():
        if line.startswith("Traceback (most recent call last):"):
            in_block = True
            if not chained:
                frames = []
            continue
        if in_block and (line.startswith((" ", "\t")) or not line.strip()):
            if not chained:
                frames.append(line)
            continue
        if in_block:  # the exception line closes the block
            in_block = False
            if not chained:
                out.append((line.strip()[:300], _where(frames)))
            chained = True
            continue
        if line.startswith(("During handling of the above", "The above exception")):
            continue
        chained = False
    return out


def _where(frames: list[str]) -> str:
    found = [m for m in map(FRAME.search, frames) if m]
    ours = [m for m in found if re.search(r"/(services|shared|cli)/", m["file"])]
    if not (ours or found):
        return "?"
    last = (ours or found)[-1]
    return f"{_short(last['file'])}:{last['line']} in {last['func']}"


def _short(path: str) -> str:
    for marker in ("/services/", "/shared/src/", "/cli/src/", "/site-packages/"):
        if marker in path:
            return marker.strip("/").split("/")[0] + "/" + path.split(marker, 1)[1]
    return path


def _read_from(log: Path, offset: int) -> str:
    with log.open("rb") as f:
        f.seek(offset)
        return f.read().decode("utf-8", errors="replace")


def causes_of(run: ServiceRun, log: Path, offset: int, replays: int = 40) -> list[Cause]:
    """Groups the tracebacks the service logged during the run, then replays one request per
    (operation, role) that got a 5xx, alone, to tie each operation to its cause."""
    causes: dict[tuple[str, str], Cause] = {}
    for exception, where in tracebacks(_read_from(log, offset)):
        cause = causes.setdefault((exception.split(":", 1)[0], where), Cause(exception, where))
        cause.count += 1
    samples: dict[tuple[str, str], Finding] = {}
    for f in run.findings:
        if f.kind == "5xx":
            samples.setdefault((f.operation, f.role), f)
    with httpx.Client(timeout=30) as http:
        for (operation, role), f in list(samples.items())[:replays]:
            before = log.stat().st_size
            try:
                http.request(f.method, f.url, content=f.body, headers=dict(f.headers))
            except httpx.HTTPError:
                continue
            time.sleep(0.2)  # the log line is written after the answer
            found = tracebacks(_read_from(log, before))
            if not found:
                causes.setdefault(("not reproduced", "?"), Cause("not reproduced alone", "?"))
                causes[("not reproduced", "?")].operations.add((operation, role))
                continue
            exception, where = found[0]
            cause = causes.setdefault((exception.split(":", 1)[0], where), Cause(exception, where))
            cause.operations.add((operation, role))
    return sorted(causes.values(), key=lambda c: -c.count)


# --- the report -----------------------------------------------------------------------------


def summary_line(run: ServiceRun) -> str:
    kinds = Counter(f.kind for f in run.findings)
    return (
        f"{run.service}: {run.elapsed_s:.0f} s, {run.requests} requests over "
        f"{len({o for r in run.roles for o in r.operations})}/{len(run.operations)} operations "
        f"x {len(run.roles)} roles; findings: {kinds['5xx']} 5xx, {kinds['schema']} schema "
        f"violations, {kinds['status']} undocumented statuses"
    )


def markdown(runs: list[ServiceRun], settings: Settings) -> str:
    out = [
        "# Fuzz findings",
        "",
        f"schemathesis {SCHEMATHESIS_VERSION}; checks {', '.join(CHECKS)}; "
        f"continue-on-failure; {settings.max_examples} examples per operation and pass; seed "
        f"{settings.seed}; {settings.budget_s} s per service, all roles at once "
        "(anonymous, " + ", ".join(r.role for r in runs[0].roles[1:]) + ")."
        if runs
        else "",
        "",
        "| service | time | requests | operations reached | 5xx | schema | undocumented status |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        kinds = Counter(f.kind for f in run.findings)
        reached = len({o for r in run.roles for o in r.operations})
        out.append(
            f"| {run.service} | {run.elapsed_s:.0f} s | {run.requests} | {reached}/{len(run.operations)} "
            f"| {kinds['5xx']} | {kinds['schema']} | {kinds['status']} |"
        )
    out += ["", "Counts are failing (case, check) pairs; each case is one request.", ""]
    for run in runs:
        out += service_section(run)
    return "\n".join(out) + "\n"


def service_section(run: ServiceRun) -> list[str]:
    out = [f"## {run.service}", ""]
    statuses: Counter[int] = Counter()
    per_role = []
    for r in run.roles:
        n = sum(r.responses.values())
        for (_op, status), count in r.responses.items():
            statuses[status] += count
        per_role.append(f"{r.role} {n} ({len(r.operations)} ops)")
    out.append("Requests per role: " + ", ".join(per_role) + ".")
    out.append(
        "Statuses answered: " + ", ".join(f"{s}: {c}" for s, c in sorted(statuses.items())) + "."
    )
    errors = [f"{r.role}: {e}" for r in run.roles for e in r.errors]
    if errors:
        out += ["", "Engine errors (the harness's, not the API's):", ""]
        out += [f"- {e}" for e in sorted(set(errors))[:20]]
    findings = run.findings
    fivexx = [f for f in findings if f.kind == "5xx"]
    out += ["", f"### 5xx ({len(fivexx)})", ""]
    if fivexx:
        by_op: dict[str, Counter[str]] = defaultdict(Counter)
        for f in fivexx:
            by_op[f.operation][f.role] += 1
        if run.causes:
            out += ["By root cause (tracebacks in the service's log; operations by replaying one "
                    "failing request per operation and role alone):", ""]  # fmt: skip
            for c in run.causes:
                ops = ", ".join(sorted({f"`{o}`" for o, _ in c.operations})) or "(none replayed)"
                out.append(f"- **{c.exception}** at `{c.where}`: {c.count} in the log; {ops}")
            out.append("")
        out += ["By operation:", ""]
        for op, roles in sorted(by_op.items()):
            sample = next(f for f in fivexx if f.operation == op)
            out.append(
                f"- `{op}`: {sum(roles.values())} ({_roles(roles)}); e.g. `{_one_line(sample.curl)}`"
            )
    schema = [f for f in findings if f.kind == "schema"]
    out += ["", f"### Responses that break their schema ({len(schema)})", ""]
    groups: dict[tuple[str, int | None, str], list[Finding]] = defaultdict(list)
    for f in schema:
        groups[(f.operation, f.status, _first_line(f.message))].append(f)
    for (op, code, msg), fs in sorted(groups.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        out.append(f"- `{op}` {code}: {msg} — {len(fs)} ({_roles(Counter(f.role for f in fs))})")
    undocumented = [f for f in findings if f.kind == "status"]
    out += ["", f"### Undocumented statuses ({len(undocumented)})", ""]
    by_status: dict[int | None, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for f in undocumented:
        by_status[f.status][f.operation][f.role] += 1
    for code, by_op in sorted(by_status.items(), key=lambda kv: str(kv[0])):
        total = sum(sum(c.values()) for c in by_op.values())
        out.append(f"- **{code}** ({total}, {len(by_op)} operations):")
        for op, who in sorted(by_op.items()):
            out.append(
                f"  - `{op}` (documents {', '.join(sorted(run.documented.get(op, [])))}): "
                f"{sum(who.values())} ({_roles(who)})"
            )
    unreached = sorted(set(run.operations) - {o for r in run.roles for o in r.operations})
    if unreached:
        out += ["", "Operations no role reached within the budget: "
                + ", ".join(f"`{o}`" for o in unreached)]  # fmt: skip
    out.append("")
    return out


def _roles(counter: Counter[str]) -> str:
    return ", ".join(f"{role} {n}" for role, n in counter.most_common())


def _first_line(text: str) -> str:
    line = next((s.strip() for s in text.splitlines() if s.strip()), "")
    return line[:200]


def _one_line(text: str) -> str:
    text = re.sub(r"\s*\\\n\s*", " ", text)
    text = re.sub(r"Bearer [A-Za-z0-9_\-]+", "Bearer <token>", text)
    return text.strip()[:400]
