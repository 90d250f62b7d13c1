"""Mixed-traffic load test (issue 10): `python -m bench.load_mixed [--seconds 20] [--concurrency 8] [--orgs 20]`.

Prepares a fresh temporary data directory with `bench.prepare --quick` (N organisations of realistic data,
session cookies for the owner and the advisor, an API token), then adds what the public endpoints need:
each organisation's report link (ReportSettings with its token) and one running phishing drill per
organisation whose recipients have tokens known to this script (stored, as in production, only as SHA-256
in `Recipient.token_hash`). It starts the production server (`ippo serve`: gunicorn gthread, 2 workers × 4
threads, SQLite) on a free 127.0.0.1 port and, for a bounded time, runs `--concurrency` keep-alive clients
that each pick, by weight, one of:

- dashboard, action_plan — the owner's pages of bench-0001 (session cookie)
- console — the advisor console (advisor of every organisation)
- api_list — `/api/v1/orgs/<slug>/action-items` with the bearer token
- healthz — the floor
- report — an anonymous report through a random organisation's report link: GET the form (kind
  `report_form`, for its signed form token), then POST it (kind `report_submit`: Argon2id receipt code,
  report rows, escalation and notification rows). The link allows SUBMIT_LIMIT reports per organisation per
  ten minutes (then 429, by design); the script keeps within that budget and, once every organisation's
  budget is spent, only fetches the form.
- drill_open, drill_click — the tracking image and the mail link with a random recipient's token (writes).

Records per kind: requests, p50/p95/p99 latency and status counts; totals; prints "5xx: 0" prominently and
exits 1 if any request answered 5xx or failed at the connection level (also if any answer was not the
expected status). Appends one JSON line per run to bench/results/load_mixed.jsonl. Loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

from bench.suite import PYTHON, ROOT, Server, _env, _ippo, pages

RESULTS = ROOT / "bench" / "results" / "load_mixed.jsonl"
WEIGHTS = {
    "dashboard": 14,
    "action_plan": 10,
    "console": 8,
    "api_list": 14,
    "healthz": 10,
    "report": 8,
    "drill_open": 20,
    "drill_click": 16,
}
EXPECTED = {"report_submit": 200}  # every kind answers 200 when all is well
RECEIPT_RE = re.compile(rb'id="receipt-code">([\d ]+)<')
FORM_TOKEN_RE = re.compile(rb'name="form_token" value="([^"]+)"')

# Run in the prepared data directory (same IPPO_DATA_DIR): report links and one running drill per
# organisation with recipients whose tokens we know. argv: output file, recipients per organisation.
PREPARE_PUBLIC = r"""
import json, os, secrets, sys
from datetime import timedelta
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ippo.settings")
import django
django.setup()
from django.utils import timezone
from django_scopes import scopes_disabled
from ippo.core.models import Organization
from ippo.phishing.models import Drill, Recipient, SendingProfile
from ippo.phishing.tracking import token_hash
from ippo.reporting import receipts
from ippo.reporting.services import reportsettings_get

out, per_org = sys.argv[1], int(sys.argv[2])
now = timezone.now()
links, tokens = [], []
with scopes_disabled():
    for org in Organization.objects.filter(slug__startswith="bench-").order_by("slug"):
        links.append(reportsettings_get(org=org).token)
        profile = SendingProfile.objects.create(
            organization=org, name="load", host="127.0.0.1", port=1, security="none", from_address="it@drill.example"
        )
        drill = Drill.objects.create(
            organization=org, name="load", status="running", template_ids=["delivery-notice"], profile=profile,
            started_at=now - timedelta(hours=1),
        )
        mine = [secrets.token_urlsafe(16) for _ in range(per_org)]
        Recipient.objects.bulk_create(
            [
                Recipient(
                    organization=org, drill=drill, department_name="営業部", email=f"load{i}@{org.slug}.example",
                    template_id="delivery-notice", language="ja", token_hash=token_hash(t),
                    sent_at=now - timedelta(hours=1),
                )
                for i, t in enumerate(mine)
            ],
            batch_size=500,
        )
        tokens.extend(mine)
with open(out, "w") as fh:
    json.dump({"report_links": links, "drill_tokens": tokens, "submit_limit": receipts.SUBMIT_LIMIT}, fh)
"""


# After the run: what the public endpoints actually wrote (argv: output file).
COUNT_WRITES = r"""
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ippo.settings")
import django
django.setup()
from django_scopes import scopes_disabled
from ippo.phishing.models import DrillEvent
from ippo.reporting.models import Report
with scopes_disabled():
    data = {
        "reports_via_link": Report.objects.filter(channel="link").count(),
        "drill_events": DrillEvent.objects.filter(recipient__drill__name="load").exclude(kind="sent").count(),
    }
with open(sys.argv[1], "w") as fh:
    json.dump(data, fh)
"""


def count_writes(data_dir: str, env: dict) -> dict:
    out = Path(data_dir) / "writes.json"
    subprocess.run([PYTHON, "-c", COUNT_WRITES, str(out)], env=env, check=True, cwd=ROOT)  # noqa: S603
    return json.loads(out.read_text())


def prepare(data_dir: str, env: dict, orgs: int, recipients_per_org: int) -> dict:
    info_file = Path(data_dir) / "bench.json"
    public_file = Path(data_dir) / "public.json"
    subprocess.run(  # noqa: S603 — our own interpreter and module
        [PYTHON, "-m", "bench.prepare", "--orgs", str(orgs), "--out", str(info_file), "--quick"],
        env=env,
        check=True,
        cwd=ROOT,
    )
    subprocess.run(  # noqa: S603
        [PYTHON, "-c", PREPARE_PUBLIC, str(public_file), str(recipients_per_org)],
        env=env,
        check=True,
        cwd=ROOT,
    )
    _ippo("collectstatic", "--noinput", "-v", "0", env=env)
    return {**json.loads(info_file.read_text()), **json.loads(public_file.read_text())}


class Budget:
    """Reports each organisation's link still accepts in this run (the link's flood limit)."""

    def __init__(self, links: list[str], limit: int):
        self.left = dict.fromkeys(links, limit)
        self.lock = threading.Lock()

    def take(self, rng: random.Random) -> str | None:
        with self.lock:
            open_ = [link for link, n in self.left.items() if n > 0]
            if not open_:
                return None
            link = rng.choice(open_)
            self.left[link] -= 1
            return link


def _percentile(ordered: list[float], q: float) -> float | None:
    if not ordered:
        return None
    return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000, 2)


def run_load(port: int, info: dict, *, seconds: float, concurrency: int, seed: int = 10) -> dict:
    targets = pages(info)
    fixed = {name: targets[name] for name in ("dashboard", "action_plan", "console", "api_list")}
    fixed["healthz"] = ("/healthz", {})
    tokens, links = info["drill_tokens"], info["report_links"]
    budget = Budget(links, info["submit_limit"])
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    latencies: dict[str, list[float]] = {}
    statuses: dict[str, dict[int, int]] = {}
    submitted = [0]
    no_receipt = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(n: int):
        rng = random.Random(seed * 1000 + n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        lat: dict[str, list[float]] = {}
        seen: dict[str, dict[int, int]] = {}
        ok_reports = missing_receipts = 0

        def hit(kind: str, method: str, path: str, headers: dict, body: bytes | None = None) -> bytes | None:
            nonlocal conn
            start = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                code = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                data, code = None, 0
            lat.setdefault(kind, []).append(time.perf_counter() - start)
            counts = seen.setdefault(kind, {})
            counts[code] = counts.get(code, 0) + 1
            return data if code == 200 else None

        while time.perf_counter() < deadline:
            kind = rng.choices(kinds, weights)[0]
            if kind in fixed:
                path, headers = fixed[kind]
                hit(kind, "GET", path, headers)
            elif kind == "drill_open":
                hit(kind, "GET", f"/drill/o/{rng.choice(tokens)}.gif", {})
            elif kind == "drill_click":
                hit(kind, "GET", f"/drill/c/{rng.choice(tokens)}/", {})
            else:  # report: the form, then (within the link's budget) the submission
                link = budget.take(rng)
                page = hit("report_form", "GET", f"/report/{link or rng.choice(links)}/", {})
                if link is None or page is None:
                    continue
                match = FORM_TOKEN_RE.search(page)
                form = {
                    "form_token": match.group(1).decode() if match else "",
                    "kind": "clicked",
                    "happened": "just_now",
                    "description": "負荷試験の報告です。",
                    "severity_guess": "1",
                    "identity": "anonymous",
                    "lang": "ja",
                }
                done = hit(
                    "report_submit",
                    "POST",
                    f"/report/{link}/",
                    {"Content-Type": "application/x-www-form-urlencoded"},
                    urllib.parse.urlencode(form).encode(),
                )
                if done is not None and RECEIPT_RE.search(done):
                    ok_reports += 1
                elif done is not None:
                    missing_receipts += 1
        conn.close()
        with lock:
            for kind, values in lat.items():
                latencies.setdefault(kind, []).extend(values)
            for kind, counts in seen.items():
                merged = statuses.setdefault(kind, {})
                for code, count in counts.items():
                    merged[code] = merged.get(code, 0) + count
            submitted[0] += ok_reports
            no_receipt[0] += missing_receipts

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started

    per_kind = {}
    for kind in sorted(latencies):
        ordered = sorted(latencies[kind])
        per_kind[kind] = {
            "requests": len(ordered),
            "rps": round(len(ordered) / wall, 1),
            "p50_ms": _percentile(ordered, 0.50),
            "p95_ms": _percentile(ordered, 0.95),
            "p99_ms": _percentile(ordered, 0.99),
            "max_ms": round(ordered[-1] * 1000, 2),
            "statuses": {str(k): v for k, v in sorted(statuses[kind].items())},
        }
    all_codes: dict[int, int] = {}
    for counts in statuses.values():
        for code, count in counts.items():
            all_codes[code] = all_codes.get(code, 0) + count
    everything = sorted(v for values in latencies.values() for v in values)
    unexpected = sum(
        count
        for kind, counts in statuses.items()
        for code, count in counts.items()
        if code != EXPECTED.get(kind, 200)
    )
    totals = {
        "requests": len(everything),
        "rps": round(len(everything) / wall, 1),
        "p50_ms": _percentile(everything, 0.50),
        "p95_ms": _percentile(everything, 0.95),
        "p99_ms": _percentile(everything, 0.99),
        "statuses": {str(k): v for k, v in sorted(all_codes.items())},
        "5xx": sum(v for k, v in all_codes.items() if k >= 500),
        "connection_errors": all_codes.get(0, 0),
        "unexpected_status": unexpected,
        "reports_submitted": submitted[0],
        "reports_without_receipt": no_receipt[0],
        "wall_s": round(wall, 2),
    }
    return {"kinds": per_kind, "totals": totals}


def warm_up(port: int, info: dict) -> None:
    """Every fixed page answers 200 before the clock starts (and each worker has loaded them)."""
    targets = pages(info)
    checks = [targets[name] for name in ("dashboard", "action_plan", "console", "api_list")]
    checks += [("/healthz", {}), (f"/report/{info['report_links'][0]}/", {})]
    checks += [(f"/drill/o/{info['drill_tokens'][0]}.gif", {}), (f"/drill/c/{info['drill_tokens'][0]}/", {})]
    for path, headers in checks:
        for _ in range(3):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status != 200:
                raise RuntimeError(f"warm-up: {path} answered {response.status}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load_mixed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the load (default 20)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument(
        "--orgs", type=int, default=20, help="organisations in the data directory (default 20)"
    )
    parser.add_argument(
        "--recipients", type=int, default=100, help="drill recipients per organisation (default 100)"
    )
    parser.add_argument(
        "--no-record", action="store_true", help="do not append to bench/results/load_mixed.jsonl"
    )
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    data_dir = tempfile.mkdtemp(prefix="ippo-load-mixed-")
    env = _env(data_dir, IPPO_LOG_LEVEL="WARNING")
    server = result = None
    writes: dict = {}
    try:
        started = time.perf_counter()
        info = prepare(data_dir, env, args.orgs, args.recipients)
        prepare_s = round(time.perf_counter() - started, 1)
        server = Server(env)
        server.wait()
        warm_up(server.port, info)
        result = run_load(server.port, info, seconds=args.seconds, concurrency=args.concurrency)
        rss = server.worker_rss_mib()
    finally:
        if server is not None:
            server.stop()
            log_tail = server.log_tail(40)
            Path(server.log.name).unlink(missing_ok=True)
            if result is not None:
                writes = count_writes(data_dir, env)
        shutil.rmtree(data_dir, ignore_errors=True)

    totals = result["totals"]
    tracking_hits = sum(
        result["kinds"].get(kind, {}).get("statuses", {}).get("200", 0)
        for kind in ("drill_open", "drill_click")
    )
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": args.seconds,
        "concurrency": args.concurrency,
        "orgs": args.orgs,
        "drill_recipients": len(info["drill_tokens"]),
        "server": "ippo serve (gunicorn gthread, 2 workers x 4 threads), SQLite, 127.0.0.1",
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "weights": WEIGHTS,
        "prepare_s": prepare_s,
        "worker_rss_mib": rss,
        **result,
        "rows_written": writes,
    }
    print(
        f"mixed load: {args.seconds:g} s, {args.concurrency} clients, {args.orgs} organisations, {os.cpu_count()} CPUs"
    )
    print(
        f"{'kind':<15}{'requests':>9}{'rps':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}  statuses"
    )
    for kind, r in result["kinds"].items():
        print(
            f"{kind:<15}{r['requests']:>9}{r['rps']:>8}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['p99_ms']:>9}"
            f"{r['max_ms']:>9}  {r['statuses']}"
        )
    print(
        f"{'total':<15}{totals['requests']:>9}{totals['rps']:>8}{totals['p50_ms']:>9}{totals['p95_ms']:>9}"
        f"{totals['p99_ms']:>9}{'':>9}  {totals['statuses']}"
    )
    print(
        f"reports submitted: {totals['reports_submitted']} (without a receipt code: {totals['reports_without_receipt']});"
        f" rows afterwards: {writes['reports_via_link']} reports via the link,"
        f" {writes['drill_events']} drill events (tracking hits: {tracking_hits} + 6 in the warm-up)"
    )
    failed = totals["5xx"] or totals["connection_errors"]
    banner = "=" * 60
    print(banner)
    print(
        f"5xx: {totals['5xx']}   connection errors: {totals['connection_errors']}   "
        f"other unexpected statuses: {totals['unexpected_status'] - totals['5xx'] - totals['connection_errors']}"
    )
    print(banner)
    if not args.no_record:
        RESULTS.parent.mkdir(exist_ok=True)
        with RESULTS.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    if failed or totals["unexpected_status"] or totals["reports_without_receipt"]:
        print("FAILED — server log tail:\n" + log_tail)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
