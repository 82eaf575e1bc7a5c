"""docker-compose.yml cannot run here (no Docker engine), so it is checked against the code:
every service, port, variable, file and command it names must exist and agree."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ocop_booths.app import BoothsSettings
from ocop_registration.app import RegistrationSettings
from ocop_sales.app import SalesSettings
from ocop_shared.settings import CommonSettings

REPO = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SETTINGS = {"registration": RegistrationSettings, "booths": BoothsSettings, "sales": SalesSettings}


def code_defaults(settings: type[CommonSettings]) -> dict[str, Any]:
    """The defaults written in the code: compose is checked against these, never against
    whatever the environment of the test run sets (OCOP_KAFKA_BOOTSTRAP, OCOP_PG_PORT...)."""
    return {name: field.default for name, field in settings.model_fields.items()}


def env_of(service: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in (service.get("environment") or {}).items()}


def test_the_three_services_their_migrations_and_the_infrastructure_are_there() -> None:
    assert set(COMPOSE["services"]) == {
        "kafka",
        "kafka-acls",
        "postgres",
        "registration",
        "booths",
        "sales",
        "migrate-registration",
        "migrate-booths",
        "migrate-sales",
    }


@pytest.mark.parametrize("name", ["registration", "booths", "sales"])
def test_each_service_matches_its_code(name: str) -> None:
    service = COMPOSE["services"][name]
    settings = SETTINGS[name]
    build = service["build"]
    assert build["dockerfile"] == "deploy/docker/Dockerfile"
    text = (REPO / build["dockerfile"]).read_text()
    # One recipe for all: the service's module comes from its build argument.
    assert build["args"]["SERVICE"] == name
    assert 'OCOP_SERVICE_MODULE="ocop_${SERVICE}"' in text
    assert 'exec python -m \\"$OCOP_SERVICE_MODULE\\" serve' in text
    assert '--package "ocop-${SERVICE}"' in text
    assert importlib.util.find_spec(f"ocop_{name}") is not None
    assert build["args"]["PORT"] == str(code_defaults(settings)["http_port"])
    assert "EXPOSE ${PORT}" in text
    assert COMPOSE["services"][f"migrate-{name}"]["build"] == build
    env = env_of(service)
    fields = {f"OCOP_{f.upper()}" for f in settings.model_fields}
    unknown = set(env) - fields - {"OCOP_WORKERS"}  # OCOP_WORKERS is read by the CLI
    assert not unknown, f"{name} sets variables no setting reads: {unknown}"
    port = code_defaults(settings)["http_port"]
    assert env["OCOP_HTTP_PORT"] == str(port)
    assert f"127.0.0.1:{port}:{port}" in service["ports"]
    assert f"127.0.0.1:{port}/health/ready" in " ".join(service["healthcheck"]["test"])
    assert env["OCOP_MIGRATE_ON_START"] == "false"
    migrate = COMPOSE["services"][f"migrate-{name}"]
    assert migrate["command"] == ["python", "-m", f"ocop_{name}", "migrate"]
    assert service["depends_on"][f"migrate-{name}"]["condition"] == "service_completed_successfully"
    assert env_of(migrate)["OCOP_DB_PASSWORD"] == env["OCOP_DB_PASSWORD"]
    # Production refuses default secrets: compose requires each one (deploy/docker/secrets.sh).
    for variable in ("OCOP_DB_PASSWORD", "OCOP_ADMIN_TOKEN", "OCOP_KAFKA_PASSWORD"):
        assert env[variable].startswith("${OCOP_") and ":?" in env[variable], variable
    # Its own Kafka principal, once the ACLs are granted.
    assert env["OCOP_KAFKA_USERNAME"] == name
    assert service["depends_on"]["kafka-acls"]["condition"] == "service_completed_successfully"


def test_infrastructure_agrees_with_the_local_stack() -> None:
    kafka, postgres = COMPOSE["services"]["kafka"], COMPOSE["services"]["postgres"]
    pom = (REPO / "deploy/local/kafka/pom.xml").read_text()
    version = re.search(r"<kafka.version>([\d.]+)</kafka.version>", pom)
    assert version and kafka["image"] == f"apache/kafka:{version.group(1)}"
    defaults = code_defaults(CommonSettings)
    local_kafka_port = defaults["kafka_bootstrap"].rsplit(":", 1)[1]
    assert f"127.0.0.1:{local_kafka_port}:{local_kafka_port}" in kafka["ports"]
    assert env_of(kafka)["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert f"127.0.0.1:{defaults['pg_port']}:5432" in postgres["ports"]
    assert env_of(postgres)["POSTGRES_USER"] == defaults["pg_admin_user"]
    assert env_of(postgres)["POSTGRES_DB"] == defaults["pg_database"]
    shared = COMPOSE["x-service-env"]
    assert (
        shared["OCOP_KAFKA_BOOTSTRAP"] == "kafka:9092"
        and "PLAINTEXT://kafka:9092" in env_of(kafka)["KAFKA_ADVERTISED_LISTENERS"]
    )
    assert shared["OCOP_PG_HOST"] == "postgres" and shared["OCOP_PG_PORT"] == "5432"


def test_kafka_authenticates_and_authorizes_and_no_secret_has_a_default() -> None:
    kafka = env_of(COMPOSE["services"]["kafka"])
    assert "PLAINTEXT:PLAINTEXT" not in kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"]
    assert kafka["KAFKA_AUTHORIZER_CLASS_NAME"].endswith("StandardAuthorizer")
    assert kafka["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
    start = COMPOSE["services"]["kafka"]["command"][-1]
    script = REPO / "deploy/docker/kafka" / start.removeprefix("/ocop/")
    text = script.read_text()
    for user in ("admin", "registration", "booths", "sales"):
        assert f'--add-scram "SCRAM-SHA-512=[name={user},' in text
    acls = COMPOSE["services"]["kafka-acls"]
    assert acls["command"] == ["python", "-m", "ocop_shared.kafka_acl", "apply", "--prefix", ""]
    assert env_of(acls)["OCOP_KAFKA_USERNAME"] == "admin"
    assert importlib.util.find_spec("ocop_shared.kafka_acl") is not None
    assert COMPOSE["x-service-env"]["OCOP_KAFKA_SECURITY_PROTOCOL"] != "PLAINTEXT"
    text = (REPO / "docker-compose.yml").read_text()
    assert not re.search(r"\$\{OCOP_[A-Z_]*(PASSWORD|TOKEN)[A-Z_]*:-", text)


def test_what_the_environment_sets_does_not_change_the_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A developer or CI with its own ports exported (another broker, another cluster) still
    checks compose against the code's defaults."""
    for name, value in {
        "OCOP_KAFKA_BOOTSTRAP": "127.0.0.1:39092",
        "OCOP_PG_PORT": "35432",
        "OCOP_PG_ADMIN_USER": "someone_else",
        "OCOP_PG_DATABASE": "ocop_elsewhere",
        "OCOP_HTTP_PORT": "18080",
    }.items():
        monkeypatch.setenv(name, value)
    test_infrastructure_agrees_with_the_local_stack()
    for name in SETTINGS:
        test_each_service_matches_its_code(name)
