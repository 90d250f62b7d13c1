"""The bilingual starter content the registers read: risk scenarios and the vendor contract checklist.

Both files live in `ippo/program/data/` (written for the programme, see the README there) and are read
once per process into frozen dataclasses. A malformed file raises `ContentError` naming the entry, so a
broken edit fails at start-up and in the tests rather than on a customer's page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import yaml

from ippo.catalog.entities import Localized

ASSET_TYPES = ("pc", "phone", "server", "nas", "cloud", "website", "data", "network", "paper")
IMPACT_MODELS = ("downtime", "records", "loss")


class ContentError(ValueError):
    pass


@dataclass(frozen=True)
class Scenario:
    """A starter risk: a story in business terms with default numbers for the yen model."""

    id: str
    title: Localized
    description: Localized
    impact_model: str  # the main driver: downtime | records | loss
    likelihood: int
    days_down: int
    records: int
    loss_yen: int
    controls: tuple[str, ...]
    asset_types: tuple[str, ...]


@dataclass(frozen=True)
class ChecklistItem:
    """One statement about a vendor's contract, answered yes / partly / no / don't know."""

    id: str
    label: Localized
    help: Localized


def _read(name: str) -> list:
    text = (resources.files("ippo.program") / "data" / name).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 — safe loader
    if not isinstance(data, list):
        raise ContentError(f"{name}: expected a list of entries")
    return data


def _localized(entry: dict, key: str, where: str) -> Localized:
    value = entry.get(key)
    if not isinstance(value, dict) or not all(
        isinstance(value.get(k), str) and value[k].strip() for k in ("ja", "en")
    ):
        raise ContentError(f"{where}: {key!r} needs non-empty ja and en texts")
    return Localized(ja=value["ja"].strip(), en=value["en"].strip())


def _whole(value, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ContentError(f"{where}: expected a whole number {low}–{high}, not {value!r}")
    return value


@functools.cache
def scenarios() -> tuple[Scenario, ...]:
    """The starter risk scenarios, in file order."""
    out, seen = [], set()
    for index, entry in enumerate(_read("risk_scenarios.yaml"), start=1):
        where = f"risk_scenarios.yaml entry {index} ({entry.get('id') if isinstance(entry, dict) else '?'})"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or entry["id"] in seen:
            raise ContentError(f"{where}: needs a unique text id")
        seen.add(entry["id"])
        defaults = entry.get("defaults") or {}
        if entry.get("impact_model") not in IMPACT_MODELS:
            raise ContentError(f"{where}: impact_model must be one of {', '.join(IMPACT_MODELS)}")
        asset_types = tuple(entry.get("asset_types") or ())
        if not set(asset_types) <= set(ASSET_TYPES):
            raise ContentError(f"{where}: unknown asset types {sorted(set(asset_types) - set(ASSET_TYPES))}")
        out.append(
            Scenario(
                id=entry["id"],
                title=_localized(entry, "title", where),
                description=_localized(entry, "description", where),
                impact_model=entry["impact_model"],
                likelihood=_whole(defaults.get("likelihood"), f"{where} likelihood", 1, 5),
                days_down=_whole(defaults.get("days_down", 0), f"{where} days_down", 0, 365),
                records=_whole(defaults.get("records", 0), f"{where} records", 0, 10_000_000),
                loss_yen=_whole(defaults.get("loss_yen", 0), f"{where} loss_yen", 0, 10**12),
                controls=tuple(entry.get("controls") or ()),
                asset_types=asset_types,
            )
        )
    return tuple(out)


def scenario(scenario_id: str) -> Scenario | None:
    return next((s for s in scenarios() if s.id == scenario_id), None)


@functools.cache
def checklist() -> tuple[ChecklistItem, ...]:
    """The vendor contract checklist, in file order."""
    out, seen = [], set()
    for index, entry in enumerate(_read("vendor_checklist.yaml"), start=1):
        where = f"vendor_checklist.yaml entry {index}"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or entry["id"] in seen:
            raise ContentError(f"{where}: needs a unique text id")
        seen.add(entry["id"])
        out.append(
            ChecklistItem(
                id=entry["id"], label=_localized(entry, "label", where), help=_localized(entry, "help", where)
            )
        )
    return tuple(out)
