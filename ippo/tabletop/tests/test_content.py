"""The shipped scenarios load and cover every role in both languages; a broken file is refused with a
`file:LINE: message` for each problem."""

from __future__ import annotations

import shutil

import pytest

from ippo.tabletop.content import DATA_DIR, ROLES, ContentError, scenarios_load

REQUIRED = {"ransomware-file-server", "invoice-fraud", "misdirected-email", "lost-laptop", "supplier-breach"}


@pytest.fixture(scope="module")
def scenarios():
    return scenarios_load()


def test_the_five_scenarios_load(scenarios):
    assert REQUIRED <= {s.id for s in scenarios}


def test_every_scenario_asks_every_role_in_both_languages(scenarios):
    for s in scenarios:
        assert s.roles() == ROLES, s.id
        assert s.minutes == 90, s.id
        assert len(s.injects) >= 4, s.id
        for inject in s.injects:
            assert inject.discussion_points.ja and inject.discussion_points.en
            for q in inject.questions:
                assert len(q.questions.ja) == len(q.questions.en) >= 1


def test_injects_run_in_time_order_inside_the_exercise(scenarios):
    for s in scenarios:
        minutes = [i.minute for i in s.injects]
        assert minutes == sorted(set(minutes)) and minutes[0] == 0 and minutes[-1] < s.minutes, s.id


def test_controls_come_from_the_catalog(scenarios):
    from ippo.catalog.loader import catalog_get

    ids = {c.id for c in catalog_get().controls}
    for s in scenarios:
        assert set(s.controls) <= ids and "rs-incident-plan" in ids


def _broken(tmp_path, name, old, new):
    target = tmp_path / "scenarios"
    shutil.copytree(DATA_DIR, target)
    path = target / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError) as exc:
        scenarios_load(target)
    return str(exc.value)


def _line_of(tmp_path, name, needle) -> int:
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def test_missing_english_is_reported_with_its_line(tmp_path):
    old = "  en: Ransomware encrypts the file server\n"
    msg = _broken(tmp_path, "ransomware-file-server.yaml", old, "  en: ''\n")
    line = _line_of(tmp_path, "ransomware-file-server.yaml", "ファイルサーバーがランサムウェアで暗号化された")
    assert (
        f"ransomware-file-server.yaml:{line}: scenario 'ransomware-file-server': title.en is missing or empty"
        in msg
    )


def test_unknown_control_is_refused(tmp_path):
    msg = _broken(
        tmp_path, "lost-laptop.yaml", "controls: [pr-disk-encryption,", "controls: [pr-no-such-thing,"
    )
    assert "lost-laptop.yaml:" in msg and "unknown control id 'pr-no-such-thing' (not in the catalog)" in msg


def test_unknown_role_is_refused(tmp_path):
    msg = _broken(tmp_path, "invoice-fraud.yaml", "      staff:\n", "      intern:\n")
    assert "invoice-fraud.yaml:" in msg and "unknown role 'intern'" in msg


def test_injects_out_of_order_are_refused(tmp_path):
    msg = _broken(tmp_path, "supplier-breach.yaml", "    minute: 30\n", "    minute: 10\n")
    assert "supplier-breach.yaml:" in msg and "injects must be in time order" in msg


def test_a_role_without_questions_is_refused(tmp_path):
    name = "misdirected-email.yaml"
    target = tmp_path / "scenarios"
    shutil.copytree(DATA_DIR, target)
    text = (target / name).read_text(encoding="utf-8")
    import re

    # Rename every vendor question block to an owner block would duplicate keys; drop them instead.
    text = re.sub(
        r"      vendor:\n        ja:\n(?:          - .*\n)+        en:\n(?:          - .*\n)+", "", text
    )
    (target / name).write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as exc:
        scenarios_load(target)
    assert "no questions for role(s) ['vendor']" in str(exc.value)


def test_yaml_syntax_errors_and_duplicate_keys_name_the_line(tmp_path):
    msg = _broken(tmp_path, "lost-laptop.yaml", "minutes: 90\n", "minutes: 90\nminutes: 60\n")
    line = _line_of(tmp_path, "lost-laptop.yaml", "minutes: 90") + 1
    assert f"lost-laptop.yaml:{line}: cannot read: duplicate key 'minutes'" in msg


def test_unknown_keys_are_refused(tmp_path):
    msg = _broken(tmp_path, "invoice-fraud.yaml", "version: 1\n", "version: 1\nscore: 10\n")
    assert "unknown keys ['score']" in msg
