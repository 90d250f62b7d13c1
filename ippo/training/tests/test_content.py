import shutil

import pytest

from ippo.training.content import DATA_DIR, ContentError, modules_load, quiz_grade

REQUIRED = {
    "passwords-mfa",
    "phishing-bec",
    "ransomware-backup",
    "devices-remote-work",
    "cloud-sharing-social",
    "social-engineering",
    "reporting-without-fear",
    "generative-ai",
}


@pytest.fixture(scope="module")
def modules():
    return modules_load()


def test_shipped_modules_load(modules):
    assert {m.id for m in modules} == REQUIRED
    assert len(modules) == 8


def test_quizzes_gradeable(modules):
    for m in modules:
        assert len(m.questions) >= 5
        right = {q.id: q.answer for q in m.questions}
        score, passed, per = quiz_grade(m, right)
        assert (score, passed) == (100, True) and all(per.values())
        wrong = {q.id: next(c.id for c in q.choices if c.id != q.answer) for q in m.questions}
        score, passed, per = quiz_grade(m, wrong)
        assert (score, passed) == (0, False) and not any(per.values())
        assert quiz_grade(m, {})[0] == 0


def test_reading_length(modules):
    """Each module is a 5-10 minute read on a phone: at about 400 Japanese characters a minute,
    that is at least 2,200 characters (summary, sections and quiz), and never a wall of text."""
    for m in modules:
        n = m.reading_chars("ja")
        assert 2200 <= n <= 5000, (m.id, n)


def _broken(tmp_path, name, old, new):
    target = tmp_path / "modules"
    shutil.copytree(DATA_DIR, target)
    path = target / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError) as exc:
        modules_load(target)
    return str(exc.value)


def test_missing_english(tmp_path):
    msg = _broken(
        tmp_path,
        "generative-ai.yaml",
        "  en: Using generative AI safely\n",
        "  en: ''\n",
    )
    assert "generative-ai.yaml:" in msg and "title.en is missing or empty" in msg


def test_answer_not_a_choice(tmp_path):
    msg = _broken(tmp_path, "passwords-mfa.yaml", "      answer: b\n", "      answer: z\n")
    assert "passwords-mfa.yaml:" in msg and "question 'q1'" in msg and "answer 'z' is not one of" in msg


def test_duplicate_question_id(tmp_path):
    msg = _broken(tmp_path, "phishing-bec.yaml", "    - id: q2\n", "    - id: q1\n")
    assert "phishing-bec.yaml:" in msg and "duplicate question id" in msg


def test_unknown_control(tmp_path):
    msg = _broken(tmp_path, "ransomware-backup.yaml", "controls: [pr-backup,", "controls: [pr-nope,")
    assert "ransomware-backup.yaml:" in msg and "unknown control id 'pr-nope'" in msg


def test_mismatched_paragraphs_reported_with_others(tmp_path):
    target = tmp_path / "modules"
    shutil.copytree(DATA_DIR, target)
    p = target / "social-engineering.yaml"
    p.write_text(
        p.read_text(encoding="utf-8").replace("      answer: b\n", "      answer: x\n"), encoding="utf-8"
    )
    with pytest.raises(ContentError) as exc:
        modules_load(target)
    assert len(exc.value.problems) == 5  # one per question, all reported together
