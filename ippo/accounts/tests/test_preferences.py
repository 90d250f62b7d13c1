import re

from ippo.accounts.models import User


def test_japanese_is_the_default_whatever_the_browser_says(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="ja">' in response.content.decode()


def test_a_visitor_switches_to_english(client, db):
    response = client.post("/settings/language/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert '<html lang="en">' in client.get("/accounts/login/").content.decode()


def test_the_choice_is_remembered_on_the_user(client, personas):
    client.force_login(personas.member)
    client.post("/settings/language/", {"language": "en", "next": "/o/org-a/"})
    assert User.objects.get(pk=personas.member.pk).language == "en"
    client.cookies.clear()
    client.force_login(personas.member)
    body = client.get("/o/org-a/").content.decode()
    assert '<html lang="en">' in body and "Training and drills" in body


def test_language_switch_refuses_open_redirects(client, db):
    response = client.post("/settings/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_language_switch_is_post_only(client, db):
    assert client.get("/settings/language/?language=en").status_code == 405


def test_time_zone_defaults_to_tokyo_and_can_be_changed(client, personas):
    client.force_login(personas.member)
    page = client.get("/settings/")
    assert page.context["form"].initial.get("timezone", "") in ("", "Asia/Tokyo")
    response = client.post("/settings/", {"name": "X", "language": "ja", "timezone": "Europe/London"})
    assert response.status_code == 302
    assert User.objects.get(pk=personas.member.pk).timezone == "Europe/London"


def test_an_unknown_time_zone_is_refused_with_a_message(client, personas):
    client.force_login(personas.member)
    response = client.post("/settings/", {"name": "X", "language": "ja", "timezone": "Mars/Base"})
    assert response.status_code == 400
    assert User.objects.get(pk=personas.member.pk).timezone == ""


def test_pages_carry_a_strict_csp_and_no_inline_script(client, personas):
    client.force_login(personas.owner)
    for path in ("/o/org-a/", "/o/org-a/members/", "/accounts/2fa/", "/settings/"):
        response = client.get(path)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "object-src 'none'" in csp
        for tag in re.findall(r"<script\b[^>]*>", response.content.decode()):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)


def test_htmx_and_css_are_served_by_ippo_itself(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert re.search(r'<script src="/static/django_htmx/htmx-2[^"]*\.js"', body)
    # (Only addresses are checked: a random CSRF token may well contain the letters "cdn".)
    assert not re.search(r'(?:src|href)="[^"]*cdn', body, re.I)
    assert not re.search(r'src="https?://', body) and "https://" not in re.sub(r'href="https://[^"]*"', "", body)
