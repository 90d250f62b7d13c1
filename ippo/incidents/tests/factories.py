from datetime import timedelta

from django.utils import timezone

from tests.factories import factory


def _next_number(org):
    from ippo.incidents.models import Incident

    return (Incident.objects.filter(organization=org).count() or 0) + 1


@factory("incidents.incident")
def _incident(org, make_user):
    from ippo.incidents.models import Incident

    return Incident.objects.create(
        organization=org,
        number=_next_number(org),
        title="不審なメールのリンクを開いた",
        kind="phishing-click",
        severity=2,
    )


@factory("incidents.incidenttask")
def _incidenttask(org, make_user):
    from ippo.incidents.models import IncidentTask

    return IncidentTask.objects.create(
        organization=org, incident=_incident(org, make_user), title="パスワードを変更する"
    )


@factory("incidents.incidentclock")
def _incidentclock(org, make_user):
    from ippo.incidents.models import IncidentClock

    return IncidentClock.objects.create(
        organization=org,
        incident=_incident(org, make_user),
        kind="insurer",
        due_at=timezone.now() + timedelta(days=2),
    )


@factory("incidents.externalcontact")
def _externalcontact(org, make_user):
    from ippo.incidents.models import ExternalContact

    return ExternalContact.objects.create(
        organization=org, kind="it_vendor", name="みどりITサポート", phone="03-0000-0000"
    )
