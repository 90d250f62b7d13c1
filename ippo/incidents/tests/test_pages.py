"""The incident pages: happy paths, permissions, POST-only actions, htmx partials, both languages, query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from ippo.core.models import AuditEvent
from ippo.incidents import services
from ippo.incidents.models import ExternalContact, Incident, IncidentClock, IncidentTask, Status
from tests.helpers import query_count

pytestmark = pytest.mark.django_db


def url(personas, name, *args):
    return reverse(f"org:{name}", args=[personas.org.slug, *args])


def _incident(personas, in_org, **kwargs):
    with in_org():
        defaults = {"title": "Fake sign-in page", "kind": "phishing-click", "severity": 2}
        defaults.update(kwargs)
        return services.incident_create(org=personas.org, actor=personas.manager, **defaults)


def test_recording_an_incident_through_the_form(manager_client, personas, in_org):
    from ippo.registers.models import Asset

    with in_org():
        asset = Asset.objects.create(organization=personas.org, name="Microsoft 365", asset_type="cloud")
    response = manager_client.post(
        url(personas, "incident_create"),
        {
            "title": "Password typed into a fake page",
            "kind": "phishing-click",
            "severity": "2",
            "owner": str(personas.manager.pk),
            "aware_at": "2026-11-20T09:30",
            "assets": [str(asset.pk)],
            "description": "",
        },
    )
    with in_org():
        incident = Incident.objects.get()
        assert response.status_code == 302 and response["Location"] == url(
            personas, "incident_detail", incident.pk
        )
        assert incident.owner == personas.manager and list(incident.assets.all()) == [asset]
        assert timezone.localtime(incident.aware_at).hour == 9
        assert incident.tasks.count() == 7
    page = manager_client.get(url(personas, "incident_detail", incident.pk))
    assert page.status_code == 200
    assert "Thank the person who reported it" in page.content.decode()


def test_a_member_cannot_open_incidents(client, personas, in_org):
    incident = _incident(personas, in_org)
    client.force_login(personas.member)
    for name, args in (
        ("incident_list", ()),
        ("incident_detail", (incident.pk,)),
        ("playbook_list", ()),
        ("externalcontact_list", ()),
    ):
        assert client.get(url(personas, name, *args)).status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "incident_status",
        "incident_entry",
        "incident_playbook",
        "incident_task",
        "incident_clock",
        "incident_clocksusual",
    ],
)
def test_actions_are_post_only(manager_client, personas, in_org, name):
    incident = _incident(personas, in_org)
    assert manager_client.get(url(personas, name, incident.pk)).status_code == 405


def test_status_change_and_timeline_entry(manager_client, personas, in_org):
    incident = _incident(personas, in_org)
    manager_client.post(
        url(personas, "incident_status", incident.pk), {"status": "triage", "note": "looking"}
    )
    manager_client.post(
        url(personas, "incident_entry", incident.pk),
        {"kind": "communication", "text": "Called the IT vendor", "at": ""},
    )
    bad = manager_client.post(
        url(personas, "incident_status", incident.pk), {"status": "closed"}, follow=True
    )
    with in_org():
        incident.refresh_from_db()
        assert incident.status == Status.TRIAGE or incident.status == Status.CLOSED
        assert incident.entries.filter(kind="communication", text="Called the IT vendor").exists()
    assert bad.status_code == 200
    assert AuditEvent.objects.filter(action="incident.status_changed", organization=personas.org).exists()


def test_ticking_a_task_with_htmx_returns_the_row(manager_client, personas, in_org):
    incident = _incident(personas, in_org)
    with in_org():
        task = incident.tasks.first()
    response = manager_client.post(
        url(personas, "incidenttask_update", task.pk), {"done": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<li") and "<html" not in body and "<s>" in body
    with in_org():
        assert IncidentTask.objects.get(pk=task.pk).is_done
    response = manager_client.post(
        url(personas, "incidenttask_update", task.pk), {"assignee": str(personas.advisor.pk)}
    )
    assert response.status_code == 302
    with in_org():
        task.refresh_from_db()
        assert task.assignee == personas.advisor and task.is_done


def test_personal_data_assessment_starts_the_clocks_and_the_draft_shows_the_fields(
    manager_client, personas, in_org
):
    incident = _incident(personas, in_org)
    response = manager_client.post(
        url(personas, "incident_personaldata", incident.pk),
        {
            "personal_data": "on",
            "appi_malicious": "on",
            "people_affected": "320",
            "data_kinds": "Names and e-mail addresses",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "A report to the Personal Information Protection Commission is needed" in response.content.decode()
    with in_org():
        assert IncidentClock.objects.filter(incident=incident).count() == 2
    draft = manager_client.get(url(personas, "incident_ppcdraft", incident.pk))
    text = draft.content.decode()
    assert "Names and e-mail addresses" in text and "320" in text and "Possibly caused on purpose" in text


def test_the_ppc_draft_downloads_as_pdf(manager_client, personas, in_org):
    incident = _incident(personas, in_org, title="社員の PC の紛失")
    response = manager_client.get(url(personas, "incident_ppcdraft", incident.pk) + "?format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="incident.ppc_draft_downloaded").exists()


def test_marking_a_clock_met(manager_client, personas, in_org):
    incident = _incident(personas, in_org)
    manager_client.post(
        url(personas, "incident_clock", incident.pk), {"kind": "insurer", "label": "Sakura", "hours": "48"}
    )
    with in_org():
        clock = IncidentClock.objects.get(incident=incident)
    assert manager_client.get(url(personas, "incidentclock_done", clock.pk)).status_code == 405
    manager_client.post(url(personas, "incidentclock_done", clock.pk))
    with in_org():
        clock.refresh_from_db()
        assert clock.is_done


def test_review_page_creates_action_items(manager_client, personas, in_org):
    from ippo.program.models import ActionItem

    incident = _incident(personas, in_org)
    response = manager_client.post(
        url(personas, "incident_review", incident.pk),
        {
            "what_happened": "A fake page",
            "went_well": "Quick report",
            "to_improve": "MFA",
            "lessons": "Turn on MFA for sales\nRun a phishing drill",
            "owner": "",
            "due_date": "",
        },
    )
    assert response.status_code == 302
    with in_org():
        assert sorted(
            ActionItem.objects.filter(organization=personas.org).values_list("title", flat=True)
        ) == [
            "Run a phishing drill",
            "Turn on MFA for sales",
        ]


def test_playbook_pages_and_pdf(manager_client, personas):
    assert "Ransomware" in manager_client.get(url(personas, "playbook_list")).content.decode()
    page = manager_client.get(url(personas, "playbook_read") + "?id=ransomware")
    assert page.status_code == 200 and "Do not switch the device off" in page.content.decode()
    assert manager_client.get(url(personas, "playbook_read") + "?id=nope").status_code == 302
    pdf = manager_client.get(url(personas, "playbook_read") + "?id=ransomware&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_contacts_are_seeded_once_and_editable(manager_client, personas, in_org):
    assert manager_client.get(url(personas, "externalcontact_seed")).status_code == 405
    manager_client.post(url(personas, "externalcontact_seed"))
    manager_client.post(url(personas, "externalcontact_seed"))
    with in_org():
        contacts = list(ExternalContact.objects.filter(organization=personas.org))
        assert len(contacts) == 7
        police = next(c for c in contacts if c.seed_key == "police")
        assert police.url == "https://www.npa.go.jp/bureau/cyber/soudan.html" and not police.phone
        jpcert = next(c for c in contacts if c.seed_key == "jpcert")
        assert jpcert.url == "https://www.jpcert.or.jp/" and "official site" in jpcert.display_notes
    page = manager_client.get(url(personas, "externalcontact_list")).content.decode()
    assert "Personal Information Protection Commission" in page
    response = manager_client.post(
        url(personas, "externalcontact_edit", police.pk),
        {
            "kind": "police",
            "name": "県警 サイバー犯罪相談窓口",
            "person": "",
            "url": police.url,
            "email": "",
            "phone": "",
            "notes": "x",
        },
    )
    assert response.status_code == 302
    with in_org():
        police.refresh_from_db()
        assert police.name == "県警 サイバー犯罪相談窓口"
        # a deleted slot comes back only on request, never twice
        manager_client.post(url(personas, "externalcontact_delete", police.pk))
        assert not ExternalContact.objects.filter(seed_key="police").exists()
        services.contacts_seed(org=personas.org)  # automatic seeding does not bring it back
        assert not ExternalContact.objects.filter(seed_key="police").exists()
    assert AuditEvent.objects.filter(action="externalcontact.deleted").exists()


def test_settings_page(manager_client, personas, in_org):
    response = manager_client.post(
        url(personas, "incidentsettings_edit"),
        {"appi_preliminary_days": "4", "contract_hours": "", "insurer_hours": "48", "partner_hours": ""},
    )
    assert response.status_code == 302
    with in_org():
        settings = services.incident_settings_get(personas.org)
        assert (settings.appi_preliminary_days, settings.insurer_hours) == (4, 48)
    bad = manager_client.post(url(personas, "incidentsettings_edit"), {"appi_preliminary_days": "9"})
    assert bad.status_code == 200


@pytest.mark.parametrize("language", ["ja", "en"])
def test_pages_render_in_both_languages(client, personas, in_org, language):
    incident = _incident(personas, in_org)
    client.force_login(personas.manager)
    client.cookies["ippo_language"] = language
    marker = {"ja": "インシデント", "en": "Incidents"}[language]
    for name, args in (
        ("incident_list", ()),
        ("incident_create", ()),
        ("incident_detail", (incident.pk,)),
        ("incident_edit", (incident.pk,)),
        ("incident_personaldata", (incident.pk,)),
        ("incident_ppcdraft", (incident.pk,)),
        ("incident_review", (incident.pk,)),
        ("playbook_list", ()),
        ("externalcontact_list", ()),
        ("externalcontact_create", ()),
        ("incidentsettings_edit", ()),
    ):
        response = client.get(url(personas, name, *args))
        assert response.status_code == 200, name
        assert marker in response.content.decode(), name
    playbook = client.get(url(personas, "playbook_read") + "?id=misdirected-email").content.decode()
    assert {"ja": "誤送信", "en": "wrong person"}[language] in playbook


def test_list_filters_and_htmx_partial(manager_client, personas, in_org):
    open_one = _incident(personas, in_org, title="Still open")
    closed = _incident(personas, in_org, title="Done and dusted", near_miss=True)
    with in_org():
        services.incident_status_change(incident=closed, actor=personas.manager, status=Status.CLOSED)
    page = manager_client.get(url(personas, "incident_list")).content.decode()
    assert open_one.title in page and closed.title not in page
    partial = manager_client.get(
        url(personas, "incident_list") + "?state=all&near_miss=yes", HTTP_HX_REQUEST="true"
    )
    body = partial.content.decode()
    assert "<html" not in body and closed.title in body and open_one.title not in body


def test_export_register(manager_client, personas, in_org):
    _incident(personas, in_org, title="=HYPERLINK(1)")
    response = manager_client.get(url(personas, "incident_export") + "?format=csv")
    assert response.status_code == 200
    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")
    assert AuditEvent.objects.filter(action="incident.exported").exists()


def test_the_incident_list_runs_the_same_queries_for_3_and_30_incidents(manager_client, personas, in_org):
    def fill(n):
        for i in range(n):
            incident = _incident(personas, in_org, title=f"Incident {i}", owner=personas.manager)
            with in_org():
                services.clock_add(incident=incident, actor=personas.manager, kind="insurer", hours=48)
                services.task_update(task=incident.tasks.first(), actor=personas.manager, done=True)

    fill(3)
    few = query_count(manager_client, url(personas, "incident_list"))
    fill(27)
    many = query_count(manager_client, url(personas, "incident_list"))
    assert few == many, (few, many)
    assert many <= 15


def test_home_lists_my_open_incident_tasks(client, personas, in_org):
    incident = _incident(personas, in_org)
    with in_org():
        task = incident.tasks.first()
        services.task_update(task=task, actor=personas.manager, assignee=personas.advisor)
    client.force_login(personas.advisor)
    page = client.get(reverse("org:org_home", args=[personas.org.slug])).content.decode()
    assert f"Incident #{incident.number}:" in page
