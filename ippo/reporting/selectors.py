from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from ippo.core.models import Organization
from ippo.reporting import escalation
from ippo.reporting.models import EscalationContact, EscalationRule, Kind, Report


def reports_for_handler(*, org: Organization, user, designated: bool) -> QuerySet[Report]:
    """The inbox: every report, except concerns about misconduct for people who are not designated."""
    reports = (
        Report.objects.filter(organization=org)
        .select_related("reporter")
        .annotate(message_count=Count("messages"))
    )
    if not designated:
        reports = reports.exclude(kind=Kind.MISCONDUCT)
    return reports


def reports_unacknowledged(*, org: Organization, designated: bool) -> QuerySet[Report]:
    reports = Report.objects.filter(organization=org).filter(
        Q(acknowledged_at__isnull=True) | Q(reporter_waiting=True)
    )
    if not designated:
        reports = reports.exclude(kind=Kind.MISCONDUCT)
    return reports


def contact_tree(*, org: Organization) -> list[dict]:
    """Every active rule with its steps and, for each, who is called in office hours and out of hours."""
    rules = list(EscalationRule.objects.filter(organization=org).order_by("position", "pk"))
    contacts = (
        EscalationContact.objects.filter(organization=org).select_related("user").order_by("step", "pk")
    )
    by_rule: dict[int, dict[int, dict[str, list]]] = {}
    for contact in contacts:
        by_rule.setdefault(contact.rule_id, {}).setdefault(contact.step, {"day": [], "night": []})[
            contact.shift
        ].append(contact.user)
    kinds = dict(Kind.choices)
    return [
        {
            "rule": rule,
            "kinds": [kinds[k] for k in rule.kinds if k in kinds],
            "steps": sorted(by_rule.get(rule.pk, {}).items()),
        }
        for rule in rules
    ]


def concern_handlers(*, org: Organization) -> list:
    return escalation.concern_handlers(org)
