"""Reading a passphrase for the backup commands: from a file or an environment variable, never from the
command line (it would be visible to every user of the machine in the process list)."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import CommandError


def add_arguments(parser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--passphrase-file", metavar="FILE", help="Read the passphrase from this file.")
    group.add_argument(
        "--passphrase-env", metavar="VAR", help="Read the passphrase from this environment variable."
    )


def read(options) -> str:
    if options.get("passphrase_file"):
        try:
            value = Path(options["passphrase_file"]).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CommandError(f"Cannot read the passphrase file: {exc}") from None
        if not value:
            raise CommandError("The passphrase file is empty.")
        return value
    if options.get("passphrase_env"):
        value = os.environ.get(options["passphrase_env"], "").strip()
        if not value:
            raise CommandError(f"The environment variable {options['passphrase_env']} is empty or not set.")
        return value
    return ""
