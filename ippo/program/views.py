"""The control library of an organisation: every catalog control with its how-to and current status."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from ippo.assessments import results, selectors, services
from ippo.catalog.loader import catalog_get
from ippo.core.roles import role_has_permission
from ippo.core.tenancy import org_view
from ippo.program.models import ControlStatus

VARIANT_LABELS = {
    "m365": "Microsoft 365",
    "google": "Google Workspace",
    "windows": "Windows",
    "macos": "macOS",
    "nas": "NAS",
    "website": None,
    "cloud_accounting": None,
}


def variant_label(key: str) -> str:
    return VARIANT_LABELS.get(key) or {
        "website": _("Rented website"),
        "cloud_accounting": _("Cloud accounting"),
    }.get(key, key)


@org_view("program.view")
def control_list(request):
    catalog = catalog_get()
    statuses = {s.control_id: s for s in ControlStatus.objects.filter(organization=request.org)}
    profile = services.profile_get(org=request.org)
    applicable = {c.id for c in results.applicable_controls(catalog, profile.it_uses if profile else [])}
    groups = []
    for fn in selectors.FUNCTIONS:
        rows = [
            {"control": c, "status": statuses.get(c.id), "applies": c.id in applicable}
            for c in catalog.controls
            if c.function == fn
        ]
        groups.append(
            {
                "code": fn,
                "label": selectors.function_label(fn),
                "help": selectors.FUNCTION_HELP[fn],
                "rows": rows,
            }
        )
    return render(
        request, "program/control_list.html", {"groups": groups, "cost_labels": selectors.COST_LABELS}
    )


@org_view("org.view")
def control_detail(request, control_id: str):
    """How to put one control in place. Every member may read it (it is linked from assigned sections);
    the organisation's status is shown to those who may see the programme."""
    catalog = catalog_get()
    try:
        control = catalog.control(control_id)
    except KeyError:
        raise Http404("No such control") from None
    status = None
    if role_has_permission(request.role, "program.view"):
        status = ControlStatus.objects.filter(organization=request.org, control_id=control_id).first()
    context = {**control_context(control), "status": status}
    return render(request, "program/control_detail.html", context)


KIND_LABELS = {
    "people": pgettext_lazy("control kind", "People"),
    "process": gettext_lazy("Process"),
    "technology": gettext_lazy("Technology"),
}
RECURRENCE_LABELS = {
    "monthly": gettext_lazy("Every month"),
    "quarterly": gettext_lazy("Every three months"),
    "half_yearly": gettext_lazy("Every six months"),
    "yearly": gettext_lazy("Every year"),
}


def control_context(control) -> dict:
    """What the how-to template needs about one control (shared with the public page)."""
    return {
        "control": control,
        "function_label": selectors.function_label(control.function),
        "cost_label": selectors.COST_LABELS[control.cost],
        "kind_label": KIND_LABELS[control.kind],
        "recurrence_label": RECURRENCE_LABELS.get(control.recurrence or "", ""),
        "variants": [(variant_label(k), v.get()) for k, v in control.variants.items()],
        "mappings": [
            (str(selectors.FRAMEWORK_SHORT.get(fid, fid)), ids)
            for fid, ids in control.mappings.items()
            if ids
        ],
    }
