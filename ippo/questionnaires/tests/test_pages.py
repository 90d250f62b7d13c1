"""Every questionnaire page renders in Japanese and English without inline script or style; viewers read,
editors write; the review page runs the same number of queries for 10 questions as for 150."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ippo.program.models import ControlStatus, Evidence
from ippo.questionnaires.models import Questionnaire, QuestionnaireItem
from tests.factories import FACTORIES
from tests.helpers import query_count

pytestmark = pytest.mark.django_db
BASE = "/o/org-a/questionnaires/"


@pytest.fixture
def questionnaire(personas, unscoped):
    with unscoped():
        return FACTORIES["questionnaires.questionnaire"](personas.org, None)


def _pages(q):
    return [BASE, f"{BASE}upload/", f"{BASE}{q.pk}/", f"{BASE}{q.pk}/?show=todo", f"{BASE}{q.pk}/columns/",
            f"{BASE}{q.pk}/delete/"]  # fmt: skip


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_page_renders_in_both_languages(owner_client, questionnaire, language):
    owner_client.cookies["ippo_language"] = language
    for url in _pages(questionnaire):
        response = owner_client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Language"] == language
        html = response.content.decode()
        assert "<script>" not in html and " style=" not in html, url
    html = owner_client.get(f"{BASE}{questionnaire.pk}/").content.decode()
    # Control titles come from the catalog in the reader's language.
    assert ("自動バックアップ" if language == "ja" else "Automatic backups") in html
    assert "バックアップを取得していますか" in html


def test_a_viewer_reads_but_cannot_change(client, personas, questionnaire):
    client.force_login(personas.viewer)
    html = client.get(f"{BASE}{questionnaire.pk}/").content.decode()
    assert "Automatic backups" in html
    assert 'name="controls-' not in html and "Save all changes" not in html
    assert client.get(f"{BASE}{questionnaire.pk}/export/").status_code == 200
    for url in (f"{BASE}upload/", f"{BASE}{questionnaire.pk}/columns/", f"{BASE}{questionnaire.pk}/delete/"):
        assert client.get(url).status_code == 403, url
    for url in (f"{BASE}{questionnaire.pk}/save/", f"{BASE}{questionnaire.pk}/accept/"):
        assert client.post(url).status_code == 403, url


def test_a_member_cannot_see_questionnaires(client, personas, questionnaire):
    client.force_login(personas.member)
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}{questionnaire.pk}/").status_code == 403


def test_an_outsider_gets_404(client, personas, questionnaire):
    client.force_login(personas.outsider)
    assert client.get(f"/o/org-b/questionnaires/{questionnaire.pk}/").status_code == 404
    assert client.get(f"/o/org-b/questionnaires/{questionnaire.pk}/export/").status_code == 404


def test_writes_are_post_only(owner_client, questionnaire, unscoped):
    with unscoped():
        item = QuestionnaireItem.objects.first()
    for url in (
        f"{BASE}{questionnaire.pk}/save/",
        f"{BASE}{questionnaire.pk}/accept/",
        f"{BASE}questions/{item.pk}/",
    ):
        assert owner_client.get(url).status_code == 405, url
    assert owner_client.post(f"{BASE}{questionnaire.pk}/export/").status_code == 405


def test_a_questionnaire_without_columns_sends_editors_to_the_column_page(
    owner_client, client, personas, questionnaire, unscoped
):
    with unscoped():
        Questionnaire.objects.filter(pk=questionnaire.pk).update(status="mapping")
    response = owner_client.get(f"{BASE}{questionnaire.pk}/")
    assert response.status_code == 302 and response["Location"].endswith("/columns/")
    response = owner_client.get(f"{BASE}{questionnaire.pk}/export/")
    assert response.status_code == 302
    client.force_login(personas.viewer)
    assert "have not been chosen yet" in client.get(f"{BASE}{questionnaire.pk}/").content.decode()


def test_the_home_page_lists_questionnaires_with_questions_to_check(
    owner_client, client, personas, questionnaire
):
    html = owner_client.get("/o/org-a/").content.decode()
    assert "Buyer Co. 2026" in html and f"{BASE}{questionnaire.pk}/?show=todo" in html
    client.force_login(personas.viewer)
    assert "Buyer Co. 2026" not in client.get("/o/org-a/").content.decode()


def test_the_list_shows_progress(owner_client, personas, questionnaire, unscoped):
    with unscoped():
        QuestionnaireItem.objects.create(
            organization=personas.org, questionnaire=questionnaire, row=9, question="ISMS?", no_match=True
        )
    html = owner_client.get(BASE).content.decode()
    assert "Buyer Co. 2026" in html and "2 of 3" in html


def _fill(personas, questionnaire, start: int, stop: int) -> None:
    ids = ["pr-backup", "pr-passwords", "pr-endpoint-protection", "pr-mfa-email"]
    QuestionnaireItem.objects.bulk_create(
        QuestionnaireItem(
            organization=personas.org,
            questionnaire=questionnaire,
            row=100 + i,
            question=f"質問 {i}",
            suggestions=[
                {"id": cid, "score": 0.3 - n / 10, "used_before": n == 0} for n, cid in enumerate(ids[:3])
            ],
            control_ids=[ids[i % 4]] if i % 3 else [],
            no_match=i % 7 == 0 and not i % 3,
            override_answer="○" if i % 5 == 0 else "",
        )
        for i in range(start, stop)
    )


def test_review_queries_do_not_grow_with_the_number_of_questions(
    owner_client, personas, questionnaire, in_org
):
    with in_org():
        now = timezone.now()
        for control_id in ("pr-backup", "pr-passwords"):
            ControlStatus.objects.create(
                organization=personas.org,
                control_id=control_id,
                status="implemented",
                source="manual",
                updated_at=now,
            )
        Evidence.objects.create(
            organization=personas.org,
            control_id="pr-backup",
            kind="note",
            title="NAS",
            note="x",
            performed_on=timezone.localdate(),
        )
        _fill(personas, questionnaire, 0, 8)
        assert QuestionnaireItem.objects.count() == 10
    urls = (f"{BASE}{questionnaire.pk}/", f"{BASE}{questionnaire.pk}/?show=todo", BASE)
    small = {url: query_count(owner_client, url) for url in urls}
    with in_org():
        _fill(personas, questionnaire, 8, 148)
        assert QuestionnaireItem.objects.count() == 150
    large = {url: query_count(owner_client, url) for url in urls}
    assert small == large
    assert max(large.values()) <= 12
    assert query_count(owner_client, f"{BASE}{questionnaire.pk}/?page=3") == large[urls[0]]


def test_long_questionnaires_are_reviewed_page_by_page(
    owner_client, personas, questionnaire, in_org, settings
):
    import re

    with in_org():
        _fill(personas, questionnaire, 0, 148)
    html = owner_client.get(f"{BASE}{questionnaire.pk}/").content.decode()
    form = html[
        html.index('class="questionnaire-form"') : html.index(
            "</form>", html.index('class="questionnaire-form"')
        )
    ]
    assert form.count('name="item"') == 50
    assert len(re.findall(r' name="', form)) < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS / 2
    assert "Page 1 of 3" in html
    html = owner_client.get(f"{BASE}{questionnaire.pk}/?page=3").content.decode()
    assert html.count('name="item"') == 50 and "質問 147" in html
    with in_org():
        item = QuestionnaireItem.objects.get(question="質問 147")
    response = owner_client.post(
        f"{BASE}{questionnaire.pk}/save/", {"item": [item.pk], f"controls-{item.pk}": "pr-wifi", "page": "3"}
    )
    assert response["Location"] == f"{BASE}{questionnaire.pk}/?page=3"
