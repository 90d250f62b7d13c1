"""Backup costs on a real data directory (SQLite): the demo company plus IPPO_BENCH_BACKUP_MB of uploaded
files (random bytes: incompressible, like most PDFs and photos). Times `ippo backup create` (plain and
encrypted), `verify`, and `ippo restore` into a fresh data dir, each as its own process (as an operator
runs them), and the archive sizes and peak memory. Prints the numbers and appends them to
bench/results/backup_roundtrip.jsonl. `./bench/run backup_roundtrip`."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = int(os.environ.get("IPPO_BENCH_BACKUP_MB", "200"))


def run(data_dir: Path, *args: str) -> tuple[float, int]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "IPPO_TESTING"}}
    env.update({"IPPO_DATA_DIR": str(data_dir), "IPPO_BENCH_PASS": "bench passphrase"})
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "ippo.cli", *args], env=env, capture_output=True, text=True, cwd=ROOT, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"ippo {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return elapsed, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ippo-bench-backup-") as tmp:
        src, out = Path(tmp) / "src", Path(tmp) / "out"
        run(src, "migrate", "-v0")
        run(src, "demo")
        files = src / "private" / "evidence" / "bench"
        files.mkdir(parents=True)
        for i in range(MB):
            (files / f"f{i:04d}.bin").write_bytes(os.urandom(1024 * 1024))
        result: dict = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "files_mb": MB}
        for label, extra in (("plain", []), ("encrypted", ["--passphrase-env", "IPPO_BENCH_PASS"])):
            archive = out / f"{label}.tar.gz"
            result[f"create_{label}_s"], _ = run(src, "backup", "create", str(archive), *extra)
            result[f"size_{label}_mb"] = round(archive.stat().st_size / 1e6, 1)
            result[f"verify_{label}_s"], _ = run(src, "backup", "verify", str(archive), *extra)
            result[f"restore_{label}_s"], _ = run(Path(tmp) / f"dst-{label}", "restore", str(archive), *extra)
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
        result["load_average"] = round(os.getloadavg()[0], 1)
        for key, value in result.items():
            print(f"{key:>22}: {round(value, 2) if isinstance(value, float) else value}")
        with open(ROOT / "bench" / "results" / "backup_roundtrip.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
