"""Items for the organisation home page: an upcoming tabletop exercise in which the person plays a role."""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ippo.tabletop.selectors import upcoming_for_user


def tasks(request) -> list[dict]:
    exercises = upcoming_for_user(request.org, request.user, timezone.localdate())  # one query
    return [
        {
            "title": _("Tabletop exercise on %(date)s: read the briefing for “%(title)s”")
            % {"date": formats.date_format(e.scheduled_on, "DATE_FORMAT"), "title": e},
            "url": reverse("org:exercise_briefing", args=[request.org.slug, e.pk]),
        }
        for e in exercises
    ]
