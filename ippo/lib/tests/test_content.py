"""The shared pieces of the content loaders: every problem is reported as ``file:LINE: where: message``."""

from __future__ import annotations

from collections import namedtuple
from pathlib import Path

import pytest

from ippo.lib import content

Text = namedtuple("Text", "ja en")
TextList = namedtuple("TextList", "ja en")
Thing = namedtuple("Thing", "id title points controls")


class ThingError(content.ContentError):
    heading = "things are invalid"


class _Check(content.Check):
    text_type = Text
    text_list_type = TextList


def _load_thing(data, rel: str, problems: list[str], *, control_ids=frozenset({"gv-1", "pr-2"}), stem=True):
    c = _Check(rel, problems)
    before = len(problems)
    where = f"thing {data.get('id')!r}"
    if stem:
        c.file_id(data, where)
    c.keys(data, {"id", "title", "points", "controls"}, where)
    title = c.text(data, "title", where)
    points = c.text_list(data, "points", where)
    controls = c.controls(data, where, control_ids)
    if len(problems) > before:
        return None
    return Thing(data["id"], title, points, tuple(controls))


GOOD = """\
id: {id}
title:
  ja: 題名
  en: Title
points:
  ja: [一, 二]
  en: [one, two]
controls:
  - gv-1
  - pr-2
"""


def _write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text, encoding="utf-8")


def _problems(directory: Path, **kwargs) -> list[str]:
    with pytest.raises(ThingError) as exc:
        content.load_dir(
            directory,
            lambda data, rel, problems: _load_thing(data, rel, problems, **kwargs),
            ThingError,
            default_dir=directory,
            default_rel="unused",
            noun="thing",
        )
    assert str(exc.value) == "things are invalid:\n" + "\n".join(exc.value.problems)
    assert isinstance(exc.value, content.ContentError)
    return exc.value.problems


def test_valid_files_load_in_file_name_order(tmp_path):
    _write(tmp_path, "b.yaml", GOOD.format(id="b"))
    _write(tmp_path, "a.yaml", GOOD.format(id="a"))
    found = content.load_dir(
        tmp_path, _load_thing, ThingError, default_dir=tmp_path, default_rel="x", noun="thing"
    )
    assert [t.id for t in found] == ["a", "b"]
    assert found[0].title == Text("題名", "Title")
    assert found[0].points == TextList(("一", "二"), ("one", "two"))


def test_default_dir_files_are_named_from_the_repository(tmp_path):
    _write(tmp_path, "a.yaml", GOOD.format(id="a").replace("title:", "titel:", 1))
    with pytest.raises(ThingError) as exc:
        content.load_dir(
            None,
            _load_thing,
            ThingError,
            default_dir=tmp_path,
            default_rel="ippo/x/data/things",
            noun="thing",
        )
    assert exc.value.problems[0] == "ippo/x/data/things/a.yaml:1: thing 'a': unknown keys ['titel']"


def test_missing_key(tmp_path):
    _write(tmp_path, "a.yaml", GOOD.format(id="a").replace("title:\n  ja: 題名\n  en: Title\n", ""))
    assert _problems(tmp_path) == ["a.yaml:1: thing 'a': 'title' must be a mapping with 'ja' and 'en'"]


def test_missing_language(tmp_path):
    _write(tmp_path, "a.yaml", GOOD.format(id="a").replace("  en: Title\n", ""))
    assert _problems(tmp_path) == ["a.yaml:3: thing 'a': title.en is missing or empty"]


def test_unknown_language_key_and_uneven_lists(tmp_path):
    text = GOOD.format(id="a").replace("  en: Title\n", "  en: Title\n  fr: Titre\n")
    _write(tmp_path, "a.yaml", text.replace("en: [one, two]", "en: [one]"))
    assert _problems(tmp_path) == [
        "a.yaml:3: thing 'a': title: unknown keys ['fr']",
        "a.yaml:7: thing 'a': points: 2 Japanese but 1 English items",
    ]


def test_duplicate_id_across_files(tmp_path):
    _write(tmp_path, "a.yaml", GOOD.format(id="same"))
    _write(tmp_path, "b.yaml", GOOD.format(id="same"))
    assert _problems(tmp_path, stem=False) == ["b.yaml: thing 'same': duplicate thing id (also in a.yaml)"]


def test_id_must_match_the_file_name(tmp_path):
    _write(tmp_path, "a.yaml", GOOD.format(id="b"))
    assert _problems(tmp_path) == ["a.yaml:1: thing 'b': id must match the file name 'a'"]


def test_unknown_and_duplicate_control_ids(tmp_path):
    _write(tmp_path, "a.yaml", GOOD.format(id="a").replace("  - pr-2\n", "  - gv-1\n  - xx-9\n"))
    assert _problems(tmp_path) == [
        "a.yaml:9: thing 'a': duplicate control ids",
        "a.yaml:9: thing 'a': unknown control id 'xx-9' (not in the catalog)",
    ]


def test_unreadable_files_and_an_empty_directory(tmp_path):
    _write(tmp_path, "a.yaml", "id: a\nid: b\n")
    _write(tmp_path, "b.yaml", "- just a list\n")
    assert _problems(tmp_path) == [
        "a.yaml:2: cannot read: duplicate key 'id'",
        "b.yaml:1: thing: the file must be a mapping",
    ]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _problems(empty) == [f"{empty}: no thing files (*.yaml)"]


def test_catalog_control_ids():
    ids = content.catalog_control_ids()
    assert "pr-cloud-sharing" in ids
    assert all(isinstance(i, str) and i for i in ids)
