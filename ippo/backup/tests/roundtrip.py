"""Helpers of the round-trip tests: restore in a separate process into a fresh data dir, compare tables."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.db import connection


def restore_into(
    archive: Path, data_dir: Path, *extra: str, env: dict | None = None
) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "IPPO_ENCRYPTION_KEY", "SECRET_KEY"}
    }
    # The subprocess is not under pytest: make sure it does not pick up the test database's URL by accident.
    environment.pop("IPPO_TESTING", None)
    environment.update({"IPPO_DATA_DIR": str(data_dir), **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "ippo.cli", "restore", str(archive), *extra],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def tables() -> list[tuple[str, str, bool]]:
    """(table, primary-key column, automatic many-to-many table?) of every model. The surrogate id of an
    automatic many-to-many row carries no meaning (a JSON-lines restore recreates the links), so those
    tables are compared by their two foreign keys only."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            found[model._meta.db_table] = (model._meta.pk.column, bool(model._meta.auto_created))
    return sorted((table, pk, auto) for table, (pk, auto) in found.items())


def rows_source(table: str, pk: str, auto: bool = False) -> tuple[list[str], list[tuple]]:
    sql = f'SELECT * FROM "{table}" ORDER BY "{pk}"'  # noqa: S608
    if connection.vendor == "sqlite":
        cursor = connection.connection.execute(sql)  # the test's own connection sees the rows the test made
        columns, rows = [c[0] for c in cursor.description], cursor.fetchall()
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            columns, rows = [c[0] for c in cursor.description], [tuple(row) for row in cursor.fetchall()]
    if auto:
        keep = [i for i, c in enumerate(columns) if c != pk]
        return [columns[i] for i in keep], sorted(tuple(row[i] for i in keep) for row in rows)
    return columns, rows


def rows_restored(db, table: str, pk: str, columns: list[str]) -> list[tuple]:
    """`db`: the restored SQLite file, or a PostgreSQL connection string."""
    cols = ", ".join(f'"{c}"' for c in columns)
    sql = f'SELECT {cols} FROM "{table}" ORDER BY "{pk}"'  # noqa: S608
    if isinstance(db, str):
        import psycopg
        from psycopg.types.string import TextLoader

        with psycopg.connect(db) as conn:
            for name in ("json", "jsonb"):  # as Django reads them: text, decoded by the field
                conn.adapters.register_loader(name, TextLoader)
            return [tuple(row) for row in conn.execute(sql).fetchall()]
    conn = sqlite3.connect(db, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def assert_same_database(db) -> int:
    """Every row of every table, column by column; returns the number of rows compared."""
    compared = 0
    for table, pk, auto in tables():
        columns, expected = rows_source(table, pk, auto)
        actual = rows_restored(db, table, pk, columns)
        if auto:
            actual = sorted(actual)
        if actual != expected:
            diffs = [
                (columns[i], e[i], a[i])
                for e, a in zip(expected, actual, strict=False)
                for i in range(len(columns))
                if e[i] != a[i]
            ]
            raise AssertionError(
                f"table {table} differs after restore: {len(expected)} vs {len(actual)} rows; {diffs[:3]}"
            )
        compared += len(expected)
    return compared


def assert_same_files(source: Path, restored: Path) -> int:
    def listing(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    expected, actual = listing(source), listing(restored)
    assert sorted(actual) == sorted(expected), (sorted(set(expected) - set(actual))[:5], sorted(set(actual) - set(expected))[:5])
    for name, data in expected.items():
        assert actual[name] == data, name
    return len(expected)


@contextlib.contextmanager
def fresh_postgres_database():
    """A new, empty PostgreSQL database on the test server; yields its URL and drops it afterwards."""
    import secrets

    import psycopg

    settings_dict = connection.settings_dict
    name = f"ippo_restore_{secrets.token_hex(4)}"
    params = {
        "host": settings_dict["HOST"] or "127.0.0.1",
        "port": settings_dict["PORT"] or 5432,
        "user": settings_dict["USER"],
        "password": settings_dict["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{params['password']}" if params["password"] else ""
    url = f"postgres://{params['user']}{password}@{params['host']}:{params['port']}/{name}"
    try:
        yield url
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
