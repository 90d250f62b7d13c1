"""The public drill pages: what they record (kind and time only), what they show, and what they never do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ippo.phishing import tracking
from ippo.phishing.models import DrillEvent, Recipient
from ippo.phishing.tests.tracking_fixtures import _english, build_drill  # noqa: F401

pytestmark = pytest.mark.django_db

PUBLIC = ("open", "click", "confirm", "submit", "learn", "report")


def _recipient(unscoped, pk):
    with unscoped():
        return Recipient.objects.get(pk=pk)


def _events(unscoped, recipient):
    with unscoped():
        return list(DrillEvent.objects.filter(recipient_id=recipient.pk).values_list("kind", "likely_scanner"))


def _state(unscoped):
    """Everything tracking may change, to compare before and after a request."""
    with unscoped():
        return (
            list(Recipient.objects.order_by("pk").values()),
            list(DrillEvent.objects.order_by("pk").values()),
        )


def test_the_tracking_image_records_an_open_and_is_a_transparent_gif(client, personas, unscoped):
    built = build_drill(personas.org)
    response = client.get(reverse("drill:open", kwargs={"token": built.tokens[0]}))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response.content.startswith(b"GIF89a")
    assert response["Cache-Control"] == "no-store"
    assert _recipient(unscoped, built.recipients[0].pk).opened_at is not None
    assert _events(unscoped, built.recipients[0]) == [("opened", False)]


def test_a_click_shows_the_teaching_page_and_is_a_likely_scanner_until_a_person_acts(client, personas, unscoped):
    built = build_drill(personas.org)
    r = built.recipients[0]
    response = client.get(reverse("drill:click", kwargs={"token": built.tokens[0]}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "This was a phishing drill" in body
    after = _recipient(unscoped, r.pk)
    assert after.clicked_at is not None and after.verified_click_at is None
    assert _events(unscoped, r) == [("clicked", True)]

    response = client.post(
        reverse("drill:confirm", kwargs={"token": built.tokens[0]}), HTTP_X_REQUESTED_WITH="ippo-drill"
    )
    assert response.status_code == 204
    after = _recipient(unscoped, r.pk)
    assert after.verified_click_at is not None
    assert sorted(_events(unscoped, r)) == [("click_confirmed", False), ("clicked", False)]


def test_the_continue_button_confirms_and_returns_to_the_teaching_page(client, personas, unscoped):
    built = build_drill(personas.org)
    token = built.tokens[0]
    client.get(reverse("drill:click", kwargs={"token": token}))
    response = client.post(reverse("drill:confirm", kwargs={"token": token}))
    assert response.status_code == 302
    assert response["Location"] == reverse("drill:learn", kwargs={"token": token}) + "#next-time"
    assert _recipient(unscoped, built.recipients[0].pk).verified_click_at is not None


def test_a_click_within_the_scanner_window_stays_flagged_even_after_a_confirmation(client, unscoped, personas, settings):
    settings.IPPO_DRILL_SCANNER_SECONDS = 60
    built = build_drill(personas.org, sent_minutes_ago=0)
    token = built.tokens[0]
    client.get(reverse("drill:click", kwargs={"token": token}))
    client.post(reverse("drill:confirm", kwargs={"token": token}))
    events = _events(unscoped, built.recipients[0])
    assert ("clicked", True) in events
    # The person still counts as a verified click: they acted on the page.
    assert _recipient(unscoped, built.recipients[0].pk).verified_click_at is not None


def test_first_times_are_kept_when_things_happen_again(client, personas, unscoped):
    built = build_drill(personas.org)
    token = built.tokens[0]
    client.get(reverse("drill:click", kwargs={"token": token}))
    first = _recipient(unscoped, built.recipients[0].pk).clicked_at
    client.get(reverse("drill:click", kwargs={"token": token}))
    assert _recipient(unscoped, built.recipients[0].pk).clicked_at == first
    assert [k for k, _s in _events(unscoped, built.recipients[0])] == ["clicked", "clicked"]


def test_the_form_landing_shows_a_practice_form_whose_fields_have_no_name(client, personas, unscoped):
    built = build_drill(personas.org, landing="form")
    token = built.tokens[0]
    response = client.get(reverse("drill:click", kwargs={"token": token}))
    body = response.content.decode()
    assert 'type="password"' in body
    assert reverse("drill:submit", kwargs={"token": token}) in body
    import re

    for tag in re.findall(r"<input[^>]*>", body):
        assert " name=" not in tag, tag

    response = client.post(reverse("drill:submit", kwargs={"token": token}))
    assert response.status_code == 302
    assert response["Location"] == reverse("drill:learn", kwargs={"token": token})
    after = _recipient(unscoped, built.recipients[0].pk)
    assert after.submitted_at is not None and after.verified_click_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "Nothing you typed was sent or stored" in page


def test_reporting_needs_the_button(client, personas, unscoped):
    built = build_drill(personas.org)
    token = built.tokens[0]
    response = client.get(reverse("drill:report", kwargs={"token": token}))
    assert response.status_code == 200
    assert "Report this mail" in response.content.decode()
    assert _recipient(unscoped, built.recipients[0].pk).reported_at is None
    response = client.post(reverse("drill:report", kwargs={"token": token}))
    assert response.status_code == 200
    assert "this was a drill" in response.content.decode()
    assert _recipient(unscoped, built.recipients[0].pk).reported_at is not None
    assert _events(unscoped, built.recipients[0]) == [("reported", False)]


@pytest.mark.parametrize("name", ["report", "learn"])
def test_get_has_no_side_effects(client, personas, unscoped, name):
    built = build_drill(personas.org)
    before = _state(unscoped)
    response = client.get(reverse(f"drill:{name}", kwargs={"token": built.tokens[0]}))
    assert response.status_code == 200
    assert _state(unscoped) == before


@pytest.mark.parametrize("name", ["confirm", "submit"])
def test_post_only_endpoints_refuse_get_and_change_nothing(client, personas, unscoped, name):
    built = build_drill(personas.org)
    before = _state(unscoped)
    response = client.get(reverse(f"drill:{name}", kwargs={"token": built.tokens[0]}))
    assert response.status_code == 405
    assert _state(unscoped) == before


@pytest.mark.parametrize("name", PUBLIC)
def test_an_unknown_token_is_a_plain_not_found_page(client, personas, name):
    build_drill(personas.org)
    url = reverse(f"drill:{name}", kwargs={"token": "x" * 43})
    response = client.post(url) if name in ("confirm", "submit") else client.get(url)
    assert response.status_code == 404
    body = response.content.decode().lower()
    assert "drill" not in body and "phishing" not in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_page_says_noindex_no_referrer_and_sets_no_cookie(client, personas, name):
    built = build_drill(personas.org)
    url = reverse(f"drill:{name}", kwargs={"token": built.tokens[0]})
    response = client.post(url) if name in ("confirm", "submit") else client.get(url)
    assert response.status_code in (200, 204, 302)
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


@pytest.mark.parametrize("name", ["click", "confirm", "submit", "report", "learn"])
def test_no_open_redirect(client, personas, name):
    built = build_drill(personas.org)
    token = built.tokens[0]
    evil = "https://evil.example/steal"
    url = reverse(f"drill:{name}", kwargs={"token": token})
    for attempt in (f"{url}?next={evil}", f"{url}?url={evil}&redirect={evil}"):
        for method in ("get", "post"):
            response = getattr(client, method)(attempt, {"next": evil} if method == "post" else None)
            if response.status_code in (301, 302, 303, 307, 308):
                assert response["Location"].startswith("/drill/"), response["Location"]
            assert "evil.example" not in response.get("Location", "")


def test_the_teaching_page_shows_the_mail_with_its_red_flags_and_no_live_link(client, personas):
    from django.utils.html import escape

    from ippo.phishing.templates_content import templates_load

    template = {t.id: t for t in templates_load()}["delivery-notice"]
    built = build_drill(personas.org, language="en")
    body = client.get(reverse("drill:click", kwargs={"token": built.tokens[0]})).content.decode()
    assert "Dear Sakura0 Ito" in body
    for number, flag in enumerate(template.red_flags, 1):
        assert f'id="flag-{number}"' in body
        assert escape(flag.explanation.en) in body
    assert body.count('<mark id="flag-') == len(template.red_flags)
    assert "Book a redelivery" in body
    assert "href=\"http" not in body
    assert "delivery-info@drill.example" in body


def test_the_teaching_page_speaks_the_recipients_language(client, personas):
    built = build_drill(personas.org, language="ja")
    body = client.get(reverse("drill:click", kwargs={"token": built.tokens[0]})).content.decode()
    assert 'lang="ja"' in body
    assert "伊藤 様" in body
    assert "心当たりのない荷物" in body  # the Japanese explanation of the first red flag


def test_tokens_of_a_purged_drill_no_longer_work(client, personas, unscoped):
    built = build_drill(personas.org)
    with unscoped():
        built.drill.purged_at = timezone.now() - timedelta(days=1)
        built.drill.save()
    assert client.get(reverse("drill:click", kwargs={"token": built.tokens[0]})).status_code == 404


def test_nothing_but_kind_and_time_is_stored(client, personas, unscoped):
    built = build_drill(personas.org)
    token = built.tokens[0]
    client.get(
        reverse("drill:click", kwargs={"token": token}),
        HTTP_USER_AGENT="Sentinel-Agent/9.9",
        HTTP_REFERER="https://referrer.example/x",
        REMOTE_ADDR="203.0.113.77",
    )
    fields = {f.name for f in DrillEvent._meta.get_fields()}
    assert fields == {"id", "organization", "recipient", "kind", "at", "likely_scanner"}
    with unscoped():
        dumped = repr(list(DrillEvent.objects.values())) + repr(list(Recipient.objects.values()))
    for leak in ("Sentinel-Agent", "referrer.example", "203.0.113.77"):
        assert leak not in dumped


def test_tokens_have_at_least_128_bits_and_are_unique():
    import base64

    from ippo.phishing import sending

    make = getattr(sending, "token_new", None)
    assert make is not None, "the sending side makes the tokens (sending.token_new)"
    pairs = [make() for _ in range(1000)]
    tokens = [t for t, _h in pairs]
    assert len(set(tokens)) == 1000
    for token, digest in pairs[:50]:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128
        assert digest == tracking.token_hash(token) and len(digest) == 64
    # A token that differs in one character finds nobody.
    assert tracking.recipient_for_token(tokens[0][:-1] + ("A" if tokens[0][-1] != "A" else "B")) is None


def test_only_the_hash_of_a_token_is_stored(personas, unscoped):
    built = build_drill(personas.org)
    with unscoped():
        stored = repr(list(Recipient.objects.values()))
    assert built.tokens[0] not in stored
    assert tracking.token_hash(built.tokens[0]) in stored


def test_the_pillar_section_summarises_the_last_drill(client, personas, unscoped):
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django_scopes import scope

    from ippo.core.context_processors import _PermissionProxy

    built = build_drill(personas.org, people=5, status="finished", name="Autumn drill")
    with unscoped():
        Recipient.objects.filter(pk=built.recipients[0].pk).update(reported_at=timezone.now())
        Recipient.objects.filter(drill=built.drill).update(sent_at=timezone.now() - timedelta(hours=1))
        built.drill.finished_at = timezone.now()
        built.drill.save()
    request = RequestFactory().get("/")
    with scope(organization=personas.org):
        html = render_to_string(
            "phishing/_pillar_section.html",
            {"current_org": personas.org, "can": _PermissionProxy("manager")},
            request=request,
        )
    assert "Autumn drill" in html and "20.0%" in html
    assert reverse("org:drills_results", args=[personas.org.slug]) in html
