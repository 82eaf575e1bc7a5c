"""Light argon2id parameters are for development and test stacks only, and a hash made under
either setting verifies under the other (it names its own parameters)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from ocop_registration.app import RegistrationSettings
from ocop_registration.application import passwords


def test_light_hashing_is_the_default_outside_production_and_refused_in_it() -> None:
    assert RegistrationSettings(env="test").password_hashing == "light"
    with pytest.raises(ValidationError, match="OCOP_PASSWORD_HASHING=light"):
        RegistrationSettings(
            env="production",
            password_hashing="light",
            db_password=SecretStr("x" * 32),
            admin_token=SecretStr("y" * 32),
            pg_admin_password=SecretStr("z" * 32),
            kafka_password=SecretStr("k" * 32),
        )


async def test_hashes_verify_across_the_two_settings() -> None:
    try:
        passwords.configure(light=True)
        light = await passwords.hash_password("Mật khẩu đủ dài 2026")
        assert "m=8192,t=1,p=1" in light
        passwords.configure(light=False)
        standard = await passwords.hash_password("Mật khẩu đủ dài 2026")
        assert "m=65536,t=3,p=4" in standard
        assert await passwords.verify_password("Mật khẩu đủ dài 2026", light)
        passwords.configure(light=True)
        assert await passwords.verify_password("Mật khẩu đủ dài 2026", standard)
        assert not await passwords.verify_password("sai mật khẩu rồi", standard)
    finally:
        passwords.configure(light=True)
