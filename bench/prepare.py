"""Run in its own process (IPPO_DATA_DIR / DATABASE_URL set by the caller): migrate, generate N
organisations and write what the load generator needs (session cookies, an API token, object ids) as JSON.

    python -m bench.prepare --orgs 1000 --out /tmp/x.json [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ippo.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django_scopes import scopes_disabled

    from bench.generate import generate

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    employees = (10, 40) if args.quick else (50, 300)
    orgs, advisor, owner = generate(args.orgs, employees=employees)
    generated = time.perf_counter()
    from ippo.api.services import apitoken_create
    from ippo.assessments.models import Assessment

    with scopes_disabled():
        assessment = Assessment.objects.filter(organization=orgs[0], status="completed").order_by("-completed_at").first()
        _token, token = apitoken_create(actor=owner, name="bench", scope="read", days=2, user=owner)
    cookies = {}
    for name, user in (("owner", owner), ("advisor", advisor)):
        client = Client()
        client.force_login(user)
        cookies[name] = client.cookies["sessionid"].value
    data = {
        "orgs": len(orgs),
        "slug": orgs[0].slug,
        "assessment_id": assessment.pk,
        "token": token,
        "cookies": cookies,
        "migrate_s": round(migrated - started, 2),
        "generate_s": round(generated - migrated, 2),
    }
    with open(args.out, "w") as fh:
        json.dump(data, fh)


if __name__ == "__main__":
    main()
