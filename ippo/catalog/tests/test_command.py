"""`ippo catalog validate` and `ippo catalog export`."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ippo.catalog.loader import FRAMEWORK_IDS


def test_validate_prints_counts_and_succeeds():
    out = StringIO()
    call_command("catalog", "validate", stdout=out)
    text = out.getvalue()
    assert "Frameworks: 10" in text
    assert "nist-csf-2.0" in text and "106 items" in text
    assert "Questions: 25" in text
    assert "NIST CSF 2.0 subcategories: 106" in text
    assert "Catalog OK" in text


def test_validate_with_a_broken_data_dir_exits_1_and_names_the_line(data):
    data.replace("controls/govern.yaml", 'meti-scs: ["1-2-1"]', 'meti-scs: ["9-9-9"]')
    line = data.line_of("controls/govern.yaml", "9-9-9")
    err = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("catalog", "validate", "--data-dir", str(data.root), stderr=err)
    assert exc.value.returncode == 1
    assert f"controls/govern.yaml:{line}: " in err.getvalue()


def test_export_prints_the_whole_catalog_as_json():
    out = StringIO()
    call_command("catalog", "export", "--format", "json", stdout=out)
    exported = json.loads(out.getvalue())
    assert set(exported) >= {"frameworks", "controls", "questions"}
    frameworks = {f["id"]: f for f in exported["frameworks"]}
    assert set(frameworks) == set(FRAMEWORK_IDS)
    item_ids = {f_id: {i["id"] for i in f["items"]} for f_id, f in frameworks.items()}
    assert "GV.OC-01" in item_ids["nist-csf-2.0"]
    assert "5.1" in item_ids["cis-v8-ig1"]
    assert "A.5.1" in item_ids["iso27001-2022-annex-a"]
    assert "1-2-1" in item_ids["meti-scs"]
    assert all({"ja", "en"} <= set(f["name"]) for f in exported["frameworks"])
    control = exported["controls"][0]
    assert {"id", "title", "mappings", "steps", "applies_to", "risk_weight", "file", "line"} <= set(control)
    assert set(control["title"]) == {"ja", "en"}
    assert set(control["mappings"]) == set(FRAMEWORK_IDS)
    assert len(exported["questions"]) == 25


def test_export_is_deterministic_and_keeps_japanese_readable():
    first, second = StringIO(), StringIO()
    call_command("catalog", "export", stdout=first)
    call_command("catalog", "export", stdout=second)
    assert first.getvalue() == second.getvalue()
    assert "\\u" not in first.getvalue() and "情報セキュリティ" in first.getvalue()
