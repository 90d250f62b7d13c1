"""The action plan as a table for Excel or CSV (ippo.lib.tabular writes the file)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ippo.core.models import Organization
from ippo.program import selectors
from ippo.program.models import ActionItem


def action_plan_header() -> list[str]:
    """The column headings in the active language."""
    return [
        _("Item"),
        _("Measure ID"),
        _("Source"),
        capfirst(_("status")),
        _("Responsible"),
        _("Due date"),
        capfirst(_("priority")),
        capfirst(_("created")),
        capfirst(_("completed")),
        _("Number of evidence items"),
    ]


def action_plan_rows(org: Organization, filters: selectors.PlanFilters, user, today: date) -> list[list]:
    """One row per item the list page shows for these filters, in the same order (one query)."""
    items = selectors.plan_items(org, filters, user, today).annotate(evidence_count=Count("evidence"))
    sources = dict(ActionItem.Source.choices)
    statuses = dict(ActionItem.Status.choices)
    return [
        [
            item.title or (selectors.control_title(item.control_id) if item.control_id else ""),
            item.control_id,
            sources.get(item.source, item.source),
            statuses.get(item.status, item.status),
            item.owner.get_short_name() if item.owner else "",
            item.due_date,
            round(item.priority, 2),
            item.created_at,
            item.completed_at,
            item.evidence_count,
        ]
        for item in items
    ]
