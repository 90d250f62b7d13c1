"""Backup settings, read from the environment (documented in docs/backup.md). A Django setting of the same
name wins (tests use override_settings).

IPPO_BACKUP_DIR              where scheduled backups go (default: DATA_DIR/backups; "off" switches them off;
                             off by default while testing)
IPPO_BACKUP_KEEP             how many scheduled backups to keep (default 14)
IPPO_BACKUP_TIME             local time of day after which the day's backup runs (default 02:00)
IPPO_BACKUP_PASSPHRASE_FILE  a file holding the passphrase that encrypts scheduled backups (recommended)
IPPO_BACKUP_RESTORE_TEST_DAYS  run a restore test of the newest backup when the last one is older than
                             this many days (default 7; 0 = never)
"""

from __future__ import annotations

from datetime import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ippo.lib.env import env_int, env_str


def _get(name: str, default):
    return getattr(settings, name, None) if hasattr(settings, name) else default


def backup_dir() -> Path | None:
    raw = _get("IPPO_BACKUP_DIR", env_str("IPPO_BACKUP_DIR"))
    if raw is None or str(raw).strip().lower() == "off":
        return None
    if not str(raw).strip():
        if getattr(settings, "TESTING", False):
            return None
        return Path(settings.DATA_DIR) / "backups"
    return Path(raw).expanduser()


def keep() -> int:
    value = int(_get("IPPO_BACKUP_KEEP", env_int("IPPO_BACKUP_KEEP", 14)))
    return max(1, value)


def daily_time() -> time:
    raw = str(_get("IPPO_BACKUP_TIME", env_str("IPPO_BACKUP_TIME", "02:00")))
    try:
        hours, minutes = raw.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ImproperlyConfigured(f"IPPO_BACKUP_TIME must look like 02:30 (got {raw!r}).") from None


def passphrase() -> str:
    path = _get("IPPO_BACKUP_PASSPHRASE_FILE", env_str("IPPO_BACKUP_PASSPHRASE_FILE"))
    if not path:
        return ""
    return Path(path).read_text(encoding="utf-8").strip()


def restore_test_days() -> int:
    return int(_get("IPPO_BACKUP_RESTORE_TEST_DAYS", env_int("IPPO_BACKUP_RESTORE_TEST_DAYS", 7)))
