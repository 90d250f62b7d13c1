"""`ippo devices reevaluate [--org SLUG]`: judge every device's newest stored report again with the current
rules (after upgrading ippo), and update the device controls. Needs no agent to run again."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ippo.core.models import Organization
from ippo.devices import services
from ippo.devices.models import Device


class Command(BaseCommand):
    help = "Device agent housekeeping: `ippo devices reevaluate [--org SLUG]`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        again = sub.add_parser(
            "reevaluate", help="Judge the newest report of every device with today's rules."
        )
        again.add_argument("--org", help="only this organisation (its URL name)")

    def handle(self, *args, **options):
        with scopes_disabled():
            orgs = Organization.objects.all()
            if options.get("org"):
                orgs = orgs.filter(slug=options["org"])
                if not orgs.exists():
                    raise CommandError(f"No organisation {options['org']!r}")
            orgs = list(orgs)
        now, count = timezone.now(), 0
        for org in orgs:
            with scope(organization=org):
                for device in Device.objects.filter(organization=org, is_active=True):
                    count += services.device_reevaluate(device=device, now=now)
                services.device_controls_sync(org=org, now=now)
        self.stdout.write(f"devices re-evaluated: {count}")
