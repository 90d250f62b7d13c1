"""`ippo restore` refuses to overwrite an installation that has data."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ippo.backup import archive
from ippo.backup.crypt import BackupError


def test_restore_refuses_an_installation_with_data(db, personas, tmp_path):
    path = tmp_path / "b.tar.gz"
    archive.backup_create(path=path)
    with pytest.raises(BackupError, match="already has data"):
        archive.backup_restore(path=path)
    with pytest.raises(CommandError, match="already has data"):
        call_command("restore", str(path))


def test_restore_of_a_missing_file_is_clear(db, tmp_path):
    with pytest.raises(CommandError, match="no backup file"):
        call_command("restore", str(tmp_path / "nope.tar.gz"))


def test_backup_from_a_newer_version_is_refused(db, tmp_path):
    manifest = {"migrations": {"core": ["0001_initial", "9999_from_the_future"]}}
    with pytest.raises(BackupError, match="newer ippo"):
        archive._targets(manifest)


def test_unsafe_entry_names_are_rejected():
    for name in ("../etc/passwd", "/abs", "files/../../x", "other/thing", "files//x"):
        assert not archive._safe_name(name)
    assert archive._safe_name("files/evidence/2026/a.pdf")


def test_create_command_records_the_run_and_status_shows_it(db, tmp_path, capsys):
    from ippo.backup.models import BackupRun

    path = tmp_path / "b.tar.gz"
    call_command("backup", "create", str(path))
    out = capsys.readouterr().out
    assert "Backup written" in out and "NOT in this backup" in out  # the key warning for plain backups
    run = BackupRun.objects.get()
    assert run.status == BackupRun.Status.OK and run.size == path.stat().st_size and run.day is None
    call_command("backup", "status")
    assert str(path) in capsys.readouterr().out


def test_passphrase_sources(db, tmp_path, monkeypatch):
    empty = tmp_path / "empty.pass"
    empty.write_text("\n")
    with pytest.raises(CommandError, match="empty"):
        call_command("backup", "create", str(tmp_path / "b"), "--passphrase-file", str(empty))
    with pytest.raises(CommandError, match="not set"):
        call_command("backup", "create", str(tmp_path / "b"), "--passphrase-env", "IPPO_NO_SUCH_VAR")
    monkeypatch.setenv("IPPO_TEST_BK_PASS", "s3cret passphrase")
    call_command("backup", "create", str(tmp_path / "b.enc"), "--passphrase-env", "IPPO_TEST_BK_PASS")
    call_command("backup", "verify", str(tmp_path / "b.enc"), "--passphrase-env", "IPPO_TEST_BK_PASS")
    with pytest.raises(CommandError, match="encrypted"):
        call_command("backup", "verify", str(tmp_path / "b.enc"))


def test_create_into_a_directory_uses_a_dated_name(db, tmp_path):
    call_command("backup", "create", str(tmp_path))
    (made,) = tmp_path.glob("ippo-backup-*.tar.gz")
    call_command("backup", "verify", str(made))
