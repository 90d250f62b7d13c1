"""The audit log: append-only, hash-chained events for everything security-relevant.

Each event's hash covers its own fields and the previous event's hash, and a single head row keeps the
chain's length and last hash. Altering, removing or appending a row by hand breaks the chain;
`ippo audit verify` (audit_verify below) walks it and names the first bad entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from ippo.core.models import GENESIS_HASH, AuditEvent, AuditHead, Membership, Organization

# Dotted action names and the label a person reads. Add new actions here.
ACTION_LABELS = {
    "user.logged_in": _("Signed in"),
    "user.login_failed": _("Failed sign-in attempt"),
    "user.logged_out": _("Signed out"),
    "user.signed_up": _("Account created"),
    "user.password_changed": _("Password changed"),
    "user.password_reset": _("Password reset"),
    "mfa.authenticator_added": _("Two-step sign-in method added"),
    "mfa.authenticator_removed": _("Two-step sign-in method removed"),
    "mfa.recovery_codes_reset": _("Recovery codes regenerated"),
    "org.created": _("Organisation created"),
    "org.demo_loaded": _("Demo data loaded"),
    "invitation.created": _("Invitation sent"),
    "invitation.accepted": _("Invitation accepted"),
    "invitation.revoked": _("Invitation cancelled"),
    "membership.role_changed": _("Role changed"),
    "membership.removed": _("Member removed"),
    "export.created": _("Data exported"),
    "profile.updated": _("Company profile updated"),
    "assessment.started": _("Self-assessment started"),
    "assessment.completed": _("Self-assessment completed"),
    "assessment.discarded": _("Self-assessment draft discarded"),
    "assessment.imported": _("Self-assessment imported"),
    "assessment.exported": _("Self-assessment exported"),
    "assessment.section_assigned": _("Self-assessment section assigned"),
    "report.requested": _("Board report requested"),
    "report.downloaded": _("Board report downloaded"),
    "actionitem.generated": _("Action items created from a self-assessment"),
    "actionitem.created": _("Action item added"),
    "actionitem.updated": _("Action item changed"),
    "actionitem.completed": _("Action item completed"),
    "actionitem.exported": _("Action plan exported"),
    "evidence.added": _("Evidence added"),
    "evidence.downloaded": _("Evidence downloaded"),
    "recurringtask.updated": _("Recurring task changed"),
    "controlstatus.evidence_aged": _("Control status lowered: evidence out of date"),
    "notification.webhook_added": _("Chat webhook added"),
    "notification.webhook_removed": _("Chat webhook removed"),
    "policy.generated": _("Policy drafted from a template"),
    "policy.created": _("Policy added"),
    "policy.edited": _("Policy draft edited"),
    "policy.approved": _("Policy approved"),
    "policy.draft_discarded": _("Policy draft discarded"),
    "policy.settings_changed": _("Policy settings changed"),
    "asset.created": _("Information asset added"),
    "asset.updated": _("Information asset changed"),
    "asset.deleted": _("Information asset deleted"),
    "asset.imported": _("Information assets imported"),
    "asset.exported": _("Information assets exported"),
    "risk.created": _("Risk added"),
    "risk.updated": _("Risk changed"),
    "risk.deleted": _("Risk deleted"),
    "risk.starters_added": _("Starter risks added"),
    "risk.exported": _("Risks exported"),
    "risksettings.updated": _("Risk estimate figures changed"),
    "vendor.created": _("Vendor added"),
    "vendor.updated": _("Vendor changed"),
    "vendor.reviewed": _("Vendor reviewed"),
    "vendor.deleted": _("Vendor deleted"),
    "vendor.exported": _("Vendors exported"),
    "responsibility.updated": _("Responsibility table changed"),
    "evidencepack.created": _("Partner evidence pack made"),
    "evidencepack.revoked": _("Partner evidence pack withdrawn"),
    "evidencepack.checked": _("Partner evidence pack checked on the verification page"),
    "sharelink.created": _("Partner share link created"),
    "sharelink.revoked": _("Partner share link revoked"),
    "sharelink.accessed": _("Partner share link opened"),
    "questionnaire.uploaded": _("Partner questionnaire uploaded"),
    "questionnaire.mapped": _("Partner questionnaire columns chosen"),
    "questionnaire.matches_confirmed": _("Partner questionnaire answers confirmed"),
    "questionnaire.exported": _("Partner questionnaire exported with answers"),
    "questionnaire.deleted": _("Partner questionnaire deleted"),
}


_APP_LABELS_LOADED = False


def _load_app_labels() -> None:
    """Modules added later keep their own labels in `ippo/<app>/audit_labels.py` (a dict ACTION_LABELS);
    they are merged in once, the first time an action is looked up."""
    global _APP_LABELS_LOADED
    if _APP_LABELS_LOADED:
        return
    import importlib

    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("ippo.") or config.name == "ippo.core":
            continue
        try:
            module = importlib.import_module(f"{config.name}.audit_labels")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.audit_labels":
                raise
            continue
        for action, label in module.ACTION_LABELS.items():
            if ACTION_LABELS.get(action, label) is not label:
                raise ImproperlyConfigured(f"{config.name}.audit_labels: the action {action!r} is defined twice")
            ACTION_LABELS[action] = label
    _APP_LABELS_LOADED = True


def action_label(action: str) -> str:
    _load_app_labels()
    return str(ACTION_LABELS.get(action, action))


def _label_for(actor) -> str:
    if actor is None:
        return ""
    return getattr(actor, "email", "") or str(actor)


@transaction.atomic
def audit_record(
    *,
    action: str,
    actor=None,
    org: Organization | None = None,
    target: models.Model | None = None,
    data: dict | None = None,
    via: str = "web",
) -> AuditEvent:
    """Append one event to the chain. Call it inside the service's transaction."""
    _load_app_labels()
    if action not in ACTION_LABELS:
        raise KeyError(
            f"Unknown audit action {action!r}; add it to ACTION_LABELS in ippo/<app>/audit_labels.py "
            "(a dict of dotted action name → translated label, like ippo.core.audit.ACTION_LABELS)."
        )
    # The UPDATE takes the write lock (SQLite) or the row lock (PostgreSQL) before we read the head,
    # so two writers can never chain onto the same previous hash.
    if not AuditHead.objects.filter(pk=1).update(seq=F("seq") + 1):
        AuditHead.objects.create(pk=1, seq=1)
    head = AuditHead.objects.select_for_update().get(pk=1)
    user_actor = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        seq=head.seq,
        created_at=timezone.now(),
        organization=org,
        actor=user_actor,
        actor_label=_label_for(actor) if user_actor else (str(actor) if actor else ""),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
        via=via,
        prev_hash=head.last_hash,
    )
    event.hash = event.compute_hash()
    event.save()
    AuditHead.objects.filter(pk=1).update(last_hash=event.hash)
    return event


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    checked: int
    message: str
    bad_seq: int | None = None


def audit_verify() -> AuditVerification:
    """Walk the whole chain in order and report the first entry that does not fit."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return AuditVerification(
                False,
                checked,
                f"entry {expected_seq} is missing (next entry found is {event.seq}, id {event.pk}): "
                "rows were removed",
                expected_seq,
            )
        if event.prev_hash != expected_prev:
            return AuditVerification(
                False, checked, f"entry {event.seq} (id {event.pk}) does not follow entry {event.seq - 1}", event.seq
            )
        if event.compute_hash() != event.hash:
            return AuditVerification(
                False, checked, f"entry {event.seq} (id {event.pk}, {event.action}) was altered", event.seq
            )
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.last_hash) if head else (0, GENESIS_HASH)
    if head_seq != checked or head_hash != expected_prev:
        return AuditVerification(
            False,
            checked,
            f"the chain holds {checked} entries but its head records {head_seq}: "
            f"entry {checked + 1} onwards was removed",
            checked + 1,
        )
    return AuditVerification(True, checked, f"audit log intact: {checked} entries verified")


def audit_events_for_org(org: Organization):
    """Events an owner of `org` may read: the organisation's own, and sign-in events of its people."""
    with scopes_disabled():
        member_ids = list(Membership.objects.filter(organization=org).values_list("user_id", flat=True))
    return AuditEvent.objects.filter(Q(organization=org) | Q(organization__isnull=True, actor_id__in=member_ids))
