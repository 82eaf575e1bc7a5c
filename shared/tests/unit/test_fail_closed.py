"""Fail closed: production is the default environment, and production settings with a
missing, default or well-known secret refuse to start, naming every such variable."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from ocop_shared.inbox import WrongProducer, check_producer, topic_owner
from ocop_shared.kafka import client_options
from ocop_shared.settings import CommonSettings, InsecureSettings, ServiceSettings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing from the test run's environment (OCOP_ENV=test, the secrets file...)."""
    for name in list(os.environ):
        if name.startswith("OCOP_"):
            monkeypatch.delenv(name)


def strong() -> str:
    return secrets.token_hex(24)


def production(**values: object) -> ServiceSettings:
    return ServiceSettings(service="sales", **values)  # type: ignore[arg-type]


GOOD = {
    "db_password": strong(),
    "admin_token": strong(),
    "pg_admin_password": strong(),
    "kafka_password": strong(),
}


def test_the_default_environment_is_production() -> None:
    assert CommonSettings.model_fields["env"].default == "production"
    assert production(**GOOD).env == "production"


def test_production_without_secrets_refuses_naming_each_variable() -> None:
    with pytest.raises(InsecureSettings) as refused:
        production()
    message = str(refused.value)
    for variable in (
        "OCOP_DB_PASSWORD",
        "OCOP_ADMIN_TOKEN",
        "OCOP_PG_ADMIN_PASSWORD",
        "OCOP_KAFKA_PASSWORD",
    ):
        assert f"{variable}: missing" in message


@pytest.mark.parametrize(
    ("field", "value", "variable"),
    [
        ("db_password", "sales-dev-password", "OCOP_DB_PASSWORD"),
        ("admin_token", "dev-admin-token-sales", "OCOP_ADMIN_TOKEN"),
        ("pg_admin_password", "ocop-dev-admin", "OCOP_PG_ADMIN_PASSWORD"),
        ("kafka_password", "changeme", "OCOP_KAFKA_PASSWORD"),
        ("kafka_password", "short-one", "OCOP_KAFKA_PASSWORD"),
        ("db_password", "", "OCOP_DB_PASSWORD"),
    ],
)
def test_production_refuses_a_default_or_weak_secret(field: str, value: str, variable: str) -> None:
    with pytest.raises(InsecureSettings) as refused:
        production(**{**GOOD, field: value})
    assert variable in str(refused.value)
    others = {"OCOP_DB_PASSWORD", "OCOP_ADMIN_TOKEN", "OCOP_PG_ADMIN_PASSWORD"} - {variable}
    assert not any(f"{o}:" in str(refused.value) for o in others)


def test_a_service_that_does_not_migrate_starts_without_the_database_admin_password() -> None:
    """Where migrations run as their own step (the k8s Jobs, compose's migrate-*), the service's
    pods never hold the database owner's password."""
    settings = production(**{**GOOD, "pg_admin_password": None}, migrate_on_start=False)
    assert settings.pg_admin_password is None
    assert settings.dsn().startswith("postgresql://sales:")


@pytest.mark.parametrize("admin_password", [None, "ocop-dev-admin", "short-one"])
def test_the_admin_connection_is_refused_in_production_without_a_strong_password(
    admin_password: str | None,
) -> None:
    settings = production(**{**GOOD, "pg_admin_password": admin_password}, migrate_on_start=False)
    with pytest.raises(InsecureSettings, match="OCOP_PG_ADMIN_PASSWORD"):
        settings.admin_dsn()  # what a migration connects with


def test_the_admin_connection_with_a_strong_password_is_given() -> None:
    strong_password = strong()
    dsn = production(**{**GOOD, "pg_admin_password": strong_password}).admin_dsn()
    assert dsn.startswith("postgresql://ocop_admin:") and strong_password in dsn


def test_production_refuses_an_unauthenticated_broker() -> None:
    with pytest.raises(InsecureSettings, match="OCOP_KAFKA_SECURITY_PROTOCOL: PLAINTEXT"):
        production(**GOOD, kafka_security_protocol="PLAINTEXT")


def test_production_from_the_environment_refuses_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCOP_DB_PASSWORD", "sales-dev-password")
    with pytest.raises(InsecureSettings, match="OCOP_DB_PASSWORD: a well-known"):
        production()


def test_good_production_settings_use_sasl_ssl_with_the_services_own_principal(
    tmp_path: Path,
) -> None:
    settings = production(**GOOD)
    assert settings.kafka_security_protocol == "SASL_SSL"
    assert settings.kafka_username == "sales"
    options = client_options(settings)
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "sales"
    assert options["ssl_context"].check_hostname


def test_outside_production_secrets_come_from_the_secrets_file_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "secrets.env"
    file.write_text(
        "# local stack\nOCOP_PG_ADMIN_PASSWORD=from-file\nOCOP_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT\n"
        "OCOP_KAFKA_PASSWORD_SALES=sales-from-file\nOCOP_KAFKA_PASSWORD_ADMIN=admin-from-file\n"
    )
    monkeypatch.setenv("OCOP_SECRETS_FILE", str(file))
    settings = ServiceSettings(service="sales", env="development")
    assert settings.pg_admin_password is not None
    assert settings.pg_admin_password.get_secret_value() == "from-file"
    assert settings.kafka_security_protocol == "SASL_PLAINTEXT"
    assert client_options(settings)["sasl_plain_password"] == "sales-from-file"
    assert client_options(settings.kafka_as("admin"))["sasl_plain_password"] == "admin-from-file"
    monkeypatch.setenv("OCOP_KAFKA_PASSWORD_SALES", "sales-from-env")
    assert (
        client_options(ServiceSettings(service="sales", env="test"))["sasl_plain_password"]
        == "sales-from-env"
    )


def test_development_without_a_secrets_file_keeps_its_defaults() -> None:
    settings = ServiceSettings(service="sales", env="development")
    assert settings.kafka_security_protocol == "PLAINTEXT"
    assert settings.db_password is not None
    assert settings.db_password.get_secret_value() == "sales-dev-password"


def test_a_service_started_without_an_environment_refuses_and_names_the_variables() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCOP_")}
    done = subprocess.run(
        [sys.executable, "-c", "from ocop_sales.app import build; build()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    for variable in ("OCOP_DB_PASSWORD", "OCOP_ADMIN_TOKEN", "OCOP_KAFKA_PASSWORD"):
        assert variable in done.stderr


def test_a_topic_is_owned_by_its_catalog_producer_prefixed_or_not() -> None:
    assert topic_owner("registration.credentials") == "registration"
    assert topic_owner("t1234abcd.registration.credentials") == "registration"
    assert topic_owner("t1234abcd.sales.sales") == "sales"
    assert topic_owner("elsewhere") is None


def test_the_producer_check_rejects_a_producer_that_does_not_own_the_topic() -> None:
    from datetime import UTC, datetime

    from ocop_shared.events import Envelope

    def envelope(producer: str) -> Envelope:
        return Envelope(
            event_id="00000000-0000-0000-0000-000000000001",  # type: ignore[arg-type]
            type="registration.credential_issued",
            version=2,
            occurred_at=datetime.now(UTC),
            producer=producer,
            correlation_id="c",
            key="k",
            payload={},
        )

    check_producer("t1.registration.credentials", envelope("registration"))
    with pytest.raises(WrongProducer, match="producer 'sales' does not own"):
        check_producer("t1.registration.credentials", envelope("sales"))
    with pytest.raises(WrongProducer, match="not in the topic catalog"):
        check_producer("someone.elses.topic", envelope("registration"))
