"""The first-run wizard and the quick check to a results page, in Japanese and in English, in a real
browser; and the quick check without an account."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.browser.conftest import snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "ja": {"saved": "保存しました", "score": "総合スコア", "gaps": "まず取り組むこと"},
    "en": {"saved": "Saved", "score": "Overall score", "gaps": "What to do first"},
}


def _sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.mark.parametrize("language", ["ja", "en"])
def test_wizard_and_quick_check_to_results(page, live_server, make_user, language):
    from ippo.core.models import Membership, Organization

    user = make_user(f"owner-{language}@example.com", mfa=True, name="Owner", language=language)
    org = Organization.objects.create(name="株式会社一歩テスト", slug=f"ippo-{language}")
    Membership.objects.create(organization=org, user=user, role="owner")
    _sign_in(page, live_server, user)
    text = TEXT[language]

    page.goto(f"/o/{org.slug}/assessment/")
    assert page.locator("html").get_attribute("lang") == language
    page.locator(f"a[href='/o/{org.slug}/assessment/profile/']").first.click()

    # Step 1: a missing industry is explained, and the chosen headcount is kept.
    page.locator("input[name=headcount][value='6-20']").check()
    page.locator("main form button[type=submit]").click()
    assert page.locator(".has-error .error").count() == 1
    assert page.locator("input[name=headcount][value='6-20']").is_checked()
    page.select_option("select[name=industry]", "manufacturing")
    page.locator("main form button[type=submit]").click()

    # Step 2: what IT the company uses.
    page.wait_for_url("**step=2")
    page.locator("input[name=it_uses][value=m365]").check()
    page.locator("main form button[type=submit]").click()

    # Step 3: summary, then the quick check starts.
    page.wait_for_url("**step=3")
    assert "Microsoft 365" in page.content()
    snapshot(page, f"assessment-wizard-{language}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/answer/")

    # Answers are saved as you go (htmx), then the finish button scores them.
    questions = page.locator("li.question")
    count = questions.count()
    assert 20 <= count <= 25
    answers = ["yes", "partial", "no", "unknown"]
    for i in range(count):
        questions.nth(i).locator(f"input[type=radio][value={answers[i % 4]}]").check()
    questions.nth(count - 1).locator(".save-state").get_by_text(text["saved"]).wait_for()
    page.wait_for_function(f"document.querySelector('#progress-line progress').value == {count}")
    snapshot(page, f"assessment-quick-check-{language}")
    page.locator("button[name=go][value=results]").click()

    page.wait_for_url("**/assessment/*/")
    assert text["score"] in page.content()
    assert page.locator(".score-number").inner_text().strip().isdigit()
    assert page.locator("svg.ippo-chart-radar").count() == 1
    assert text["gaps"] in page.content()
    snapshot(page, f"assessment-results-{language}")
    page.locator("ol.gaps a").first.click()
    page.wait_for_url("**/catalog/*/")
    assert page.locator("ol.steps li").count() >= 3
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors


def test_quick_check_without_an_account(page):
    page.goto("/check/")
    page.select_option("select[name=p-industry]", "services")
    page.locator("input[name=p-headcount][value='1-5']").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/check/questions/")
    questions = page.locator("li.question")
    for i in range(questions.count()):
        questions.nth(i).locator("input[type=radio][value=yes]").check()
    page.locator("button[name=go][value=results]").click()
    page.wait_for_url("**/check/result/")
    assert page.locator(".score-number").inner_text().strip() == "100"
    assert "/check/save/" in page.content()
    snapshot(page, "check-anonymous-result")
