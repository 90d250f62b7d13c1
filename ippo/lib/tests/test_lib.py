import pytest
from django.core.exceptions import ImproperlyConfigured

from ippo.lib import env
from ippo.lib.i18n_check import problems


def test_smtp_urls_become_django_settings():
    s = env.email_settings("smtp://user%40corp:p%40ss@mail.example.com:587?starttls=1")
    assert s["EMAIL_HOST"] == "mail.example.com" and s["EMAIL_PORT"] == 587
    assert s["EMAIL_HOST_USER"] == "user@corp" and s["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert s["EMAIL_USE_TLS"] is True and s["EMAIL_USE_SSL"] is False


def test_smtps_uses_implicit_tls_on_465():
    s = env.email_settings("smtps://mail.example.com")
    assert s["EMAIL_USE_SSL"] is True and s["EMAIL_PORT"] == 465


@pytest.mark.parametrize(
    ("url", "backend"),
    [("console://", "console"), ("memory://", "locmem"), ("file:///tmp/mails", "filebased")],
)
def test_other_mail_backends(url, backend):
    assert backend in env.email_settings(url)["EMAIL_BACKEND"]


def test_an_unknown_mail_scheme_names_the_variable():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        env.email_settings("imap://x")


def test_booleans_are_strict(monkeypatch):
    monkeypatch.setenv("IPPO_X", "yes")
    assert env.env_bool("IPPO_X") is True
    monkeypatch.setenv("IPPO_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="IPPO_X"):
        env.env_bool("IPPO_X")


def test_integers_name_the_variable(monkeypatch):
    monkeypatch.setenv("IPPO_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="IPPO_N"):
        env.env_int("IPPO_N", 1)


def test_the_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = env.secret_key(tmp_path)
    assert len(first) >= 50 and env.secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_the_translation_check_finds_missing_and_fuzzy_entries():
    po = (
        'msgid ""\nmsgstr ""\n"Language: ja\\n"\n\n'
        'msgid "Done"\nmsgstr "完了"\n\n'
        'msgid "Missing"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Fuzzy"\nmsgstr "あいまい"\n\n'
        'msgid "One"\nmsgid_plural "Many"\nmsgstr[0] ""\n'
    )
    assert problems(po) == ["Missing", "Fuzzy", "One"]


def test_the_shipped_japanese_catalogue_is_complete():
    from pathlib import Path

    import ippo

    po = Path(ippo.__file__).parent / "locale/ja/LC_MESSAGES/django.po"
    assert problems(po.read_text(encoding="utf-8")) == []


def test_secrets_are_encrypted_and_round_trip(settings, tmp_path, monkeypatch):
    from ippo.lib import crypto

    monkeypatch.delenv("IPPO_ENCRYPTION_KEY", raising=False)
    settings.DATA_DIR = tmp_path
    crypto._fernet.cache_clear()
    try:
        sealed = crypto.encrypt("JBSWY3DPEHPK3PXP")
        assert sealed.startswith("enc1:") and "JBSWY3DPEHPK3PXP" not in sealed
        assert crypto.decrypt(sealed) == "JBSWY3DPEHPK3PXP"
        assert (tmp_path / "encryption_key").stat().st_mode & 0o777 == 0o600
        monkeypatch.setenv("IPPO_ENCRYPTION_KEY", "not-a-key")
        crypto._fernet.cache_clear()
        with pytest.raises(ImproperlyConfigured, match="IPPO_ENCRYPTION_KEY"):
            crypto.encrypt("x")
    finally:
        crypto._fernet.cache_clear()


def test_totp_secrets_are_not_stored_in_the_clear(make_user):
    from allauth.mfa.models import Authenticator

    from conftest import TOTP_SECRET, enrol_totp

    user = make_user("totp@example.com")
    enrol_totp(user)
    stored = Authenticator.objects.get(user=user, type="totp").data["secret"]
    assert TOTP_SECRET not in stored and stored.startswith("enc1:")
