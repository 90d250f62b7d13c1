"""The pack PDF read back with poppler: content, language, fonts, size, metadata, the verification code."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ippo.sharing.tests.conftest import pdf_tool

pytestmark = pytest.mark.django_db


def _compact(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _joined(text: str) -> str:
    """Japanese text without the spaces and line breaks pdftotext puts where lines wrap."""
    return re.sub(r"\s+", "", text)


def test_an_english_pack_says_what_partners_ask_about(make_pack, set_status, add_evidence, tmp_path):
    set_status({"pr-mfa-email": "implemented", "pr-backup": "implemented", "gv-exec-owner": "partial"})
    add_evidence("pr-backup", date(2026, 9, 30))
    pack = make_pack(language="en")
    assert pack.pdf[:5] == b"%PDF-"
    text = _compact(pdf_tool("pdftotext", pack.pdf, tmp_path))
    assert "Org A" in text and "Information security: evidence for business partners" in text
    assert "self-declaration" in text and "not the result of an audit or a certification" in text
    assert re.search(r"SCS ★3: \d+ of 26 requirements met", text)
    assert re.search(r"SCS ★4: \d+ of 43 requirements met", text)
    assert re.search(r"CIS Controls v8 IG1: \d+ of 56 safeguards met", text)
    assert "SECURITY ACTION" in text and "Govern (GV)" in text and "Overall score:" in text
    assert "Multi-factor authentication on e-mail" in text and "30 September 2026" in text
    assert "Yamada Taro" in text and "security@org-a.example" in text and "03-1234-5678" in text
    assert pack.code in text and f"/verify/{pack.code}/" in text


def test_a_japanese_pack_prints_in_japanese_with_the_bundled_font(make_pack, client, tmp_path):
    client.cookies["ippo_language"] = "en"  # the screen language does not matter
    pack = make_pack(language="ja")
    text = _joined(pdf_tool("pdftotext", pack.pdf, tmp_path))
    assert "OrgA" in text and "情報セキュリティ対策状況のご説明" in text
    for heading in ("概要", "主な対策の実施状況", "お問い合わせ先", "この資料について", "検証コード"):
        assert heading in text, heading
    assert re.search(r"SCS★3：要求事項26件のうち\d+件を満たす", text)
    assert "第三者による監査や認証の結果ではありません" in text
    assert "Informationsecurity:evidence" not in text
    fonts = pdf_tool("pdffonts", pack.pdf, tmp_path)
    embedded = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert any("ippo-ja" in line for line in embedded)
    assert all(line.split()[-5] == "yes" for line in embedded), fonts  # every font embedded


def test_the_pack_is_one_or_two_a4_pages_and_names_its_code_in_the_metadata(make_pack, tmp_path):
    pack = make_pack(language="ja")
    info = pdf_tool("pdfinfo", pack.pdf, tmp_path)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 1 <= pages <= 2
    assert "A4" in info
    assert re.search(rf"Keywords:\s+ippo-pack:{pack.code}", info)


def test_a_long_contact_and_a_full_programme_still_fit_on_two_pages(
    make_pack, set_status, add_evidence, tmp_path
):
    from ippo.assessments.results import applicable_controls
    from ippo.catalog.loader import catalog_get
    from ippo.sharing.selectors import KEY_CONTROLS

    set_status({c.id: "implemented" for c in applicable_controls(catalog_get(), [])})
    for control_id in KEY_CONTROLS:
        add_evidence(control_id, date(2026, 10, 1))
    pack = make_pack(
        language="ja",
        contact_name="総務部 情報システム課 情報セキュリティ推進担当 課長代理 佐藤 花子" * 2,
        contact_email="information-security-desk@long-company-name.example.co.jp",
        contact_phone="03-1234-5678（内線 203）",
    )
    info = pdf_tool("pdfinfo", pack.pdf, tmp_path)
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) <= 2
    text = _joined(pdf_tool("pdftotext", pack.pdf, tmp_path))
    assert "12項目のうち、12項目を実施しています" in text and "2026年10月1日" in text
    assert "★★（二つ星）" not in text  # no self-assessment and no basic policy: ★ at most
