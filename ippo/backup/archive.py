"""Making, checking and restoring backup archives: the database and the uploaded files in one tar.

Archive layout (a gzip-compressed tar, optionally inside the passphrase encryption of `crypt.py`):

    db/ippo.sqlite3      SQLite: a copy made with SQLite's online backup API (consistent while serving)
    db/data.jsonl        PostgreSQL (or `--format jsonl`): every row as Django JSON lines, read inside one
                         REPEATABLE READ, READ ONLY transaction (one consistent snapshot)
    files/…              uploaded files in Django's default storage (DATA_DIR/files, e.g. report attachments)
    private/…            evidence files (DATA_DIR/private, ippo.program.models.evidence_storage)
    keys/encryption_key  only in encrypted archives: the key of the secrets stored in the database
    keys/secret_key      only in encrypted archives: Django's SECRET_KEY (sessions, signed links)
    manifest.json        last: version, migrations, database vendor, time, and size + SHA-256 of every entry

The database is copied before the files, so a file uploaded during the backup is at worst an extra file;
nothing the database refers to is missing (uploads are written before their row is committed).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Deserializer as JsonlDeserializer
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django_scopes import scopes_disabled

import ippo
from ippo.backup.crypt import BackupError, DecryptingReader, EncryptingWriter, is_encrypted

FORMAT = 1
MANIFEST = "manifest.json"
DB_SQLITE = "db/ippo.sqlite3"
DB_JSONL = "db/data.jsonl"
KEY_NAMES = ("keys/encryption_key", "keys/secret_key")
UPLOAD_DIRS = ("files", "private")  # directories of the data dir that hold uploads
_BLOCK = 1024 * 1024


# --- Helpers ---------------------------------------------------------------------------------------------


def files_dir(name: str = "files") -> Path:
    return Path(settings.DATA_DIR) / name


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


class _HashingReader:
    def __init__(self, fh) -> None:
        self.fh, self.digest, self.size = fh, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, entries: list[dict]) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
    tar.addfile(info, _io_bytes(data))
    entries.append({"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})


def _io_bytes(data: bytes):
    import io

    return io.BytesIO(data)


def _add_file(tar: tarfile.TarFile, name: str, path: Path, entries: list[dict]) -> None:
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = size, int(os.path.getmtime(path)), 0o600
        reader = _HashingReader(fh)
        tar.addfile(info, reader)
    entries.append({"name": name, "size": size, "sha256": reader.digest.hexdigest()})


def _table_names() -> list[str]:
    from django.apps import apps

    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables.add(model._meta.db_table)
    return sorted(tables)


def _secret_files() -> dict[str, bytes]:
    """The two keys kept outside the database, as they are configured (environment first, like the app)."""
    found = {}
    key = os.environ.get("IPPO_ENCRYPTION_KEY", "").strip()
    key_file = Path(settings.DATA_DIR) / "encryption_key"
    if not key and key_file.exists():
        key = key_file.read_text().strip()
    if key:
        found["keys/encryption_key"] = key.encode()
    secret = os.environ.get("SECRET_KEY") or ""
    secret_file = Path(settings.DATA_DIR) / "secret_key"
    if not secret and secret_file.exists():
        secret = secret_file.read_text().strip()
    if secret:
        found["keys/secret_key"] = secret.encode()
    return found


# --- Database snapshot ---------------------------------------------------------------------------------


def _snapshot_sqlite(dest: Path) -> tuple[dict, dict]:
    """Copy the live SQLite database with the online backup API (one read transaction, so a consistent
    snapshot while others write; WAL mode does not block them). Returns (migrations, table counts)."""
    connection.ensure_connection()
    target = sqlite3.connect(dest)
    try:
        if connection.in_atomic_block:
            # Inside an open transaction (tests; never the command or the clock) the backup API would wait
            # for a lock this very connection holds: copy through SQL instead, which sees the same rows.
            target.executescript("\n".join(_iterdump(connection.connection)))
        else:
            connection.connection.backup(target)
    finally:
        target.close()
    copy = sqlite3.connect(dest)
    try:
        migrations: dict[str, list[str]] = {}
        for app, name in copy.execute("SELECT app, name FROM django_migrations ORDER BY id"):
            migrations.setdefault(app, []).append(name)
        existing = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        counts = {
            table: copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608 — our table names
            for table in _table_names()
            if table in existing
        }
    finally:
        copy.close()
    return migrations, counts


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds (ECMA-262); a backup keeps the microseconds."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _dump_jsonl(dest: Path) -> tuple[dict, dict, dict]:
    """Every row of every model as JSON lines, inside one transaction: on PostgreSQL REPEATABLE READ and
    READ ONLY, so all tables come from the same instant. Returns (migrations, table counts, object counts)."""
    from django.apps import apps

    connection.ensure_connection()
    outer = connection.in_atomic_block
    objects: dict[str, int] = {}
    with transaction.atomic(), scopes_disabled():
        if connection.vendor == "postgresql" and not outer:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        migrations: dict[str, list[str]] = {}
        for app, name in MigrationRecorder(connection).migration_qs.order_by("id").values_list("app", "name"):
            migrations.setdefault(app, []).append(name)
        existing = set(connection.introspection.table_names())
        with connection.cursor() as cursor:
            counts = {}
            for table in _table_names():
                if table in existing:
                    cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                    counts[table] = cursor.fetchone()[0]
        with open(dest, "w", encoding="utf-8") as fh:
            for model in apps.get_models():
                meta = model._meta
                if meta.proxy or not meta.managed or meta.db_table not in existing:
                    continue
                queryset = model._base_manager.order_by("pk")
                objects[meta.label_lower] = counts.get(meta.db_table, 0)
                serializers.serialize(
                    "jsonl", queryset.iterator(chunk_size=2000), stream=fh, cls=_ExactEncoder
                )
    return migrations, counts, objects


def _iterdump(raw) -> Iterator[str]:
    yield "BEGIN;"
    for line in raw.iterdump():
        if line not in ("BEGIN TRANSACTION;", "COMMIT;"):
            yield line
    yield "COMMIT;"


# --- Create -----------------------------------------------------------------------------------------------


def backup_create(*, path: Path, passphrase: str = "", fmt: str = "auto") -> dict:
    """Write a backup to `path` (atomically: a temporary name first) and return its manifest."""
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "auto":
        fmt = "sqlite" if connection.vendor == "sqlite" else "jsonl"
    if fmt == "sqlite" and connection.vendor != "sqlite":
        raise BackupError("The sqlite format needs a SQLite database; use --format jsonl.")
    entries: list[dict] = []
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    with tempfile.TemporaryDirectory(prefix="ippo-backup-", dir=path.parent) as tmp:
        manifest: dict = {
            "format": FORMAT,
            "ippo_version": ippo.__version__,
            "created_at": timezone.now().isoformat(),
            "db_vendor": connection.vendor,
            "db_format": fmt,
            "encrypted": bool(passphrase),
        }
        if fmt == "sqlite":
            db_name, db_path = DB_SQLITE, Path(tmp) / "ippo.sqlite3"
            migrations, counts = _snapshot_sqlite(db_path)
        else:
            db_name, db_path = DB_JSONL, Path(tmp) / "data.jsonl"
            migrations, counts, manifest["objects"] = _dump_jsonl(db_path)
        manifest["migrations"] = migrations
        manifest["tables"] = counts
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw:
                sink = EncryptingWriter(raw, passphrase) if passphrase else raw
                with tarfile.open(fileobj=sink, mode="w|gz", format=tarfile.PAX_FORMAT) as tar:
                    _add_file(tar, db_name, db_path, entries)
                    db_path.unlink()
                    for upload_dir in UPLOAD_DIRS:
                        root = files_dir(upload_dir)
                        if not root.is_dir():
                            continue
                        for dirpath, dirnames, filenames in os.walk(root):
                            dirnames.sort()
                            for filename in sorted(filenames):
                                full = Path(dirpath) / filename
                                if full.is_symlink() or not full.is_file():
                                    continue
                                rel = full.relative_to(root).as_posix()
                                _add_file(tar, f"{upload_dir}/{rel}", full, entries)
                    manifest["keys_included"] = False
                    if passphrase:
                        for name, data in _secret_files().items():
                            _add_bytes(tar, name, data, entries)
                            manifest["keys_included"] = True
                    manifest["entries"] = entries
                    _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode(), [])
                if passphrase:
                    sink.close()
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
    manifest["size"] = path.stat().st_size
    return manifest


# --- Read and check ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def _open(path: Path, passphrase: str) -> Iterator[tarfile.TarFile]:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    with open(path, "rb") as raw:
        if is_encrypted(path):
            if not passphrase:
                raise BackupError(
                    "This backup is encrypted: give its passphrase (--passphrase-file or --passphrase-env)."
                )
            source = DecryptingReader(raw, passphrase)
        else:
            source = raw
        try:
            with tarfile.open(fileobj=source, mode="r|gz") as tar:
                yield tar
        except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
            if isinstance(exc, BackupError):
                raise
            raise BackupError(
                f"The backup file is damaged or not an ippo backup ({type(exc).__name__}: {exc})."
            ) from None


def _safe_name(name: str) -> bool:
    parts = name.split("/")
    return (
        bool(name)
        and not name.startswith("/")
        and "\\" not in name
        and all(part not in ("", ".", "..") for part in parts)
        and (
            name in (MANIFEST, DB_SQLITE, DB_JSONL)
            or name in KEY_NAMES
            or any(name.startswith(f"{d}/") for d in UPLOAD_DIRS)
        )
    )


def archive_read(
    *, path: Path, passphrase: str = "", dest: Path | None = None, keep=lambda name: False
) -> dict:
    """Read the whole archive, checking every entry against the manifest; return the manifest.

    Entries for which `keep(name)` is true are written under `dest` (as they are read, hashed on the way).
    Raises BackupError naming the first problem found."""
    manifest = None
    seen: dict[str, tuple[int, str]] = {}
    with _open(path, passphrase) as tar:
        for member in tar:
            name = member.name
            if not _safe_name(name) or not member.isfile():
                raise BackupError(f"The backup contains an unexpected entry: {name!r}.")
            if name in seen or (name == MANIFEST and manifest is not None):
                raise BackupError(f"The backup contains {name!r} twice.")
            source = tar.extractfile(member)
            if name == MANIFEST:
                if member.size > 200 * 1024 * 1024:
                    raise BackupError("The manifest is too large.")
                try:
                    manifest = json.loads(source.read())
                except ValueError:
                    raise BackupError("The manifest is not valid JSON.") from None
                continue
            if manifest is not None:
                raise BackupError(f"The backup has an entry after its manifest: {name!r}.")
            digest, size = hashlib.sha256(), 0
            out = None
            if dest is not None and keep(name):
                target = Path(dest) / name
                target.parent.mkdir(parents=True, exist_ok=True)
                out = open(target, "wb")  # noqa: SIM115
            try:
                while block := source.read(_BLOCK):
                    digest.update(block)
                    size += len(block)
                    if out:
                        out.write(block)
            finally:
                if out:
                    out.close()
            seen[name] = (size, digest.hexdigest())
    if manifest is None:
        raise BackupError("The backup has no manifest: it is incomplete or not an ippo backup.")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}; a newer ippo may be needed.")
    listed = {entry["name"]: (entry["size"], entry["sha256"]) for entry in manifest.get("entries", [])}
    for name in sorted(set(listed) | set(seen)):
        if name not in seen:
            raise BackupError(f"The backup is missing {name!r}, which its manifest lists.")
        if name not in listed:
            raise BackupError(f"The backup contains {name!r}, which its manifest does not list.")
        if seen[name][0] != listed[name][0]:
            raise BackupError(
                f"{name!r} has the wrong size ({seen[name][0]} bytes, expected {listed[name][0]})."
            )
        if seen[name][1] != listed[name][1]:
            raise BackupError(f"{name!r} fails its SHA-256 check: the backup was changed or damaged.")
    if DB_SQLITE not in seen and DB_JSONL not in seen:
        raise BackupError("The backup contains no database.")
    return manifest


def sqlite_integrity(path: Path) -> str:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return "; ".join(row[0] for row in db.execute("PRAGMA integrity_check"))
    finally:
        db.close()


def _check_jsonl(path: Path, manifest: dict) -> None:
    counts: dict[str, int] = {}
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                label = record["model"]
                record["fields"]  # noqa: B018
            except (ValueError, KeyError, TypeError):
                raise BackupError(f"Line {number} of the database dump is not a valid record.") from None
            counts[label] = counts.get(label, 0) + 1
    expected = {label: n for label, n in manifest.get("objects", {}).items() if n}
    if counts != expected:
        raise BackupError("The database dump does not hold the number of rows its manifest lists.")


def backup_verify(*, path: Path, passphrase: str = "") -> dict:
    """Check a backup completely: the manifest, every entry's size and SHA-256, the decryption, and the
    database itself (SQLite: PRAGMA integrity_check; JSON lines: every record parses, counts match)."""
    with tempfile.TemporaryDirectory(prefix="ippo-verify-") as tmp:
        manifest = archive_read(
            path=path, passphrase=passphrase, dest=Path(tmp), keep=lambda name: name.startswith("db/")
        )
        if manifest.get("db_format") == "sqlite":
            result = sqlite_integrity(Path(tmp) / DB_SQLITE)
            if result != "ok":
                raise BackupError(f"The database in the backup fails SQLite's integrity check: {result}")
        else:
            _check_jsonl(Path(tmp) / DB_JSONL, manifest)
    return manifest


# --- Restore ----------------------------------------------------------------------------------------------


def instance_is_empty() -> bool:
    from django.db.utils import DatabaseError

    from ippo.core.models import Organization

    try:
        with scopes_disabled():
            return not Organization.objects.exists()
    except DatabaseError:  # no tables yet: a brand-new database
        connections.close_all()
        return True


def _targets(manifest: dict) -> list[tuple[str, str | None]]:
    """The migration of each app that the backup's database had reached, in this code's migration graph."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    recorded = manifest.get("migrations", {})
    targets = []
    for app in sorted(loader.migrated_apps | set(recorded)):
        names = set(recorded.get(app, []))
        unknown = [n for n in names if (app, n) not in loader.graph.nodes]
        if unknown:
            raise BackupError(
                f"The backup was made by a newer ippo (migration {app}.{sorted(unknown)[0]} is unknown here): "
                "install that version or newer, then restore."
            )
        leaves = [
            n
            for n in names
            if not any(
                child[0] == app and child[1] in names for child in loader.graph.node_map[(app, n)].children
            )
        ]
        targets.append((app, sorted(leaves)[-1] if leaves else None))
    return targets


class _HistoricalJsonl(JsonlDeserializer):
    """Load rows with the models as they were at the backup's migrations, not as the code has them now."""

    def __init__(self, stream, *, state_apps, **options):
        super().__init__(stream, **options)
        self._state_apps = state_apps

    def _get_model_from_node(self, model_identifier):
        try:
            return self._state_apps.get_model(model_identifier)
        except (LookupError, TypeError):
            raise serializers.base.DeserializationError(
                f"Invalid model identifier: {model_identifier}"
            ) from None


def _restore_jsonl(dump: Path, manifest: dict, out) -> None:
    from django.core.management.color import no_style

    targets = _targets(manifest)
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    state = MigrationLoader(connection).project_state(nodes=[t for t in targets if t[1]], at_end=True)
    state_apps = state.apps
    tables = [t for t in connection.introspection.table_names() if t != "django_migrations"]
    connection.ops.execute_sql_flush(
        connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
    )
    loaded = 0
    with connection.constraint_checks_disabled(), transaction.atomic():
        with open(dump, encoding="utf-8") as fh:
            for obj in _HistoricalJsonl(fh, state_apps=state_apps):
                obj.save()
                loaded += 1
        connection.check_constraints()
    models = [m for m in state_apps.get_models() if m._meta.managed and not m._meta.proxy]
    sequence_sql = connection.ops.sequence_reset_sql(no_style(), models)
    if sequence_sql:
        with connection.cursor() as cursor:
            for sql in sequence_sql:
                cursor.execute(sql)
    out.write(f"Loaded {loaded} rows.\n")


def _restore_sqlite(db_file: Path) -> None:
    if connection.vendor != "sqlite":
        raise BackupError(
            "This backup holds a SQLite database; restore it into a SQLite installation "
            "(make PostgreSQL backups with `ippo backup create` on PostgreSQL, or use --format jsonl)."
        )
    name = settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"]
    connections.close_all()
    source = sqlite3.connect(db_file)
    target = sqlite3.connect(name, timeout=20)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def _table_counts() -> dict[str, int]:
    existing = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in existing:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _restore_keys(stage: Path, out) -> None:
    data_dir = Path(settings.DATA_DIR)
    for entry, filename, env_name in (
        ("keys/encryption_key", "encryption_key", "IPPO_ENCRYPTION_KEY"),
        ("keys/secret_key", "secret_key", "SECRET_KEY"),
    ):
        source = stage / entry
        if not source.exists():
            continue
        value = source.read_text().strip()
        if os.environ.get(env_name):
            if os.environ[env_name].strip() != value:
                restored = data_dir / f"{filename}.restored"
                _write_secret(restored, value)
                out.write(
                    f"WARNING: {env_name} is set and differs from the key in the backup. The backup's key is in "
                    f"{restored}; set {env_name} to it (or put both, comma-separated, for the encryption key).\n"
                )
            continue
        target = data_dir / filename
        if target.exists() and target.read_text().strip() != value:
            target.replace(data_dir / f"{filename}.before-restore-{int(time.time())}")
        _write_secret(target, value)
        out.write(f"Restored {filename} into the data directory.\n")


def _write_secret(path: Path, value: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    os.replace(tmp, path)


def backup_restore(*, path: Path, passphrase: str = "", force: bool = False, out=sys.stdout) -> dict:
    """Restore a backup into this installation: check the whole archive first (into a staging directory
    beside the data), refuse a database that already has an organisation unless `force`, then put the
    database and the files in place, restore the keys (encrypted backups), and migrate to this code.

    Returns {"manifest": …, "tables": {table: rows}} — the row counts right after loading, which must
    equal the manifest's (checked here too)."""
    from django.core.management import call_command

    from ippo.lib import crypto

    if not force and not instance_is_empty():
        raise BackupError(
            "This installation already has data (at least one organisation). Restore into an empty "
            "installation, or add --force to replace everything."
        )
    data_dir = Path(settings.DATA_DIR)
    stage = Path(tempfile.mkdtemp(prefix=".restore-", dir=data_dir))
    try:
        manifest = archive_read(path=path, passphrase=passphrase, dest=stage, keep=lambda name: True)
        out.write(f"Backup checked: {len(manifest['entries'])} entries, made {manifest['created_at']}.\n")
        if manifest["db_format"] == "sqlite":
            integrity = sqlite_integrity(stage / DB_SQLITE)
            if integrity != "ok":
                raise BackupError(f"The database in the backup fails SQLite's integrity check: {integrity}")
            _targets(manifest)  # refuses a backup from a newer version
            _restore_sqlite(stage / DB_SQLITE)
        else:
            _restore_jsonl(stage / DB_JSONL, manifest, out)
        counts = _table_counts()
        wrong = sorted(t for t, n in manifest.get("tables", {}).items() if counts.get(t) != n)
        if wrong:
            raise BackupError(
                f"After loading, these tables do not hold the rows the backup lists: {', '.join(wrong)}."
            )
        for upload_dir in UPLOAD_DIRS:
            staged_files = stage / upload_dir
            staged_files.mkdir(exist_ok=True)
            current = files_dir(upload_dir)
            if current.exists():
                if any(current.iterdir()):
                    aside = data_dir / f"{upload_dir}.before-restore-{int(time.time())}"
                    current.replace(aside)
                    out.write(f"The files that were in {current} are kept in {aside}.\n")
                else:
                    shutil.rmtree(current)
            staged_files.replace(current)
        _restore_keys(stage, out)
        crypto._fernet.cache_clear()
        call_command("migrate", interactive=False, verbosity=0)
        from ippo.core.audit import audit_verify

        chain = audit_verify()  # the backup's own audit log was already broken, or the dump lost something
        out.write(
            f"Audit log: {chain.message}\n"
            if chain.ok
            else f"WARNING: the audit log is BROKEN: {chain.message}\n"
        )
        out.write("Restore finished; the database is migrated to this version of ippo.\n")
        return {"manifest": manifest, "tables": counts, "audit_ok": chain.ok, "audit": chain.message}
    finally:
        shutil.rmtree(stage, ignore_errors=True)
