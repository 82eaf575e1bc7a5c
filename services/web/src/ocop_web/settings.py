"""The web app's settings, from the environment (prefix ``OCOP_``)."""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-web-secret-not-for-production"


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OCOP_", extra="ignore")

    # Fails closed like the services: a deployment that forgets OCOP_ENV is production.
    env: Literal["development", "test", "production"] = "production"
    service: str = "web"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # The three services' APIs (OCOP_REGISTRATION_URL, OCOP_BOOTHS_URL, OCOP_SALES_URL).
    registration_url: str = "http://127.0.0.1:8001"
    booths_url: str = "http://127.0.0.1:8002"
    sales_url: str = "http://127.0.0.1:8003"
    api_timeout_seconds: float = 15.0
    # The platform's API address as banks' notification providers reach it (OCOP_PUBLIC_API_URL;
    # shown to exhibitors for their webhook); unset: the sales service's URL above.
    public_api_url: str | None = None
    # Keys the CSRF tokens (OCOP_WEB_SECRET); required in production.
    web_secret: SecretStr | None = None
    # None: Secure cookies when the request came over https (as a proxy says with
    # X-Forwarded-Proto, when uvicorn trusts it); True or False forces it.
    cookie_secure: bool | None = None
    default_language: Literal["vi", "en"] = "vi"
    # Refuse to start when a vendored asset is missing or differs from assets/manifest.json.
    check_assets: bool = True
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _secret(self) -> WebSettings:
        if self.env == "production":
            secret = self.web_secret.get_secret_value() if self.web_secret else ""
            if len(secret) < 32 or secret == DEV_SECRET:
                raise ValueError(
                    "missing or weak secret in production: OCOP_WEB_SECRET (32+ random characters)"
                )
        elif self.web_secret is None:
            self.web_secret = SecretStr(DEV_SECRET)
        return self

    def service_urls(self) -> dict[str, str]:
        return {
            "registration": self.registration_url,
            "booths": self.booths_url,
            "sales": self.sales_url,
        }
