"""The page benchmark suite: `python -m bench [--quick] [--orgs 1000]`.

For 1 organisation and for N organisations (default 1,000) it generates realistic data (bench/generate.py)
in a fresh data directory, starts the production server (`ippo serve`: gunicorn, 2 workers × 4 threads),
and measures p50/p95 latency and requests per second at concurrency 1 and 8 for: the owner's dashboard,
the action plan, an assessment result, the incident list, the advisor console (as an advisor of every organisation), an API
list endpoint — and the "framework floor", a trivial Django template view served through the same
middleware, measured in the same run. Each page is reported as a ratio to the floor.

It also records the web workers' memory (RSS), the cold start (`ippo check` process time) and the time
from an empty data directory to a served demo (migrate + demo + server answering).

Results are printed, written to bench/results.json, and the last line printed is a JSON object whose
`ratios` map gives each page's p50 at concurrency 8 divided by the floor's, at N organisations.

PostgreSQL: set DATABASE_URL to an EMPTY database (it is migrated and filled), e.g.
    createdb ippo_bench && DATABASE_URL=postgres://postgres@127.0.0.1/ippo_bench python -m bench --orgs 10000
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
GOALS = {"page_ratio": 2.0, "console_ratio": 5.0, "rss_mib": 150, "cold_start_s": 1.0, "demo_s": 30.0}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir: str, **extra) -> dict:
    env = os.environ.copy()
    env.update({"IPPO_DATA_DIR": data_dir, "IPPO_ACCESS_LOG": "0", "IPPO_BENCH_FLOOR": "1", "PYTHONPATH": str(ROOT)})
    env.update(extra)
    return env


def _ippo(*args: str, env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 — our own interpreter and module
        [PYTHON, "-m", "ippo.cli", *args], env=env, check=True, capture_output=True, **kwargs
    )


class Server:
    def __init__(self, env: dict, workers: int = 2, threads: int = 4):
        self.port = _free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="ippo-bench-server-", suffix=".log", delete=False)  # noqa: SIM115
        self.proc = subprocess.Popen(  # noqa: S603
            [PYTHON, "-m", "ippo.cli", "serve", "--no-migrate", "--no-worker", "--port", str(self.port),
             "--workers", str(workers), "--threads", str(threads)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(Path(self.log.name).read_text(errors="replace").splitlines()[-lines:])

    def wait(self, timeout: float = 60) -> float:
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return time.perf_counter() - start
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def worker_rss_mib(self) -> list[float]:
        out = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
            if fields.get("PPid", "").strip() == str(self.proc.pid) and "VmRSS" in fields:
                out.append(round(int(fields["VmRSS"].split()[0]) / 1024, 1))
        return out

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def measure(port: int, path: str, headers: dict, *, concurrency: int, seconds: float) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def run():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, codes = [], {}
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                code = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                code = 0
            mine.append(time.perf_counter() - start)
            codes[code] = codes.get(code, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    started = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
        "rps": round(len(ordered) / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def pages(info: dict) -> dict[str, tuple[str, dict]]:
    slug = info["slug"]
    owner = {"Cookie": f"sessionid={info['cookies']['owner']}; ippo_language=ja"}
    advisor = {"Cookie": f"sessionid={info['cookies']['advisor']}; ippo_language=ja"}
    out = {
        "floor": ("/_bench/floor", {}),
        "dashboard": (f"/o/{slug}/reports/", owner),
        "action_plan": (f"/o/{slug}/plan/", owner),
        "assessment_result": (f"/o/{slug}/assessment/{info['assessment_id']}/", owner),
        "incident_list": (f"/o/{slug}/incidents/register/", owner),
        "console": ("/console/", advisor),
        "api_list": (f"/api/v1/orgs/{slug}/action-items?limit=50", {"Authorization": f"Bearer {info['token']}"}),
    }
    for name, path in info.get("extra_pages", {}).items():
        out[name] = (path, owner)
    return out


def run_scale(orgs: int, *, quick: bool, seconds: float) -> dict:
    data_dir = tempfile.mkdtemp(prefix=f"ippo-bench-{orgs}-")
    env = _env(data_dir)
    out_file = Path(data_dir) / "bench.json"
    start = time.perf_counter()
    subprocess.run(  # noqa: S603
        [PYTHON, "-m", "bench.prepare", "--orgs", str(orgs), "--out", str(out_file), *(["--quick"] if quick else [])],
        env=env,
        check=True,
        cwd=ROOT,
    )
    info = json.loads(out_file.read_text())
    prepare_s = time.perf_counter() - start
    _ippo("collectstatic", "--noinput", "-v", "0", env=env)
    server = Server(env)
    try:
        server.wait()
        results: dict[str, dict] = {}
        targets = pages(info)
        for name, (path, headers) in targets.items():  # warm up every page and check it answers 200
            for _ in range(3):
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            if response.status != 200:
                raise RuntimeError(f"{name}: {path} answered {response.status}\n{server.log_tail()}")
        for concurrency in (1, 8):
            for name, (path, headers) in targets.items():
                results.setdefault(name, {})[f"c{concurrency}"] = measure(
                    server.port, path, headers, concurrency=concurrency, seconds=seconds
                )
        rss = server.worker_rss_mib()
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    floor = {c: results["floor"][c]["p50_ms"] for c in ("c1", "c8")}
    ratios = {
        name: {c: round(r[c]["p50_ms"] / floor[c], 2) for c in ("c1", "c8")} for name, r in results.items() if name != "floor"
    }
    return {
        "orgs": orgs,
        "prepare_s": round(prepare_s, 1),
        "generate_s": info["generate_s"],
        "pages": results,
        "ratios": ratios,
        "worker_rss_mib": rss,
    }


def startup() -> dict:
    data_dir = tempfile.mkdtemp(prefix="ippo-bench-start-")
    env = _env(data_dir)
    try:
        cold = []
        _ippo("check", env=env)  # first run writes the secret key and byte-compiles
        for _ in range(3):
            start = time.perf_counter()
            _ippo("check", env=env)
            cold.append(time.perf_counter() - start)
        fresh = tempfile.mkdtemp(prefix="ippo-bench-demo-")
        env = _env(fresh)
        start = time.perf_counter()
        _ippo("migrate", "--noinput", "-v", "0", env=env)
        _ippo("demo", env=env)
        server = Server(env)
        try:
            server.wait(timeout=120)
            demo_s = time.perf_counter() - start
        finally:
            server.stop()
            shutil.rmtree(fresh, ignore_errors=True)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return {"cold_start_s": round(statistics.median(cold), 3), "empty_to_demo_s": round(demo_s, 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs and smaller directories (under 5 minutes)")
    parser.add_argument("--orgs", type=int, default=1000, help="organisations in the large run (default 1000)")
    parser.add_argument("--seconds", type=float, default=None, help="seconds per page and concurrency")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args(argv)
    seconds = args.seconds or (2.0 if args.quick else 8.0)
    os.chdir(ROOT)
    began = time.perf_counter()
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "database": "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite",
        "cpus": os.cpu_count(),
        "seconds_per_measurement": seconds,
        "startup": startup(),
        "scales": [run_scale(n, quick=args.quick, seconds=seconds) for n in (1, args.orgs)],
        "goals": GOALS,
    }
    report["total_s"] = round(time.perf_counter() - began, 1)
    largest = report["scales"][-1]
    rss = max((r for s in report["scales"] for r in s["worker_rss_mib"]), default=None)
    summary = {
        "ratios": {name: r["c8"] for name, r in largest["ratios"].items()},
        "ratios_1_org": {name: r["c8"] for name, r in report["scales"][0]["ratios"].items()},
        "orgs": largest["orgs"],
        "worker_rss_mib": rss,
        "cold_start_s": report["startup"]["cold_start_s"],
        "empty_to_demo_s": report["startup"]["empty_to_demo_s"],
        "total_s": report["total_s"],
    }
    report["summary"] = summary
    Path(args.out).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    _print(report)
    print(json.dumps(summary, ensure_ascii=False))


def _print(report: dict) -> None:
    print(f"ippo benchmark — {report['database']}, {report['cpus']} CPUs, {report['seconds_per_measurement']} s per measurement")
    print(f"cold start (ippo check): {report['startup']['cold_start_s']} s; empty data dir → served demo: {report['startup']['empty_to_demo_s']} s")
    for scale in report["scales"]:
        print(f"\n{scale['orgs']} organisation(s) — data prepared in {scale['prepare_s']} s; worker RSS {scale['worker_rss_mib']} MiB")
        print(f"{'page':<20}{'p50 c1':>9}{'p95 c1':>9}{'rps c1':>9}{'p50 c8':>9}{'p95 c8':>9}{'rps c8':>9}{'×floor c8':>11}")
        for name, r in scale["pages"].items():
            ratio = scale["ratios"].get(name, {}).get("c8", 1.0)
            c1, c8 = r["c1"], r["c8"]
            print(f"{name:<20}{c1['p50_ms']:>9}{c1['p95_ms']:>9}{c1['rps']:>9}{c8['p50_ms']:>9}{c8['p95_ms']:>9}{c8['rps']:>9}{ratio:>11}")
