"""Every tabletop page renders in both languages without inline script or style; running exercises needs
incidents.handle; writes are POST-only; the briefing is open to every member."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ippo.tabletop import services
from ippo.tabletop.services import PlayerSpec

pytestmark = pytest.mark.django_db


@pytest.fixture
def exercise(personas, in_org):
    with in_org():
        ex = services.exercise_plan(
            org=personas.org,
            actor=personas.manager,
            scenario_id="ransomware-file-server",
            scheduled_on=timezone.localdate() + timedelta(days=7),
            facilitator=personas.advisor,
            players=[
                PlayerSpec("owner", user=personas.owner),
                PlayerSpec("staff", user=personas.member),
                PlayerSpec("vendor", name="Kimura (IT support Co.)"),
            ],
        )
        services.exercise_action_add(
            exercise=ex, actor=personas.manager, title="Test a restore", owner=personas.manager
        )
    return ex


def _pages(ex):
    base = f"/o/org-a/tabletop/{ex.pk}"
    return [
        "/o/org-a/tabletop/",
        "/o/org-a/tabletop/scenarios/",
        "/o/org-a/tabletop/scenarios/view/?id=ransomware-file-server",
        "/o/org-a/tabletop/new/",
        "/o/org-a/tabletop/new/?scenario=lost-laptop",
        f"{base}/",
        f"{base}/edit/",
        f"{base}/briefing/",
        f"{base}/run/",
        f"{base}/run/?step=1",
        f"{base}/run/?step=6",
        f"{base}/hotwash/",
        f"{base}/report/",
    ]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_page_renders_in_both_languages(client, personas, exercise, language):
    client.force_login(personas.manager)
    client.cookies["ippo_language"] = language
    for url in _pages(exercise):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Language"] == language
        html = response.content.decode()
        assert "<script>" not in html and " style=" not in html, url
    html = client.get(f"/o/org-a/tabletop/{exercise.pk}/run/?step=1").content.decode()
    briefing = client.get(f"/o/org-a/tabletop/{exercise.pk}/run/").content.decode()
    if language == "ja":
        assert "月曜 8時40分、ファイルが開けない" in html and "点数" in briefing
        # Words other apps translate differently ("Actions" is 操作 elsewhere) carry the tabletop context.
        report = client.get(f"/o/org-a/tabletop/{exercise.pk}/report/").content.decode()
        assert "<h2>改善</h2>" in report and "実施報告書" in report and "操作" not in report
        listing = client.get("/o/org-a/tabletop/").content.decode()
        assert "<th>状態</th>" in listing and "対策状況" not in listing
    else:
        assert "Monday 8:40, files will not open" in html and "no scores" in briefing


def test_every_scenario_reads_in_both_languages(owner_client):
    from ippo.tabletop.content import scenarios_get

    for sid, scenario in scenarios_get().items():
        for language in ("ja", "en"):
            owner_client.cookies["ippo_language"] = language
            html = owner_client.get(f"/o/org-a/tabletop/scenarios/view/?id={sid}").content.decode()
            assert getattr(scenario.title, language).replace('"', "&quot;") in html


def test_an_unknown_scenario_is_404_and_a_missing_one_goes_back_to_the_library(owner_client):
    assert owner_client.get("/o/org-a/tabletop/scenarios/view/?id=nope").status_code == 404
    response = owner_client.get("/o/org-a/tabletop/scenarios/view/")
    assert response.status_code == 302 and response["Location"] == "/o/org-a/tabletop/scenarios/"


def test_a_member_reads_the_briefing_but_cannot_run_the_exercise(client, personas, exercise):
    client.force_login(personas.member)
    html = client.get(f"/o/org-a/tabletop/{exercise.pk}/briefing/").content.decode()
    assert "Staff" in html and "Kimura (IT support Co.)" in html
    assert "Monday 8:40" not in html  # the injects stay a surprise
    for url in _pages(exercise):
        if url.endswith("/briefing/"):
            continue
        assert client.get(url).status_code == 403, url
    base = f"/o/org-a/tabletop/{exercise.pk}"
    for url in (f"{base}/start/", f"{base}/notes/", f"{base}/finish/", f"{base}/actions/to-plan/"):
        assert client.post(url).status_code == 403, url


def test_the_menu_shows_the_link_to_handlers_only(client, personas):
    client.force_login(personas.manager)
    assert "/o/org-a/tabletop/" in client.get("/o/org-a/").content.decode()
    client.force_login(personas.member)
    assert "/o/org-a/tabletop/" not in client.get("/o/org-a/").content.decode()


def test_writes_reject_get(owner_client, exercise, unscoped):
    base = f"/o/org-a/tabletop/{exercise.pk}"
    with unscoped():
        action = exercise.actions.get()
    for url in (
        f"{base}/start/",
        f"{base}/finish/",
        f"{base}/notes/",
        f"{base}/delete/",
        f"{base}/actions/",
        f"{base}/actions/to-plan/",
        f"/o/org-a/tabletop/actions/{action.pk}/delete/",
    ):
        assert owner_client.get(url).status_code == 405, url


def test_another_organisations_exercise_is_404(client, personas, exercise):
    client.force_login(personas.outsider)
    assert client.get(f"/o/org-b/tabletop/{exercise.pk}/run/").status_code == 404
    assert client.get(f"/o/org-b/tabletop/{exercise.pk}/briefing/").status_code == 404
    assert (
        client.post(
            f"/o/org-b/tabletop/{exercise.pk}/notes/", {"inject": "briefing", "text": "x"}
        ).status_code
        == 404
    )
