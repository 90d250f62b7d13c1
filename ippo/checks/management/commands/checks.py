"""`ippo checks …`: automated checks from the command line.

- `ippo checks domain DOMAIN [--json] [--resolver HOST:PORT] [--passive] [--lang ja|en]` — run every check
  of a domain and print the results. Active checks (ports, VPN login pages, old TLS) run only when the
  domain is registered in ippo and its ownership TXT record is published; `--passive` skips them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the automated checks of a domain and print the results."
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        d = sub.add_parser("domain", help="Check one domain (mail, website, exposed services).")
        d.add_argument("domain")
        d.add_argument("--json", action="store_true", help="Print a JSON list of results.")
        d.add_argument(
            "--resolver", help="DNS server to ask, HOST or HOST:PORT (default: IPPO_CHECKS_RESOLVER)."
        )
        d.add_argument(
            "--passive", action="store_true", help="Only DNS lookups and one page fetch; no active checks."
        )
        d.add_argument("--lang", choices=["ja", "en"], default=settings.LANGUAGE_CODE)

    def handle(self, *args, **options):
        from ippo.checks.cli import domain_command
        from ippo.checks.dnsclient import parse_resolver

        if options.get("resolver"):
            try:
                parse_resolver(options["resolver"])
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        code = domain_command(
            name=options["domain"],
            as_json=options["json"],
            resolver=options.get("resolver"),
            passive=options["passive"],
            language=options["lang"],
            stdout=self.stdout,
        )
        if code:
            raise SystemExit(code)
