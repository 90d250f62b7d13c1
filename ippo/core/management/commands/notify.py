"""`ippo notify retry | test --org SLUG | prune`: notification housekeeping (see docs/notifications.md)."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_scopes import scope

from ippo.core import notify
from ippo.core.models import ChatWebhook, Delivery
from ippo.core.tenancy import org_from_slug_unscoped


class Command(BaseCommand):
    help = (
        "Notifications: retry due deliveries, send a test message to an organisation's chat webhooks, prune."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        retry = sub.add_parser(
            "retry", help="Send every delivery that is due (failed ones whose time has come)."
        )
        retry.add_argument(
            "--limit", type=int, default=500, help="At most this many deliveries (default 500)."
        )
        test = sub.add_parser(
            "test", help="Send a test message to every active chat webhook of an organisation."
        )
        test.add_argument("--org", required=True, help="The organisation's URL name (slug).")
        prune = sub.add_parser("prune", help="Delete sent and given-up deliveries older than --days.")
        prune.add_argument("--days", type=int, default=90, help="Keep this many days (default 90).")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "retry":
            count = notify.deliveries_retry_due(limit=options["limit"])
            self.stdout.write(f"{count} deliveries attempted")
        elif action == "test":
            self._test(options["org"])
        elif action == "prune":
            if options["days"] < 1:
                raise CommandError("--days must be 1 or more.")
            deleted = notify.deliveries_prune(before=timezone.now() - timedelta(days=options["days"]))
            self.stdout.write(f"{deleted} deliveries deleted")

    def _test(self, slug: str) -> None:
        org = org_from_slug_unscoped(slug)
        if org is None:
            raise CommandError(f"No organisation with the URL name {slug!r}.")
        with scope(organization=org):
            webhooks = list(ChatWebhook.objects.filter(is_active=True).order_by("name"))
        if not webhooks:
            raise CommandError(f"{org.slug} has no active chat webhooks.")
        failed = 0
        for webhook in webhooks:
            delivery = notify.chatwebhook_send_test(org=org, webhook=webhook)
            if delivery.status == Delivery.Status.SENT:
                self.stdout.write(f"{webhook.name} ({webhook.get_kind_display()}, {webhook.hint}): sent")
            else:
                failed += 1
                self.stdout.write(
                    f"{webhook.name} ({webhook.get_kind_display()}, {webhook.hint}): FAILED: {delivery.last_error}"
                )
        if failed:
            raise CommandError(f"{failed} of {len(webhooks)} test messages failed.", returncode=1)
