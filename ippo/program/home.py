"""Items for the organisation home page: the action items this person is responsible for."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from ippo.program.models import ActionItem
from ippo.program.selectors import control_title

SHOWN = 5


def tasks(request) -> list[dict]:
    items = list(
        ActionItem.objects.filter(organization=request.org, owner=request.user, status__in=ActionItem.OPEN).order_by(
            "due_date", "-priority", "pk"
        )[: SHOWN + 1]
    )
    rows = []
    for item in items[:SHOWN]:
        title = item.title or control_title(item.control_id)
        if item.due_date:
            title = _("%(title)s — due %(date)s") % {"title": title, "date": item.due_date.isoformat()}
        rows.append({"title": title, "url": reverse("org:actionitem_detail", args=[request.org.slug, item.pk])})
    if len(items) > SHOWN:
        rows.append(
            {
                "title": _("See all my tasks"),
                "url": reverse("org:actionitem_mine", args=[request.org.slug]),
            }
        )
    return rows
