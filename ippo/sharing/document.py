"""Turning a pack's snapshot into what people read: the rows of the pack (in the pack's language), the
HTML the PDF is printed from, and the PDF itself. Used by the org pages, the share page and the PDF alike,
so all three always say the same thing."""

from __future__ import annotations

from datetime import date

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from ippo.assessments.scoring import FUNCTIONS
from ippo.lib.charts import radar_chart
from ippo.lib.pdf import render_pdf
from ippo.sharing.wording import text

KEYWORD_PREFIX = "ippo-pack:"


def base_url() -> str:
    """Where partners reach this ippo: IPPO_BASE_URL (settings.BASE_URL; tests may set IPPO_BASE_URL)."""
    return (getattr(settings, "IPPO_BASE_URL", None) or settings.BASE_URL).rstrip("/")


def verify_url(code: str | None = None) -> str:
    path = reverse("sharing:verify_code", args=[code]) if code else reverse("sharing:verify_start")
    return base_url() + path


def share_url(token: str) -> str:
    return base_url() + reverse("sharing:share_page", args=[token])


def date_text(value: str | date | None, language: str) -> str:
    """2026-11-26 → 2026年11月26日 (ja) or 26 November 2026 (en). Month names are fixed English on purpose:
    the pack's language, not the reader's, decides."""
    if not value:
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    if language == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    months = ("January February March April May June July August September October November December").split()
    return f"{day.day} {months[day.month - 1]} {day.year}"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def pack_display(snapshot: dict, *, code: str) -> dict:
    """Everything the pack shows, as plain strings in the pack's language (templates escape them)."""
    lang = snapshot["language"]
    as_of = date_text(snapshot["as_of"], lang)
    sa = snapshot["security_action"]
    sa_line = {
        "two_stars": text("sa_two_stars", lang),
        "one_star": text("sa_one_star", lang),
    }.get(sa["verdict"]) or text("sa_not_yet", lang, met=sa["one_star_met"])

    def coverage(key: str, row: dict, **extra) -> str:
        return text(
            key,
            lang,
            total=row["total"],
            met=row["met"],
            partly=row["partly_met"],
            unassessed=row["not_assessed"],
            **extra,
        )

    csf = snapshot["csf"]
    functions = [
        {
            "code": fn,
            "label": csf["labels"].get(fn, fn),
            "value": csf["by_function"].get(fn),
            "text": _number(csf["by_function"].get(fn))
            if csf["by_function"].get(fn) is not None
            else text("not_assessed", lang),
        }
        for fn in FUNCTIONS
    ]
    radar = None
    if csf["overall"] is not None:
        radar = radar_chart(
            # Whole numbers, as in the table next to it.
            axes=[(f["label"], None if f["value"] is None else round(f["value"])) for f in functions],
            size=250,
            label=text("csf_heading", lang),
        )
    key = snapshot["key_controls"]
    contact = snapshot["contact"]
    t = {k: text(k, lang) for k in _PLAIN_KEYS}
    return {
        "lang": lang,
        "t": t,
        "organization": snapshot["organization"],
        "code": code,
        "as_of": as_of,
        "records_as_of": text("records_as_of", lang, date=as_of),
        "verify_url": verify_url(),
        "verify_code_url": verify_url(code),
        "sa_line": sa_line,
        "sa_verdict": sa["verdict"],
        "scs_lines": [coverage("scs_line", row, level=row["level"]) for row in snapshot["scs"]],
        "cis_line": coverage("cis_line", snapshot["cis_ig1"]),
        "csf_overall": text("csf_overall", lang, score=_number(csf["overall"]))
        if csf["overall"] is not None
        else text("csf_none", lang),
        "functions": functions,
        "radar": radar,
        "key_intro": text("key_intro", lang, total=key["total"], count=len(key["in_place"])),
        "key_controls": [
            {
                "title": row["title"],
                "evidence_on": date_text(row["evidence_on"], lang) or t["no_evidence"],
            }
            for row in key["in_place"]
        ],
        "last_assessment": text("last_assessment", lang, date=date_text(snapshot["last_assessment_on"], lang))
        if snapshot["last_assessment_on"]
        else t["no_assessment"],
        "contact": contact,
        "has_contact": any(contact.values()),
        "about_made": text("about_made", lang, date=as_of),
        "page_footer": text("page_footer", lang, code=code),
    }


_PLAIN_KEYS = (
    "title",
    "self_declared",
    "organisation",
    "prepared_on",
    "code",
    "verify_how",
    "at_a_glance",
    "sa_heading",
    "sa_note",
    "scs_heading",
    "scs_note",
    "coverage_rule",
    "csf_heading",
    "csf_note",
    "function",
    "score",
    "key_heading",
    "key_none",
    "measure",
    "newest_evidence",
    "no_evidence",
    "no_assessment",
    "contact_heading",
    "contact_intro",
    "contact_none",
    "contact_name",
    "contact_email",
    "contact_phone",
    "about_heading",
    "about_signature",
)


def qr_svg(url: str) -> SafeString:
    """A QR code of the verification address, as inline SVG (no scripts, no style attributes)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=1)
    markup = image.to_string(encoding="unicode")
    return mark_safe(markup)  # noqa: S308 — generated by qrcode from our own URL, no user text


def pack_html(snapshot: dict, *, code: str) -> str:
    """The HTML the PDF is printed from (never served to a browser)."""
    display = pack_display(snapshot, code=code)
    with translation.override(display["lang"]):
        return render_to_string(
            "sharing/evidencepack_pdf.html",
            {"pack": display, "qr": qr_svg(display["verify_code_url"]), "keywords": KEYWORD_PREFIX + code},
        )


def pack_pdf(snapshot: dict, *, code: str) -> bytes:
    return render_pdf(pack_html(snapshot, code=code))
