"""Demo data: all seven documents drafted in Japanese; the basic policy and two rules approved by the owner
about four months ago; the other four left as drafts for the owner to approve. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ippo.policies import library, services
from ippo.policies.models import Policy

REPORT_CONTACT = "総務部 佐藤 花子（内線 203、携帯 090-0000-0000）"
APPROVED = ("basic-policy", "rule-passwords-mfa", "rule-incident-reporting")
APPROVED_DAYS_AGO = 120


def load(*, org, users) -> None:
    if Policy.objects.filter(organization=org).exists():
        return
    owner, manager = users["owner"], users["manager"]
    versions = services.policies_generate(
        org=org,
        actor=manager,
        template_ids=[t.id for t in library.templates_get()],
        language="ja",
        report_contact=REPORT_CONTACT,
    )
    when = timezone.now() - timedelta(days=APPROVED_DAYS_AGO)
    for version in versions:
        if version.policy.template_id in APPROVED:
            services.policy_version_approve(version=version, actor=owner, when=when)
