"""The SECURITY ACTION helper: does the organisation meet IPA's ★ or ★★ self-declaration, and what is missing?

SECURITY ACTION is a self-declaration; IPA does not audit it. ippo reads it strictly, so that a declaration
made on ippo's word is true:

- ★ (one star): each of the five items (`1star-1` … `1star-5`, the five basic rules) is *met* when every
  catalog control mapped to it, among those that apply to the company, has the status "in place";
  *partly* when at least one is in place or partly in place; *missing* otherwise.
- ★★ (two stars): `2star-1` is met when a self-assessment (quick check or full assessment) was completed.
  ippo's quick check covers the topics of IPA's 5-minute self-check by mapping; it is not IPA's own sheet.
  `2star-2` is met when a basic policy is approved (partly when one is drafted but not yet approved).
  ippo calls ★★ ready only when ★ is ready too: it builds on the same basics, and that is what a
  business partner asking for ★★ expects.

`security_action_evaluate` is a pure function over the catalog and plain values; the view gathers them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ippo.catalog.loader import Catalog

FRAMEWORK_ID = "security-action"
ONE_STAR = ("1star-1", "1star-2", "1star-3", "1star-4", "1star-5")
TWO_STAR = ("2star-1", "2star-2")
SELF_CHECK, BASIC_POLICY = TWO_STAR

MET, PARTLY, MISSING = "met", "partly", "missing"
IN_PLACE, PARTLY_IN_PLACE = "implemented", "partial"

READY_TWO_STARS, READY_ONE_STAR, NOT_YET = "two_stars", "one_star", "not_yet"


@dataclass(frozen=True)
class ControlGap:
    control_id: str
    status: str  # a ControlStatus value; "unknown" when the organisation has none recorded


@dataclass(frozen=True)
class ItemResult:
    item_id: str
    level: str  # "★" | "★★"
    state: str  # met | partly | missing
    control_ids: tuple[str, ...] = ()  # the controls counted (★ items)
    gaps: tuple[ControlGap, ...] = ()  # those not in place yet, in catalog order

    @property
    def is_met(self) -> bool:
        return self.state == MET


@dataclass(frozen=True)
class Evaluation:
    one_star: tuple[ItemResult, ...]
    two_star: tuple[ItemResult, ...]

    @property
    def one_star_ready(self) -> bool:
        return all(item.is_met for item in self.one_star)

    @property
    def two_star_ready(self) -> bool:
        return self.one_star_ready and all(item.is_met for item in self.two_star)

    @property
    def verdict(self) -> str:
        if self.two_star_ready:
            return READY_TWO_STARS
        return READY_ONE_STAR if self.one_star_ready else NOT_YET


def _one_star_item(catalog: Catalog, item_id: str, statuses: Mapping[str, str], applicable) -> ItemResult:
    controls = [
        c.id
        for c in catalog.controls
        if item_id in c.mappings.get(FRAMEWORK_ID, ()) and (applicable is None or c.id in applicable)
    ]
    found = [statuses.get(cid, "unknown") for cid in controls]
    gaps = tuple(
        ControlGap(cid, status) for cid, status in zip(controls, found, strict=True) if status != IN_PLACE
    )
    if not gaps:
        state = MET
    elif any(status in (IN_PLACE, PARTLY_IN_PLACE) for status in found):
        state = PARTLY
    else:
        state = MISSING
    return ItemResult(item_id=item_id, level="★", state=state, control_ids=tuple(controls), gaps=gaps)


def security_action_evaluate(
    *,
    catalog: Catalog,
    statuses: Mapping[str, str],
    applicable: Iterable[str] | None = None,
    self_check_done: bool,
    basic_policy_approved: bool,
    basic_policy_drafted: bool = False,
) -> Evaluation:
    """Evaluate both levels.

    statuses: control id → ControlStatus value ("implemented", "partial", "not_implemented", "unknown").
    applicable: the control ids that apply to the company (its profile); None counts every control.
    """
    applicable = None if applicable is None else frozenset(applicable)
    one_star = tuple(_one_star_item(catalog, item_id, statuses, applicable) for item_id in ONE_STAR)
    two_star = (
        ItemResult(item_id=SELF_CHECK, level="★★", state=MET if self_check_done else MISSING),
        ItemResult(
            item_id=BASIC_POLICY,
            level="★★",
            state=MET if basic_policy_approved else PARTLY if basic_policy_drafted else MISSING,
        ),
    )
    return Evaluation(one_star=one_star, two_star=two_star)
