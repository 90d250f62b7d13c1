"""The `ippo` command: every Django management command, plus serve, demo, audit, …

    ippo serve [--host 127.0.0.1 --port 8000]   migrate, then run the web server and the task worker
    ippo demo [--password PW]                   create or refresh the demo company (slug: demo)
    ippo audit verify                           check the audit log's hash chain
    ippo check --deploy                         Django's deployment checks
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ippo.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["ippo", *args])


if __name__ == "__main__":
    main()
