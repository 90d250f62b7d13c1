import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from ippo.policies.models import Policy, PolicyVersion

pytestmark = pytest.mark.django_db


def test_the_demo_company_has_its_policy_and_rules_some_approved():
    call_command("demo")
    call_command("demo")  # idempotent
    with scopes_disabled():
        policies = Policy.objects.filter(organization__slug="demo")
        approved = PolicyVersion.objects.filter(organization__slug="demo", status="approved").select_related(
            "policy"
        )
        drafts = PolicyVersion.objects.filter(organization__slug="demo", status="draft").count()
        assert policies.count() == 7 and set(policies.values_list("language", flat=True)) == {"ja"}
        assert {v.policy.template_id for v in approved} == {
            "basic-policy",
            "rule-passwords-mfa",
            "rule-incident-reporting",
        }
        assert drafts == 4
        basic = next(v for v in approved if v.policy.template_id == "basic-policy")
        text = "".join(p for s in basic.sections for p in s["paragraphs"])
    assert basic.approved_by.email == "owner@example.com" and basic.approved_by_name == "山田 太郎"
    assert 90 <= (timezone.now() - basic.approved_at).days <= 180  # approved a few months ago
    assert "株式会社いっぽ商事 (デモ)" in text and "総務部 佐藤 花子" in text and "佐藤 花子を任命" in text
