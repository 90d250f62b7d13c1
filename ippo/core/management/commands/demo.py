from django.core.management.base import BaseCommand

from ippo.core.demo import DEMO_PASSWORD, DEMO_USERS, demo_load


class Command(BaseCommand):
    help = "Create or refresh the demo company (slug 'demo') with one user per role. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--password", help=f"Password for the demo users (default: {DEMO_PASSWORD}).")

    def handle(self, *args, **options):
        org, _users = demo_load(password=options.get("password"))
        password = options.get("password") or DEMO_PASSWORD
        self.stdout.write(self.style.SUCCESS(f"Demo company ready: {org.name} (/o/{org.slug}/)"))
        self.stdout.write(f"Sign in with one of these (password: {password}):")
        for role, (email, _name) in DEMO_USERS.items():
            self.stdout.write(f"  {role:<8} {email}")
