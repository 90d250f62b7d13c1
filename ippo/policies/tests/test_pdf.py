"""The policy PDF: title, company, version, approval or a draft marker, sections, page numbers."""

from __future__ import annotations

import re

import pytest

from ippo.lib.pdf import japanese_font_available
from ippo.policies.tests.conftest import pdf_text

pytestmark = pytest.mark.django_db


def test_an_approved_policy_prints_with_its_approval(generate, approve, owner_client, tmp_path):
    version = approve(generate("basic-policy", language="en"))
    response = owner_client.get(f"/o/org-a/policies/versions/{version.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="ippo-org-a-basic-policy-v1.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    assert "Org A" in text and "Information security policy" in text
    assert "Management commitment and responsibilities" in text and "Version 1" in text
    assert "Approved by" in text and "DRAFT" not in text
    assert "{" not in text and re.search(r"\b1\s*/\s*\d+\b", text)


def test_a_draft_carries_the_draft_marker(generate, manager_client, tmp_path):
    draft = generate("rule-email", language="en")
    response = manager_client.get(f"/o/org-a/policies/versions/{draft.pk}/pdf/")
    text = pdf_text(response.content, tmp_path)
    assert "DRAFT / 下書き" in text and "not approved by the owner" in text
    assert "Suspicious e-mail" in text and "[date of approval]" in text


def test_a_japanese_document_prints_in_japanese(generate, approve, owner_client, tmp_path):
    version = approve(generate("basic-policy", language="ja"))
    owner_client.cookies["ippo_language"] = "en"  # the screen language does not matter
    response = owner_client.get(f"/o/org-a/policies/versions/{version.pk}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    assert "Org A" in text and "{" not in text
    if japanese_font_available():  # without one, glyphs are boxes and extraction drops characters
        date = version.effective_date
        assert "情報セキュリティ基本方針" in text and "目的" in text
        assert f"{date.year}年{date.month}月{date.day}日 制定" in text
