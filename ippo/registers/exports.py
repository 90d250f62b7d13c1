"""The risk register and the vendor list as tables for Excel or CSV (ippo.lib.tabular writes the file).

The asset inventory has its own export in exchange.py, because it is also an import template.
"""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ippo.catalog.loader import catalog_get
from ippo.core.models import Organization
from ippo.lib.text import join_list
from ippo.registers import content, selectors
from ippo.registers.models import Risk, Vendor


def _control_line(control_id: str) -> str:
    try:
        return f"{control_id} {catalog_get().control(control_id).title.get()}"
    except KeyError:
        return control_id


def risk_header() -> list[str]:
    return [
        capfirst(_("title")),
        _("What could happen"),
        _("Likelihood"),
        _("Cost of one occurrence (yen)"),
        _("Expected loss per year (yen)"),
        capfirst(_("likelihood after the planned measures")),
        _("Loss per year after the planned measures (yen)"),
        capfirst(_("status")),
        _("Responsible"),
        capfirst(_("measures that reduce it")),
    ]


def risk_rows(org: Organization) -> list[list]:
    """Every risk in the register's order (largest expected loss first, closed ones last), four queries."""
    statuses = dict(Risk.Status.choices)
    return [
        [
            row.risk.title_text,
            row.risk.description_text,
            row.estimate.likelihood,
            row.estimate.impact_yen,
            row.estimate.expected_annual_yen,
            row.estimate.residual_likelihood,
            row.estimate.residual_annual_yen,
            statuses.get(row.risk.status, row.risk.status),
            row.risk.owner.get_short_name() if row.risk.owner else "",
            "\n".join(_control_line(c) for c in row.risk.control_ids),
        ]
        for row in selectors.risk_register(org).rows
    ]


def vendor_header() -> list[str]:
    return [
        _("Vendor"),
        capfirst(_("kinds of service")),
        _("What they do for us"),
        capfirst(_("contact person")),
        capfirst(_("contact e-mail")),
        capfirst(_("contact phone")),
        *(item.label.get() for item in content.checklist()),
        _("Last reviewed"),
    ]


def vendor_rows(org: Organization) -> list[list]:
    """Every vendor by name, one column per contract checklist item (one query)."""
    answers = dict(Vendor.Answer.choices)
    items = content.checklist()
    return [
        [
            v.name,
            join_list(v.service_kind_labels()),
            v.services,
            v.contact_name,
            v.contact_email,
            v.contact_phone,
            *(answers.get(v.checklist.get(item.id, "unknown"), answers["unknown"]) for item in items),
            v.last_review,
        ]
        for v in Vendor.objects.filter(organization=org).order_by("name")
    ]
