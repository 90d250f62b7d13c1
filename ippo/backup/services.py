"""Scheduled backups with retention, restore tests, and what the owner's page shows.

`backup_scheduled_run` is called by the clock (clock.py) for every organisation; the first call after the
daily time inserts the day's BackupRun and claims it with a conditional UPDATE, so the installation is
backed up once a day however many organisations and workers tick at once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ippo.backup import conf
from ippo.backup.archive import backup_create
from ippo.backup.crypt import BackupError
from ippo.backup.models import BackupRun, RestoreTest

PREFIX = "ippo-backup-"
STALE_AFTER = timedelta(hours=6)  # a run "running" for longer than this died with its worker


def backup_file_name(now: datetime, *, encrypted: bool) -> str:
    local = timezone.localtime(now)
    return f"{PREFIX}{local:%Y%m%d-%H%M%S}.tar.gz" + (".enc" if encrypted else "")


def backuprun_claim(*, day: date, now: datetime) -> BackupRun | None:
    """Claim the day's scheduled backup for this worker; None when another worker has (or had) it."""
    try:
        with transaction.atomic():
            BackupRun.objects.create(day=day, status=BackupRun.Status.PENDING)
    except IntegrityError:
        pass
    claimable = Q(status=BackupRun.Status.PENDING) | Q(
        status=BackupRun.Status.RUNNING, started_at__lt=now - STALE_AFTER
    )
    claimed = BackupRun.objects.filter(claimable, day=day).update(
        status=BackupRun.Status.RUNNING, started_at=now
    )
    return BackupRun.objects.get(day=day) if claimed == 1 else None


def backuprun_execute(*, run: BackupRun, directory: Path, passphrase: str) -> BackupRun:
    """Make the backup for a claimed run, record the outcome, then prune old scheduled backups."""
    path = Path(directory) / backup_file_name(run.started_at or timezone.now(), encrypted=bool(passphrase))
    try:
        manifest = backup_create(path=path, passphrase=passphrase)
    except Exception as exc:  # noqa: BLE001 — recorded and shown to the owner; the clock goes on
        run.status, run.error = BackupRun.Status.ERROR, f"{type(exc).__name__}: {exc}"[:2000]
    else:
        run.status, run.error = BackupRun.Status.OK, ""
        run.path, run.size, run.encrypted = str(path), manifest["size"], bool(passphrase)
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "path", "size", "encrypted", "finished_at"])
    if run.status == BackupRun.Status.OK:
        backups_prune(directory=Path(directory), keep=conf.keep())
    return run


def backup_scheduled_run(*, now: datetime) -> BackupRun | None:
    """The day's backup, if scheduled backups are on, the daily time has passed and nobody ran it yet."""
    directory = conf.backup_dir()
    if directory is None:
        return None
    local = timezone.localtime(now)
    if local.time() < conf.daily_time():
        return None
    if BackupRun.objects.filter(day=local.date()).exclude(status=BackupRun.Status.PENDING).exists():
        stale = BackupRun.objects.filter(
            day=local.date(), status=BackupRun.Status.RUNNING, started_at__lt=now - STALE_AFTER
        ).exists()
        if not stale:
            return None
    run = backuprun_claim(day=local.date(), now=now)
    if run is None:
        return None
    run = backuprun_execute(run=run, directory=directory, passphrase=conf.passphrase())
    days = conf.restore_test_days()
    if run.status == BackupRun.Status.OK and days > 0:
        recent = RestoreTest.objects.filter(ok=True, tested_at__gte=now - timedelta(days=days)).exists()
        if not recent:
            restore_test(path=Path(run.path), passphrase=conf.passphrase())
    return run


def backups_prune(*, directory: Path, keep: int) -> list[Path]:
    """Delete the oldest scheduled backups in `directory` beyond the newest `keep`; return what was deleted.
    Only files named like scheduled backups are touched."""
    found = sorted(
        p for p in Path(directory).glob(f"{PREFIX}*") if p.is_file() and not p.name.endswith(".partial")
    )
    removed = found[: max(0, len(found) - keep)]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def restore_test(*, path: Path, passphrase: str = "", timeout: int = 1800) -> RestoreTest:
    """Restore `path` into a scratch installation (a temporary data directory with SQLite, in a separate
    process) and record whether it worked: the archive checks out, the database loads and every table
    holds the rows the backup lists. The scratch installation is deleted afterwards."""
    started = timezone.now()
    with tempfile.TemporaryDirectory(prefix="ippo-restore-test-") as tmp:
        report = Path(tmp) / "report.json"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "IPPO_ENCRYPTION_KEY", "SECRET_KEY"}
        }
        env.update({"IPPO_DATA_DIR": str(Path(tmp) / "data"), "IPPO_RESTORE_TEST_PASSPHRASE": passphrase})
        env.pop("IPPO_TESTING", None)
        command = [sys.executable, "-m", "ippo.cli", "restore", str(path), "--report", str(report)]
        if passphrase:
            command += ["--passphrase-env", "IPPO_RESTORE_TEST_PASSPHRASE"]
        try:
            done = subprocess.run(  # noqa: S603 — our own interpreter and command
                command, env=env, capture_output=True, text=True, timeout=timeout, check=False
            )
            ok = done.returncode == 0 and report.exists()
            if ok:
                result = json.loads(report.read_text())
                tables = result["tables"]
                ok = bool(result.get("audit_ok"))
                detail = f"{len(tables)} tables, {sum(tables.values())} rows restored and compared; {result['audit']}."
            else:
                detail = (done.stderr or done.stdout).strip()[-2000:]
        except (subprocess.TimeoutExpired, OSError, ValueError, KeyError) as exc:
            ok, detail = False, f"{type(exc).__name__}: {exc}"
    seconds = (timezone.now() - started).total_seconds()
    return RestoreTest.objects.create(
        path=str(path), tested_at=timezone.now(), ok=ok, detail=f"{detail} ({seconds:.0f} s)"[:4000]
    )


def backuprun_record_manual(
    *, path: Path, manifest: dict | None, started: datetime, error: str = ""
) -> BackupRun:
    """Record a backup made with `ippo backup create`, so the owner's page knows about it too."""
    return BackupRun.objects.create(
        status=BackupRun.Status.ERROR if error else BackupRun.Status.OK,
        started_at=started,
        finished_at=timezone.now(),
        path=str(path),
        size=(manifest or {}).get("size", 0),
        encrypted=bool((manifest or {}).get("encrypted")),
        error=error[:2000],
    )


__all__ = [
    "BackupError",
    "backup_scheduled_run",
    "backuprun_claim",
    "backups_prune",
    "restore_test",
]
