"""`ippo restore FILE`: restore a backup into an empty installation (stop the server first)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ippo.backup.archive import backup_restore
from ippo.backup.crypt import BackupError
from ippo.backup.management.commands import _passphrase


class Command(BaseCommand):
    help = "Restore a backup (database and uploaded files) into an empty installation, then migrate."

    def add_arguments(self, parser):
        parser.add_argument("file")
        _passphrase.add_arguments(parser)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace an installation that already has data (everything in it is lost).",
        )
        parser.add_argument(
            "--report", metavar="FILE", help="Also write the restored row counts as JSON to FILE."
        )

    def handle(self, *args, **options):
        passphrase = _passphrase.read(options)
        try:
            result = backup_restore(
                path=Path(options["file"]), passphrase=passphrase, force=options["force"], out=self.stdout
            )
        except BackupError as exc:
            raise CommandError(f"The restore failed: {exc}") from None
        if options["report"]:
            report = {"tables": result["tables"], "audit_ok": result["audit_ok"], "audit": result["audit"]}
            Path(options["report"]).write_text(json.dumps(report, sort_keys=True))
