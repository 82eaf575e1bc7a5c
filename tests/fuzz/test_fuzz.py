"""Every operation of every service, fuzzed with each role's credentials (and none) for about a
minute per service: no 5xx, no response that breaks its documented schema, no status the
operation does not document. See harness.py for what runs and conftest.py for how to run it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from .harness import (
    ServiceRun,
    Settings,
    fuzz_service,
    markdown,
    service_section,
    summary_line,
)
from .seed import Seed
from .stack import SERVICES, Services

pytestmark = pytest.mark.fuzz

_runs: dict[str, ServiceRun] = {}


@pytest.mark.parametrize("service", SERVICES)
def test_fuzz(
    service: str,
    fuzz_services: Services,
    fuzz_seed: Seed,
    fuzz_settings: Settings,
    fuzz_report: Path,
) -> None:
    run = fuzz_service(
        service,
        fuzz_services.url(service),
        fuzz_seed.tokens,
        fuzz_seed.values,
        fuzz_settings,
        log=fuzz_services.log(service),
    )
    _runs[service] = run
    fuzz_report.write_text(markdown([_runs[s] for s in SERVICES if s in _runs], fuzz_settings))
    (fuzz_report.parent / f"{service}.json").write_text(json.dumps(_as_json(run), indent=1))
    print(summary_line(run))
    assert fuzz_services.alive(service), f"{service} died during the fuzz run"
    assert run.requests > 0, f"{service}: no request was sent; see {fuzz_report}"
    engine_errors = [e for r in run.roles for e in r.errors]
    findings = Counter(f.kind for f in run.findings)
    assert not findings and not engine_errors, (
        f"{summary_line(run)}; engine errors: {len(engine_errors)}\n"
        f"full report: {fuzz_report} (JSON: {fuzz_report.parent / f'{service}.json'})\n"
        + _excerpt(run)
    )


def _excerpt(run: ServiceRun, lines: int = 60) -> str:
    """The service's part of the report, findings first, cut short for the test's output."""
    section = [line for line in service_section(run) if line.strip()]
    kept = section[:lines]
    more = f"\n... {len(section) - lines} more lines in the report" if len(section) > lines else ""
    return "\n".join(kept) + more


def _as_json(run: ServiceRun) -> dict[str, object]:
    return {
        "service": run.service,
        "elapsed_s": round(run.elapsed_s, 1),
        "operations": run.operations,
        "bindings": run.bindings,
        "roles": {
            r.role: {
                "elapsed_s": round(r.elapsed_s, 1),
                "stop_reason": r.stop_reason,
                "operations": sorted(r.operations),
                "responses": [[op, s, n] for (op, s), n in sorted(r.responses.items())],
                "errors": r.errors,
                "phases_s": {k: round(v, 1) for k, v in r.phases.items()},
                "slowest": [[round(t, 2), op, st] for t, op, st in r.slowest],
            }
            for r in run.roles
        },
        "findings": [
            {
                "role": f.role,
                "operation": f.operation,
                "check": f.check,
                "status": f.status,
                "title": f.title,
                "message": f.message[:2000],
                "curl": f.curl,
            }
            for f in run.findings
        ],
        "causes": [
            {
                "exception": c.exception,
                "where": c.where,
                "count": c.count,
                "operations": sorted(f"{o} ({r})" for o, r in c.operations),
            }
            for c in run.causes
        ],
    }
