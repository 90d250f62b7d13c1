"""Board report generation for the demo company, as a ratio to a one-page PDF made by the same library in
the same run. Prints the numbers and appends them to bench/results/board_report.jsonl."""

from __future__ import annotations

import json
import os
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
ROUNDS = int(os.environ.get("IPPO_BENCH_ROUNDS", "5"))


def timed(fn, rounds: int = ROUNDS) -> list[float]:
    fn()  # warm-up: fonts, templates, the catalog
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
    from django_scopes import scope

    from ippo.core.models import Organization
    from ippo.lib.pdf import render_pdf_pages
    from ippo.reports.board import board_pdf

    call_command("migrate", verbosity=0)
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    org = Organization.objects.get(slug="demo")
    one_page = (
        "<!doctype html><html lang='ja'><head><meta charset='utf-8'></head><body>"
        "<h1>一歩 ippo</h1><p>比較のための1ページのPDFです。A one-page PDF for comparison.</p></body></html>"
    )
    baseline = timed(lambda: render_pdf_pages(one_page))
    results = {}
    for language in ("ja", "en"):
        with scope(organization=org):
            pages = board_pdf(org, language)[1]
            results[language] = {"pages": pages, "times": timed(lambda lang=language: board_pdf(org, lang))}
    base = statistics.median(baseline)
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "rounds": ROUNDS,
        "baseline_one_page_s": round(base, 4),
    }
    for language, r in results.items():
        median = statistics.median(r["times"])
        record[f"board_{language}_s"] = round(median, 4)
        record[f"board_{language}_pages"] = r["pages"]
        record[f"ratio_{language}"] = round(median / base, 2)
    out = ROOT / "bench" / "results" / "board_report.jsonl"
    out.parent.mkdir(exist_ok=True)
    with out.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
