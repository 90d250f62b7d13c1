"""The pack's own wording: both languages for every entry, the same placeholders, every entry used."""

from __future__ import annotations

import re
from pathlib import Path

from ippo.sharing import wording

SHARING = Path(wording.__file__).resolve().parent
FORBIDDEN = re.compile(r"certif|audited|compliant|認証取得|取得済|監査済|適合")


def test_every_entry_has_japanese_and_english_with_the_same_placeholders():
    for key, entry in wording.entries().items():
        assert set(entry) == {"ja", "en"}, key
        assert entry["ja"].strip() and entry["en"].strip(), key
        assert wording.placeholders(entry["ja"]) == wording.placeholders(entry["en"]), key


def test_every_entry_is_used_and_every_used_key_exists():
    code = "\n".join(
        p.read_text(encoding="utf-8") for p in SHARING.rglob("*") if p.suffix in {".py", ".html"}
    )
    used = set(re.findall(r'"([a-z_]+)"', code)) | set(re.findall(r"pack\.t\.([a-z_]+)", code))
    keys = set(wording.entries())
    assert keys <= used, f"unused wording: {sorted(keys - used)}"
    in_templates = set(re.findall(r"pack\.t\.([a-z_]+)", code))
    assert in_templates <= keys, f"missing wording: {sorted(in_templates - keys)}"


def test_the_wording_never_claims_a_certification():
    for key, entry in wording.entries().items():
        for language in ("ja", "en"):
            sentence = entry[language]
            # "not … a certification" / "not an audit" are the honest disclaimers; anything else is a claim.
            cleaned = re.sub(r"not (the result of )?an? (audit|certification)[^.]*", "", sentence)
            cleaned = cleaned.replace("監査や認証の結果ではありません", "")
            assert not FORBIDDEN.search(cleaned), (key, language, sentence)


def test_text_fills_named_placeholders_in_the_pack_language():
    assert wording.text("csf_overall", "ja", score="72") == "総合スコア：72 / 100"
    assert wording.text("csf_overall", "en", score="72") == "Overall score: 72 / 100"
