"""Items for the organisation home page: the assessment sections assigned to the person signed in."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from ippo.assessments.models import SectionAssignment
from ippo.assessments.selectors import function_label


def tasks(request) -> list[dict]:
    assignments = SectionAssignment.objects.filter(
        organization=request.org, assignee=request.user, assessment__status="draft"
    ).order_by("assessment_id", "section")
    return [
        {
            "title": _("Answer the “%(section)s” section of the full assessment")
            % {"section": function_label(a.section)},
            "url": reverse("org:assessment_answer", args=[request.org.slug, a.assessment_id])
            + f"?section={a.section}",
        }
        for a in assignments
    ]
