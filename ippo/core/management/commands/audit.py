from django.core.management.base import BaseCommand, CommandError

from ippo.core.audit import audit_verify


class Command(BaseCommand):
    help = "Audit log tools. `ippo audit verify` checks the hash chain and names the first bad entry."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Verify the audit log's hash chain (exit status 1 when broken).")

    def handle(self, *args, **options):
        result = audit_verify()
        if not result.ok:
            raise CommandError(f"audit log BROKEN: {result.message}", returncode=1)
        self.stdout.write(self.style.SUCCESS(result.message))
