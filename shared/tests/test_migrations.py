"""Migrations: each service's role owns its schema and reaches nothing else."""

from __future__ import annotations

import tempfile
from pathlib import Path

import asyncpg
import pytest

from ocop_shared.migrations import SHARED_SQL, MigrationError, ServiceSchema, migrate
from ocop_shared.settings import CommonSettings, ServiceSettings


async def test_a_service_role_reaches_only_its_own_schema(
    stack_settings: CommonSettings, test_database: str, probe_schema: ServiceSettings
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "0001_secret.sql").write_text("create table secrets (id int primary key);\n")
        other = ServiceSchema("probe_other", "other-dev-password", Path(folder))
        shared = sorted(f"shared/{f.name}" for f in SHARED_SQL.iterdir() if f.name.endswith(".sql"))
        assert await migrate(stack_settings.admin_dsn(test_database), other) == [
            *shared,
            "probe_other/0001_secret.sql",
        ]
        # Applying again is a no-op.
        assert await migrate(stack_settings.admin_dsn(test_database), other) == []

        conn = await asyncpg.connect(probe_schema.dsn())
        try:
            assert (
                await conn.fetchval("select count(*) from outbox") >= 0
            )  # its own, by search_path
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.fetchval("select count(*) from probe_other.secrets")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute("create table public.sneaky (id int)")
        finally:
            await conn.close()

        # A migration edited after it was applied stops the run.
        Path(folder, "0001_secret.sql").write_text(
            "create table secrets (id bigint primary key);\n"
        )
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await migrate(stack_settings.admin_dsn(test_database), other)
