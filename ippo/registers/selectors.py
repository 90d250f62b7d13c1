"""Reads for the registers: filtered asset lists, the risk register in yen, the responsibility table.

Every list runs a fixed number of queries whatever its length (tests/test_queries.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from ippo.catalog.loader import Control, catalog_get
from ippo.core.models import Membership, Organization
from ippo.program.models import ControlStatus
from ippo.program.selectors import control_statuses  # noqa: F401 — also used as selectors.control_statuses
from ippo.registers import risk_model
from ippo.registers.models import Asset, AssetType, Responsibility, Risk, RiskSettings

FUNCTION_ORDER = ("GV", "ID", "PR", "DE", "RS", "RC")

# The responsibility table lists the "basic measures" whose work is usually done by someone — often an IT
# company — on the organisation's behalf: every technology measure of the catalog, plus these process
# measures that are IT operations rather than office rules. Rules everyone follows (screen lock, clear
# desk …) and governance measures (policy, budget …) are left out: they are not delegated.
IT_PROCESS_CONTROLS = (
    "id-device-inventory",
    "id-software-inventory",
    "id-cloud-inventory",
    "id-account-inventory",
    "id-network-map",
    "pr-joiners-leavers",
    "pr-access-review",
    "pr-restore-test",
    "pr-disposal",
    "pr-mobile-byod",
    "rs-incident-plan",
    "rc-recovery-plan",
)


def members(org: Organization) -> list:
    """The organisation's people, for owner and "who decides" choices (one query)."""
    return [
        m.user
        for m in Membership.objects.filter(organization=org)
        .select_related("user")
        .order_by("user__name", "user__email")
    ]


# --- Assets ---------------------------------------------------------------------------------------------------


def assets_for_list(org: Organization, *, asset_type: str = "", personal_data: str = ""):
    """Assets with their owners (one query), filtered by type and by whether they hold personal data."""
    qs = Asset.objects.filter(organization=org).select_related("owner")
    if asset_type in AssetType.values:
        qs = qs.filter(asset_type=asset_type)
    if personal_data in ("yes", "no"):
        qs = qs.filter(personal_data=personal_data == "yes")
    return qs.order_by("asset_type", "name")


# --- Risks ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ControlState:
    control_id: str
    control: Control | None
    status: str  # a ControlStatus.Status code, or "" when never assessed

    @property
    def status_label(self) -> str:
        return str(ControlStatus.Status(self.status).label) if self.status else ""

    @property
    def in_place(self) -> bool:
        return self.status == ControlStatus.Status.IMPLEMENTED


@dataclass(frozen=True)
class RiskRow:
    risk: Risk
    estimate: risk_model.Estimate
    suggested_residual: int
    residual_is_suggested: bool  # no override stored: the estimate uses the suggestion
    in_place: int
    partly: int

    @property
    def is_closed(self) -> bool:
        return self.risk.status == Risk.Status.CLOSED


def risk_row(risk: Risk, settings: RiskSettings, statuses: dict[str, str]) -> RiskRow:
    """The estimate for one risk, using the stored residual likelihood or else the suggestion from the
    status of its measures (risk_model.suggest_residual)."""
    measures = set(risk.control_ids)
    in_place = sum(1 for c in measures if statuses.get(c) == ControlStatus.Status.IMPLEMENTED)
    partly = sum(1 for c in measures if statuses.get(c) == ControlStatus.Status.PARTIAL)
    suggested = risk_model.suggest_residual(
        likelihood=risk.likelihood, in_place=in_place, partly=partly, total=len(measures)
    )
    residual = risk.residual_likelihood or suggested
    estimate = risk_model.estimate(
        likelihood=risk.likelihood,
        residual_likelihood=residual,
        days_down=risk.days_down,
        records=risk.records,
        loss_yen=risk.loss_yen,
        daily_revenue_yen=settings.daily_revenue_yen,
        cost_per_record_yen=settings.cost_per_record_yen,
    )
    return RiskRow(risk, estimate, suggested, risk.residual_likelihood is None, in_place, partly)


@dataclass(frozen=True)
class RiskRegister:
    rows: list[RiskRow]  # highest expected annual loss first; closed risks last
    settings: RiskSettings
    expected_total_yen: int  # risks that are not closed
    residual_total_yen: int

    @property
    def reduction_total_yen(self) -> int:
        return self.expected_total_yen - self.residual_total_yen


def risk_register(org: Organization, statuses: dict[str, str] | None = None) -> RiskRegister:
    """Every risk with its estimate, ordered by expected annual loss, with the totals (four queries)."""
    settings = RiskSettings.objects.filter(organization=org).first() or RiskSettings(organization=org)
    statuses = control_statuses(org) if statuses is None else statuses
    risks = Risk.objects.filter(organization=org).select_related("owner").prefetch_related("assets")
    rows = [risk_row(r, settings, statuses) for r in risks]
    rows.sort(key=lambda r: (r.is_closed, -r.estimate.expected_annual_yen, r.risk.pk))
    live = [r for r in rows if not r.is_closed]
    return RiskRegister(
        rows=rows,
        settings=settings,
        expected_total_yen=sum(r.estimate.expected_annual_yen for r in live),
        residual_total_yen=sum(r.estimate.residual_annual_yen for r in live),
    )


def control_states(control_ids, statuses: dict[str, str]) -> list[ControlState]:
    catalog = catalog_get()
    out = []
    for control_id in control_ids:
        try:
            control = catalog.control(control_id)
        except KeyError:
            control = None
        out.append(ControlState(control_id, control, statuses.get(control_id, "")))
    return out


# --- Responsibility table -----------------------------------------------------------------------------------


def responsibility_controls() -> list[Control]:
    """The basic measures of the responsibility table, in the order of the CSF functions."""
    catalog = catalog_get()
    extra = set(IT_PROCESS_CONTROLS)
    chosen = [c for c in catalog.controls if c.kind == "technology" or c.id in extra]
    return sorted(chosen, key=lambda c: FUNCTION_ORDER.index(c.function))


@dataclass(frozen=True)
class ResponsibilityRow:
    control: Control
    row: Responsibility | None
    status: str

    @property
    def decided(self) -> bool:
        return bool(self.row and self.row.does_key and self.row.decider_display)


def responsibility_rows(org: Organization) -> list[ResponsibilityRow]:
    """One row per basic measure, with who does it, who decides and its control status (three queries)."""
    stored = {
        r.control_id: r
        for r in Responsibility.objects.filter(organization=org).select_related("vendor", "decider")
    }
    statuses = control_statuses(org)
    return [ResponsibilityRow(c, stored.get(c.id), statuses.get(c.id, "")) for c in responsibility_controls()]
