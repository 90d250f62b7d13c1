import shutil

import pytest

from ippo.incidents.models import ContactKind, Kind
from ippo.incidents.playbooks import DATA_DIR, PlaybookError, playbook_get, playbooks_load, step_text

REQUIRED = {
    "phishing-click",
    "invoice-fraud",
    "ransomware",
    "lost-device",
    "misdirected-email",
    "account-takeover",
    "website-tampering",
    "malware-alert",
}


@pytest.fixture(scope="module")
def shipped():
    return playbooks_load()


def test_every_incident_kind_has_a_playbook(shipped):
    assert {p.id for p in shipped} == REQUIRED == set(Kind.values) - {"other"}


def test_each_playbook_is_complete_in_both_languages(shipped):
    for p in shipped:
        assert 4 <= len(p.first_hour) <= 12, p.id
        assert p.call and len(p.evidence) >= 2 and len(p.dont) >= 2, p.id
        for text in [
            p.title,
            p.summary,
            *(s.text for s in p.first_hour),
            *(c.text for c in p.call),
            *p.evidence,
            *p.dont,
        ]:
            assert text.ja.strip() and text.en.strip()
            assert any("\u3040" <= ch <= "\u30ff" for ch in text.ja), (
                p.id,
                text.ja,
            )  # Japanese, not a copy of en
        assert all(c.contact in ContactKind.values or c.contact == "" for c in p.call)


def test_ransomware_says_keep_the_power_on_and_do_not_wipe(shipped):
    ransomware = playbook_get("ransomware")
    donts = " ".join(d.en for d in ransomware.dont).lower()
    assert "switch the device off" in donts and "wipe" in donts


def test_step_text_follows_the_language():
    from django.utils import translation

    with translation.override("en"):
        assert step_text("ransomware/unplug-network").startswith("Unplug")
    with translation.override("ja"):
        assert "LAN" in step_text("ransomware/unplug-network")
    assert step_text("gone/step") == "gone/step"


def _broken(tmp_path, name, old, new):
    target = tmp_path / "playbooks"
    shutil.copytree(DATA_DIR, target)
    path = target / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PlaybookError) as exc:
        playbooks_load(target)
    return str(exc.value)


def test_missing_english_is_reported_with_its_line(tmp_path):
    msg = _broken(
        tmp_path,
        "ransomware.yaml",
        "  en: Ransomware (files encrypted and a ransom demanded)\n",
        "  en: ''\n",
    )
    assert "ransomware.yaml:" in msg and "en is missing or empty" in msg


def test_duplicate_step_id(tmp_path):
    msg = _broken(tmp_path, "lost-device.yaml", "  - id: remote-lock\n", "  - id: when-where\n")
    assert "duplicate step id 'when-where'" in msg


def test_unknown_contact_kind(tmp_path):
    msg = _broken(tmp_path, "malware-alert.yaml", "contact: ipa\n", "contact: ghostbusters\n")
    assert "contact 'ghostbusters' is not one of" in msg


def test_id_must_match_the_file_and_a_kind(tmp_path):
    msg = _broken(tmp_path, "invoice-fraud.yaml", "id: invoice-fraud\n", "id: bec\n")
    assert "id must match the file name 'invoice-fraud'" in msg


def test_duplicate_keys_are_a_syntax_error(tmp_path):
    msg = _broken(tmp_path, "phishing-click.yaml", "version: 1\n", "version: 1\nversion: 2\n")
    assert "phishing-click.yaml:" in msg and "duplicate key" in msg
