"""The migration runner: each `migrations/NNN_name.sql` file applied once, in one transaction with its record."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.lake import adapt_sql, guard_commit, is_lake_connection

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_FILE_ONLY = "-- raqib: file only"
_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    """One schema step: its number, name, SQL and checksum."""

    version: int
    name: str
    sql: str

    @property
    def file_only(self) -> bool:
        """Whether the file changes only what a DuckLake never had (its keys): on a lake it is recorded, not run."""
        return _FILE_ONLY in self.sql.splitlines()

    @property
    def checksum(self) -> str:
        """Return the SHA-256 of the SQL text, to notice an applied file edited later."""
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def available_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """List the migration files in version order; refuse badly named or duplicate versions."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file {path.name} is not named NNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise ValueError(f"two migrations share version {version:03d}")
        found[version] = Migration(version, match.group(2), path.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


def _ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schema_migrations table itself (the one object no migration file makes)."""
    sql = (
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, checksum VARCHAR NOT NULL,"
        " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    con.execute(adapt_sql(sql) if is_lake_connection(con) else sql)


def applied_versions(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """Return version -> checksum of the migrations already recorded."""
    _ensure_table(con)
    return {int(v): str(c) for v, c in con.execute("SELECT version, checksum FROM schema_migrations").fetchall()}


def apply_migrations(con: duckdb.DuckDBPyConnection, directory: Path = MIGRATIONS_DIR) -> list[int]:
    """Apply every pending migration, each file and its record in one transaction; return the versions applied."""
    done = applied_versions(con)
    on_lake = is_lake_connection(con)
    applied: list[int] = []
    for migration in available_migrations(directory):
        if migration.version in done:
            if done[migration.version] != migration.checksum:
                log.warning("migration %03d_%s changed after it was applied; add a new migration instead",
                            migration.version, migration.name)
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            # On a lake another writer may have applied it since `done` was read: look again inside the transaction.
            row = con.execute("SELECT count(*) FROM schema_migrations WHERE version = ?",
                              [migration.version]).fetchone()
            if row and row[0]:
                con.execute("ROLLBACK")
                continue
            guard_commit(con)
            if not (on_lake and migration.file_only):
                # DuckLake has no key constraints: the same file, minus them (docs/SCHEMA.md, "On DuckLake").
                con.execute(adapt_sql(migration.sql) if on_lake else migration.sql)
            con.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
                [migration.version, migration.name, migration.checksum],
            )
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):  # keep the migration's own error
                con.execute("ROLLBACK")
            raise
        log.info("applied migration %03d_%s", migration.version, migration.name)
        applied.append(migration.version)
    return applied
