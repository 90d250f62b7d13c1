"""Writes for the registers. Each is atomic, takes the organisation and the actor, and records an audit event.

Views validate input with forms first; the services check again what a form cannot (an owner who is not a
member, a vendor of another organisation) so that the API and the importers can call them directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ippo.catalog.loader import catalog_get
from ippo.core.audit import audit_record
from ippo.core.models import Membership, Organization
from ippo.registers import content
from ippo.registers.models import Asset, Responsibility, Risk, RiskSettings, Vendor

ASSET_FIELDS = (
    "name",
    "asset_type",
    "location",
    "owner",
    "owner_name",
    "personal_data",
    "confidentiality",
    "integrity",
    "availability",
    "notes",
)
RISK_FIELDS = (
    "title",
    "description",
    "control_ids",
    "likelihood",
    "days_down",
    "records",
    "loss_yen",
    "residual_likelihood",
    "owner",
    "status",
    "notes",
)
VENDOR_FIELDS = (
    "name",
    "service_kinds",
    "services",
    "contact_name",
    "contact_email",
    "contact_phone",
    "checklist",
    "last_review",
    "notes",
)


def _is_member(org: Organization, user) -> bool:
    return user is None or Membership.objects.filter(organization=org, user=user).exists()


def _assign(obj, fields: Mapping, allowed: Iterable[str]) -> list[str]:
    """Set the given fields on obj; return the names of those that changed."""
    changed = []
    for name in allowed:
        if name in fields and getattr(obj, name) != fields[name]:
            setattr(obj, name, fields[name])
            changed.append(name)
    return changed


# --- Assets ---------------------------------------------------------------------------------------------------


def _asset_check(org: Organization, asset: Asset) -> None:
    if not _is_member(org, asset.owner):
        raise ValidationError({"owner": _("Choose a member of this organisation.")})
    asset.full_clean()


@transaction.atomic
def asset_create(*, org: Organization, actor, **fields) -> Asset:
    asset = Asset(organization=org)
    _assign(asset, fields, ASSET_FIELDS)
    _asset_check(org, asset)
    asset.save()
    audit_record(
        action="asset.created",
        actor=actor,
        org=org,
        target=asset,
        data={"name": asset.name, "type": asset.asset_type},
    )
    return asset


@transaction.atomic
def asset_update(*, asset: Asset, actor, **fields) -> Asset:
    changed = _assign(asset, fields, ASSET_FIELDS)
    if changed:
        _asset_check(asset.organization, asset)
        asset.save()
        audit_record(
            action="asset.updated",
            actor=actor,
            org=asset.organization,
            target=asset,
            data={"name": asset.name, "changed": changed},
        )
    return asset


@transaction.atomic
def asset_delete(*, asset: Asset, actor) -> None:
    audit_record(
        action="asset.deleted",
        actor=actor,
        org=asset.organization,
        target=asset,
        data={"name": asset.name, "type": asset.asset_type},
    )
    asset.delete()


@transaction.atomic
def assets_exported(*, org: Organization, actor, fmt: str, count: int) -> None:
    """An export carries the inventory out of ippo: keep a record of who took it."""
    audit_record(action="asset.exported", actor=actor, org=org, data={"format": fmt, "count": count})


@transaction.atomic
def risks_exported(*, org: Organization, actor, fmt: str, count: int) -> None:
    """An export carries the risk register out of ippo: keep a record of who took it."""
    audit_record(action="risk.exported", actor=actor, org=org, data={"format": fmt, "count": count})


@transaction.atomic
def vendors_exported(*, org: Organization, actor, fmt: str, count: int) -> None:
    """An export carries the vendor list out of ippo: keep a record of who took it."""
    audit_record(action="vendor.exported", actor=actor, org=org, data={"format": fmt, "count": count})


# --- Risk settings and risks --------------------------------------------------------------------------------


def risk_settings_get(*, org: Organization) -> RiskSettings:
    """The organisation's settings, or unsaved defaults when it has none yet."""
    return RiskSettings.objects.filter(organization=org).first() or RiskSettings(organization=org)


@transaction.atomic
def risk_settings_save(
    *, org: Organization, actor, daily_revenue_yen: int, cost_per_record_yen: int
) -> RiskSettings:
    settings = risk_settings_get(org=org)
    changed = _assign(
        settings,
        {"daily_revenue_yen": daily_revenue_yen, "cost_per_record_yen": cost_per_record_yen},
        ("daily_revenue_yen", "cost_per_record_yen"),
    )
    settings.full_clean(exclude=["organization"], validate_constraints=False)
    if changed or settings.pk is None:
        settings.save()
        audit_record(
            action="risksettings.updated",
            actor=actor,
            org=org,
            target=settings,
            data={"daily_revenue_yen": daily_revenue_yen, "cost_per_record_yen": cost_per_record_yen},
        )
    return settings


def _follow_scenario(risk: Risk) -> None:
    """A starter risk whose title or description still reads as the scenario's (in either language)
    keeps following the scenario, so that each reader sees it in their own language."""
    scenario = risk.scenario
    if scenario is None:
        return
    if risk.title.strip() in (scenario.title.ja, scenario.title.en):
        risk.title = ""
    if risk.description.strip() in (scenario.description.ja, scenario.description.en):
        risk.description = ""


def _risk_check(org: Organization, risk: Risk, assets: Iterable[Asset] | None) -> None:
    if not _is_member(org, risk.owner):
        raise ValidationError({"owner": _("Choose a member of this organisation.")})
    known = {c.id for c in catalog_get().controls}
    unknown = [c for c in risk.control_ids if c not in known]
    if unknown:
        raise ValidationError({"control_ids": _("Unknown measures: %(ids)s") % {"ids": ", ".join(unknown)}})
    if assets is not None and any(a.organization_id != org.pk for a in assets):
        raise ValidationError({"assets": _("Choose assets of this organisation.")})
    risk.full_clean()


@transaction.atomic
def risk_create(*, org: Organization, actor, assets: Iterable[Asset] = (), **fields) -> Risk:
    assets = list(assets)
    risk = Risk(organization=org)
    _assign(risk, fields, RISK_FIELDS)
    _risk_check(org, risk, assets)
    risk.save()
    risk.assets.set(assets)
    audit_record(action="risk.created", actor=actor, org=org, target=risk, data={"title": risk.title_text})
    return risk


@transaction.atomic
def risk_update(*, risk: Risk, actor, assets: Iterable[Asset] | None = None, **fields) -> Risk:
    before = {name: getattr(risk, name) for name in RISK_FIELDS}
    _assign(risk, fields, RISK_FIELDS)
    _follow_scenario(risk)
    changed = [name for name in RISK_FIELDS if getattr(risk, name) != before[name]]
    assets = list(assets) if assets is not None else None
    if assets is not None and {a.pk for a in assets} != set(risk.assets.values_list("pk", flat=True)):
        changed.append("assets")
    if changed:
        _risk_check(risk.organization, risk, assets)
        risk.save()
        if assets is not None:
            risk.assets.set(assets)
        audit_record(
            action="risk.updated",
            actor=actor,
            org=risk.organization,
            target=risk,
            data={"title": risk.title_text, "changed": changed},
        )
    return risk


@transaction.atomic
def risk_delete(*, risk: Risk, actor) -> None:
    audit_record(
        action="risk.deleted",
        actor=actor,
        org=risk.organization,
        target=risk,
        data={"title": risk.title_text},
    )
    risk.delete()


@transaction.atomic
def risks_add_starters(*, org: Organization, actor) -> list[Risk]:
    """Add the starter scenarios that are not in the register yet, with their default numbers, linked to
    the organisation's assets of the scenario's asset types. Running it again adds nothing."""
    present = set(
        Risk.objects.filter(organization=org).exclude(scenario_id="").values_list("scenario_id", flat=True)
    )
    assets = list(Asset.objects.filter(organization=org))
    known = {c.id for c in catalog_get().controls}
    created = []
    for scenario in content.scenarios():
        if scenario.id in present:
            continue
        risk = Risk.objects.create(
            organization=org,
            scenario_id=scenario.id,
            control_ids=[c for c in scenario.controls if c in known],
            likelihood=scenario.likelihood,
            days_down=scenario.days_down,
            records=scenario.records,
            loss_yen=scenario.loss_yen,
        )
        risk.assets.set([a for a in assets if a.asset_type in scenario.asset_types])
        created.append(risk)
    if created:
        audit_record(
            action="risk.starters_added",
            actor=actor,
            org=org,
            data={"scenarios": [r.scenario_id for r in created]},
        )
    return created


# --- Vendors ------------------------------------------------------------------------------------------------


def _vendor_check(vendor: Vendor) -> None:
    kinds = set(Vendor.ServiceKind.values)
    if not set(vendor.service_kinds) <= kinds:
        raise ValidationError({"service_kinds": _("Choose from the listed kinds of service.")})
    items = {i.id for i in content.checklist()}
    answers = set(Vendor.Answer.values)
    if any(k not in items or v not in answers for k, v in vendor.checklist.items()):
        raise ValidationError({"checklist": _("Answer each checklist item with one of the listed answers.")})
    vendor.full_clean()


@transaction.atomic
def vendor_create(*, org: Organization, actor, **fields) -> Vendor:
    vendor = Vendor(organization=org)
    _assign(vendor, fields, VENDOR_FIELDS)
    _vendor_check(vendor)
    vendor.save()
    audit_record(action="vendor.created", actor=actor, org=org, target=vendor, data={"name": vendor.name})
    return vendor


@transaction.atomic
def vendor_update(*, vendor: Vendor, actor, **fields) -> Vendor:
    changed = _assign(vendor, fields, VENDOR_FIELDS)
    if changed:
        _vendor_check(vendor)
        vendor.save()
        audit_record(
            action="vendor.updated",
            actor=actor,
            org=vendor.organization,
            target=vendor,
            data={"name": vendor.name, "changed": changed},
        )
    return vendor


@transaction.atomic
def vendor_review(*, vendor: Vendor, actor, on=None) -> Vendor:
    """Record that the vendor's contract and checklist were gone through today (or on `on`)."""
    vendor.last_review = on or timezone.localdate()
    vendor.save(update_fields=["last_review", "updated_at"])
    audit_record(
        action="vendor.reviewed",
        actor=actor,
        org=vendor.organization,
        target=vendor,
        data={"name": vendor.name, "on": vendor.last_review.isoformat()},
    )
    return vendor


@transaction.atomic
def vendor_delete(*, vendor: Vendor, actor) -> int:
    """Delete a vendor. The measures it did go back to "not decided"; returns how many."""
    released = Responsibility.objects.filter(organization=vendor.organization, vendor=vendor).update(
        doer=Responsibility.Doer.UNDECIDED, vendor=None
    )
    audit_record(
        action="vendor.deleted",
        actor=actor,
        org=vendor.organization,
        target=vendor,
        data={"name": vendor.name, "responsibilities_released": released},
    )
    vendor.delete()
    return released


# --- Responsibility table -----------------------------------------------------------------------------------


@transaction.atomic
def responsibilities_save(
    *, org: Organization, actor, rows: Mapping[str, Mapping[str, object]], control_ids: Iterable[str]
) -> list[str]:
    """Save the responsibility table: control id → {"does": "" | "us" | "vendor:<id>", "decider_id": int |
    None, "decider_name": str}. All or nothing: every problem is collected (ValidationError keyed by
    control id) before anything is written. Returns the control ids that changed."""
    allowed = set(control_ids)
    vendors = {v.pk: v for v in Vendor.objects.filter(organization=org)}
    members = {m.user_id: m.user for m in Membership.objects.filter(organization=org).select_related("user")}
    existing = {r.control_id: r for r in Responsibility.objects.filter(organization=org)}
    errors: dict[str, list[str]] = {}
    wanted: dict[str, tuple[str, Vendor | None, object, str]] = {}
    for control_id, fields in rows.items():
        if control_id not in allowed:
            errors[control_id] = [_("This measure is not in the responsibility table.")]
            continue
        does = str(fields.get("does") or "")
        vendor = None
        if does.startswith("vendor:"):
            key = does.removeprefix("vendor:")
            vendor = vendors.get(int(key)) if key.isdigit() else None
            if vendor is None:
                errors[control_id] = [_("Choose one of your vendors.")]
                continue
            doer = Responsibility.Doer.VENDOR
        elif does in ("", Responsibility.Doer.US):
            doer = does
        else:
            errors[control_id] = [_("Choose who does it from the list.")]
            continue
        decider_id = fields.get("decider_id")
        decider = None
        if decider_id:
            decider = members.get(decider_id)
            if decider is None:
                errors[control_id] = [_("Choose a member of this organisation, or type a name.")]
                continue
        decider_name = str(fields.get("decider_name") or "").strip()
        if len(decider_name) > 100:
            errors[control_id] = [_("The name is longer than 100 characters.")]
            continue
        wanted[control_id] = (doer, vendor, decider, "" if decider else decider_name)
    if errors:
        raise ValidationError(errors)
    changed, to_create, to_update = [], [], []
    for control_id, (doer, vendor, decider, decider_name) in wanted.items():
        row = existing.get(control_id)
        values = (doer, vendor.pk if vendor else None, decider.pk if decider else None, decider_name)
        if row is not None and (row.doer, row.vendor_id, row.decider_id, row.decider_name) == values:
            continue
        if row is None:
            if values == ("", None, None, ""):
                continue
            row = Responsibility(organization=org, control_id=control_id)
            to_create.append(row)
        else:
            to_update.append(row)
        row.doer, row.vendor, row.decider, row.decider_name = doer, vendor, decider, decider_name
        row.updated_at = timezone.now()
        changed.append(control_id)
    Responsibility.objects.bulk_create(to_create)
    Responsibility.objects.bulk_update(to_update, ["doer", "vendor", "decider", "decider_name", "updated_at"])
    if changed:
        audit_record(action="responsibility.updated", actor=actor, org=org, data={"controls": changed})
    return changed
