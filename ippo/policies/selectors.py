"""Reads for the policy pages: the list (two queries whatever the number of documents), a document's
versions, the text as people read it, and what the SECURITY ACTION page needs."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Value, When
from django.utils import translation
from django.utils.translation import gettext

from ippo.core.models import Organization
from ippo.policies import library
from ippo.policies.models import Policy, PolicyVersion


@dataclass
class PolicyRow:
    """One line of the list: a template (maybe not drafted yet) or a document written from scratch."""

    title: str
    summary: str
    template: library.PolicyTemplate | None
    policy: Policy | None
    approved: PolicyVersion | None
    draft: PolicyVersion | None


def policy_rows(org: Organization) -> list[PolicyRow]:
    """Every template in file order, then the documents written from scratch. Two queries."""
    policies = list(Policy.objects.filter(organization=org).order_by("pk"))
    current: dict[int, dict[str, PolicyVersion]] = {}
    versions = (
        PolicyVersion.objects.filter(organization=org)
        .exclude(status=PolicyVersion.Status.SUPERSEDED)
        .defer("sections")
    )
    for version in versions:
        current.setdefault(version.policy_id, {})[version.status] = version
    by_template = {p.template_id: p for p in policies if p.template_id}
    rows = []
    for template in library.templates_get():
        policy = by_template.get(template.id)
        mine = current.get(policy.pk, {}) if policy else {}
        rows.append(
            PolicyRow(
                title=policy.title if policy else template.title.get(),
                summary=template.summary.get(),
                template=template,
                policy=policy,
                approved=mine.get("approved"),
                draft=mine.get("draft"),
            )
        )
    for policy in policies:
        if policy.template_id:
            continue
        mine = current.get(policy.pk, {})
        rows.append(
            PolicyRow(
                title=policy.title,
                summary="",
                template=None,
                policy=policy,
                approved=mine.get("approved"),
                draft=mine.get("draft"),
            )
        )
    return rows


def versions_of(policy: Policy) -> list[PolicyVersion]:
    """Newest first, without the text (the history table)."""
    return list(PolicyVersion.objects.filter(policy=policy).defer("sections").order_by("-number"))


def date_placeholder(language: str) -> str:
    """What a draft shows where the approval date will go, in the document's language."""
    with translation.override(language):
        return gettext("[date of approval]")


def document_sections(version: PolicyVersion, language: str) -> list[dict]:
    """The text as people read it: {effective_date} becomes the approval date, or a marker in a draft."""
    if version.effective_date is not None:
        replacement = library.date_text(version.effective_date, language)
    else:
        replacement = date_placeholder(language)
    return library.effective_date_fill(version.sections, replacement)


def approved_versions(org: Organization) -> list[PolicyVersion]:
    """The documents in force, the basic policy first: what every employee must follow. One query."""
    return list(
        PolicyVersion.objects.filter(organization=org, status=PolicyVersion.Status.APPROVED)
        .select_related("policy")
        .annotate(
            kind_order=Case(
                When(policy__kind=Policy.Kind.POLICY, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("kind_order", "policy_id")
    )


def basic_policy_in_force(org: Organization) -> PolicyVersion | None:
    """The approved basic policy (SECURITY ACTION ★★ asks for one), the most recently approved first."""
    return (
        PolicyVersion.objects.filter(
            organization=org, status=PolicyVersion.Status.APPROVED, policy__kind=Policy.Kind.POLICY
        )
        .select_related("policy")
        .defer("sections")
        .order_by("-approved_at")
        .first()
    )
