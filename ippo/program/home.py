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
    rows = [
        {
            "title": (item.title or control_title(item.control_id))
            + (f" — {_('due %(date)s') % {'date': item.due_date.isoformat()}}" if item.due_date else ""),
            "url": reverse("org:actionitem_detail", args=[request.org.slug, item.pk]),
        }
        for item in items[:SHOWN]
    ]
    if len(items) > SHOWN:
        rows.append(
            {
                "title": _("See all my tasks"),
                "url": reverse("org:actionitem_mine", args=[request.org.slug]),
            }
        )
    return rows
