"""One factory per tenant-owned model, used by the tenancy harness to create an object of organisation A
for every URL that takes an object id. A new TenantModel behind a URL needs a factory here — the harness
fails with a message saying so."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

FACTORIES = {}


def factory(label: str):
    def register(fn):
        FACTORIES[label] = fn
        return fn

    return register


@factory("core.membership")
def _membership(org, make_user):
    from ippo.core.models import Membership

    return Membership.objects.create(organization=org, user=make_user(), role="member")


@factory("accounts.invitation")
def _invitation(org, make_user):
    from ippo.accounts.models import Invitation

    return Invitation.objects.create(
        organization=org,
        email="invitee@example.com",
        role="member",
        token_hash=f"{timezone.now().timestamp():064.6f}"[-64:],
        expires_at=timezone.now() + timedelta(days=7),
    )


@factory("assessments.assessment")
def _assessment(org, make_user):
    from ippo.assessments.models import Answer, Assessment

    assessment = Assessment.objects.create(organization=org, kind="full", catalog_version="2026.11")
    Answer.objects.create(organization=org, assessment=assessment, item_id="gv-exec-owner", value="yes")
    return assessment
