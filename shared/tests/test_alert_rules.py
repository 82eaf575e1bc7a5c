"""The alert rules (deploy/observability/alerts.yml) pass promtool's check and their unit
tests (alerts.test.yml), and those unit tests prove every alert both ways: a rule that
never fires fails them. promtool comes from Debian's prometheus package (./dev installs it);
without it these tests fail, they do not skip."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

OBSERVABILITY = Path(__file__).resolve().parents[2] / "deploy" / "observability"
RULES = OBSERVABILITY / "alerts.yml"
RULE_TESTS = OBSERVABILITY / "alerts.test.yml"


def promtool(*args: str, cwd: Path = OBSERVABILITY) -> subprocess.CompletedProcess[str]:
    path = shutil.which("promtool")
    if path is None:
        pytest.fail(
            "promtool is missing: ./dev installs it (apt-get install --no-install-recommends "
            "prometheus)"
        )
    return subprocess.run(
        [path, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def alerts(rules: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for g in rules["groups"] for r in g["rules"] if "alert" in r]


def test_the_rules_pass_promtool_check() -> None:
    checked = promtool("check", "rules", RULES.name)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert (
        f"SUCCESS: {len(alerts(yaml.safe_load(RULES.read_text())))} rules found" in checked.stdout
    )


def test_the_rules_pass_their_unit_tests() -> None:
    tested = promtool("test", "rules", RULE_TESTS.name)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


def test_the_required_alerts_exist() -> None:
    exprs = {a["alert"]: a["expr"] for a in alerts(yaml.safe_load(RULES.read_text()))}
    assert set(exprs) == {
        "OcopOutboxStale",
        "OcopConsumerLagGrowing",
        "OcopDeadLetters",
        "OcopHttp5xxRate",
    }
    assert "ocop_outbox_oldest_unpublished_age_seconds" in exprs["OcopOutboxStale"]
    assert "> 60" in exprs["OcopOutboxStale"]
    assert "ocop_consumer_lag_messages[5m]" in exprs["OcopConsumerLagGrowing"]
    assert "ocop_dead_letters" in exprs["OcopDeadLetters"] and "> 0" in exprs["OcopDeadLetters"]
    assert 'status=~"5.."' in exprs["OcopHttp5xxRate"]


def test_every_alert_is_tested_firing_and_quiet() -> None:
    cases = [
        case
        for test in yaml.safe_load(RULE_TESTS.read_text())["tests"]
        for case in test["alert_rule_test"]
    ]
    for alert in alerts(yaml.safe_load(RULES.read_text())):
        mine = [c for c in cases if c["alertname"] == alert["alert"]]
        assert any(c["exp_alerts"] for c in mine), f"{alert['alert']} is never shown firing"
        assert any(not c["exp_alerts"] for c in mine), f"{alert['alert']} is never shown quiet"


@pytest.mark.parametrize("alert", [a["alert"] for a in alerts(yaml.safe_load(RULES.read_text()))])
def test_an_alert_that_never_fires_fails_the_unit_tests(alert: str, tmp_path: Path) -> None:
    rules = yaml.safe_load(RULES.read_text())
    for rule in alerts(rules):
        if rule["alert"] == alert:
            rule["expr"] = "vector(0) > 1"  # never true
    (tmp_path / RULES.name).write_text(yaml.safe_dump(rules))
    shutil.copy(RULE_TESTS, tmp_path / RULE_TESTS.name)
    tested = promtool("test", "rules", RULE_TESTS.name, cwd=tmp_path)
    assert tested.returncode != 0, f"the unit tests pass although {alert} never fires"
    assert alert in tested.stdout + tested.stderr


def test_the_dashboard_queries_are_valid_promql(tmp_path: Path) -> None:
    """Each panel's query, with Grafana's variables filled in, as a recording rule that
    promtool parses."""
    dashboard = json.loads((OBSERVABILITY / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    assert len(exprs) >= 12
    filled = [e.replace("$__rate_interval", "5m").replace("$service", ".*") for e in exprs]
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"dashboard:query{i}", "expr": e} for i, e in enumerate(filled)
                ],
            }
        ]
    }
    (tmp_path / "dashboard.yml").write_text(yaml.safe_dump(rules))
    checked = promtool("check", "rules", "dashboard.yml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
