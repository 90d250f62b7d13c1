"""Items for the organisation home page: the signed-in person's open lessons (one query)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from ippo.training.models import Assignment
from ippo.training.selectors import title_of


def tasks(request) -> list[dict]:
    open_lessons = (
        Assignment.objects.filter(
            organization=request.org,
            employee__user=request.user,
            employee__is_active=True,
            completed_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .select_related("custom_module")
        .order_by("due_on", "pk")
    )
    return [
        {
            "title": _("Lesson “%(title)s” — due %(date)s")
            % {"title": title_of(a), "date": formats.date_format(a.due_on, "DATE_FORMAT")},
            "url": reverse("org:assignment_detail", args=[request.org.slug, a.pk]),
        }
        for a in open_lessons
    ]
