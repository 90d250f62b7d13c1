"""Drill tracking endpoints under the production server, as a ratio to a trivial view in the same run.

Starts `ippo serve` (gunicorn, gthread workers) on a free loopback port with a temporary data directory,
creates one drill with IPPO_BENCH_RECIPIENTS recipients, then drives, in turn, `/healthz` (the baseline),
the tracking image (`drill:open`) and the link (`drill:click`, which records the click and renders the
teaching page) with IPPO_BENCH_CONCURRENCY keep-alive clients for IPPO_BENCH_SECONDS each. Every tracking
request uses a random recipient's token, so the events are real database writes. Prints p50/p99 latency
and requests per second, and appends one JSON line to bench/results/drill_tracking.jsonl.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA_DIR = os.environ.setdefault("IPPO_DATA_DIR", tempfile.mkdtemp(prefix="ippo-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ippo.settings")
SECONDS = float(os.environ.get("IPPO_BENCH_SECONDS", "8"))
CONCURRENCY = int(os.environ.get("IPPO_BENCH_CONCURRENCY", "8"))
RECIPIENTS = int(os.environ.get("IPPO_BENCH_RECIPIENTS", "2000"))
WORKERS = int(os.environ.get("IPPO_BENCH_WEB_WORKERS", "2"))
THREADS = int(os.environ.get("IPPO_BENCH_WEB_THREADS", "4"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _setup() -> list[str]:
    """Migrate the temporary database and create a drill already sent to RECIPIENTS people."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from ippo.core.models import Organization
    from ippo.phishing.models import Drill, Recipient, SendingProfile
    from ippo.phishing.tracking import token_hash

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # what `ippo serve` does before starting
    now = timezone.now()
    tokens = [secrets.token_urlsafe(16) for _ in range(RECIPIENTS)]
    with scopes_disabled():
        org = Organization.objects.create(name="ベンチ株式会社", slug="bench")
        profile = SendingProfile.objects.create(
            organization=org, name="bench", host="127.0.0.1", port=1, security="none", from_address="it@drill.example"
        )
        drill = Drill.objects.create(
            organization=org, name="bench", status="running", template_ids=["delivery-notice"], profile=profile,
            started_at=now - timedelta(hours=1),
        )
        Recipient.objects.bulk_create(
            [
                Recipient(
                    organization=org, drill=drill, department_name="営業部", email=f"p{i}@example.com",
                    template_id="delivery-notice", language="ja", token_hash=token_hash(t),
                    sent_at=now - timedelta(hours=1),
                )
                for i, t in enumerate(tokens)
            ],
            batch_size=500,
        )
    from django.db import connections

    connections.close_all()
    return tokens


def _wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("ippo serve exited early")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("ippo serve did not become ready")


def _drive(port: int, paths) -> dict:
    """CONCURRENCY clients, each on one keep-alive connection, for SECONDS. `paths()` gives the next path."""
    latencies: list[float] = []
    errors = [0]
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + SECONDS

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, bad, seen = [], 0, {}
        while time.monotonic() < stop:
            path = paths()
            start = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                elapsed = time.perf_counter() - start
                seen[response.status] = seen.get(response.status, 0) + 1
                if response.status != 200:
                    bad += 1
                mine.append(elapsed)
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad
            for k, v in seen.items():
                statuses[k] = statuses.get(k, 0) + v

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "errors": errors[0],
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "rps": round(n / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2) if n else None,
        "p99_ms": round(latencies[min(n - 1, int(n * 0.99))] * 1000, 2) if n else None,
    }


def main() -> None:
    tokens = _setup()
    port = _free_port()
    env = {**os.environ, "IPPO_ACCESS_LOG": os.environ.get("IPPO_BENCH_ACCESS_LOG", "0"), "IPPO_LOG_LEVEL": "WARNING"}
    log = open(Path(DATA_DIR) / "serve.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(  # noqa: S603 — our own interpreter and module
        [
            sys.executable, "-m", "ippo.cli", "serve", "--no-worker", "--no-migrate", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(WORKERS), "--threads", str(THREADS),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        _wait_ready(port, proc)
        rng = random.Random(7)
        _drive(port, lambda: "/healthz")  # warm-up of every worker
        results = {
            "healthz": _drive(port, lambda: "/healthz"),
            "open": _drive(port, lambda: f"/drill/o/{rng.choice(tokens)}.gif"),
            "click": _drive(port, lambda: f"/drill/c/{rng.choice(tokens)}/"),
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    base = results["healthz"]
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "server": f"ippo serve (gunicorn gthread, {WORKERS} workers x {THREADS} threads), SQLite",
        "seconds": SECONDS,
        "concurrency": CONCURRENCY,
        "recipients": RECIPIENTS,
        "cpus": os.cpu_count(),
        **{f"{name}_{k}": v for name, r in results.items() for k, v in r.items()},
    }
    for name in ("open", "click"):
        r = results[name]
        record[f"{name}_p50_ratio"] = round(r["p50_ms"] / base["p50_ms"], 2) if r["p50_ms"] and base["p50_ms"] else None
        record[f"{name}_p99_ratio"] = round(r["p99_ms"] / base["p99_ms"], 2) if r["p99_ms"] and base["p99_ms"] else None
        record[f"{name}_rps_ratio"] = round(r["rps"] / base["rps"], 3) if base["rps"] else None
    out = ROOT / "bench" / "results" / "drill_tracking.jsonl"
    out.parent.mkdir(exist_ok=True)
    with out.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")
    print(json.dumps(record, indent=2))
    if any(r["errors"] for r in results.values()):
        print(f"errors: see {Path(DATA_DIR) / 'serve.log'}", file=sys.stderr)


if __name__ == "__main__":
    main()
