from tests.factories import factory


@factory("reporting.report")
def _report(org, make_user):
    from django.utils import timezone

    from ippo.reporting.models import Report

    return Report.objects.create(
        organization=org,
        kind="suspicious_mail",
        happened="today",
        description="請求書の振込先変更の連絡が来ました。",
        identity="named",
        channel="signed_in",
        created_at=timezone.now(),
    )


@factory("reporting.reportattachment")
def _attachment(org, make_user):
    from django.core.files.base import ContentFile

    from ippo.reporting.models import ReportAttachment

    attachment = ReportAttachment(
        organization=org, report=_report(org, make_user), content_type="image/png", size=8
    )
    attachment.file.save("upload", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    attachment.save()
    return attachment


@factory("reporting.escalationrule")
def _rule(org, make_user):
    from ippo.reporting.models import EscalationRule

    return EscalationRule.objects.create(organization=org, name="メールの報告")


@factory("reporting.designatedhandler")
def _designated(org, make_user):
    from ippo.core.models import Membership
    from ippo.reporting.models import DesignatedHandler

    user = make_user()
    Membership.objects.create(organization=org, user=user, role="manager")
    return DesignatedHandler.objects.create(organization=org, user=user)
