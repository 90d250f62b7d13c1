"""`ippo report …`: reports from the command line.

- `ippo report board --org SLUG --lang ja|en --out FILE.pdf` — the board report (ippo.reports).
- `ippo report partner --org SLUG --lang ja|en --out FILE.pdf` — the partner evidence pack (ippo.sharing).
- `ippo report verify FILE` — exit status 0 only for a genuine, unaltered, unrevoked evidence pack.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Make the board report or the partner evidence pack as PDF, or verify a pack."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("board", "The board report."), ("partner", "The partner evidence pack.")):
            p = sub.add_parser(name, help=text)
            p.add_argument("--org", required=True, help="The organisation's URL name (slug).")
            p.add_argument("--lang", choices=["ja", "en"], default="ja")
            p.add_argument("--out", required=True, help="Where to write the PDF.")
        v = sub.add_parser("verify", help="Check that an evidence pack PDF is genuine, unaltered and not revoked.")
        v.add_argument("file")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "board":
            from ippo.reports.cli import board_command

            code = board_command(org_slug=options["org"], language=options["lang"], out=options["out"], stdout=self.stdout)
        elif action == "partner":
            from ippo.sharing.cli import partner_command

            code = partner_command(org_slug=options["org"], language=options["lang"], out=options["out"], stdout=self.stdout)
        else:
            from ippo.sharing.cli import verify_command

            code = verify_command(path=options["file"], stdout=self.stdout)
        if code:
            raise SystemExit(code)
