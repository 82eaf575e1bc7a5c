"""Settings shared by every service, read from the environment (prefix ``OCOP_``).

Fail closed: the default environment is ``production``, where no secret has a default and a
well-known development value is refused: a service names every such variable and does not
start. ``./dev``, the test kit and the tests say ``development`` or ``test`` explicitly.

Outside production a secret that is not set comes from the local stack's secrets file
(``OCOP_SECRETS_FILE``, written by deploy/local/stack.sh with random values, mode 0600), or
else from a development default.

Kafka: ``OCOP_KAFKA_SECURITY_PROTOCOL`` (``PLAINTEXT``, ``SASL_PLAINTEXT`` or ``SASL_SSL``;
production refuses ``PLAINTEXT`` and defaults to ``SASL_SSL``), ``OCOP_KAFKA_USERNAME`` (a
service's defaults to its name: one principal per service), ``OCOP_KAFKA_PASSWORD`` (or
``OCOP_KAFKA_PASSWORD_<USER>``, from the environment or the secrets file), SCRAM-SHA-512,
and ``OCOP_KAFKA_SSL_CAFILE`` for a broker whose certificate a private CA signed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_ADMIN_PASSWORD = "ocop-dev-admin"
KafkaSecurityProtocol = Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"]
# Development values anyone can read in this repository: never accepted in production.
WELL_KNOWN_SECRETS = frozenset({
    DEV_ADMIN_PASSWORD, "postgres", "password", "admin", "secret", "changeme", "kafka",
    "registration-dev-password", "booths-dev-password", "sales-dev-password",
    "probe-dev-password", "dev-admin-token-registration", "dev-admin-token-booths",
    "dev-admin-token-sales",
})  # fmt: skip
# Shorter than this is refused in production (a random 16-character value or longer).
MIN_SECRET_LENGTH = 16


class InsecureSettings(Exception):
    """Production settings with a missing, default or well-known secret (not a ValueError:
    pydantic would bury it in a validation error)."""


def read_secrets_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines (the shell's syntax, no quoting), ``#`` comments; {} if absent."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    found: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.removeprefix("export ").partition("=")
        found[name.strip()] = value.strip()
    return found


def secret_problem(value: SecretStr | None) -> str | None:
    """Why a value may not be a production secret, or None."""
    if value is None or not value.get_secret_value():
        return "missing"
    raw = value.get_secret_value()
    if raw in WELL_KNOWN_SECRETS or "-dev-" in raw or raw.startswith("dev-"):
        return "a well-known development value"
    if len(raw) < MIN_SECRET_LENGTH:
        return f"shorter than {MIN_SECRET_LENGTH} characters"
    return None


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        named = "; ".join(f"{name}: {why}" for name, why in problems.items())
        raise InsecureSettings(f"refusing to start in production with insecure secrets: {named}")


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OCOP_", extra="ignore")

    env: Literal["development", "test", "production"] = "production"
    # Outside production: where secrets that are not set come from (the local stack's).
    secrets_file: Path | None = None
    kafka_bootstrap: str = "127.0.0.1:29092"
    # None: SASL_SSL in production; outside it, the secrets file's, else PLAINTEXT.
    kafka_security_protocol: KafkaSecurityProtocol | None = None
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512"] = "SCRAM-SHA-512"
    kafka_username: str | None = None
    kafka_password: SecretStr | None = None
    # A CA bundle for SASL_SSL when the broker's certificate is not signed by a public CA.
    kafka_ssl_cafile: Path | None = None
    # Lets test runs and parallel stacks share a broker without seeing each other's topics.
    topic_prefix: str = ""
    pg_host: str = "127.0.0.1"
    pg_port: int = 25432
    pg_database: str = "ocop"
    pg_admin_user: str = "ocop_admin"
    pg_admin_password: SecretStr | None = None
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"

    @property
    def production(self) -> bool:
        return self.env == "production"

    def local_secret(self, name: str) -> str | None:
        """``name`` from the environment, else (outside production, or when a secrets file
        is named) from the secrets file."""
        value = os.environ.get(name)
        if value:
            return value
        if self.secrets_file is not None:
            return read_secrets_file(self.secrets_file).get(name) or None
        return None

    @model_validator(mode="after")
    def _resolve_secrets(self) -> CommonSettings:
        if self.pg_admin_password is None:
            found = self.local_secret("OCOP_PG_ADMIN_PASSWORD")
            if found:
                self.pg_admin_password = SecretStr(found)
            elif not self.production:
                self.pg_admin_password = SecretStr(DEV_ADMIN_PASSWORD)
        if self.kafka_security_protocol is None:
            found = self.local_secret("OCOP_KAFKA_SECURITY_PROTOCOL")
            if found in ("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"):
                self.kafka_security_protocol = found  # type: ignore[assignment]
            else:
                self.kafka_security_protocol = "SASL_SSL" if self.production else "PLAINTEXT"
        if self.kafka_username is None:
            self.kafka_username = self._default_kafka_username()
        if self.kafka_password is None and self.kafka_username:
            found = self.local_secret(f"OCOP_KAFKA_PASSWORD_{self.kafka_username.upper()}")
            if found:
                self.kafka_password = SecretStr(found)
        self._resolve_more()
        if self.production:
            _refuse(self.insecure())
        return self

    def _default_kafka_username(self) -> str | None:
        return None

    def _resolve_more(self) -> None:
        """A subclass's own secrets, resolved before production checks them."""

    def insecure(self) -> dict[str, str]:
        """The variables production would refuse, with why (checked at start-up). The
        database's admin password is asked of those that connect as the admin (migrations:
        ``admin_dsn``), not of every process: a service that does not migrate never holds it."""
        problems: dict[str, str] = {}
        if self.kafka_security_protocol == "PLAINTEXT":
            problems["OCOP_KAFKA_SECURITY_PROTOCOL"] = (
                "PLAINTEXT (no authentication) is not allowed; use SASL_SSL or SASL_PLAINTEXT"
            )
        else:
            if not self.kafka_username:
                problems["OCOP_KAFKA_USERNAME"] = "missing"
            why = secret_problem(self.kafka_password)
            if why:
                problems["OCOP_KAFKA_PASSWORD"] = why
        return problems

    def kafka_as(self, username: str) -> CommonSettings:
        """The same settings as another Kafka principal (its password from the environment
        or the secrets file, ``OCOP_KAFKA_PASSWORD_<USER>``): for tools and tests."""
        found = self.local_secret(f"OCOP_KAFKA_PASSWORD_{username.upper()}")
        return self.model_copy(
            update={
                "kafka_username": username,
                "kafka_password": SecretStr(found) if found else None,
            }
        )

    def admin_problems(self) -> dict[str, str]:
        why = secret_problem(self.pg_admin_password)
        return {"OCOP_PG_ADMIN_PASSWORD": why} if why else {}

    def admin_dsn(self, database: str | None = None) -> str:
        """The database's admin connection (migrations); production refuses it without a
        strong admin password."""
        if self.production:
            _refuse(self.admin_problems())
        password = self.pg_admin_password.get_secret_value() if self.pg_admin_password else ""
        return _dsn(
            self.pg_admin_user, password, self.pg_host, self.pg_port, database or self.pg_database
        )


class ServiceSettings(CommonSettings):
    """One service's settings: its database role and password, HTTP port, admin token, and
    its own Kafka principal (named as the service)."""

    service: str = "service"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    db_password: SecretStr | None = None
    # Bootstraps the first organizer/admin credentials; tokens are stored hashed.
    admin_token: SecretStr | None = None
    # Off where migrations run as their own step (docker-compose's "migrate").
    migrate_on_start: bool = True
    pool_min: int = 2
    pool_max: int = Field(default=20, ge=1)

    def _default_kafka_username(self) -> str | None:
        return self.service

    def _resolve_more(self) -> None:
        name = self.service.upper()
        if self.db_password is None:
            found = self.local_secret(f"OCOP_DB_PASSWORD_{name}")
            if found:
                self.db_password = SecretStr(found)
            elif not self.production:
                self.db_password = SecretStr(f"{self.service}-dev-password")
        if self.admin_token is None:
            found = self.local_secret(f"OCOP_ADMIN_TOKEN_{name}")
            if found:
                self.admin_token = SecretStr(found)
            elif not self.production:
                self.admin_token = SecretStr(f"dev-admin-token-{self.service}")

    def insecure(self) -> dict[str, str]:
        problems = super().insecure()
        if self.migrate_on_start:  # it connects as the admin at start-up
            problems |= self.admin_problems()
        for variable, value in (
            ("OCOP_DB_PASSWORD", self.db_password),
            ("OCOP_ADMIN_TOKEN", self.admin_token),
        ):
            why = secret_problem(value)
            if why:
                problems[variable] = why
        return problems

    @property
    def db_role(self) -> str:
        return self.service

    def dsn(self) -> str:
        assert self.db_password is not None
        return _dsn(
            self.db_role,
            self.db_password.get_secret_value(),
            self.pg_host,
            self.pg_port,
            self.pg_database,
        )


def _dsn(user: str, password: str, host: str, port: int, database: str) -> str:
    from urllib.parse import quote

    return f"postgresql://{quote(user)}:{quote(password)}@{host}:{port}/{quote(database)}"
