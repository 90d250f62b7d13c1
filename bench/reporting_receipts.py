"""The reporting channel's costs, in process: one Argon2id receipt-code hash (as a ratio to a SHA-256 of the
same input, the same run), a whole anonymous report through the report link (form token, Argon2id, rows,
escalation, notification rows), and opening the thread with a receipt code; plus the handler inbox's query
count with 10 and 200 reports. Prints the numbers and appends them to bench/results/reporting_receipts.jsonl."""

from __future__ import annotations

import hashlib
import json
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("IPPO_DATA_DIR", tempfile.mkdtemp(prefix="ippo-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ippo.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("IPPO_TESTING", "1")  # plain static files storage; e-mail to memory
ROUNDS = int(os.environ.get("IPPO_BENCH_ROUNDS", "20"))


def timed(fn, rounds: int = ROUNDS) -> list[float]:
    fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope

    from ippo.accounts.models import User
    from ippo.core.models import Membership, Organization
    from ippo.reporting import receipts, services

    call_command("migrate", verbosity=0)
    org = Organization.objects.create(name="Bench 株式会社", slug=f"bench-{int(time.time())}")
    manager = User.objects.create_user(email=f"m{int(time.time())}@bench.example", password="x" * 12)
    Membership.objects.create(organization=org, user=manager, role="manager")
    row = services.reportsettings_get(org=org)
    code = receipts.code_new()

    argon = timed(lambda: receipts.code_hash(salt=row.receipt_salt, code=code, passphrase="pass"))  # noqa: S106
    sha = timed(lambda: hashlib.sha256((code + "pass").encode()).hexdigest())

    client = Client()
    token_re = re.compile(rb'name="form_token" value="([^"]+)"')
    codes: list[str] = []

    def submit():
        page = client.get(f"/report/{row.token}/")
        form_token = token_re.search(page.content).group(1).decode()
        response = client.post(
            f"/report/{row.token}/",
            {
                "form_token": form_token,
                "kind": "clicked",
                "happened": "just_now",
                "description": "bench",
                "severity_guess": "1",
                "identity": "anonymous",
                "lang": "ja",
            },
        )
        codes.append(re.search(rb'id="receipt-code">([\d ]+)<', response.content).group(1).decode())

    receipts.SUBMIT_LIMIT = 10_000
    submit_times = timed(submit)
    form_token = token_re.search(client.get(f"/report/{row.token}/").content).group(1).decode()
    open_times = timed(
        lambda: client.post(f"/report/{row.token}/follow-up/", {"form_token": form_token, "code": codes[-1]})
    )

    manager_client = Client()
    manager_client.force_login(manager)

    def inbox_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            manager_client.get(f"/o/{org.slug}/reporting/")
        return len(ctx.captured_queries)

    with scope(organization=org):
        few = inbox_queries()
        for _ in range(200 - len(codes)):
            services.report_submit(
                org=org, actor=manager, kind="virus", happened="today", description="x", identity="named"
            )
        many = inbox_queries()

    med = statistics.median
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "argon2id_ms": round(med(argon) * 1000, 1),
        "sha256_ms": round(med(sha) * 1000, 4),
        "argon2id_over_sha256": round(med(argon) / med(sha)),
        "submit_ms_p50": round(med(submit_times) * 1000, 1),
        "submit_ms_max": round(max(submit_times) * 1000, 1),
        "followup_open_ms_p50": round(med(open_times) * 1000, 1),
        "inbox_queries_21_reports": few,
        "inbox_queries_200_reports": many,
    }
    print(json.dumps(result, ensure_ascii=False))
    out = ROOT / "bench" / "results" / "reporting_receipts.jsonl"
    out.parent.mkdir(exist_ok=True)
    with out.open("a") as fh:
        fh.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
