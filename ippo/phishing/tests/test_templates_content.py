import shutil

import pytest

from ippo.phishing.templates_content import DATA_DIR, ContentError, template_render, templates_load

REQUIRED = {
    "delivery-notice",
    "invoice-bank-change",
    "password-expiry",
    "shared-document",
    "year-end-adjustment",
    "ceo-urgent-request",
    "meeting-invite",
    "mailbox-full",
}
LINK = "https://drill.invalid/t/abc123"


@pytest.fixture(scope="module")
def templates():
    return templates_load()


def test_shipped_templates_load(templates):
    assert {t.id for t in templates} == REQUIRED
    assert len(templates) == 8
    for t in templates:
        assert 3 <= len(t.red_flags) <= 5


@pytest.mark.parametrize("language", ["ja", "en"])
def test_render_fills_every_placeholder(templates, language):
    for t in templates:
        subject, body = template_render(
            t,
            language,
            first_name="太郎",
            last_name="山田",
            company="テスト工業株式会社",
            link=LINK,
            date="12月1日",
        )
        assert "{" not in subject + body and "}" not in subject + body, t.id
        assert body.count(LINK) == 1, t.id
        assert LINK not in subject


def test_no_urls_in_templates(templates):
    for t in templates:
        for lang in ("ja", "en"):
            for text in (t.body.get(lang), t.subject.get(lang), t.link_text.get(lang)):
                assert "http" not in text.lower(), t.id


def test_red_flag_quotes_are_in_the_mail(templates):
    for t in templates:
        for lang in ("ja", "en"):
            mail = t.subject.get(lang) + t.sender_name.get(lang) + t.body.get(lang)
            for f in t.red_flags:
                assert f.quote.get(lang) in mail, (t.id, f.id, lang)


def _broken(tmp_path, name, old, new, count=1):
    shutil.copytree(DATA_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    with pytest.raises(ContentError) as exc:
        templates_load(tmp_path)
    return str(exc.value)


def test_missing_english_subject(tmp_path):
    msg = _broken(tmp_path, "mailbox-full", "  en: Your mailbox is full (98% used)\n", "")
    assert "mailbox-full.yaml" in msg and "subject.en is missing" in msg


def test_red_flag_quote_not_in_body(tmp_path):
    msg = _broken(
        tmp_path, "ceo-urgent-request", 'ja: "電話に出られないため"', 'ja: "会議が長引いているため"'
    )
    assert "ceo-urgent-request.yaml" in msg
    assert "'cannot-call'" in msg and "does not appear verbatim" in msg


def test_link_missing(tmp_path):
    msg = _broken(tmp_path, "delivery-notice", "    {link}\n", "", count=1)
    assert "delivery-notice.yaml" in msg and "body.ja: {link} must appear exactly 1 time(s), found 0" in msg


def test_link_twice(tmp_path):
    msg = _broken(tmp_path, "password-expiry", "    {link}\n", "    {link}\n    {link}\n", count=2)
    assert "password-expiry.yaml" in msg
    assert "body.ja: {link} must appear exactly 1 time(s), found 2" in msg
    assert "body.en: {link} must appear exactly 1 time(s), found 2" in msg


def test_unknown_placeholder(tmp_path):
    msg = _broken(tmp_path, "mailbox-full", "    {link}\n", "    {link}\n    パスワード：{password}\n")
    assert "mailbox-full.yaml" in msg and "unknown placeholder {password}" in msg


def test_stray_brace(tmp_path):
    msg = _broken(tmp_path, "mailbox-full", "現在の使用量", "{現在の使用量")
    assert "mailbox-full.yaml" in msg and "bad braces" in msg


def test_real_url_rejected(tmp_path):
    msg = _broken(tmp_path, "meeting-invite", "    {link}\n", "    {link}\n    https://example.com/app\n")
    assert "meeting-invite.yaml" in msg and "contains a URL" in msg


def test_bad_difficulty_and_duplicate_flag(tmp_path):
    shutil.copytree(DATA_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "shared-document.yaml"
    text = path.read_text(encoding="utf-8").replace("difficulty: medium", "difficulty: extreme")
    path.write_text(text.replace("id: expiry", "id: sign-in"), encoding="utf-8")
    with pytest.raises(ContentError) as exc:
        templates_load(tmp_path)
    msg = str(exc.value)
    assert "difficulty must be one of" in msg and "duplicate red flag id" in msg
    assert all("shared-document.yaml" in p for p in exc.value.problems)


def test_brand_names_are_not_checked(tmp_path):
    # Invented brands are a review rule (see data/README.md), not something the validator can judge.
    shutil.copytree(DATA_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "delivery-notice.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("さくら便", "メガ急便ジャパン"), encoding="utf-8"
    )
    assert len(templates_load(tmp_path)) == 8


def test_render_unknown_language(templates):
    with pytest.raises(ValueError):
        template_render(templates[0], "fr", first_name="a", last_name="b", company="c", link=LINK, date="d")
