"""The reporting pages: everyone's pillar page and signed-in reporting, the handlers' inbox and report page,
concerns for designated handlers only, escalation rules, designations, the report link, and permissions."""

from __future__ import annotations

import io
import sys
import types

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from PIL import Image

from ippo.core.models import AuditEvent
from ippo.reporting import services
from ippo.reporting.models import DesignatedHandler, EscalationRule, Report, ReportAttachment

pytestmark = pytest.mark.django_db


def _named(personas, **fields):
    defaults = {
        "kind": "virus",
        "happened": "today",
        "description": "A pop-up says my PC is infected.",
        "identity": "named",
    }
    return services.report_submit(org=personas.org, actor=personas.member, **{**defaults, **fields})


def _concern(personas):
    report, _code = services.report_submit_public(
        org=personas.org,
        kind="misconduct",
        happened="this_week",
        description="Fake receipts in expenses.",
        identity="anonymous",
    )
    return report


def _actions(org, action):
    return AuditEvent.objects.filter(organization=org, action=action).count()


def _png(size=(20, 10)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 60)).save(out, "PNG")
    return out.getvalue()


# --- Everyone -------------------------------------------------------------------------------------------------


def test_every_member_sees_how_to_report_with_the_link_and_a_qr_code(client, personas):
    client.force_login(personas.member)
    body = client.get("/o/org-a/incidents/").content.decode()
    token = services.reportsettings_get(org=personas.org).token
    assert f"/report/{token}/" in body
    assert 'src="data:image/svg+xml;base64,' in body
    assert "Reports received" not in body.split("<main")[1]


def test_handlers_also_see_what_is_waiting(client, personas):
    report = _named(personas)
    client.force_login(personas.manager)
    body = client.get("/o/org-a/incidents/").content.decode()
    assert f"/o/org-a/reporting/{report.pk}/" in body and "For the people who handle reports" in body


@pytest.mark.parametrize("language,text", [("ja", "報告・相談"), ("en", "Report or ask for advice")])
def test_pages_render_in_japanese_and_english(client, personas, language, text):
    report = _named(personas)
    client.cookies["ippo_language"] = language
    client.force_login(personas.owner)
    urls = (
        "/o/org-a/incidents/",
        "/o/org-a/reporting/new/",
        "/o/org-a/reporting/mine/",
        "/o/org-a/reporting/",
        f"/o/org-a/reporting/{report.pk}/",
        "/o/org-a/reporting/escalation/",
        "/o/org-a/reporting/escalation/new/",
        "/o/org-a/reporting/contact-tree/",
        "/o/org-a/reporting/handlers/",
        "/o/org-a/reporting/settings/",
        "/o/org-a/reporting/poster/",
    )
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.content.decode(), url
    assert text in client.get("/o/org-a/reporting/new/").content.decode()


def test_the_report_link_is_japanese_first_with_an_english_switch(client, personas, report_token):
    client.cookies.clear()
    assert "報告・相談" in client.get(f"/report/{report_token}/").content.decode()
    assert "Report or ask for advice" in client.get(f"/report/{report_token}/?lang=en").content.decode()
    assert client.get("/report/unknown-token/").status_code == 404


def test_a_member_reports_signed_in_and_reads_the_reply(client, personas):
    client.force_login(personas.member)
    response = client.post(
        "/o/org-a/reporting/new/",
        {
            "kind": "lost_device",
            "happened": "yesterday",
            "description": "Left my phone on the train.",
            "severity_guess": "2",
            "identity": "named",
            "screenshots": SimpleUploadedFile("shot.png", _png(), content_type="image/png"),
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        report = Report.objects.get()
        assert report.reporter == personas.member and report.channel == "signed_in"
        assert ReportAttachment.objects.filter(report=report).count() == 1
    assert _actions(personas.org, "report.received") == 1
    services.report_reply(report=report, actor=personas.manager, body="Thank you for telling us so quickly!")
    page = client.get(response["Location"]).content.decode()
    assert "Thank you for reporting" in page and "Thank you for telling us so quickly!" in page
    client.post("/o/org-a/reporting/mine/", {"report": report.pk, "body": "It was the Yamanote line."})
    with scopes_disabled():
        assert report.messages.filter(author_kind="reporter", author=personas.member).exists()


def test_signed_in_reporting_offers_no_anonymous_choice(client, personas):
    client.force_login(personas.member)
    response = client.post(
        "/o/org-a/reporting/new/",
        {"kind": "other", "happened": "today", "severity_guess": "0", "identity": "anonymous"},
    )
    assert response.status_code == 200
    with scopes_disabled():
        assert not Report.objects.exists()


def test_members_cannot_open_each_others_reports(client, personas, make_user):
    report = _named(personas)
    client.force_login(personas.viewer)
    assert client.get(f"/o/org-a/reporting/mine/?r={report.pk}").status_code == 404


# --- Handlers -------------------------------------------------------------------------------------------------


def test_the_inbox_query_count_is_constant(client, personas):
    _named(personas)
    client.force_login(personas.manager)
    client.get("/o/org-a/reporting/")
    with CaptureQueriesContext(connection) as first:
        assert client.get("/o/org-a/reporting/").status_code == 200
    for _ in range(6):
        report = _named(personas)
        services.report_reply(report=report, actor=personas.manager, body="Thanks!")
    with CaptureQueriesContext(connection) as second:
        client.get("/o/org-a/reporting/")
    assert len(second.captured_queries) == len(first.captured_queries)


def test_concerns_are_unreachable_for_handlers_who_are_not_designated(client, personas):
    services.designatedhandler_add(org=personas.org, actor=personas.owner, user=personas.advisor)
    concern = _concern(personas)
    client.force_login(personas.manager)
    assert f"/o/org-a/reporting/{concern.pk}/" not in client.get("/o/org-a/reporting/").content.decode()
    for url in (f"/o/org-a/reporting/{concern.pk}/",):
        assert client.get(url).status_code == 404
    for action in ("reply", "acknowledge", "update", "incident"):
        assert client.post(f"/o/org-a/reporting/{concern.pk}/{action}/", {"body": "x"}).status_code == 404
    client.force_login(personas.owner)  # designated is the advisor, not the owner
    assert client.get(f"/o/org-a/reporting/{concern.pk}/").status_code == 404
    assert _actions(personas.org, "report.viewed") == 0


def test_every_view_of_a_concern_is_audited(client, personas):
    services.designatedhandler_add(org=personas.org, actor=personas.owner, user=personas.advisor)
    concern = _concern(personas)
    client.force_login(personas.advisor)
    assert f"/o/org-a/reporting/{concern.pk}/" in client.get("/o/org-a/reporting/").content.decode()
    for _ in range(2):
        assert "Fake receipts" in client.get(f"/o/org-a/reporting/{concern.pk}/").content.decode()
    events = AuditEvent.objects.filter(
        organization=personas.org, action="report.viewed", actor=personas.advisor
    )
    assert events.count() == 2 and events.first().target_id == str(concern.pk)


def test_without_designations_the_owners_handle_concerns(client, personas):
    concern = _concern(personas)
    client.force_login(personas.owner)
    assert client.get(f"/o/org-a/reporting/{concern.pk}/").status_code == 200


def test_a_name_for_designated_handlers_only_is_hidden_from_the_others(client, personas):
    services.designatedhandler_add(org=personas.org, actor=personas.owner, user=personas.advisor)
    report = _named(personas, identity="restricted")
    client.force_login(personas.manager)
    body = client.get(f"/o/org-a/reporting/{report.pk}/").content.decode()
    assert (
        "Name shown to designated handlers only" in body and "member@a.example" not in body.split("<main")[1]
    )
    client.force_login(personas.advisor)
    assert "Member (employee)" in client.get(f"/o/org-a/reporting/{report.pk}/").content.decode()


def test_reply_acknowledge_and_update_are_post_only_and_audited(client, personas):
    report = _named(personas)
    client.force_login(personas.manager)
    for action in ("reply", "acknowledge", "update", "incident"):
        assert client.get(f"/o/org-a/reporting/{report.pk}/{action}/").status_code == 405
    client.post(f"/o/org-a/reporting/{report.pk}/acknowledge/")
    client.post(f"/o/org-a/reporting/{report.pk}/reply/", {"body": "Thank you. Please do not click it."})
    client.post(f"/o/org-a/reporting/{report.pk}/update/", {"status": "closed", "severity": "1"})
    with scopes_disabled():
        report.refresh_from_db()
    assert report.status == "closed" and report.severity == 1 and report.acknowledged_at
    for action in ("report.acknowledged", "report.replied", "report.updated"):
        assert _actions(personas.org, action) == 1, action


def test_members_and_viewers_cannot_handle_reports(client, personas):
    report = _named(personas)
    for user in (personas.member, personas.viewer):
        client.force_login(user)
        assert client.get("/o/org-a/reporting/").status_code == 403
        assert client.get(f"/o/org-a/reporting/{report.pk}/").status_code == 403
        assert client.post(f"/o/org-a/reporting/{report.pk}/reply/", {"body": "x"}).status_code == 403


def test_another_organisations_reports_are_404(client, personas):
    report = _named(personas)
    client.force_login(personas.outsider)
    assert client.get(f"/o/org-b/reporting/{report.pk}/").status_code == 404
    assert client.get(f"/o/org-a/reporting/{report.pk}/").status_code == 404


def test_attachments_download_for_handlers_and_are_audited(client, personas):
    report = services.report_submit(
        org=personas.org,
        actor=personas.member,
        kind="virus",
        happened="today",
        description="",
        identity="named",
        uploads=[services.Upload(data=_png())],
    )
    with scopes_disabled():
        attachment = ReportAttachment.objects.get(report=report)
    client.force_login(personas.manager)
    response = client.get(f"/o/org-a/reporting/attachments/{attachment.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "attachment" in response["Content-Disposition"]
    assert _actions(personas.org, "report.attachment_downloaded") == 1


def test_opening_an_incident_calls_the_incidents_app(client, personas, monkeypatch):
    report = _named(personas)
    calls = []

    def incident_create_from_report(*, org, report, actor):
        calls.append((org, report, actor))
        return types.SimpleNamespace(pk=4242)

    fake = types.ModuleType("ippo.incidents.services")
    fake.incident_create_from_report = incident_create_from_report
    monkeypatch.setitem(sys.modules, "ippo.incidents.services", fake)
    client.force_login(personas.manager)
    assert "Open an incident" in client.get(f"/o/org-a/reporting/{report.pk}/").content.decode()
    response = client.post(f"/o/org-a/reporting/{report.pk}/incident/")
    assert response.status_code == 302
    assert calls and calls[0][1].pk == report.pk and calls[0][2] == personas.manager
    assert _actions(personas.org, "report.incident_opened") == 1


# --- Escalation rules, designations, the link -----------------------------------------------------------------


def test_a_manager_sets_up_an_escalation_rule_and_prints_the_contact_tree(client, personas):
    client.force_login(personas.manager)
    response = client.post(
        "/o/org-a/reporting/escalation/new/",
        {
            "name": "Ransomware",
            "position": "1",
            "kinds": ["ransom"],
            "min_severity": "0",
            "reescalate_minutes": "15",
            "notify_chat": "on",
            "is_active": "on",
            "step1_day": [personas.manager.pk],
            "step1_night": [personas.advisor.pk],
            "step2_day": [personas.owner.pk],
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        rule = EscalationRule.objects.get()
        assert rule.contacts.count() == 3
    tree = client.get("/o/org-a/reporting/contact-tree/").content.decode()
    assert "Ransomware" in tree and "Advisor (outside support)" in tree and "Owner (executive)" in tree
    # Members cannot be contacts: they could not open the report.
    bad = client.post(
        f"/o/org-a/reporting/escalation/{rule.pk}/edit/",
        {
            "name": "R",
            "position": "1",
            "min_severity": "0",
            "reescalate_minutes": "15",
            "step1_day": [personas.member.pk],
        },
    )
    assert bad.status_code == 200
    client.post(f"/o/org-a/reporting/escalation/{rule.pk}/delete/")
    with scopes_disabled():
        assert not EscalationRule.objects.exists()
    assert (
        _actions(personas.org, "reporting.rule_saved") == 1
        and _actions(personas.org, "reporting.rule_deleted") == 1
    )


def test_only_the_owner_designates_concern_handlers(client, personas):
    client.force_login(personas.manager)
    assert client.get("/o/org-a/reporting/handlers/").status_code == 403
    client.force_login(personas.owner)
    client.post("/o/org-a/reporting/handlers/", {"user": personas.advisor.pk})
    with scopes_disabled():
        row = DesignatedHandler.objects.get()
    assert row.user == personas.advisor
    bad = client.post("/o/org-a/reporting/handlers/", {"user": personas.member.pk})
    assert bad.status_code == 200
    client.post(f"/o/org-a/reporting/handlers/{row.pk}/remove/")
    with scopes_disabled():
        assert not DesignatedHandler.objects.exists()
    assert _actions(personas.org, "reporting.handler_designated") == 1


def test_replacing_the_report_link_retires_the_old_one(client, personas, report_token):
    client.force_login(personas.owner)
    client.post("/o/org-a/reporting/settings/new-link/")
    new_token = services.reportsettings_get(org=personas.org).token
    assert new_token != report_token
    assert client.get(f"/report/{report_token}/").status_code == 404
    assert client.get(f"/report/{new_token}/").status_code == 200
    assert _actions(personas.org, "reporting.link_rotated") == 1


def test_office_hours_are_saved(client, personas):
    client.force_login(personas.manager)
    client.post("/o/org-a/reporting/settings/", {"day_starts": "08:30", "day_ends": "17:30"})
    row = services.reportsettings_get(org=personas.org)
    assert str(row.day_starts) == "08:30:00" and not row.weekends_are_night


def test_home_page_lists_unacknowledged_reports_for_handlers(client, personas):
    report = _named(personas)
    client.force_login(personas.manager)
    assert f"/o/org-a/reporting/{report.pk}/" in client.get("/o/org-a/").content.decode()
    client.force_login(personas.member)
    assert f"/o/org-a/reporting/{report.pk}/" not in client.get("/o/org-a/").content.decode()


def test_scoped_queries_stay_inside_the_organisation(personas):
    _named(personas)
    with scope(organization=personas.other_org):
        assert not Report.objects.exists()
    assert timezone.now()


def test_with_the_incidents_app_a_report_becomes_one_incident(client, personas):
    services_module = pytest.importorskip("ippo.incidents.services")
    if not hasattr(services_module, "incident_create_from_report"):
        pytest.skip("ippo.incidents does not offer incident_create_from_report yet")
    report = _named(personas)
    client.force_login(personas.manager)
    first = client.post(f"/o/org-a/reporting/{report.pk}/incident/")
    second = client.post(f"/o/org-a/reporting/{report.pk}/incident/")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]  # the same incident, not a second one
    body = client.get(f"/o/org-a/reporting/{report.pk}/").content.decode()
    assert "Open the incident" in body and "Open an incident" not in body
    assert _actions(personas.org, "report.incident_opened") == 1
