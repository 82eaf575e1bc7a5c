"""Settings shared by every service, read from the environment (prefix ``OCOP_``).

Development defaults match the local stack (deploy/local/stack.sh). Outside development, no
secret has a default: a missing one stops the service at start-up with a clear error.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_ADMIN_PASSWORD = "ocop-dev-admin"


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OCOP_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    kafka_bootstrap: str = "127.0.0.1:29092"
    # Lets test runs and parallel stacks share a broker without seeing each other's topics.
    topic_prefix: str = ""
    pg_host: str = "127.0.0.1"
    pg_port: int = 25432
    pg_database: str = "ocop"
    pg_admin_user: str = "ocop_admin"
    pg_admin_password: SecretStr | None = None
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _development_defaults(self) -> CommonSettings:
        if self.pg_admin_password is None and self.env != "production":
            self.pg_admin_password = SecretStr(DEV_ADMIN_PASSWORD)
        return self

    def admin_dsn(self, database: str | None = None) -> str:
        password = self.pg_admin_password.get_secret_value() if self.pg_admin_password else ""
        return _dsn(
            self.pg_admin_user, password, self.pg_host, self.pg_port, database or self.pg_database
        )


class ServiceSettings(CommonSettings):
    """One service's settings: its database role and password, HTTP port, admin token."""

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

    @model_validator(mode="after")
    def _service_secrets(self) -> ServiceSettings:
        if self.env == "production":
            missing = [
                n
                for n in ("db_password", "admin_token", "pg_admin_password")
                if getattr(self, n) is None
            ]
            if missing:
                raise ValueError(
                    f"missing secrets in production: {', '.join('OCOP_' + m.upper() for m in missing)}"
                )
        if self.db_password is None:
            self.db_password = SecretStr(f"{self.service}-dev-password")
        if self.admin_token is None:
            self.admin_token = SecretStr(f"dev-admin-token-{self.service}")
        return self

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
