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


async def test_hashing_runs_on_two_threads_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each thread that hashes keeps its last light hash's 8 MiB resident (its malloc arena):
    the loop's default pool (cpu + 4 threads) held 48 MiB of registration's RSS."""
    import asyncio
    import threading
    import time

    used: set[str] = set()
    real = passwords._hasher

    class Recording:
        def hash(self, password: str) -> str:
            used.add(threading.current_thread().name)
            time.sleep(0.01)  # long enough for the calls to overlap
            return real.hash(password)

    monkeypatch.setattr(passwords, "_hasher", Recording())
    await asyncio.gather(*(passwords.hash_password(f"Mật khẩu số {i}") for i in range(12)))
    assert 1 <= len(used) <= 2
    assert all(name.startswith("argon2") for name in used), used
