"""Items for the organisation home page: partner questionnaires with questions still to check."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import ngettext

from ippo.core.roles import role_has_permission
from ippo.questionnaires.models import Questionnaire

SHOWN = 3


def tasks(request) -> list[dict]:
    if not role_has_permission(request.role, "program.change"):
        return []
    todo = Q(items__no_match=False, items__control_ids=[])
    questionnaires = (
        Questionnaire.objects.filter(organization=request.org, status=Questionnaire.Status.REVIEW)
        .defer("file_data")
        .annotate(todo=Count("items", filter=todo))
        .filter(todo__gt=0)
        .order_by("-created_at", "-pk")[:SHOWN]
    )
    return [
        {
            "title": ngettext(
                "Partner questionnaire “%(name)s”: %(count)s question to check",
                "Partner questionnaire “%(name)s”: %(count)s questions to check",
                q.todo,
            )
            % {"name": q.name, "count": q.todo},
            "url": reverse("org:questionnaire_review", args=[request.org.slug, q.pk]) + "?show=todo",
        }
        for q in questionnaires
    ]
