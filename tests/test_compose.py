"""docker-compose.yml cannot run here (no Docker engine), so it is checked against the code:
every service, port, variable, file and command it names must exist and agree."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr

from ocop_booths.app import BoothsSettings
from ocop_registration.app import RegistrationSettings
from ocop_sales.app import SalesSettings
from ocop_shared import docs, kafka_acl
from ocop_shared.settings import CommonSettings, secret_problem
from ocop_shared.topics import SALES_SALES
from ocop_web import assets
from ocop_web.live import LiveSettings
from ocop_web.settings import WebSettings

REPO = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SETTINGS = {"registration": RegistrationSettings, "booths": BoothsSettings, "sales": SalesSettings}
DOCKERFILE = REPO / "deploy/docker/Dockerfile"
# "${NAME:?message}": compose refuses to start without NAME (no default).
REQUIRED = re.compile(r"^\$\{(OCOP_[A-Z_]+):\?[^}]*\}$")


def code_defaults(settings: type[CommonSettings]) -> dict[str, Any]:
    """The defaults written in the code: compose is checked against these, never against
    whatever the environment of the test run sets (OCOP_KAFKA_BOOTSTRAP, OCOP_PG_PORT...)."""
    return {name: field.default for name, field in settings.model_fields.items()}


def env_of(service: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in (service.get("environment") or {}).items()}


def required(value: str) -> str:
    """The variable a required reference names ("${OCOP_X:?...}" → OCOP_X)."""
    found = REQUIRED.match(value)
    assert found, f"{value!r} is not a required variable (${{NAME:?...}})"
    return found.group(1)


def stages(dockerfile: str) -> list[str]:
    """The Dockerfile's build stages, each from its FROM line on (comments left out)."""
    code = "\n".join(x for x in dockerfile.splitlines() if not x.lstrip().startswith("#"))
    return ["FROM" + part for part in re.split(r"(?m)^FROM", code)[1:]]


def test_the_services_their_migrations_the_web_app_and_the_infrastructure_are_there() -> None:
    assert set(COMPOSE["services"]) == {
        "kafka",
        "kafka-users",
        "kafka-acls",
        "postgres",
        "registration",
        "booths",
        "sales",
        "migrate-registration",
        "migrate-booths",
        "migrate-sales",
        "web",
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
    # Only the migration connects as the database's owner.
    assert "OCOP_PG_ADMIN_PASSWORD" in env_of(migrate)
    assert "OCOP_PG_ADMIN_PASSWORD" not in env
    # Production refuses default secrets: compose requires each one (deploy/docker/secrets.sh).
    for variable in ("OCOP_DB_PASSWORD", "OCOP_ADMIN_TOKEN", "OCOP_KAFKA_PASSWORD"):
        assert env[variable].startswith("${OCOP_") and ":?" in env[variable], variable
    # Its own Kafka principal, once the ACLs are granted.
    assert env["OCOP_KAFKA_USERNAME"] == name
    assert service["depends_on"]["kafka-acls"]["condition"] == "service_completed_successfully"


def test_the_web_app_matches_its_code() -> None:
    web = COMPOSE["services"]["web"]
    build = web["build"]
    # The same recipe as the services, built for ocop-web with its liveness route.
    assert build["dockerfile"] == "deploy/docker/Dockerfile" and build["context"] == "."
    assert build["args"]["SERVICE"] == "web"
    assert importlib.util.find_spec("ocop_web.__main__") is not None
    port = WebSettings.model_fields["http_port"].default
    assert build["args"]["PORT"] == str(port)
    assert build["args"]["HEALTH_PATH"] == "/health/live"
    # (read, not imported: the compose check stays apart from the pages' code)
    app = importlib.util.find_spec("ocop_web.app")
    assert app and app.origin
    assert '@app.get("/health/live"' in Path(app.origin).read_text()
    env = env_of(web)
    fields = {f"OCOP_{f.upper()}" for f in (*WebSettings.model_fields, *LiveSettings.model_fields)}
    unknown = set(env) - fields
    assert not unknown, f"web sets variables no setting reads: {unknown}"
    assert env["OCOP_ENV"] == "production"
    assert env["OCOP_HTTP_PORT"] == str(port)
    assert f"127.0.0.1:{port}:{port}" in web["ports"]
    assert f"127.0.0.1:{port}/health/live" in " ".join(web["healthcheck"]["test"])
    # The three services by their names on the compose network, on their own ports.
    for name, settings in SETTINGS.items():
        service_port = code_defaults(settings)["http_port"]
        assert env[f"OCOP_{name.upper()}_URL"] == f"http://{name}:{service_port}"
        assert web["depends_on"][name]["condition"] == "service_healthy"
    # Its secrets are required, with no default; it owns no data: no database password, no
    # admin token.
    assert required(env["OCOP_WEB_SECRET"]) == "OCOP_WEB_SECRET"
    assert required(env["OCOP_KAFKA_PASSWORD"]) == "OCOP_WEB_KAFKA_PASSWORD"
    for variable in ("OCOP_DB_PASSWORD", "OCOP_ADMIN_TOKEN", "OCOP_PG_ADMIN_PASSWORD"):
        assert variable not in env, variable
    # Kafka as its own principal, over SASL, once the ACLs (its READ) are granted.
    assert env["OCOP_KAFKA_USERNAME"] == "web" and "web" in kafka_acl.READERS
    assert env["OCOP_KAFKA_BOOTSTRAP"] == COMPOSE["x-service-env"]["OCOP_KAFKA_BOOTSTRAP"]
    assert env["OCOP_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
    assert web["depends_on"]["kafka-acls"]["condition"] == "service_completed_successfully"
    assert web["restart"] == "unless-stopped"


def test_the_web_app_starts_in_production_with_what_compose_gives_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its settings and its live consumer's, read from the compose environment with every
    required secret filled in as secrets.sh would: production accepts them."""
    for name in list(os.environ):
        if name.startswith("OCOP_"):
            monkeypatch.delenv(name)
    image = {"OCOP_HTTP_HOST": "0.0.0.0"}  # the Dockerfile's ENV
    for name, value in {**image, **env_of(COMPOSE["services"]["web"])}.items():
        if REQUIRED.match(value):
            value = os.urandom(24).hex()
        monkeypatch.setenv(name, value)
    web = WebSettings()
    assert web.env == "production" and web.service_urls()["sales"] == "http://sales:8003"
    live = LiveSettings()  # InsecureSettings if production refused what compose gives
    assert live.kafka_username == "web" and live.kafka_security_protocol == "SASL_PLAINTEXT"
    assert live.live_updates and live.insecure() == {}


def test_kafka_acls_grants_the_web_app_its_read() -> None:
    """The one-shot step applies the whole table (every principal, for the prefix ""), which
    gives the web app READ on sales.sales and nothing else."""
    acls = COMPOSE["services"]["kafka-acls"]
    assert acls["command"] == ["python", "-m", "ocop_shared.kafka_acl", "apply", "--prefix", ""]
    granted = [b for b in kafka_acl.bindings("") if b.principal == "User:web"]
    assert granted == [
        kafka_acl.Binding(
            "User:web", kafka_acl.TOPIC, SALES_SALES.physical(""), kafka_acl.LITERAL, kafka_acl.READ
        )
    ]


def test_secrets_sh_writes_every_secret_compose_requires(tmp_path: Path) -> None:
    text = (REPO / "docker-compose.yml").read_text()
    needed = set(re.findall(r"\$\{(OCOP_[A-Z_]+):\?", text))
    assert {"OCOP_WEB_SECRET", "OCOP_WEB_KAFKA_PASSWORD"} <= needed
    script = tmp_path / "deploy/docker/secrets.sh"
    script.parent.mkdir(parents=True)
    shutil.copy(REPO / "deploy/docker/secrets.sh", script)

    def run() -> dict[str, str]:
        subprocess.run(["bash", str(script)], check=True, capture_output=True)
        env_file = tmp_path / ".env"
        assert env_file.stat().st_mode & 0o777 == 0o600
        lines = [x for x in env_file.read_text().splitlines() if x and not x.startswith("#")]
        return dict(x.split("=", 1) for x in lines)

    written = run()
    assert set(written) == needed
    for name, value in written.items():
        assert secret_problem(SecretStr(value)) is None, name
    assert len(written["OCOP_WEB_SECRET"]) >= 32  # WebSettings' minimum in production
    # An .env written before the web app existed: the new secrets are added, the others kept.
    older = {k: v for k, v in written.items() if not k.startswith("OCOP_WEB_")}
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in older.items()).rstrip("\n"))
    (tmp_path / ".env").chmod(0o644)
    again = run()
    assert set(again) == needed and {k: again[k] for k in older} == older


def test_every_image_carries_its_assets_installed_and_checked_at_build() -> None:
    """Node runs in a build stage only (npm ci without install scripts), install.py copies and
    checks each file against the manifest, and the runtime stage takes the checked files where
    ocop_shared.docs and ocop_web.assets look for them: nothing is fetched at run time."""
    text = DOCKERFILE.read_text()
    *build_stages, runtime = stages(text)
    npm = next(s for s in build_stages if s.startswith("FROM node:"))
    assert "npm ci --ignore-scripts" in npm
    assert "COPY services/web/assets/package.json services/web/assets/package-lock.json" in npm
    checked = next(s for s in build_stages if "install.py" in s)
    assert re.search(r"^RUN python3 services/web/assets/install\.py$", checked, re.M)
    assert "services/web/assets/manifest.json" in checked
    checked_name = checked.split("\n", 1)[0].split(" AS ")[1].strip()
    # The runtime: no Node, and every file the manifest names for a running process (the
    # tests' axe-core aside) comes from the checked stage into the folder it is served from.
    assert not re.search(r"\b(npm|node)\b", runtime.replace("node_modules", ""))
    copied = re.findall(rf"^COPY --from={checked_name} /src/(\S+) (\S+)$", runtime, re.M)
    assert copied and all(source == target for source, target in copied)
    served = {
        docs.ASSETS.relative_to(REPO).as_posix(),
        (assets.STATIC / "vendor").relative_to(REPO).as_posix(),
    }
    assert {target for _, target in copied} == served
    manifest = json.loads((REPO / "services/web/assets/manifest.json").read_text())
    for entry in manifest["files"]:
        if "/tests/" in entry["to"]:
            continue
        assert any(entry["to"].startswith(folder + "/") for folder in served), entry["to"]
    assert all(name in [Path(e["to"]).name for e in manifest["files"]] for name in docs.REQUIRED)
    # The copies come after the sources (a developer's own copies never reach the image:
    # .dockerignore) and before the install.
    assert runtime.index("COPY shared shared") < runtime.index(f"--from={checked_name}")
    assert runtime.index(f"--from={checked_name}") < runtime.index("uv sync")
    ignored = (REPO / ".dockerignore").read_text().split()
    for path in ("**/node_modules", ".env", ".local", *sorted(served)):
        assert path in ignored, path
    # The image's own health check asks the route its build argument names.
    assert "ARG HEALTH_PATH=/health/ready" in runtime
    assert "os.environ['HEALTH_PATH']" in runtime


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
    for user in ("admin", *kafka_acl.PRINCIPALS):
        assert f'--add-scram "SCRAM-SHA-512=[name={user},' in text
        if user != "admin":
            variable = f"OCOP_{user.upper()}_KAFKA_PASSWORD"
            assert f"password=${variable}]" in text
            assert f'"${{{variable}:?}}"' in text  # start.sh refuses to run without it
            assert required(kafka[variable]) == variable
    # A broker formatted before a user existed (the web app's) gets it from the one-shot
    # kafka-users step, which sets every client user's credential from .env as the admin.
    users = COMPOSE["services"]["kafka-users"]
    assert users["image"] == COMPOSE["services"]["kafka"]["image"]
    script = REPO / "deploy/docker/kafka" / users["command"][-1].removeprefix("/ocop/")
    listed = re.search(r"^USERS=\((.*)\)$", script.read_text(), re.M)
    assert listed and set(listed.group(1).split()) == set(kafka_acl.PRINCIPALS)
    assert users["depends_on"]["kafka"]["condition"] == "service_healthy"
    for user in kafka_acl.PRINCIPALS:
        variable = f"OCOP_{user.upper()}_KAFKA_PASSWORD"
        assert env_of(users)[variable] == env_of(COMPOSE["services"]["kafka"])[variable]
    acls = COMPOSE["services"]["kafka-acls"]
    assert acls["depends_on"]["kafka-users"]["condition"] == "service_completed_successfully"
    assert acls["command"] == ["python", "-m", "ocop_shared.kafka_acl", "apply", "--prefix", ""]
    assert env_of(acls)["OCOP_KAFKA_USERNAME"] == "admin"
    assert importlib.util.find_spec("ocop_shared.kafka_acl") is not None
    assert COMPOSE["x-service-env"]["OCOP_KAFKA_SECURITY_PROTOCOL"] != "PLAINTEXT"
    text = (REPO / "docker-compose.yml").read_text()
    assert not re.search(r"\$\{OCOP_[A-Z_]*(PASSWORD|TOKEN|SECRET)[A-Z_]*:-", text)


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
    test_the_web_app_matches_its_code()
