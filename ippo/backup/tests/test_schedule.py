"""Scheduled backups: once a day for the whole installation, retention, records, the clock hook."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from ippo.backup import clock, services
from ippo.backup.models import BackupRun, RestoreTest

TOKYO = ZoneInfo("Asia/Tokyo")
AFTER = datetime(2026, 11, 26, 3, 0, tzinfo=TOKYO)


@pytest.fixture
def backup_dir(tmp_path):
    with override_settings(
        IPPO_BACKUP_DIR=str(tmp_path / "backups"), IPPO_BACKUP_TIME="02:00", IPPO_BACKUP_RESTORE_TEST_DAYS=0
    ):
        yield tmp_path / "backups"


def test_the_day_is_claimed_once(db):
    day = AFTER.date()
    first = services.backuprun_claim(day=day, now=AFTER)
    second = services.backuprun_claim(day=day, now=AFTER)
    assert first is not None and first.status == BackupRun.Status.RUNNING
    assert second is None
    assert BackupRun.objects.filter(day=day).count() == 1
    # A run left "running" by a worker that died is taken over after STALE_AFTER.
    later = AFTER + services.STALE_AFTER + timedelta(minutes=1)
    assert services.backuprun_claim(day=day, now=later) is not None


def test_clock_backs_up_once_for_many_organisations(db, personas, backup_dir):
    for org in (personas.org, personas.other_org):
        clock.run(org=org, today=AFTER.date(), now=AFTER)
    clock.run(org=personas.org, today=AFTER.date(), now=AFTER + timedelta(minutes=5))
    runs = list(BackupRun.objects.all())
    assert len(runs) == 1 and runs[0].status == BackupRun.Status.OK and runs[0].size > 0
    assert runs[0].finished_at and runs[0].day == AFTER.date()
    assert len(list(backup_dir.glob("ippo-backup-*"))) == 1


def test_nothing_before_the_daily_time_or_when_switched_off(db, personas, backup_dir):
    early = datetime.combine(AFTER.date(), time(1, 0), tzinfo=TOKYO)
    assert clock.run(org=personas.org, today=early.date(), now=early) == {"backups": 0}
    with override_settings(IPPO_BACKUP_DIR="off"):
        assert clock.run(org=personas.org, today=AFTER.date(), now=AFTER) == {"backups": 0}
    assert not BackupRun.objects.exists()


def test_a_failed_backup_is_recorded(db, personas, backup_dir):
    with mock.patch("ippo.backup.services.backup_create", side_effect=OSError("disk full")):
        clock.run(org=personas.org, today=AFTER.date(), now=AFTER)
    run = BackupRun.objects.get()
    assert run.status == BackupRun.Status.ERROR and "disk full" in run.error


def test_retention_keeps_the_newest(tmp_path):
    for day in range(1, 21):
        (tmp_path / f"ippo-backup-202611{day:02d}-020000.tar.gz").write_bytes(b"x")
    (tmp_path / "something-else.tar.gz").write_bytes(b"x")
    removed = services.backups_prune(directory=tmp_path, keep=14)
    assert len(removed) == 6
    left = sorted(p.name for p in tmp_path.glob("ippo-backup-*"))
    assert left[0] == "ippo-backup-20261107-020000.tar.gz" and len(left) == 14
    assert (tmp_path / "something-else.tar.gz").exists()


def test_scheduled_backups_are_pruned(db, personas, backup_dir):
    backup_dir.mkdir(parents=True)
    for day in range(1, 6):
        (backup_dir / f"ippo-backup-202601{day:02d}-020000.tar.gz").write_bytes(b"old")
    with override_settings(IPPO_BACKUP_KEEP=3):
        clock.run(org=personas.org, today=AFTER.date(), now=AFTER)
    assert len(list(backup_dir.glob("ippo-backup-*"))) == 3


def test_restore_test_is_recorded(db, personas, tmp_path):
    """A restore test of a scheduled backup: restored by a separate process into a scratch data dir."""
    with override_settings(
        IPPO_BACKUP_DIR=str(tmp_path / "b"), IPPO_BACKUP_TIME="02:00", IPPO_BACKUP_RESTORE_TEST_DAYS=7
    ):
        clock.run(org=personas.org, today=AFTER.date(), now=AFTER)
    test = RestoreTest.objects.get()
    assert test.ok, test.detail
    assert "rows restored and compared" in test.detail
    # A broken file is recorded as a failed restore test, not an exception.
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not a backup")
    failed = services.restore_test(path=broken)
    assert not failed.ok and "damaged" in failed.detail
