"""The catalog loader: the shipped data loads, and broken data is reported by file and line."""

import re

import pytest

from ippo.catalog.loader import (
    CSF,
    DATA_DIR,
    FRAMEWORK_IDS,
    CatalogError,
    catalog_get,
    catalog_load,
    catalog_reload,
)
from ippo.catalog.selectors import framework_coverage


def _errors(root) -> list[str]:
    with pytest.raises(CatalogError) as exc:
        catalog_load(root)
    return exc.value.errors


def _error_at(errors: list[str], location: str, fragment: str) -> str:
    matching = [e for e in errors if e.startswith(f"{location}:") and fragment in e]
    assert matching, f"no error at {location} containing {fragment!r}; got:\n" + "\n".join(errors)
    return matching[0]


# --- The shipped catalog ------------------------------------------------------------------------------


def test_the_shipped_catalog_loads_with_the_expected_counts():
    catalog = catalog_load()
    counts = {f.id: len(f.items) for f in catalog.frameworks}
    assert len(catalog.controls) >= 50
    assert counts[CSF] == 106
    assert counts["cis-v8-ig1"] == 56
    assert counts["iso27001-2022-annex-a"] == 93
    assert counts["meti-scs"] == 43
    assert sum(1 for i in catalog.framework("meti-scs").items if i.level == "★3") == 26
    assert counts["ipa-self-check-25"] == 25
    assert len(catalog.questions) == 25


def test_it_has_the_ten_frameworks_in_id_order():
    catalog = catalog_load()
    assert [f.id for f in catalog.frameworks] == sorted(FRAMEWORK_IDS)


def test_every_control_and_question_has_both_languages():
    catalog = catalog_load()
    for control in catalog.controls:
        for text in (control.title, control.question, control.why, control.evidence):
            assert text.ja.strip() and text.en.strip(), control.id
        assert control.steps.ja and len(control.steps.ja) == len(control.steps.en), control.id
        for variant in control.variants.values():
            assert variant.ja and variant.en, control.id
    for question in catalog.questions:
        assert question.text.ja and question.text.en and question.help.ja and question.help.en


def test_every_control_and_question_knows_its_file_and_line():
    catalog = catalog_load()
    control = catalog.control("gv-exec-owner")
    assert control.file == "controls/govern.yaml"
    lines = (DATA_DIR / control.file).read_text(encoding="utf-8").splitlines()
    assert lines[control.line - 1] == "- id: gv-exec-owner"
    question = catalog.questions[0]
    assert question.file == "questions/quick.yaml" and question.line > 0


def test_ids_have_the_forms_the_frameworks_use():
    catalog = catalog_load()
    assert "GV.OC-01" in catalog.framework(CSF).item_ids
    assert "5.1" in catalog.framework("cis-v8-ig1").item_ids
    assert "A.5.1" in catalog.framework("iso27001-2022-annex-a").item_ids
    assert "1-2-1" in catalog.framework("meti-scs").item_ids
    assert all(re.match(r"^[a-z]{2}-[a-z0-9-]+$", c.id) for c in catalog.controls)


def test_questions_come_in_order_and_point_at_known_controls():
    catalog = catalog_load()
    assert [q.order for q in catalog.questions] == sorted(q.order for q in catalog.questions)
    for question in catalog.questions:
        for control_id in question.controls:
            catalog.control(control_id)


def test_every_csf_subcategory_is_covered_or_out_of_scope():
    catalog = catalog_load()
    coverage = framework_coverage(catalog, CSF)
    assert len(coverage) == 106
    for item in catalog.framework(CSF).items:
        assert coverage[item.id] or item.out_of_scope, item.id
    assert "gv-exec-owner" in coverage["GV.RR-01"]


def test_the_catalog_is_cached_once_per_process_and_can_be_reloaded():
    first = catalog_get()
    assert catalog_get() is first
    reloaded = catalog_reload()
    assert reloaded is not first and catalog_get() is reloaded


def test_localized_text_follows_the_language():
    control = catalog_load().control("gv-exec-owner")
    assert control.title.get("ja") == control.title.ja
    assert control.title.get("en-gb") == control.title.en


# --- Broken catalogs: every error names the file and the line ------------------------------------------


def test_an_unknown_mapped_id_is_reported_at_its_line(data):
    data.replace("controls/govern.yaml", 'meti-scs: ["1-2-1"]', 'meti-scs: ["9-9-9"]')
    line = data.line_of("controls/govern.yaml", 'meti-scs: ["9-9-9"]')
    _error_at(_errors(data.root), f"controls/govern.yaml:{line}", "meti-scs has no item '9-9-9'")


def test_a_missing_english_title_is_reported_at_its_line(data):
    data.replace(
        "controls/govern.yaml", "    en: The owner takes responsibility and names a security lead\n", ""
    )
    line = data.line_of("controls/govern.yaml", "  title:", after="- id: gv-exec-owner")
    _error_at(_errors(data.root), f"controls/govern.yaml:{line}", "title.en is missing")


def test_a_duplicate_control_id_is_reported_at_the_second_one(data):
    data.replace("controls/govern.yaml", "- id: gv-budget\n", "- id: gv-exec-owner\n")
    first = data.line_of("controls/govern.yaml", "- id: gv-exec-owner")
    second = data.text("controls/govern.yaml").splitlines().index("- id: gv-exec-owner", first) + 1
    message = _error_at(_errors(data.root), f"controls/govern.yaml:{second}", "duplicate control id")
    assert f"controls/govern.yaml:{first}" in message


def test_a_question_pointing_to_an_unknown_control_is_reported(data):
    data.replace(
        "questions/quick.yaml", "[pr-os-updates, pr-app-updates]", "[pr-os-updates, pr-no-such-thing]"
    )
    line = data.line_of("questions/quick.yaml", "pr-no-such-thing")
    _error_at(_errors(data.root), f"questions/quick.yaml:{line}", "unknown control 'pr-no-such-thing'")


def test_a_yaml_syntax_error_is_reported_at_its_line(data):
    data.replace("controls/govern.yaml", "  kind: people\n", "  kind: people: process\n")
    line = data.line_of("controls/govern.yaml", "kind: people: process")
    errors = _errors(data.root)
    _error_at(errors, f"controls/govern.yaml:{line}", "YAML syntax error")
    assert not any(CSF in e for e in errors), "a file that does not parse must not cause coverage noise"


def test_a_duplicate_key_is_reported_at_the_second_key(data):
    data.replace("controls/govern.yaml", "  cost: free\n", "  cost: free\n  cost: low\n")
    line = data.line_of("controls/govern.yaml", "  cost: low")
    _error_at(_errors(data.root), f"controls/govern.yaml:{line}", "duplicate key 'cost'")


def test_an_unknown_key_is_reported_as_a_typo(data):
    data.replace("controls/govern.yaml", "  risk_weight: 3\n", "  risk_wieght: 3\n")
    line = data.line_of("controls/govern.yaml", "risk_wieght")
    errors = _errors(data.root)
    _error_at(errors, f"controls/govern.yaml:{line}", "unknown key 'risk_wieght'")
    _error_at(errors, "controls/govern.yaml:4", "'risk_weight' is required")


def test_an_uncovered_csf_subcategory_is_reported_at_the_csf_item(data):
    catalog = catalog_load(data.root)
    coverage = framework_coverage(catalog, CSF)
    item = next(i for i in catalog.framework(CSF).items if len(coverage[i.id]) == 1 and not i.out_of_scope)
    control = catalog.control(coverage[item.id][0])
    lines = data.text(control.file).splitlines(keepends=True)
    index = next(i for i in range(control.line, len(lines)) if "nist-csf-2.0:" in lines[i])
    lines[index] = re.sub(rf"{re.escape(item.id)},? ?", "", lines[index]).replace(", ]", "]")
    (data.root / control.file).write_text("".join(lines), encoding="utf-8")
    _error_at(
        _errors(data.root), f"frameworks/nist-csf-2.0.yaml:{item.line}", f"{item.id} is mapped by no control"
    )


def test_it_collects_every_error_not_just_the_first(data):
    data.replace("controls/govern.yaml", "  function: GV\n", "  function: XX\n")
    data.replace("controls/identify.yaml", "  kind: ", "  kind: gadget  # ")
    data.replace("questions/quick.yaml", "  order: 2\n", "  order: 1\n")
    errors = _errors(data.root)
    _error_at(
        errors, f"controls/govern.yaml:{data.line_of('controls/govern.yaml', 'function: XX')}", "'function'"
    )
    _error_at(
        errors, f"controls/identify.yaml:{data.line_of('controls/identify.yaml', 'kind: gadget')}", "'kind'"
    )
    _error_at(
        errors,
        f"questions/quick.yaml:{data.line_of('questions/quick.yaml', 'order: 1', after='q-anti-malware')}",
        "duplicate question order",
    )


def test_a_missing_framework_is_reported(data):
    (data.root / "frameworks" / "ipa-5-rules.yaml").unlink()
    errors = _errors(data.root)
    _error_at(errors, "frameworks/ipa-5-rules.yaml", "framework 'ipa-5-rules' is missing")
