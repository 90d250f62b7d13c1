"""The board report: 4–8 pages for the executive, from the same overview as the dashboard, with the same
SVG charts, rendered to PDF with the bundled Japanese font."""

from __future__ import annotations

from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ippo.assessments import selectors as assessment_selectors
from ippo.core.models import Organization
from ippo.lib.charts import line_chart, radar_chart
from ippo.lib.pdf import render_pdf_pages
from ippo.reports.selectors import overview


def charts(data) -> dict[str, str]:
    axes = [(row["label"], row["value"]) for row in data.by_function]
    compare = [row["before"] for row in data.by_function] if data.previous else None
    return {
        "radar_svg": radar_chart(axes=axes, compare=compare, label=_("Score per NIST CSF 2.0 function (0–100)")),
        "trend_svg": line_chart(
            points=[(p.label, p.score) for p in data.trend],
            label=_("Overall score over time (0–100)"),
            empty_text=_("No completed assessment yet"),
        ),
    }


def board_context(org: Organization, language: str) -> dict:
    with translation.override(language):
        today = timezone.localdate()
        data = overview(org, today)
        coverage = assessment_selectors.coverage_rows(data.previous.result) if data.previous else []
        return {"data": data, "org": org, "language": language, "coverage": coverage, **charts(data)}


def board_html(org: Organization, language: str) -> str:
    context = board_context(org, language)
    with translation.override(language):
        return render_to_string("reports/board_pdf.html", context)


def board_pdf(org: Organization, language: str, progress: Callable[[int], None] = lambda p: None) -> tuple[bytes, int]:
    """The PDF and its number of pages."""
    progress(20)
    html = board_html(org, language)
    progress(50)
    with translation.override(language):
        pdf, pages = render_pdf_pages(html)
    progress(95)
    return pdf, pages

