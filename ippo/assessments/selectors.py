"""Reads for the assessment pages: labels, result rows, history and trend. Results are read from the
stored snapshot plus the in-memory catalog, so every page runs the same few queries whatever the number
of controls."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ippo.assessments.models import Answer, Assessment
from ippo.assessments.scoring import FUNCTIONS
from ippo.catalog.loader import Catalog
from ippo.core.models import Organization
from ippo.lib.text import join_list  # noqa: F401 — used by views as selectors.join_list

FUNCTION_LABELS = {
    "GV": pgettext_lazy("CSF function", "Govern"),
    "ID": pgettext_lazy("CSF function", "Identify"),
    "PR": pgettext_lazy("CSF function", "Protect"),
    "DE": pgettext_lazy("CSF function", "Detect"),
    "RS": pgettext_lazy("CSF function", "Respond"),
    "RC": pgettext_lazy("CSF function", "Recover"),
}
FUNCTION_HELP = {
    "GV": _("Who is responsible, the rules, the budget and the outside companies you rely on."),
    "ID": _("Knowing what you have: devices, accounts, data and where your risks are."),
    "PR": _("Keeping attackers out: sign-in, updates, anti-malware, backups, training."),
    "DE": _("Noticing when something is wrong: alerts, logs, suspicious e-mails."),
    "RS": _("What to do when something happens: who to call, how to contain it, whom to tell."),
    "RC": _("Getting back to work: restoring data and systems, and learning from it."),
}

TIERS = {
    1: (
        _("Tier 1 — Ad hoc"),
        _(
            "Security depends on individual people. Important basics are missing, and an incident would probably surprise you."
        ),
    ),
    2: (
        _("Tier 2 — Aware"),
        _(
            "The main risks are known and some basics are in place, but not everywhere and not yet as a habit."
        ),
    ),
    3: (
        _("Tier 3 — Repeatable"),
        _("Most basics are in place company-wide, with named owners and routines that keep them running."),
    ),
    4: (
        _("Tier 4 — Improving"),
        _(
            "The basics are routine, you check that they work, and you improve them as threats and the business change."
        ),
    ),
}

FRAMEWORK_SHORT = {
    "meti-scs": _("METI supply-chain scheme (SCS)"),
    "security-action": _("SECURITY ACTION"),
    "ipa-5-rules": _("IPA 5 basic rules"),
    "ipa-self-check-25": _("IPA 5-minute self-check (25 topics)"),
    "meti-csm-guidelines-3.0": _("METI management guidelines (10 instructions)"),
    "nist-csf-2.0": _("NIST CSF 2.0 subcategories"),
    "cis-v8-ig1": _("CIS Controls v8 IG1"),
    "iso27001-2022-annex-a": _("ISO/IEC 27001:2022 Annex A"),
    "cyber-essentials": _("Cyber Essentials"),
    "enisa-sme-12": _("ENISA 12 steps for SMEs"),
}

COST_LABELS = {"free": _("Free"), "low": _("Low cost"), "medium": _("Medium cost")}


def function_label(code: str) -> str:
    return f"{FUNCTION_LABELS[code]} ({code})"


@dataclass(frozen=True)
class CoverageRow:
    framework_id: str
    label: str
    level: str | None
    total: int
    met: int
    partly_met: int
    not_assessed: int

    @property
    def percent(self) -> int:
        return round(100 * self.met / self.total) if self.total else 0


def coverage_rows(result: dict) -> list[CoverageRow]:
    return [
        CoverageRow(
            framework_id=row["framework_id"],
            label=str(FRAMEWORK_SHORT.get(row["framework_id"], row["framework_id"])),
            level=row["level"],
            total=row["total"],
            met=row["met"],
            partly_met=row["partly_met"],
            not_assessed=row["not_assessed"],
        )
        for row in result["coverage"]
    ]


@dataclass(frozen=True)
class GapRow:
    control: object  # catalog Control, or None when the catalog no longer has it
    control_id: str
    answer: str
    answer_label: str
    cost_label: str


def gap_rows(result: dict, catalog: Catalog, limit: int | None = 10) -> list[GapRow]:
    labels = dict(Answer.Value.choices)
    rows = []
    for gap in result["gaps"][:limit]:
        try:
            control = catalog.control(gap["control_id"])
        except KeyError:
            continue  # retired from the catalog since
        rows.append(
            GapRow(
                control,
                gap["control_id"],
                gap["answer"],
                str(labels[gap["answer"]]),
                str(COST_LABELS[control.cost]),
            )
        )
    return rows


def function_rows(result: dict, previous: dict | None = None) -> list[dict]:
    rows = []
    for fn in FUNCTIONS:
        value = result["by_function"].get(fn)
        before = previous["by_function"].get(fn) if previous else None
        rows.append(
            {
                "code": fn,
                "label": function_label(fn),
                "help": FUNCTION_HELP[fn],
                "value": value,
                "delta": None if value is None or before is None else round(value - before, 1),
            }
        )
    return rows


def section_progress(catalog: Catalog, assessment: Assessment, answered) -> list[dict]:
    """For a full assessment: each section (CSF function) with how many of its questions are answered.
    A quick check has no sections (empty list)."""
    from ippo.assessments.results import items_for

    if assessment.kind != Assessment.Kind.FULL:
        return []
    ids_by_section: dict[str, list[str]] = {}
    for control in items_for(catalog, assessment.kind, assessment.it_uses):
        ids_by_section.setdefault(control.function, []).append(control.id)
    return [
        {
            "code": fn,
            "label": function_label(fn),
            "answered": sum(1 for i in ids_by_section.get(fn, []) if i in answered),
            "total": len(ids_by_section.get(fn, [])),
        }
        for fn in FUNCTIONS
    ]


def assessments_for_overview(org: Organization) -> list[Assessment]:
    """Every assessment of the organisation with its answer count, newest first (one query)."""
    return list(
        Assessment.objects.filter(organization=org)
        .annotate(answer_count=Count("answers"))
        .select_related("started_by", "completed_by")
        .order_by("-completed_at", "-created_at")
    )


def completed_history(org: Organization) -> list[Assessment]:
    """Completed assessments, oldest first (one query)."""
    return list(
        Assessment.objects.filter(organization=org, status=Assessment.Status.COMPLETED).order_by(
            "completed_at", "pk"
        )
    )


def previous_completed(assessment: Assessment, history: list[Assessment]) -> Assessment | None:
    """The completed assessment before this one, preferring the same kind."""
    earlier = [a for a in history if a.completed_at < assessment.completed_at]
    same_kind = [a for a in earlier if a.kind == assessment.kind]
    return (same_kind or earlier or [None])[-1]
