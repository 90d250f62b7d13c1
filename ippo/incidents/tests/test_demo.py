import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from ippo.incidents.models import ExternalContact, Incident, IncidentClock, Status

pytestmark = pytest.mark.django_db


def _counts():
    with scopes_disabled():
        return [
            M.objects.filter(organization__slug="demo").count()
            for M in (Incident, IncidentClock, ExternalContact)
        ]


def test_the_demo_company_has_an_incident_in_progress_a_closed_near_miss_and_contacts():
    call_command("demo")
    first = _counts()
    call_command("demo")  # idempotent
    assert _counts() == first
    with scopes_disabled():
        incidents = list(
            Incident.objects.filter(organization__slug="demo").prefetch_related("tasks", "entries")
        )
        active = [i for i in incidents if i.status == Status.CONTAINMENT]
        near = [i for i in incidents if i.near_miss and i.status == Status.CLOSED]
        assert active and near
        tasks = list(active[0].tasks.all())
        assert 0 < sum(t.is_done for t in tasks) < len(tasks)
        assert active[0].entries.count() >= 5 and active[0].appi_reportable
        assert near[0].review_actions.exists()
        contacts = ExternalContact.objects.filter(organization__slug="demo")
        assert contacts.count() == 7 and contacts.filter(seed_key="it_vendor").exclude(phone="").exists()
