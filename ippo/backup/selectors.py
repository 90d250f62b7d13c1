"""What the owner's backup page shows."""

from __future__ import annotations

from dataclasses import dataclass

from ippo.backup import conf
from ippo.backup.models import BackupRun, RestoreTest


@dataclass
class BackupStatus:
    last_ok: BackupRun | None
    last_failed: BackupRun | None
    last_restore: RestoreTest | None
    last_restore_failed: RestoreTest | None
    scheduled: bool
    encrypted: bool
    keep: int


def backup_status() -> BackupStatus:
    last_ok = BackupRun.objects.filter(status=BackupRun.Status.OK).order_by("-finished_at", "-pk").first()
    failed = BackupRun.objects.filter(status=BackupRun.Status.ERROR).order_by("-finished_at", "-pk").first()
    if (
        failed
        and last_ok
        and last_ok.finished_at
        and failed.finished_at
        and failed.finished_at < last_ok.finished_at
    ):
        failed = None
    restore = RestoreTest.objects.filter(ok=True).first()
    restore_failed = RestoreTest.objects.filter(ok=False).first()
    if restore_failed and restore and restore_failed.tested_at < restore.tested_at:
        restore_failed = None
    return BackupStatus(
        last_ok=last_ok,
        last_failed=failed,
        last_restore=restore,
        last_restore_failed=restore_failed,
        scheduled=conf.backup_dir() is not None,
        encrypted=bool(_has_passphrase()),
        keep=conf.keep(),
    )


def _has_passphrase() -> bool:
    try:
        return bool(conf.passphrase())
    except OSError:
        return False
