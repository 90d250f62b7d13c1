"""Receipt codes: entropy, hash-only storage, passphrase, confirmation, and throttled guessing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from ippo.reporting import receipts, services
from ippo.reporting.models import GuessCounter, ReceiptCode
from ippo.reporting.tests.conftest import report_data

pytestmark = pytest.mark.django_db


def _submit(org, passphrase=""):
    return services.report_submit_public(
        org=org,
        kind="lost_device",
        happened="today",
        description="",
        identity="anonymous",
        passphrase=passphrase,
    )


def test_codes_have_sixteen_random_digits_and_are_stored_only_as_argon2id_hashes(personas):
    codes = {receipts.code_new() for _ in range(200)}
    assert len(codes) == 200 and all(re.fullmatch(r"\d{16}", c) for c in codes)
    report, code = _submit(personas.org)
    with scopes_disabled():
        row = ReceiptCode.objects.get(report=report)
    assert row.code_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert code not in row.code_hash
    assert receipts.code_display(code).count(" ") == 3


def test_the_code_opens_the_report_only_with_the_right_passphrase(personas):
    report, code = _submit(personas.org, passphrase="kawasemi")
    assert services.receipt_open(org=personas.org, code=code, passphrase="wrong") is None
    assert services.receipt_open(org=personas.org, code=code) is None
    assert (
        services.receipt_open(org=personas.org, code=receipts.code_display(code), passphrase="kawasemi")
        == report
    )
    # Full-width digits and hyphens as typed on a Japanese phone keyboard.
    fullwidth = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert (
        services.receipt_open(
            org=personas.org, code=fullwidth[:8] + "-" + fullwidth[8:], passphrase="kawasemi"
        )
        == report
    )


def test_another_organisations_code_opens_nothing(personas):
    _report, code = _submit(personas.org)
    assert services.receipt_open(org=personas.other_org, code=code) is None


def test_guessing_is_locked_out_per_prefix_and_per_organisation(personas):
    report, code = _submit(personas.org)
    now = timezone.now()
    prefix = code[:4]
    for i in range(receipts.PREFIX_LIMIT):
        assert services.receipt_open(org=personas.org, code=f"{prefix}{i:012d}", now=now) is None
    # The right code with the same first digits is refused too while the lock lasts...
    with pytest.raises(receipts.TooManyAttempts):
        services.receipt_open(org=personas.org, code=code, now=now)
    # ...and works again an hour later.
    assert (
        services.receipt_open(org=personas.org, code=code, now=now + timedelta(hours=1, minutes=1)) == report
    )
    # Many different prefixes trip the organisation-wide limit.
    later = now + timedelta(hours=3)
    for i in range(receipts.ORG_LIMIT):
        try:
            services.receipt_open(org=personas.org, code=f"{i:04d}{'0' * 12}", now=later)
        except receipts.TooManyAttempts:
            pass
    with pytest.raises(receipts.TooManyAttempts):
        services.receipt_open(org=personas.org, code=code, now=later)
    # Counters hold keyed hashes and times only: no digits typed.
    keys = " ".join(GuessCounter.objects.values_list("key", flat=True))
    assert all(len(k) == 64 for k in keys.split())


def test_the_follow_up_page_answers_429_when_locked(client, personas, public_post):
    for i in range(receipts.PREFIX_LIMIT):
        public_post("follow-up/", {"code": f"9999{i:012d}"})
    response = public_post("follow-up/", {"code": "9999000000000099"})
    assert response.status_code == 429
    assert "Too many codes were tried" in response.content.decode()


def test_the_reporter_types_the_code_back_once_and_sees_it_again_on_first_return(
    client, personas, public_post
):
    sent = public_post("", report_data())
    body = sent.content.decode()
    code = re.search(r'id="receipt-code">([\d ]+)<', body).group(1)
    receipt = re.search(r'name="receipt" value="([^"]+)"', body).group(1)
    token = services.reportsettings_get(org=personas.org).token
    wrong = client.post(f"/report/{token}/confirm/", {"receipt": receipt, "code": "1234", "lang": "en"})
    assert "does not match" in wrong.content.decode() and code in wrong.content.decode()
    right = client.post(f"/report/{token}/confirm/", {"receipt": receipt, "code": code, "lang": "en"})
    assert "That is right" in right.content.decode()
    first = public_post("follow-up/", {"code": code})
    assert "Welcome back" in first.content.decode() and code in first.content.decode()
    second = public_post("follow-up/", {"code": code})
    assert "Welcome back" not in second.content.decode()
    with scopes_disabled():
        assert ReceiptCode.objects.get().confirmed


def test_a_tampered_access_token_opens_nothing(client, personas, public_post):
    token = services.reportsettings_get(org=personas.org).token
    response = client.post(
        f"/report/{token}/follow-up/reply/", {"access": "forged:token", "body": "hello", "lang": "en"}
    )
    assert response.status_code == 200
    assert "type your receipt code again" in response.content.decode()


def test_a_flood_of_reports_through_the_link_is_refused_for_a_while(
    client, personas, public_post, monkeypatch
):
    monkeypatch.setattr(receipts, "SUBMIT_LIMIT", 2)
    for _ in range(2):
        assert public_post("", report_data()).status_code == 200
    refused = public_post("", report_data())
    assert refused.status_code == 429 and "the report link is resting" in refused.content.decode()
    with scopes_disabled():
        from ippo.reporting.models import Report

        assert Report.objects.count() == 2
