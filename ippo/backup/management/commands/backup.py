"""`ippo backup create|verify|restore-test|status`: see docs/backup.md."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ippo.backup.archive import backup_create, backup_verify
from ippo.backup.crypt import BackupError
from ippo.backup.management.commands import _passphrase


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


class Command(BaseCommand):
    help = "Make, check and test backups of the database and the uploaded files."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a backup now (safe while ippo is running).")
        create.add_argument(
            "file", help="The backup file to write, or a directory to write a dated file into."
        )
        create.add_argument("--format", choices=["auto", "sqlite", "jsonl"], default="auto")
        _passphrase.add_arguments(create)
        verify = sub.add_parser("verify", help="Check a backup: manifest, every checksum, the database.")
        verify.add_argument("file")
        _passphrase.add_arguments(verify)
        test = sub.add_parser(
            "restore-test", help="Restore a backup into a scratch installation and record the result."
        )
        test.add_argument("file")
        _passphrase.add_arguments(test)
        sub.add_parser("status", help="Show the last successful backup and the last restore test.")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "status":
            return self._status()
        path = Path(options["file"])
        passphrase = _passphrase.read(options)
        if action == "create":
            from ippo.backup.services import backuprun_record_manual

            started = timezone.now()
            if path.is_dir():  # a directory: a dated name inside it, like the scheduled backups
                from ippo.backup.services import backup_file_name

                path = path / backup_file_name(started, encrypted=bool(passphrase))
            try:
                manifest = backup_create(path=path, passphrase=passphrase, fmt=options["format"])
            except (BackupError, OSError) as exc:
                backuprun_record_manual(path=path, manifest=None, started=started, error=str(exc))
                raise CommandError(f"Backup failed: {exc}") from None
            backuprun_record_manual(path=path, manifest=manifest, started=started)
            files = sum(1 for e in manifest["entries"] if e["name"].startswith(("files/", "private/")))
            self.stdout.write(
                f"Backup written to {path.resolve()} ({_size(manifest['size'])}; database: {manifest['db_format']}, "
                f"{files} uploaded files{', encrypted' if passphrase else ''})."
            )
            if not passphrase:
                self.stdout.write(
                    "Not encrypted, so the encryption key of stored secrets is NOT in this backup: keep a copy of "
                    "DATA_DIR/encryption_key (or IPPO_ENCRYPTION_KEY) somewhere safe, separately."
                )
        elif action == "verify":
            try:
                manifest = backup_verify(path=path, passphrase=passphrase)
            except BackupError as exc:
                raise CommandError(f"The backup is NOT usable: {exc}") from None
            self.stdout.write(
                f"OK: {len(manifest['entries'])} entries checked; made {manifest['created_at']} by ippo "
                f"{manifest['ippo_version']} ({manifest['db_vendor']})."
            )
        elif action == "restore-test":
            from ippo.backup.services import restore_test

            result = restore_test(path=path, passphrase=passphrase)
            if not result.ok:
                raise CommandError(f"The restore test FAILED: {result.detail}")
            self.stdout.write(f"Restore test passed: {result.detail}")

    def _status(self):
        from ippo.backup.selectors import backup_status

        status = backup_status()
        if status.last_ok:
            self.stdout.write(
                f"Last successful backup: {status.last_ok.finished_at:%Y-%m-%d %H:%M} {status.last_ok.path}"
            )
        else:
            self.stdout.write("No successful backup recorded.")
        if status.last_restore:
            self.stdout.write(
                f"Last restore test: {status.last_restore.tested_at:%Y-%m-%d %H:%M} {status.last_restore.path}"
            )
        else:
            self.stdout.write("No restore test recorded.")
