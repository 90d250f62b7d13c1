"""The starter content read from ippo/program/data: complete in both languages and consistent with the code."""

from __future__ import annotations

from ippo.catalog.loader import catalog_get
from ippo.registers import content
from ippo.registers.models import AssetType
from ippo.registers.selectors import IT_PROCESS_CONTROLS, responsibility_controls


def test_the_six_starter_scenarios_load_with_known_measures_and_asset_types():
    scenarios = content.scenarios()
    assert [s.id for s in scenarios] == [
        "ransomware",
        "invoice-fraud",
        "account-takeover",
        "lost-device",
        "website-tampering",
        "supplier-breach",
    ]
    known = {c.id for c in catalog_get().controls}
    for s in scenarios:
        assert s.title.ja and s.title.en and s.description.ja and s.description.en
        assert set(s.controls) <= known, s.id
        assert set(s.asset_types) <= set(AssetType.values), s.id
        assert 1 <= s.likelihood <= 5


def test_asset_types_are_the_codes_the_scenarios_use():
    assert set(content.ASSET_TYPES) == set(AssetType.values)


def test_the_vendor_checklist_loads_in_both_languages():
    items = content.checklist()
    assert len(items) >= 8
    assert len({i.id for i in items}) == len(items)
    assert all(i.label.ja and i.label.en and i.help.ja and i.help.en for i in items)


def test_the_responsibility_table_is_the_documented_selection():
    controls = responsibility_controls()
    ids = {c.id for c in controls}
    assert set(IT_PROCESS_CONTROLS) <= ids, "a listed process measure is missing from the catalog"
    assert {c.id for c in catalog_get().controls if c.kind == "technology"} <= ids
    assert not [c for c in controls if c.kind == "people"]
    functions = [c.function for c in controls]
    assert functions == sorted(functions, key=["GV", "ID", "PR", "DE", "RS", "RC"].index)
    assert "pr-backup" in ids and "gv-basic-policy" not in ids
