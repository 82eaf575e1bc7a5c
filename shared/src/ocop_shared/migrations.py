"""Migrations: plain SQL files per service schema, applied in order and recorded.

Each service gets its own schema and its own login role, owner of that schema and of nothing
else; PUBLIC loses every privilege on ``public``, so a service role can reach only its own
tables. The shared plumbing (outbox, inbox, dead letters, tokens) comes first, then the
service's own files. A recorded file whose text changed stops the run: migrations are
append-only.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import asyncpg

from ocop_shared.logging import get_logger

log = get_logger(__name__)

SHARED_SQL = resources.files("ocop_shared") / "sql"


@dataclass(frozen=True)
class ServiceSchema:
    name: str  # schema and role name
    password: str
    migrations: Path


class MigrationError(RuntimeError):
    pass


async def ensure_database(admin_dsn_postgres: str, database: str) -> None:
    conn = await asyncpg.connect(admin_dsn_postgres)
    try:
        exists = await conn.fetchval("select 1 from pg_database where datname = $1", database)
        if not exists:
            # Services start together: another may create it first.
            with contextlib.suppress(asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
                await conn.execute(f"create database {_ident(database)}")
    finally:
        await conn.close()


async def migrate(admin_dsn: str, service: ServiceSchema) -> list[str]:
    """Creates the role and schema if needed and applies pending files; returns their names."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        # One migrator at a time per schema, across processes.
        await conn.execute("select pg_advisory_lock(hashtext($1))", f"migrate:{service.name}")
        await _ensure_role_and_schema(conn, service)
        return await _apply_files(conn, service)
    finally:
        await conn.close()


async def _ensure_role_and_schema(conn: asyncpg.Connection, service: ServiceSchema) -> None:
    role = _ident(service.name)
    exists = await conn.fetchval("select 1 from pg_roles where rolname = $1", service.name)
    # Passwords cannot be bound as parameters in DDL; quote them as literals.
    password = await conn.fetchval("select quote_literal($1)", service.password)
    if exists:
        await conn.execute(f"alter role {role} with login password {password}")
    else:
        await conn.execute(f"create role {role} with login password {password}")
    await conn.execute(f"create schema if not exists {role} authorization {role}")
    await conn.execute(
        f"alter role {role} in database {_ident(await _dbname(conn))} set search_path = {role}"
    )
    await conn.execute("revoke all on schema public from public")


async def _apply_files(conn: asyncpg.Connection, service: ServiceSchema) -> list[str]:
    schema = _ident(service.name)
    await conn.execute(
        f"""create table if not exists {schema}.schema_migrations (
                name text primary key, checksum text not null,
                applied_at timestamptz not null default now())"""
    )
    await conn.execute(f"alter table {schema}.schema_migrations owner to {schema}")
    applied = {
        r["name"]: r["checksum"]
        for r in await conn.fetch(f"select name, checksum from {schema}.schema_migrations")
    }
    files = [
        ("shared/" + f.name, f.read_text("utf-8"))
        for f in sorted(SHARED_SQL.iterdir(), key=lambda f: f.name)
        if f.name.endswith(".sql")
    ]
    files += [
        (f"{service.name}/{p.name}", p.read_text("utf-8"))
        for p in sorted(service.migrations.glob("*.sql"))
    ]
    done: list[str] = []
    for name, sql in files:
        checksum = hashlib.sha256(sql.encode()).hexdigest()
        if name in applied:
            if applied[name] != checksum:
                raise MigrationError(
                    f"{name} changed after it was applied; add a new migration instead"
                )
            continue
        async with conn.transaction():
            # Objects are created by, and owned by, the service role, in its schema.
            await conn.execute(f"set local role {schema}")
            await conn.execute(f"set local search_path to {schema}")
            await conn.execute(sql)
            await conn.execute(
                f"insert into {schema}.schema_migrations (name, checksum) values ($1, $2)",
                name,
                checksum,
            )
        log.info("migration applied", schema=service.name, migration=name)
        done.append(name)
    return done


async def _dbname(conn: asyncpg.Connection) -> str:
    return str(await conn.fetchval("select current_database()"))


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum() or not name[0].isalpha():
        raise ValueError(f"unsafe identifier: {name!r}")
    return f'"{name}"'
