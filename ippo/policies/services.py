"""Writes for policies and rules: generating from the templates, editing drafts, approving, discarding.

Every write is audited. The rules of the version history:
- a document has at most one draft and at most one approved version at a time;
- editing an approved document starts a new draft (the next number); the approved one stays in force;
- approving a draft supersedes the approved version, and only the owner may approve;
- approved and superseded versions are never changed.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ippo.core.audit import audit_record
from ippo.core.models import Membership, Organization
from ippo.core.roles import Role, role_has_permission
from ippo.policies import library
from ippo.policies.models import (
    MAX_HEADING,
    MAX_NOTE,
    MAX_REPORT_CONTACT,
    MAX_SECTION_TEXT,
    MAX_SECTIONS,
    MAX_TITLE,
    Policy,
    PolicySettings,
    PolicyVersion,
)

LANGUAGE_CODES = tuple(code for code, _label in settings.LANGUAGES)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _display_name(user) -> str:
    """How a person is named in a document: their name, else their e-mail address."""
    return str(user.name or user.email)


# --- Validation shared by the forms and every service ------------------------------------------------------


def sections_clean(sections: list[dict]) -> list[dict]:
    """Strip and check a document's sections; raise one ValidationError listing every problem."""
    errors = []
    cleaned = []
    for index, section in enumerate(sections, start=1):
        heading = str(section.get("heading") or "").strip()
        paragraphs = [str(p).strip() for p in section.get("paragraphs") or [] if str(p).strip()]
        if not heading:
            errors.append(_("Section %(number)s needs a heading.") % {"number": index})
        elif len(heading) > MAX_HEADING:
            errors.append(
                _("The heading of section %(number)s is longer than %(limit)s characters.")
                % {"number": index, "limit": MAX_HEADING}
            )
        if not paragraphs:
            errors.append(_("Section %(number)s has no text.") % {"number": index})
        elif len("\n\n".join(paragraphs)) > MAX_SECTION_TEXT:
            errors.append(
                _(
                    "The text of section %(number)s is longer than %(limit)s characters. Split it into two sections."
                )
                % {"number": index, "limit": MAX_SECTION_TEXT}
            )
        cleaned.append({"heading": heading, "paragraphs": paragraphs})
    if not cleaned:
        errors.append(_("A document needs at least one section."))
    if len(cleaned) > MAX_SECTIONS:
        errors.append(_("A document can have at most %(limit)s sections.") % {"limit": MAX_SECTIONS})
    if errors:
        raise ValidationError(errors)
    return cleaned


def _title_clean(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("The document needs a title."))
    if len(title) > MAX_TITLE:
        raise ValidationError(_("The title is longer than %(limit)s characters.") % {"limit": MAX_TITLE})
    return title


def _note_clean(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(_("The note is longer than %(limit)s characters.") % {"limit": MAX_NOTE})
    return note


# --- The organisation's values for the placeholders -----------------------------------------------------------


def settings_get(*, org: Organization) -> PolicySettings | None:
    return PolicySettings.objects.filter(organization=org).first()


@transaction.atomic
def settings_save(*, org: Organization, actor, report_contact: str) -> PolicySettings:
    report_contact = (report_contact or "").strip()
    if not report_contact:
        raise ValidationError(_("Say who people should report to, for example a team and a phone number."))
    if len(report_contact) > MAX_REPORT_CONTACT:
        raise ValidationError(
            _("Who to report to is longer than %(limit)s characters.") % {"limit": MAX_REPORT_CONTACT}
        )
    row = settings_get(org=org) or PolicySettings(organization=org)
    if row.pk and row.report_contact == report_contact:
        return row
    row.report_contact = report_contact
    row.save()
    audit_record(
        action="policy.settings_changed",
        actor=actor,
        org=org,
        target=row,
        data={"report_contact": report_contact},
    )
    return row


def _first_member_name(org: Organization, role: str) -> str:
    membership = (
        Membership.objects.filter(organization=org, role=role)
        .select_related("user")
        .order_by("created_at", "pk")
        .first()
    )
    return _display_name(membership.user) if membership else ""


def placeholder_values(*, org: Organization, report_contact: str) -> dict[str, str]:
    """{org_name}, {owner_name} (the first owner by join date), {manager_name} (the first manager, else the
    owner) and {report_contact}. {effective_date} stays a token until approval (see library.py)."""
    owner = _first_member_name(org, Role.OWNER)
    manager = _first_member_name(org, Role.MANAGER) or owner
    return {
        "org_name": org.name,
        "owner_name": owner,
        "manager_name": manager,
        "report_contact": report_contact,
    }


# --- Generating from the templates ----------------------------------------------------------------------------


def _next_number(policy: Policy) -> int:
    return (PolicyVersion.objects.filter(policy=policy).aggregate(n=Max("number"))["n"] or 0) + 1


def _lock(policy: Policy) -> Policy:
    """Serialise writers on one document (a row lock on PostgreSQL; SQLite locks the whole database)."""
    return Policy.objects.select_for_update().get(pk=policy.pk)


@transaction.atomic
def policy_generate(
    *, org: Organization, actor, template_id: str, language: str, report_contact: str
) -> PolicyVersion:
    """Draft one document from its template, filled with the organisation's values.

    Idempotent per template: the first call creates the document and its draft version 1. Later calls
    refresh the draft from the template when it differs (edits in the draft are replaced), or, when only
    an approved version exists and it differs from the template, start a new draft. When nothing would
    change, nothing is written. An existing document keeps the language it was first drafted in.
    """
    try:
        template = library.template_get(template_id)
    except KeyError:
        raise ValidationError(_("Unknown template.")) from None
    if language not in LANGUAGE_CODES:
        raise ValidationError(_("Choose Japanese or English."))
    values = placeholder_values(org=org, report_contact=report_contact)
    policy = Policy.objects.filter(organization=org, template_id=template_id).first()
    if policy is None:
        policy = Policy.objects.create(
            organization=org,
            template_id=template.id,
            kind=template.kind,
            title=template.title.get(language),
            language=language,
            created_by=_user(actor),
        )
    else:
        policy = _lock(policy)
    title = template.title.get(policy.language)
    sections = library.template_render(template, language=policy.language, values=values)
    versions = {v.status: v for v in PolicyVersion.objects.filter(policy=policy).exclude(status="superseded")}
    draft, approved = versions.get(PolicyVersion.Status.DRAFT), versions.get(PolicyVersion.Status.APPROVED)
    current = draft or approved
    if current is not None and current.sections == sections and current.title == title:
        return current
    note = _("Drafted from the ippo template.")
    if draft is not None:
        draft.title, draft.sections, draft.note = title, sections, note
        draft.save(update_fields=["title", "sections", "note", "updated_at"])
        version = draft
    else:
        version = PolicyVersion.objects.create(
            organization=org,
            policy=policy,
            number=_next_number(policy),
            title=title,
            sections=sections,
            note=note,
            created_by=_user(actor),
        )
    if policy.title != title:
        policy.title = title
        policy.save(update_fields=["title"])
    audit_record(
        action="policy.generated",
        actor=actor,
        org=org,
        target=version,
        data={"template": template.id, "version": version.number, "language": policy.language},
    )
    return version


@transaction.atomic
def policies_generate(
    *, org: Organization, actor, template_ids: list[str], language: str, report_contact: str
) -> list[PolicyVersion]:
    """Save who to report to, then draft each chosen document (see policy_generate)."""
    if not template_ids:
        raise ValidationError(_("Choose at least one document."))
    row = settings_save(org=org, actor=actor, report_contact=report_contact)
    return [
        policy_generate(
            org=org, actor=actor, template_id=tid, language=language, report_contact=row.report_contact
        )
        for tid in template_ids
    ]


# --- Writing and editing ----------------------------------------------------------------------------------------


@transaction.atomic
def policy_create(
    *, org: Organization, actor, title: str, kind: str, language: str, sections: list[dict]
) -> PolicyVersion:
    """A document written from scratch (no template): the document and its draft version 1."""
    title = _title_clean(title)
    sections = sections_clean(sections)
    if kind not in Policy.Kind.values:
        raise ValidationError(_("Choose the kind of document."))
    if language not in LANGUAGE_CODES:
        raise ValidationError(_("Choose Japanese or English."))
    policy = Policy.objects.create(
        organization=org, kind=kind, title=title, language=language, created_by=_user(actor)
    )
    version = PolicyVersion.objects.create(
        organization=org, policy=policy, number=1, title=title, sections=sections, created_by=_user(actor)
    )
    audit_record(
        action="policy.created", actor=actor, org=org, target=version, data={"title": title, "kind": kind}
    )
    return version


@transaction.atomic
def policy_draft_save(
    *, policy: Policy, actor, title: str, sections: list[dict], note: str = ""
) -> PolicyVersion:
    """Save the edited text: into the draft when there is one, else as a new draft after the approved
    version (which stays in force until the owner approves the new one)."""
    title = _title_clean(title)
    sections = sections_clean(sections)
    note = _note_clean(note)
    policy = _lock(policy)
    draft = PolicyVersion.objects.filter(policy=policy, status=PolicyVersion.Status.DRAFT).first()
    created = draft is None
    if created:
        draft = PolicyVersion.objects.create(
            organization=policy.organization,
            policy=policy,
            number=_next_number(policy),
            title=title,
            sections=sections,
            note=note,
            created_by=_user(actor),
        )
    else:
        draft.title, draft.sections, draft.note = title, sections, note
        draft.save(update_fields=["title", "sections", "note", "updated_at"])
    if policy.title != title:
        policy.title = title
        policy.save(update_fields=["title"])
    audit_record(
        action="policy.edited",
        actor=actor,
        org=policy.organization,
        target=draft,
        data={"version": draft.number, "new_version": created},
    )
    return draft


# --- Approving and discarding ---------------------------------------------------------------------------------


def _can_approve(org: Organization, actor) -> bool:
    user = _user(actor)
    if user is None:
        return False
    role = Membership.objects.filter(organization=org, user=user).values_list("role", flat=True).first()
    return role_has_permission(role, "policies.approve")


@transaction.atomic
def policy_version_approve(*, version: PolicyVersion, actor, when: datetime | None = None) -> PolicyVersion:
    """The owner approves a draft: it comes into force with today's date for {effective_date}, and the
    previously approved version is superseded."""
    org = version.organization
    if not _can_approve(org, actor):
        raise PermissionDenied(_("Only the owner can approve the company's policies and rules."))
    policy = _lock(version.policy)
    version = PolicyVersion.objects.get(pk=version.pk)
    if not version.is_draft:
        raise ValidationError(_("Only a draft can be approved, and this version is not a draft."))
    when = when or timezone.now()
    previous = PolicyVersion.objects.filter(policy=policy, status=PolicyVersion.Status.APPROVED).first()
    if previous is not None:
        previous.status = PolicyVersion.Status.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
    version.status = PolicyVersion.Status.APPROVED
    version.approved_at = when
    version.approved_by = actor
    version.approved_by_name = _display_name(actor)
    version.effective_date = timezone.localdate(when)
    version.save(
        update_fields=[
            "status",
            "approved_at",
            "approved_by",
            "approved_by_name",
            "effective_date",
            "updated_at",
        ]
    )
    audit_record(
        action="policy.approved",
        actor=actor,
        org=org,
        target=version,
        data={
            "title": version.title,
            "version": version.number,
            "effective_date": version.effective_date.isoformat(),
            "superseded": previous.number if previous else None,
        },
    )
    _record_in_programme(policy=policy, version=version, actor=actor, when=when)
    return version


def _record_in_programme(*, policy: Policy, version: PolicyVersion, actor, when: datetime) -> None:
    """An approved document puts its written-rule controls in place (those of kind "process", such as
    gv-basic-policy), with the approval as their evidence. Technical controls the rule only asks for
    (MFA, updates …) are not changed by writing them down."""
    if not policy.template_id:
        return
    from ippo.catalog.loader import catalog_get
    from ippo.program.models import ControlStatus
    from ippo.program.services import control_status_apply_answers, evidence_add

    catalog = catalog_get()
    controls = []
    for control_id in library.template_get(policy.template_id).controls:
        try:
            if catalog.control(control_id).kind == "process":
                controls.append(control_id)
        except KeyError:
            continue
    if not controls:
        return
    control_status_apply_answers(
        org=version.organization,
        actor=actor,
        answers=dict.fromkeys(controls, "yes"),
        source=ControlStatus.Source.POLICY,
        source_ref=f"policyversion:{version.pk}",
        when=when,
    )
    note = _("“%(title)s” version %(number)s approved by %(name)s.") % {
        "title": version.title,
        "number": version.number,
        "name": version.approved_by_name,
    }
    for control_id in controls:
        evidence_add(
            org=version.organization,
            actor=actor,
            control_id=control_id,
            title=version.title,
            note=note,
            performed_on=version.effective_date,
        )


@transaction.atomic
def policy_draft_discard(*, version: PolicyVersion, actor) -> bool:
    """Throw a draft away. A document that was never approved goes with it. True when the document went."""
    policy = _lock(version.policy)
    version = PolicyVersion.objects.get(pk=version.pk)
    if not version.is_draft:
        raise ValidationError(_("Approved versions are part of the record and cannot be deleted."))
    others = PolicyVersion.objects.filter(policy=policy).exclude(pk=version.pk).count()
    audit_record(
        action="policy.draft_discarded",
        actor=actor,
        org=policy.organization,
        target=version,
        data={"title": version.title, "version": version.number, "document_deleted": others == 0},
    )
    version.delete()
    if others == 0:
        policy.delete()
        return True
    return False


def generated_message(versions: list[PolicyVersion]) -> str:
    return ngettext(
        "%(count)s document is ready as a draft. Read it, adjust it to how your company works, then ask the owner to approve it.",
        "%(count)s documents are ready as drafts. Read them, adjust them to how your company works, then ask the owner to approve them.",
        len(versions),
    ) % {"count": len(versions)}
