"""The five-step drill wizard: each step saves the draft, bad input is explained without losing anything,
the review schedules the drill (recipients, send times, audit) and can set up a recurring drill; the list
and detail pages, finish/cancel/delete, and the documents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from ippo.core.models import AuditEvent
from ippo.phishing.models import Drill, DrillProgramme, Recipient
from ippo.phishing.schedule import JST, is_business_day
from ippo.phishing.tests.send_fixtures import query_count

pytestmark = pytest.mark.django_db

FMT = "%Y-%m-%dT%H:%M"


def _window(days=10):
    start = timezone.now().astimezone(JST) + timedelta(hours=1)
    return {"window_start": start.strftime(FMT), "window_end": (start + timedelta(days=days)).strftime(FMT)}


def _walk(client, personas, profile, *, audience=None, templates=("delivery-notice",), window=None):
    """Go through the steps; return the draft drill."""
    response = client.post("/o/org-a/drills/new/", audience or {"name": "冬の訓練", "mode": "everyone"})
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        drill = Drill.objects.get(organization=personas.org)
    assert response["Location"].endswith(f"/drills/{drill.pk}/template/")
    data = {"template_ids": list(templates)}
    if len(templates) > 1:
        data["random_template"] = "on"
    assert client.post(f"/o/org-a/drills/{drill.pk}/template/", data).status_code == 302
    assert client.post(f"/o/org-a/drills/{drill.pk}/landing/", {"landing": "form"}).status_code == 302
    window = window or {"profile": profile.pk, "business_hours_only": "on", **_window()}
    response = client.post(f"/o/org-a/drills/{drill.pk}/window/", window)
    assert response.status_code == 302, response.content.decode()[:3000]
    return drill


def test_the_whole_wizard_schedules_a_drill(owner_client, personas, employees, profile):
    drill = _walk(owner_client, personas, profile)
    html = owner_client.get(f"/o/org-a/drills/{drill.pk}/review/").content.decode()
    assert "Everyone with an e-mail address" in html and "6 people" in html
    response = owner_client.post(f"/o/org-a/drills/{drill.pk}/review/", {})
    assert response.status_code == 302 and response["Location"].endswith(f"/drills/{drill.pk}/")
    with scopes_disabled():
        drill.refresh_from_db()
        assert drill.status == Drill.Status.SCHEDULED and drill.landing == "form"
        recipients = list(Recipient.objects.filter(drill=drill))
        assert sorted(r.email for r in recipients) == sorted(e.email for e in employees)
        assert {r.department_name for r in recipients} == {"営業部", "総務部", "製造部"}
        assert all(
            r.token_hash is None and r.sent_at is None for r in recipients
        )  # tokens exist only at sending
        for r in recipients:
            local = r.send_after.astimezone(JST)
            assert is_business_day(local.date()) and 9 <= local.hour < 18
        event = AuditEvent.objects.get(action="drill.scheduled")
        assert event.data["recipients"] == 6
    html = owner_client.get(f"/o/org-a/drills/{drill.pk}/").content.decode()
    assert "Cancel the drill" in html
    # a scheduled drill can no longer be edited through the wizard
    response = owner_client.get(f"/o/org-a/drills/{drill.pk}/template/")
    assert response.status_code == 302 and response["Location"].endswith(f"/drills/{drill.pk}/")


def test_steps_keep_their_answers_when_you_come_back(owner_client, personas, employees, profile):
    drill = _walk(owner_client, personas, profile, templates=("delivery-notice", "password-expiry"))
    html = owner_client.get(f"/o/org-a/drills/{drill.pk}/template/").content.decode()
    assert html.count("checked") >= 3  # two templates and "random"
    html = owner_client.get(f"/o/org-a/drills/{drill.pk}/audience/").content.decode()
    assert 'value="冬の訓練"' in html
    html = owner_client.get(f"/o/org-a/drills/{drill.pk}/landing/").content.decode()
    assert 'value="form" checked' in html or 'value="form"\n' in html or "checked" in html


def test_departments_audience(owner_client, personas, employees, profile):
    with scopes_disabled():
        sales = employees[0].department
    drill = _walk(
        owner_client,
        personas,
        profile,
        audience={"name": "営業だけ", "mode": "departments", "departments": [sales.pk]},
    )
    owner_client.post(f"/o/org-a/drills/{drill.pk}/review/", {})
    with scopes_disabled():
        assert set(Recipient.objects.filter(drill=drill).values_list("department_name", flat=True)) == {
            "営業部"
        }


def test_selected_people_skip_those_who_left(owner_client, personas, employees, profile):
    chosen = employees[:2]
    drill = _walk(
        owner_client,
        personas,
        profile,
        audience={"name": "二人", "mode": "people", "employees": [e.pk for e in chosen]},
    )
    with scopes_disabled():
        chosen[1].is_active = False
        chosen[1].save()
    owner_client.post(f"/o/org-a/drills/{drill.pk}/review/", {})
    with scopes_disabled():
        assert list(Recipient.objects.filter(drill=drill).values_list("email", flat=True)) == [
            chosen[0].email
        ]


def test_bad_input_is_explained_and_kept(owner_client, personas, employees, profile):
    response = owner_client.post("/o/org-a/drills/new/", {"name": "訓練A", "mode": "departments"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose at least one department." in html and 'value="訓練A"' in html
    with scopes_disabled():
        assert not Drill.objects.exists()

    drill = _walk(owner_client, personas, profile)
    response = owner_client.post(
        f"/o/org-a/drills/{drill.pk}/template/", {"template_ids": ["delivery-notice", "password-expiry"]}
    )
    assert "Choose exactly one template" in response.content.decode()
    response = owner_client.post(
        f"/o/org-a/drills/{drill.pk}/template/",
        {"template_ids": ["delivery-notice"], "random_template": "on"},
    )
    assert "choose at least two" in response.content.decode()

    # a window with no business hours (the New Year break) is refused with the reason, and the input is kept
    response = owner_client.post(
        f"/o/org-a/drills/{drill.pk}/window/",
        {
            "profile": profile.pk,
            "business_hours_only": "on",
            "window_start": "2099-12-30T09:00",
            "window_end": "2100-01-03T18:00",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "no business hours" in html and 'value="2099-12-30T09:00"' in html
    # too short for the profile's pace
    with scopes_disabled():
        profile.messages_per_minute = 1
        profile.save()
    response = owner_client.post(
        f"/o/org-a/drills/{drill.pk}/window/",
        {
            "profile": profile.pk,
            "window_start": "2099-06-01T09:00",
            "window_end": "2099-06-01T09:03",
        },
    )
    assert "The window is too short" in response.content.decode()
    response = owner_client.post(
        f"/o/org-a/drills/{drill.pk}/window/",
        {
            "profile": profile.pk,
            "window_start": "2099-06-01T09:00",
            "window_end": "2099-06-01T08:00",
        },
    )
    assert "must be after" in response.content.decode()


def test_a_draft_with_missing_steps_cannot_be_scheduled(owner_client, personas, employees, profile):
    owner_client.post("/o/org-a/drills/new/", {"name": "途中", "mode": "everyone"})
    with scopes_disabled():
        drill = Drill.objects.get()
    response = owner_client.post(f"/o/org-a/drills/{drill.pk}/review/", {})
    assert response.status_code == 200 and "Some steps are not finished yet" in response.content.decode()
    with scopes_disabled():
        drill.refresh_from_db()
        assert drill.status == "draft" and not Recipient.objects.exists()


def test_review_can_set_up_a_recurring_drill(owner_client, personas, employees, profile):
    drill = _walk(owner_client, personas, profile)
    owner_client.post(f"/o/org-a/drills/{drill.pk}/review/", {"repeat": "on", "repeat_every_months": "3"})
    with scopes_disabled():
        programme = DrillProgramme.objects.get()
        drill.refresh_from_db()
        assert drill.programme == programme and programme.every_months == 3 and programme.random_template
        assert len(programme.template_ids) >= 2  # one template chosen: the programme draws from all of them
        assert (programme.next_run_on - timezone.localdate(drill.window_start)).days in range(88, 93)
        assert AuditEvent.objects.filter(action="drillprogramme.created").exists()
    html = owner_client.get("/o/org-a/drills/").content.decode()
    assert "Recurring drills" in html and "3 months" in html
    owner_client.post(f"/o/org-a/drills/recurring/{programme.pk}/stop/")
    with scopes_disabled():
        programme.refresh_from_db()
        assert not programme.is_active


def test_template_step_previews_the_mail_and_its_red_flags(owner_client, personas, employees, profile):
    owner_client.post("/o/org-a/drills/new/", {"name": "x", "mode": "everyone"})
    with scopes_disabled():
        drill = Drill.objects.get()
    html = owner_client.get(f"/o/org-a/drills/{drill.pk}/template/").content.decode()
    assert "[Sakura Express] We missed you" in html and "Red flags" in html
    assert "Be wary of a missed-delivery notice" in html


def test_cancel_finish_and_delete(owner_client, personas, employees, profile):
    drill = _walk(owner_client, personas, profile)
    owner_client.post(f"/o/org-a/drills/{drill.pk}/review/", {})
    response = owner_client.post(f"/o/org-a/drills/{drill.pk}/finish/", follow=True)
    assert "Only a drill whose mail has all been sent can be finished" in response.content.decode()
    owner_client.post(f"/o/org-a/drills/{drill.pk}/cancel/")
    with scopes_disabled():
        drill.refresh_from_db()
        assert drill.status == "cancelled"
        assert AuditEvent.objects.get(action="drill.cancelled").data["not_sent"] == 6
    owner_client.post(f"/o/org-a/drills/{drill.pk}/delete/")
    with scopes_disabled():
        assert not Drill.objects.exists()
        assert AuditEvent.objects.filter(action="drill.deleted").exists()


def test_finish_a_running_drill(owner_client, personas, employees, profile):
    with scopes_disabled():
        drill = Drill.objects.create(
            organization=personas.org, name="done", status="running", profile=profile
        )
    owner_client.post(f"/o/org-a/drills/{drill.pk}/finish/")
    with scopes_disabled():
        drill.refresh_from_db()
        assert drill.status == "finished" and drill.finished_at and isinstance(drill.summary, dict)


def test_actions_are_post_only_and_need_drills_manage(client, owner_client, personas, employees, profile):
    drill = _walk(owner_client, personas, profile)
    for action in ("finish", "cancel", "delete"):
        assert owner_client.get(f"/o/org-a/drills/{drill.pk}/{action}/").status_code == 405
    client.force_login(personas.member)
    for url in (
        "/o/org-a/drills/",
        "/o/org-a/drills/new/",
        f"/o/org-a/drills/{drill.pk}/",
        "/o/org-a/drills/documents/",
    ):
        assert client.get(url).status_code == 403
    assert client.post(f"/o/org-a/drills/{drill.pk}/review/", {}).status_code == 403


def test_the_list_page_runs_a_constant_number_of_queries(owner_client, personas, profile):
    def add(n):
        with scopes_disabled():
            for i in range(n):
                d = Drill.objects.create(
                    organization=personas.org, name=f"d{i}", status="running", profile=profile
                )
                Recipient.objects.bulk_create(
                    [
                        Recipient(
                            organization=personas.org,
                            drill=d,
                            email=f"r{i}-{j}@x.example",
                            template_id="delivery-notice",
                        )
                        for j in range(3)
                    ]
                )

    add(2)
    few = query_count(owner_client, "/o/org-a/drills/")
    add(20)
    assert query_count(owner_client, "/o/org-a/drills/") == few


@pytest.mark.parametrize("language", ["ja", "en"])
def test_drill_pages_render_in_both_languages(owner_client, personas, employees, profile, language):
    drill = _walk(owner_client, personas, profile)
    owner_client.cookies["ippo_language"] = language
    urls = (
        ["/o/org-a/drills/", "/o/org-a/drills/new/", "/o/org-a/drills/documents/"]
        + [
            f"/o/org-a/drills/{drill.pk}/{step}/"
            for step in ("audience", "template", "landing", "window", "review")
        ]
        + [f"/o/org-a/drills/{drill.pk}/"]
    )
    for url in urls:
        response = owner_client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Language"] == language
        html = response.content.decode()
        assert "<script>" not in html and " style=" not in html, url
    html = owner_client.get("/o/org-a/drills/").content.decode()
    assert ("標的型メール訓練" if language == "ja" else "Phishing drills") in html


def test_documents_show_and_download_in_both_languages(owner_client, personas):
    html = owner_client.get("/o/org-a/drills/documents/").content.decode()
    assert "標的型メール訓練 実施規程" in html and "Phishing drill policy" in html
    assert "Org A" in html and "{company}" not in html
    assert "人事評価には使いません" in html and "never used in appraisals" in html
    response = owner_client.get("/o/org-a/drills/documents/?download=drill-policy&lang=ja")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/markdown")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode().startswith("# 標的型メール訓練 実施規程")
    assert owner_client.get("/o/org-a/drills/documents/?download=nope&lang=ja").status_code == 404


def test_the_detail_page_runs_a_constant_number_of_queries(owner_client, personas, profile):
    with scopes_disabled():
        drill = Drill.objects.create(organization=personas.org, name="d", status="running", profile=profile)

    def add(n, start):
        with scopes_disabled():
            Recipient.objects.bulk_create(
                [
                    Recipient(
                        organization=personas.org,
                        drill=drill,
                        email=f"r{i}@x.example",
                        template_id="delivery-notice",
                        department_name=f"部{i % 3}",
                        sent_at=timezone.now(),
                        send_error="550" if i % 7 == 0 else "",
                    )
                    for i in range(start, start + n)
                ]
            )

    add(10, 0)
    few = query_count(owner_client, f"/o/org-a/drills/{drill.pk}/")
    add(300, 10)
    assert query_count(owner_client, f"/o/org-a/drills/{drill.pk}/") == few


def test_the_audience_step_shows_how_many_people_each_department_has(owner_client, employees):
    html = owner_client.get("/o/org-a/drills/new/").content.decode()
    assert "営業部 (3 people)" in html and "製造部 (1 person)" in html


def test_review_warns_when_links_would_point_at_this_machine(
    owner_client, personas, employees, profile, settings
):
    drill = _walk(owner_client, personas, profile)
    settings.BASE_URL = "http://127.0.0.1:8000"
    assert "staff cannot reach" in owner_client.get(f"/o/org-a/drills/{drill.pk}/review/").content.decode()
    settings.BASE_URL = "https://ippo.example.jp"
    assert (
        "staff cannot reach" not in owner_client.get(f"/o/org-a/drills/{drill.pk}/review/").content.decode()
    )


def test_selected_people_cannot_repeat_and_nothing_is_half_done(owner_client, personas, employees, profile):
    drill = _walk(
        owner_client,
        personas,
        profile,
        audience={"name": "二人", "mode": "people", "employees": [employees[0].pk]},
    )
    response = owner_client.post(
        f"/o/org-a/drills/{drill.pk}/review/", {"repeat": "on", "repeat_every_months": "6"}
    )
    assert (
        response.status_code == 200
        and "A recurring drill goes to everyone or to departments" in response.content.decode()
    )
    with scopes_disabled():
        drill.refresh_from_db()
        assert (
            drill.status == "draft" and not Recipient.objects.exists() and not DrillProgramme.objects.exists()
        )


def test_subjects_on_review_and_detail_are_filled_in(owner_client, personas, employees, profile):
    drill = _walk(owner_client, personas, profile, templates=("invoice-bank-change",))
    for url in (f"/o/org-a/drills/{drill.pk}/review/", f"/o/org-a/drills/{drill.pk}/"):
        html = owner_client.get(url).content.decode()
        assert "Org A" in html and "{company}" not in html, url
