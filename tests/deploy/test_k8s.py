"""deploy/k8s checked against the code and validated as Kubernetes would: the generated files
are up to date, the Kafka users carry exactly the ACL table and the topics the catalog, every
variable is one the code reads and production accepts, probes ask real routes, no secret
value is in git, and both overlays render and pass kubeconform -strict against Kubernetes'
own schemas, their Strimzi and CloudNativePG resources (which kubeconform skips) the models
generated from those operators' CRD schemas (tools/k8s-crds; its limits in
deploy/k8s/README.md).

The tools (kubeconform, kustomize, the schemas) are installed by deploy/k8s/tools.sh into
.local/k8s-tools, the CRD validator into tools/k8s-crds/node_modules (npm ci; ./dev install
runs it first). Outside CI a machine without Go skips the kubeconform and CRD tests; in CI
(CI=true) nothing is skipped.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from ocop_booths.app import BoothsSettings
from ocop_registration.app import RegistrationSettings
from ocop_sales.app import SalesSettings
from ocop_shared import housekeeping, kafka_acl
from ocop_shared.housekeeping import HousekeepingSettings
from ocop_shared.outbox import RelaySettings
from ocop_shared.ratelimit import ProxySettings
from ocop_shared.settings import CommonSettings
from ocop_web.live import LiveSettings
from ocop_web.settings import WebSettings

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
OVERLAYS = ("dev", "prod")
CRD_KINDS = ("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "Cluster")
SETTINGS: dict[str, tuple[type[Any], ...]] = {
    "registration": (RegistrationSettings, HousekeepingSettings, RelaySettings, ProxySettings),
    "booths": (BoothsSettings, HousekeepingSettings, RelaySettings, ProxySettings),
    "sales": (SalesSettings, HousekeepingSettings, RelaySettings, ProxySettings),
    "web": (WebSettings, LiveSettings, ProxySettings),
}
# Read by the command lines or os.environ, not by a settings class (ocop_shared.cli,
# ocop_web.__main__, ocop_shared.kafka.replication_factor).
PROCESS_VARIABLES = {"OCOP_WORKERS", "OCOP_TOPIC_REPLICATION_FACTOR"}
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ocop_k8s_generate", K8S / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


GENERATE = load_generator()


def kinds(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


# --- the tools and the rendered overlays ---------------------------------------------------


@pytest.fixture(scope="module")
def tools() -> dict[str, str]:
    state = Path(os.environ.get("OCOP_STATE_DIR", REPO / ".local"))
    installed = (state / "k8s-tools/bin/kubeconform").exists()
    if shutil.which("go") is None and not installed and not IN_CI:
        pytest.skip("Go is needed once to install kubeconform (CI has it)")
    done = subprocess.run(
        ["bash", str(K8S / "tools.sh"), "--print"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, f"deploy/k8s/tools.sh failed:\n{done.stderr[-3000:]}"
    return dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)


@pytest.fixture(scope="module")
def rendered(tools: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("k8s")
    files = {}
    for overlay in OVERLAYS:
        done = subprocess.run(
            [*shlex.split(tools["KUSTOMIZE"]), str(K8S / "overlays" / overlay)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"kustomize {overlay}: {done.stderr[-3000:]}"
        files[overlay] = out / f"{overlay}.yaml"
        files[overlay].write_text(done.stdout)
    return files


def kubeconform(tools: dict[str, str], *files: Path) -> subprocess.CompletedProcess[str]:
    location = (
        tools["SCHEMAS"]
        + "/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}"
        + "/{{ .ResourceKind }}{{ .KindSuffix }}.json"
    )
    return subprocess.run(
        [
            tools["KUBECONFORM"],
            "-strict",
            "-summary",
            "-kubernetes-version", tools["K8S_VERSION"],
            "-schema-location", location,
            "-skip", ",".join(CRD_KINDS),
            "-n", "4",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip


def test_both_overlays_validate_strictly_against_the_kubernetes_schemas(
    tools: dict[str, str], rendered: dict[str, Path]
) -> None:
    done = kubeconform(tools, *rendered.values())
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert "Invalid: 0, Errors: 0" in report, report
    skipped = sum(
        1
        for path in rendered.values()
        for d in yaml.safe_load_all(path.read_text())
        if d["kind"] in CRD_KINDS
    )
    total = sum(len(list(yaml.safe_load_all(p.read_text()))) for p in rendered.values())
    # Everything but the operators' kinds was checked against a schema.
    assert f"Valid: {total - skipped}," in report, report
    assert f"Skipped: {skipped}" in report, report


def test_kubeconform_rejects_what_kubernetes_would(
    tools: dict[str, str], rendered: dict[str, Path], tmp_path: Path
) -> None:
    """The validation can fail: a misspelt field, or a wrong type, is refused."""
    docs = list(yaml.safe_load_all(rendered["prod"].read_text()))
    deployment = kinds(docs, "Deployment")["sales"]
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["perodSeconds"] = 5
    hpa = kinds(docs, "HorizontalPodAutoscaler")["sales"]
    hpa["spec"]["minReplicas"] = "three"
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump_all([deployment, hpa]))
    done = kubeconform(tools, broken)
    assert done.returncode != 0
    assert "perodSeconds" in done.stdout
    assert "Invalid: 2" in done.stdout, done.stdout


def validate_crds(tools: dict[str, str], *files: Path) -> subprocess.CompletedProcess[str]:
    """tools/k8s-crds/validate.mjs: the operators' resources against their CRD schemas."""
    node = shutil.which("node")
    assert node, "Node.js is required (deploy/k8s/tools.sh installs tools/k8s-crds with npm)"
    return subprocess.run(
        [node, tools["CRD_VALIDATE"], *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_both_overlays_pass_the_operators_crd_schemas(
    tools: dict[str, str], rendered: dict[str, Path]
) -> None:
    """What kubeconform skips (Strimzi's and CloudNativePG's kinds) is validated by
    tools/k8s-crds, every resource of them."""
    done = validate_crds(tools, *rendered.values())
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    for path in rendered.values():
        docs = list(yaml.safe_load_all(path.read_text()))
        counts = {k: str(len(kinds(docs, k))) for k in CRD_KINDS}
        assert "0" not in counts.values(), counts
        # "<file>: ok (validated: Kafka 1, KafkaNodePool 2, ...)": each kind, counted.
        (line,) = [x for x in done.stdout.splitlines() if x.startswith(f"{path}: ")]
        summary = line.removeprefix(f"{path}: ok (validated: ").removesuffix(")")
        assert summary != line, report
        assert dict(item.rsplit(" ", 1) for item in summary.split(", ")) == counts, line


def prod_resource(rendered: dict[str, Path], kind: str) -> dict[str, Any]:
    docs = list(yaml.safe_load_all(rendered["prod"].read_text()))
    return next(d for d in docs if d["kind"] == kind)


def _topic_partitions_as_text(d: dict[str, Any]) -> None:
    d["spec"]["partitions"] = "three"


def _topic_in_v1_with_zero_partitions(d: dict[str, Any]) -> None:
    d["apiVersion"] = "kafka.strimzi.io/v1"
    d["spec"]["partitions"] = 0


def _cluster_negative_instances(d: dict[str, Any]) -> None:
    d["spec"]["instances"] = -1


def _cluster_unknown_update_strategy(d: dict[str, Any]) -> None:
    d["spec"]["primaryUpdateStrategy"] = "sometimes"


def _cluster_role_ensure(d: dict[str, Any]) -> None:
    d["spec"]["managed"]["roles"][0]["ensure"] = "maybe"


def _user_bad_acl_operation(d: dict[str, Any]) -> None:
    d["spec"]["authorization"]["acls"][0]["operations"] = ["Read", "Smash"]


def _user_bad_authentication(d: dict[str, Any]) -> None:
    d["spec"]["authentication"]["type"] = "password"


def _kafka_without_listeners(d: dict[str, Any]) -> None:
    del d["spec"]["kafka"]["listeners"]


def _kafka_listener_port_as_text(d: dict[str, Any]) -> None:
    d["spec"]["kafka"]["listeners"][0]["port"] = "9093"


def _node_pool_unknown_role(d: dict[str, Any]) -> None:
    d["spec"]["roles"] = ["leader"]


def _topic_in_an_api_version_with_no_model(d: dict[str, Any]) -> None:
    d["apiVersion"] = "kafka.strimzi.io/v1beta1"


# (the kind, how one of its prod resources is broken, what the validator says)
CRD_MUTATIONS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("KafkaTopic", _topic_partitions_as_text, "/spec/partitions: must be integer"),
    ("KafkaTopic", _topic_in_v1_with_zero_partitions, "/spec/partitions: must be >= 1"),
    ("Cluster", _cluster_negative_instances, "/spec/instances: must be >= 1"),
    (
        "Cluster",
        _cluster_unknown_update_strategy,
        '/spec/primaryUpdateStrategy: must be equal to one of the allowed values: "unsupervised"',
    ),
    (
        "Cluster",
        _cluster_role_ensure,
        "/spec/managed/roles/0/ensure: must be equal to one of the allowed values",
    ),
    (
        "KafkaUser",
        _user_bad_acl_operation,
        "/spec/authorization/acls/0/operations/1: must be equal to one of the allowed values",
    ),
    (
        "KafkaUser",
        _user_bad_authentication,
        "/spec/authentication/type: must be equal to one of the allowed values",
    ),
    ("Kafka", _kafka_without_listeners, "/spec/kafka/listeners: must have required property"),
    ("Kafka", _kafka_listener_port_as_text, "/spec/kafka/listeners/0/port: must be integer"),
    (
        "KafkaNodePool",
        _node_pool_unknown_role,
        "/spec/roles/0: must be equal to one of the allowed values",
    ),
    (
        "KafkaTopic",
        _topic_in_an_api_version_with_no_model,
        "no model for kafka.strimzi.io/v1beta1 KafkaTopic",
    ),
]


@pytest.mark.parametrize(
    ("kind", "mutate", "expected"),
    [pytest.param(*case, id=case[1].__name__.lstrip("_")) for case in CRD_MUTATIONS],
)
def test_the_crd_schemas_refuse_what_the_operators_would(
    tools: dict[str, str],
    rendered: dict[str, Path],
    tmp_path: Path,
    kind: str,
    mutate: Callable[[dict[str, Any]], None],
    expected: str,
) -> None:
    """The validation can fail: one wrong field of one resource fails the file, named with
    its kind, name and path."""
    resource = prod_resource(rendered, kind)
    name = resource["metadata"]["name"]
    mutate(resource)
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(resource))
    done = validate_crds(tools, broken)
    report = done.stdout + done.stderr
    assert done.returncode == 1, report
    assert f"{broken}: {kind}/{name} ({resource['apiVersion']}): {expected}" in done.stdout, report
    assert f"{broken}: INVALID (1 resource(s) refused;" in done.stdout, report


def test_the_crd_schemas_do_not_refuse_unknown_fields(
    tools: dict[str, str], rendered: dict[str, Path], tmp_path: Path
) -> None:
    """A limit, stated in deploy/k8s/README.md: the generated validators allow fields their
    schemas do not name (no additionalProperties: false), so a misspelt optional field
    passes here; the API server's strict field validation refuses it. If a new version of
    the models starts refusing them, this fails: update the README."""
    topic = prod_resource(rendered, "KafkaTopic")
    topic["spec"]["partitons"] = 3
    cluster = prod_resource(rendered, "Cluster")
    cluster["spec"]["instancez"] = 3
    misspelt = tmp_path / "misspelt.yaml"
    misspelt.write_text(yaml.safe_dump_all([topic, cluster]))
    done = validate_crds(tools, misspelt)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{misspelt}: ok (validated: KafkaTopic 1, Cluster 1)" in done.stdout, done.stdout


def test_each_overlay_sets_its_namespace_and_images(rendered: dict[str, Path]) -> None:
    for overlay, namespace in (("dev", "ocop-dev"), ("prod", "ocop")):
        docs = list(yaml.safe_load_all(rendered[overlay].read_text()))
        assert {d["metadata"].get("namespace") for d in docs} == {namespace}
        for name, d in kinds(docs, "Deployment").items():
            image = d["spec"]["template"]["spec"]["containers"][0]["image"]
            assert image.endswith(":dev" if overlay == "dev" else ":0.1.0"), (overlay, image)
            assert name in image
        # No Secret is rendered: every secret is created apart and referred to by name.
        assert not kinds(docs, "Secret")
    prod = list(yaml.safe_load_all(rendered["prod"].read_text()))
    assert all(t["spec"]["replicas"] == 3 for t in kinds(prod, "KafkaTopic").values())
    assert kinds(prod, "Cluster")["ocop-pg"]["spec"]["instances"] == 3


# --- the generated files and what they say ------------------------------------------------


def test_the_generated_files_are_up_to_date() -> None:
    wanted = GENERATE.render()
    folder = K8S / "base" / "generated"
    present = {p.name for p in folder.glob("*.yaml")}
    assert present == set(wanted), "run: uv run python deploy/k8s/generate.py"
    for name, text in wanted.items():
        assert (folder / name).read_text() == text, (
            f"deploy/k8s/base/generated/{name} is out of date: "
            "run uv run python deploy/k8s/generate.py"
        )
    kustomization = yaml.safe_load((K8S / "base" / "kustomization.yaml").read_text())
    assert {f"generated/{name}" for name in wanted} <= set(kustomization["resources"])


def test_the_check_fails_on_a_stale_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, text in GENERATE.render().items():
        (tmp_path / name).write_text(text)
    monkeypatch.setattr(GENERATE, "OUT", tmp_path)
    assert GENERATE.main(["--check"]) == 0
    topics = tmp_path / "kafka-topics.yaml"
    topics.write_text(topics.read_text().replace("partitions: 12", "partitions: 11"))
    assert GENERATE.main(["--check"]) == 1


def generated(name: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load_all((K8S / "base" / "generated" / name).read_text()))


def test_kafka_users_carry_exactly_the_acl_table() -> None:
    users = kinds(generated("kafka-users.yaml"), "KafkaUser")
    assert set(users) == set(kafka_acl.PRINCIPALS)
    codes = {
        "topic": kafka_acl.TOPIC,
        "group": kafka_acl.GROUP,
        "literal": kafka_acl.LITERAL,
        "prefix": kafka_acl.PREFIXED,
        "Read": kafka_acl.READ,
        "Write": kafka_acl.WRITE,
        "Create": kafka_acl.CREATE,
        "Describe": kafka_acl.DESCRIBE,
    }
    found = []
    for name, user in users.items():
        assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
        assert user["metadata"]["labels"]["strimzi.io/cluster"] == "ocop"
        assert user["spec"]["authorization"]["type"] == "simple"
        for acl in user["spec"]["authorization"]["acls"]:
            resource = acl["resource"]
            assert acl.get("host", "*") == "*"
            for operation in acl["operations"]:
                found.append(
                    kafka_acl.Binding(
                        f"User:{name}",
                        codes[resource["type"]],
                        resource["name"],
                        codes[resource["patternType"]],
                        codes[operation],
                    )
                )
    assert len(found) == len(set(found))
    assert sorted(found) == sorted(kafka_acl.bindings(""))


def test_kafka_topics_are_the_catalog_s() -> None:
    topics = kinds(generated("kafka-topics.yaml"), "KafkaTopic")
    wanted = {t.name: t for t in kafka_acl.CATALOG.values() if t.producer in kafka_acl.SERVICES}
    assert set(topics) == set(wanted)
    # Every topic a service reads or writes is deployed (none is left to auto-creation).
    assert {t.name for s in kafka_acl.SERVICES for t in kafka_acl.topics_of(s)} == set(wanted)
    inbox_ms = housekeeping.HousekeepingSettings().inbox_retention_days * 86_400_000
    for name, topic in topics.items():
        spec = topic["spec"]
        assert spec["topicName"] == name
        assert spec["partitions"] == wanted[name].partitions
        assert spec["config"]["cleanup.policy"] == "delete"
        # The inbox forgets an event id only after the topic has dropped the event.
        assert int(spec["config"]["retention.ms"]) <= inbox_ms
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "ocop"


def base_docs() -> list[dict[str, Any]]:
    return [d for name in GENERATE.render() for d in generated(name)]


def config_maps() -> dict[str, dict[str, str]]:
    kustomization = yaml.safe_load((K8S / "base" / "kustomization.yaml").read_text())
    return {
        g["name"]: dict(x.split("=", 1) for x in g.get("literals", []))
        for g in kustomization["configMapGenerator"]
    }


def pod_specs() -> Iterator[tuple[str, dict[str, Any]]]:
    for d in base_docs():
        if d["kind"] in ("Deployment", "Job"):
            yield d["metadata"]["name"], d["spec"]["template"]["spec"]


def environment(container: dict[str, Any], fake_secrets: bool = False) -> dict[str, str]:
    maps = config_maps()
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env |= maps[source["configMapRef"]["name"]]
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
        elif "configMapKeyRef" in item["valueFrom"]:
            ref = item["valueFrom"]["configMapKeyRef"]
            env[item["name"]] = maps[ref["name"]][ref["key"]]
        elif fake_secrets:
            env[item["name"]] = secrets.token_hex(24)
        else:
            env[item["name"]] = "<secret>"
    return env


def workload_of(name: str) -> str:
    return name.removesuffix("-migrate")


def test_every_variable_is_one_the_code_reads() -> None:
    for name, pod in pod_specs():
        fields = set(PROCESS_VARIABLES)
        for settings in SETTINGS[workload_of(name)]:
            prefix = settings.model_config.get("env_prefix", "")
            fields |= {f"{prefix}{f}".upper() for f in settings.model_fields}
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            unknown = set(environment(container)) - fields
            assert not unknown, f"{name}/{container['name']}: no setting reads {unknown}"


@pytest.mark.parametrize("workload", ["registration", "booths", "sales", "web"])
def test_production_accepts_what_the_pods_are_given(
    workload: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With each secret present (random values, as the operator creates them), the settings
    the process builds start in production: nothing required is missing."""
    for variable in list(os.environ):
        if variable.startswith("OCOP_"):
            monkeypatch.delenv(variable)
    for name, pod in pod_specs():
        if workload_of(name) != workload:
            continue
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            env = environment(container, fake_secrets=True)
            with monkeypatch.context() as m:
                for key, value in env.items():
                    m.setenv(key, value)
                for settings in SETTINGS[workload]:
                    built = settings()
                    assert getattr(built, "env", "production") == "production"
                    if isinstance(built, CommonSettings):
                        assert built.insecure() == {}, (name, built.insecure())
                        assert built.kafka_username == workload
                        assert built.kafka_security_protocol == "SASL_SSL"


def test_no_secret_value_is_written_down() -> None:
    for name, pod in pod_specs():
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            for item in container.get("env", []):
                if any(w in item["name"] for w in ("PASSWORD", "TOKEN", "SECRET")):
                    assert "secretKeyRef" in item.get("valueFrom", {}), (name, item)
    for values in config_maps().values():
        assert not any(w in k for k in values for w in ("PASSWORD", "TOKEN", "SECRET"))
    text = "\n".join(p.read_text() for p in K8S.rglob("*.yaml"))
    assert "kind: Secret\n" not in text


def test_only_the_migration_jobs_hold_the_database_owner_s_password() -> None:
    holders = {
        name
        for name, pod in pod_specs()
        for container in [*pod.get("initContainers", []), *pod["containers"]]
        if "OCOP_PG_ADMIN_PASSWORD" in environment(container)
    }
    assert holders == {"registration-migrate", "booths-migrate", "sales-migrate"}


def test_probes_ask_the_routes_the_apps_serve() -> None:
    from ocop_booths.app import build as booths
    from ocop_registration.app import build as registration
    from ocop_sales.app import build as sales
    from ocop_web.app import build as web

    apps = {
        "registration": registration(RegistrationSettings(env="test"))[1],
        "booths": booths(BoothsSettings(env="test"))[1],
        "sales": sales(SalesSettings(env="test"))[1],
        "web": web(WebSettings(env="test", check_assets=False), live_updates=False),
    }
    deployments = kinds(base_docs(), "Deployment")
    assert set(deployments) == set(apps)
    for name, app in apps.items():
        paths = {getattr(r, "path", None) for r in app.routes}
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"]["path"] in paths, (name, probe)
        # A service is ready when its database answers; the web app owns none.
        ready = container["readinessProbe"]["httpGet"]["path"]
        assert ready == ("/health/live" if name == "web" else "/health/ready")
        assert container["ports"][0]["containerPort"] == int(
            environment(container)["OCOP_HTTP_PORT"]
        )


def test_pods_run_unprivileged_with_a_read_only_root() -> None:
    for name, pod in pod_specs():
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        assert pod["automountServiceAccountToken"] is False
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            assert "memory" in container["resources"]["limits"], name
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name


def test_every_workload_has_its_service_budget_and_autoscaler() -> None:
    docs = base_docs()
    for kind in ("Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"):
        assert set(kinds(docs, kind)) == {"registration", "booths", "sales", "web"}, kind
    jobs = kinds(docs, "Job")
    assert set(jobs) == {"registration-migrate", "booths-migrate", "sales-migrate"}
    for name, job in jobs.items():
        command = job["spec"]["template"]["spec"]["containers"][0]["command"]
        assert command == ["python", "-m", f"ocop_{workload_of(name)}", "migrate"]
    web = kinds(docs, "Deployment")["web"]["spec"]["template"]["spec"]["containers"][0]
    urls = {k: v for k, v in environment(web).items() if k.endswith("_URL")}
    services = kinds(docs, "Service")
    for name in ("registration", "booths", "sales"):
        port = services[name]["spec"]["ports"][0]["port"]
        assert urls[f"OCOP_{name.upper()}_URL"] == f"http://{name}:{port}"


def test_network_policies_deny_by_default_and_open_only_what_is_needed() -> None:
    policies = kinds(generated("network-policies.yaml"), "NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny["podSelector"] == {} and deny["ingress"] == [] and deny["egress"] == []
    assert set(deny["policyTypes"]) == {"Ingress", "Egress"}
    deployments = kinds(base_docs(), "Deployment")
    pod_labels = {n: d["spec"]["template"]["metadata"]["labels"] for n, d in deployments.items()}
    # The services reach PostgreSQL and Kafka; the web app Kafka (its live updates) only.
    for name in ("registration", "booths", "sales"):
        assert pod_labels[name]["ocop.io/postgres-client"] == "true"
        assert pod_labels[name]["ocop.io/kafka-client"] == "true"
    assert "ocop.io/postgres-client" not in pod_labels["web"]
    # Only the web app (and the ingress/metrics namespaces) reach a service's port.
    for name in ("registration", "booths", "sales"):
        (rule,) = policies[name]["spec"]["ingress"]
        port = deployments[name]["spec"]["template"]["spec"]["containers"][0]["ports"][0]
        assert rule["ports"] == [{"protocol": "TCP", "port": port["containerPort"]}]
        assert {"podSelector": {"matchLabels": GENERATE.selector(GENERATE.WEB)}} in rule["from"]
    assert policies["web"]["spec"]["egress"][0]["ports"] == [
        {"protocol": "TCP", "port": p} for p in (8001, 8002, 8003)
    ]
