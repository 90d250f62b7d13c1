"""The clock hook: the installation's daily backup (see services.backup_scheduled_run).

Called for every organisation; only the first call of the day after IPPO_BACKUP_TIME does anything, and
the day's BackupRun row is claimed with a conditional UPDATE, so concurrent workers back up once."""

from __future__ import annotations

from ippo.backup.services import backup_scheduled_run


def run(*, org, today, now) -> dict[str, int]:
    made = backup_scheduled_run(now=now)
    return {"backups": 1 if made is not None and made.status == "ok" else 0}
