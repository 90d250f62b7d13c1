"""`ippo program tick`: run the programme clock once (recurring tasks, ageing evidence, reminders, the
weekly summary). Safe to run as often as you like, from cron or a systemd timer."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ippo.program.reminders import tick


class Command(BaseCommand):
    help = "Programme housekeeping: `ippo program tick`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("tick", help="Create due recurring items, age evidence, send reminders and summaries.")

    def handle(self, *args, **options):
        totals = tick()
        self.stdout.write(" ".join(f"{key}={value}" for key, value in totals.items()))
