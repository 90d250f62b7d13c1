"""Writes for incidents. Each is atomic, takes the actor, and records an audit event where it matters.

Deadlines under APPI count from `Incident.aware_at` (when the company became aware), never from triage:
`_appi_clocks_sync` is called whenever that time, the assessment or the settings change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ippo.core.audit import audit_record
from ippo.core.models import Membership, Organization
from ippo.incidents import contacts, playbooks
from ippo.incidents.models import (
    APPI_KINDS,
    TRANSITIONS,
    ClockKind,
    EntryKind,
    ExternalContact,
    Incident,
    IncidentClock,
    IncidentEntry,
    IncidentSettings,
    IncidentTask,
    Kind,
    Status,
)

INCIDENT_FIELDS = (
    "title",
    "kind",
    "severity",
    "description",
    "owner",
    "near_miss",
    "aware_at",
    "occurred_at",
)
APPI_FIELDS = (
    "personal_data",
    "appi_sensitive",
    "appi_financial",
    "appi_malicious",
    "appi_over_1000",
    "appi_encrypted",
    "people_affected",
    "data_kinds",
    "cause",
    "secondary_harm",
    "measures",
    "notice_to_individuals",
    "publication",
)
CONTACT_FIELDS = ("kind", "name", "person", "url", "email", "phone", "notes")
SETTINGS_FIELDS = ("appi_preliminary_days", "contract_hours", "insurer_hours", "partner_hours")

# Report kinds of the reporting channel (ippo.reporting.models.Kind) → incident kinds; others become "other".
REPORT_KINDS = {
    "suspicious_mail": Kind.PHISHING_CLICK,
    "clicked": Kind.PHISHING_CLICK,
    "lost_device": Kind.LOST_DEVICE,
    "virus": Kind.MALWARE,
    "wrong_recipient": Kind.MISDIRECTED,
    "strange_signin": Kind.ACCOUNT_TAKEOVER,
    "ransom": Kind.RANSOMWARE,
}
# The reporting channel's severity (0 not sure, 1 minor … 4 urgent) → SEV (1 critical … 5 minimal).
REPORT_SEVERITY = {4: 1, 3: 2, 2: 3, 1: 4}


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _is_member(org: Organization, user) -> bool:
    return user is None or Membership.objects.filter(organization=org, user=user).exists()


def _check_member(org: Organization, user, field: str) -> None:
    if not _is_member(org, user):
        raise ValidationError({field: _("Choose a member of this organisation.")})


def _entry(incident: Incident, *, kind: str, text: str, actor, at: datetime | None = None) -> IncidentEntry:
    return IncidentEntry.objects.create(
        organization=incident.organization,
        incident=incident,
        kind=kind,
        text=text,
        at=at or timezone.now(),
        author=_user(actor),
    )


# --- Settings and contacts --------------------------------------------------------------------------------


def incident_settings_get(org: Organization) -> IncidentSettings:
    """The organisation's settings, unsaved defaults when there are none yet."""
    return IncidentSettings.objects.filter(organization=org).first() or IncidentSettings(organization=org)


@transaction.atomic
def incident_settings_save(*, org: Organization, actor, **fields) -> IncidentSettings:
    settings = incident_settings_get(org)
    changed = {}
    for name in SETTINGS_FIELDS:
        if name in fields and getattr(settings, name) != fields[name]:
            setattr(settings, name, fields[name])
            changed[name] = fields[name]
    settings.full_clean()
    settings.save()
    if "appi_preliminary_days" in changed:
        for incident in Incident.objects.filter(organization=org, personal_data=True).exclude(
            status=Status.CLOSED
        ):
            _appi_clocks_sync(incident, settings)
    audit_record(action="incidentsettings.updated", actor=actor, org=org, target=settings, data=changed)
    return settings


@transaction.atomic
def contacts_seed(*, org: Organization, actor=None, force: bool = False) -> int:
    """Add the public contact points and empty slots that are missing. Runs by itself once per organisation
    (the first incident, the demo); with `force` (the directory's button) it adds back what was deleted.
    Never duplicates and never overwrites an edited contact. Returns how many were added."""
    settings = incident_settings_get(org)
    if settings.contacts_seeded_at and not force:
        return 0
    present = set(
        ExternalContact.objects.filter(organization=org)
        .exclude(seed_key="")
        .values_list("seed_key", flat=True)
    )
    added = 0
    for seed in contacts.SEEDS:
        if seed.key in present:
            continue
        ExternalContact.objects.create(
            organization=org,
            kind=seed.kind,
            seed_key=seed.key,
            url=seed.url,
            email=seed.email,
            position=seed.position,
        )
        added += 1
    settings.contacts_seeded_at = settings.contacts_seeded_at or timezone.now()
    settings.save()
    if added:
        audit_record(action="externalcontact.seeded", actor=actor, org=org, data={"added": added})
    return added


@transaction.atomic
def contact_create(*, org: Organization, actor, **fields) -> ExternalContact:
    contact = ExternalContact(organization=org, **{k: v for k, v in fields.items() if k in CONTACT_FIELDS})
    contact.full_clean()
    contact.save()
    audit_record(
        action="externalcontact.created", actor=actor, org=org, target=contact, data={"name": contact.name}
    )
    return contact


@transaction.atomic
def contact_update(*, contact: ExternalContact, actor, **fields) -> ExternalContact:
    changed = []
    for name in CONTACT_FIELDS:
        if name in fields and getattr(contact, name) != fields[name]:
            setattr(contact, name, fields[name])
            changed.append(name)
    if changed:
        contact.full_clean()
        contact.save()
        audit_record(
            action="externalcontact.updated",
            actor=actor,
            org=contact.organization,
            target=contact,
            data={"changed": changed},
        )
    return contact


@transaction.atomic
def contact_delete(*, contact: ExternalContact, actor) -> None:
    audit_record(
        action="externalcontact.deleted",
        actor=actor,
        org=contact.organization,
        target=contact,
        data={"name": contact.display_name},
    )
    contact.delete()


# --- Incidents --------------------------------------------------------------------------------------------


@transaction.atomic
def incident_create(
    *,
    org: Organization,
    actor,
    title: str,
    kind: str = Kind.OTHER,
    severity: int = 3,
    description: str = "",
    owner=None,
    near_miss: bool = False,
    aware_at: datetime | None = None,
    occurred_at: datetime | None = None,
    assets: Iterable = (),
    report=None,
    apply_playbook: bool = True,
) -> Incident:
    """Record an incident (or a near miss). Its number is the next in the organisation. When the kind has a
    playbook, its first-hour steps become the checklist."""
    _check_member(org, owner, "owner")
    # Lock the organisation's row, so that two incidents recorded at once get different numbers
    # (PostgreSQL refuses FOR UPDATE together with an aggregate).
    list(Organization.objects.select_for_update().filter(pk=org.pk).values_list("pk", flat=True))
    last = Incident.objects.filter(organization=org).aggregate(n=Max("number"))["n"] or 0
    incident = Incident(
        organization=org,
        number=last + 1,
        title=title.strip(),
        kind=kind,
        severity=severity,
        description=description.strip(),
        owner=owner,
        near_miss=near_miss,
        aware_at=aware_at or timezone.now(),
        occurred_at=occurred_at,
        created_by=_user(actor),
    )
    if report is not None:
        incident.report = report
    incident.full_clean()
    incident.save()
    assets = list(assets)
    if assets:
        if any(a.organization_id != org.pk for a in assets):
            raise ValidationError({"assets": _("Choose assets of this organisation.")})
        incident.assets.set(assets)
    _entry(
        incident, kind=EntryKind.OBSERVATION, text=_("Incident recorded."), actor=actor, at=incident.aware_at
    )
    audit_record(
        action="incident.created",
        actor=actor,
        org=org,
        target=incident,
        data={"number": incident.number, "kind": kind, "severity": severity, "near_miss": near_miss},
    )
    if apply_playbook and playbooks.playbook_get(kind):
        playbook_apply(incident=incident, actor=actor)
    contacts_seed(org=org, actor=actor)
    return incident


@transaction.atomic
def incident_create_from_report(*, org: Organization, report, actor) -> Incident:
    """Turn a report from the reporting channel into an incident. The title and kind come from the report, and
    the company became aware when the report arrived (not when someone triaged it). Nothing about the reporter
    is copied: for an anonymous report there is nothing to copy, and for a named one the handlers find it on
    the report itself, under the report's own access rules."""
    existing = Incident.objects.filter(organization=org, report=report).first()
    if existing is not None:
        return existing
    report_kind = str(getattr(report, "kind", "") or "")
    kind = REPORT_KINDS.get(report_kind, Kind.OTHER)
    display = getattr(report, "get_kind_display", None)
    label = str(display()) if callable(display) else str(Kind(kind).label)
    if getattr(report, "is_concern", False):
        # A concern about misconduct is for the designated handlers only: the incident names nothing.
        title = _("Report #%(number)s") % {"number": report.pk}
    else:
        title = _("Report #%(number)s: %(what)s") % {"number": report.pk, "what": label}
    severity = REPORT_SEVERITY.get(
        getattr(report, "severity", 0) or getattr(report, "severity_guess", 0) or 0
    )
    if severity is None:
        playbook = playbooks.playbook_get(kind)
        severity = 4 if report_kind == "suspicious_mail" else (playbook.severity if playbook else 3)
    incident = incident_create(
        org=org,
        actor=actor,
        title=title[:200],
        kind=kind,
        severity=severity,
        aware_at=getattr(report, "created_at", None) or timezone.now(),
        report=report,
    )
    _entry(
        incident,
        kind=EntryKind.COMMUNICATION,
        text=_("Opened from report #%(number)s.") % {"number": report.pk},
        actor=actor,
        at=incident.aware_at,
    )
    return incident


@transaction.atomic
def incident_update(*, incident: Incident, actor, assets: Iterable | None = None, **fields) -> Incident:
    org = incident.organization
    changed = {}
    for name in INCIDENT_FIELDS:
        if name in fields and getattr(incident, name) != fields[name]:
            setattr(incident, name, fields[name])
            changed[name] = str(fields[name]) if fields[name] is not None else None
    if "owner" in changed:
        _check_member(org, incident.owner, "owner")
    incident.full_clean()
    incident.save()
    if assets is not None:
        assets = list(assets)
        if any(a.organization_id != org.pk for a in assets):
            raise ValidationError({"assets": _("Choose assets of this organisation.")})
        before = set(incident.assets.values_list("pk", flat=True))
        if before != {a.pk for a in assets}:
            incident.assets.set(assets)
            changed["assets"] = sorted(a.pk for a in assets)
    if "aware_at" in changed:
        _appi_clocks_sync(incident, incident_settings_get(org))
    if "severity" in changed:
        _entry(
            incident,
            kind=EntryKind.DECISION,
            text=_("Severity set to %(severity)s.") % {"severity": incident.get_severity_display()},
            actor=actor,
        )
    if changed:
        audit_record(action="incident.updated", actor=actor, org=org, target=incident, data=changed)
    return incident


@transaction.atomic
def incident_status_change(
    *, incident: Incident, actor, status: str, note: str = "", now: datetime | None = None
) -> Incident:
    """Move the incident along the workflow. Leaving "new" records the acknowledgement, reaching "recovery"
    records containment, and "closed" the closing time (all used for the SLA timers)."""
    now = now or timezone.now()
    if status not in TRANSITIONS[incident.status]:
        raise ValidationError(
            _("An incident in “%(from)s” cannot move to “%(to)s”.")
            % {
                "from": incident.get_status_display(),
                "to": Status(status).label if status in Status.values else status,
            }
        )
    before = incident.status
    incident.status = status
    if before == Status.NEW and incident.acknowledged_at is None:
        incident.acknowledged_at = now
    if (
        status in (Status.RECOVERY, Status.REVIEW)
        and incident.contained_at is None
        and before == Status.CONTAINMENT
    ):
        incident.contained_at = now
    if status == Status.CLOSED:
        incident.closed_at = now
    elif before == Status.CLOSED:
        incident.closed_at = None
    incident.save()
    text = _("Status changed from “%(from)s” to “%(to)s”.") % {
        "from": Status(before).label,
        "to": Status(status).label,
    }
    if note.strip():
        text = f"{text}\n{note.strip()}"
    _entry(incident, kind=EntryKind.DECISION, text=text, actor=actor, at=now)
    audit_record(
        action="incident.status_changed",
        actor=actor,
        org=incident.organization,
        target=incident,
        data={"from": before, "to": status},
    )
    return incident


@transaction.atomic
def playbook_apply(*, incident: Incident, actor, playbook_id: str | None = None) -> list[IncidentTask]:
    """Add the playbook's first-hour steps to the checklist (steps already there are skipped)."""
    playbook = playbooks.playbook_get(playbook_id or incident.kind)
    if playbook is None:
        raise ValidationError(_("There is no playbook for this kind of incident."))
    present = set(incident.tasks.exclude(step="").values_list("step", flat=True))
    start = (incident.tasks.aggregate(n=Max("position"))["n"] or 0) + 1
    created = []
    for n, step in enumerate(playbook.first_hour):
        key = playbook.step_key(step)
        if key in present:
            continue
        created.append(
            IncidentTask(organization=incident.organization, incident=incident, step=key, position=start + n)
        )
    IncidentTask.objects.bulk_create(created)
    if not incident.playbook_applied:
        incident.playbook_applied = playbook.id
        incident.save(update_fields=["playbook_applied"])
    if created:
        audit_record(
            action="incident.playbook_applied",
            actor=actor,
            org=incident.organization,
            target=incident,
            data={"playbook": playbook.id, "version": playbook.version, "tasks": len(created)},
        )
    return created


@transaction.atomic
def task_add(*, incident: Incident, actor, title: str, assignee=None) -> IncidentTask:
    _check_member(incident.organization, assignee, "assignee")
    start = (incident.tasks.aggregate(n=Max("position"))["n"] or 0) + 1
    task = IncidentTask(
        organization=incident.organization,
        incident=incident,
        title=title.strip(),
        assignee=assignee,
        position=start,
    )
    if not task.title:
        raise ValidationError({"title": _("Write what needs doing.")})
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def task_update(
    *, task: IncidentTask, actor, done: bool | None = None, assignee=..., now: datetime | None = None
) -> IncidentTask:
    """Tick or untick a task, or change who does it. Ticking adds an "action" line to the timeline."""
    fields = []
    if assignee is not ...:
        _check_member(task.organization, assignee, "assignee")
        if task.assignee != assignee:
            task.assignee = assignee
            fields.append("assignee")
    if done is not None and done != task.is_done:
        task.done_at = (now or timezone.now()) if done else None
        task.done_by = _user(actor) if done else None
        fields += ["done_at", "done_by"]
        if done:
            _entry(
                task.incident,
                kind=EntryKind.ACTION,
                text=_("Done: %(task)s") % {"task": task.text},
                actor=actor,
                at=task.done_at,
            )
    if fields:
        task.save(update_fields=fields)
    return task


@transaction.atomic
def entry_add(
    *, incident: Incident, actor, kind: str, text: str, at: datetime | None = None
) -> IncidentEntry:
    entry = IncidentEntry(
        organization=incident.organization,
        incident=incident,
        kind=kind,
        text=text.strip(),
        at=at or timezone.now(),
        author=_user(actor),
    )
    entry.full_clean()
    entry.save()
    return entry


# --- Personal data and deadlines --------------------------------------------------------------------------


def appi_due(incident: Incident, settings: IncidentSettings) -> dict[str, datetime]:
    """When the two PPC reports are due: counted from the moment the company became aware."""
    return {
        ClockKind.APPI_PRELIMINARY: incident.aware_at + timedelta(days=settings.appi_preliminary_days),
        ClockKind.APPI_FINAL: incident.aware_at + timedelta(days=incident.appi_final_days),
    }


def _appi_clocks_sync(incident: Incident, settings: IncidentSettings) -> None:
    """Start, move or stop the PPC clocks to match the assessment. Clocks already done are left alone."""
    clocks = {c.kind: c for c in IncidentClock.objects.filter(incident=incident, kind__in=APPI_KINDS)}
    if not incident.appi_reportable:
        for clock in clocks.values():
            if not clock.is_done:
                clock.delete()
        return
    for kind, due in appi_due(incident, settings).items():
        clock = clocks.get(kind)
        if clock is None:
            IncidentClock.objects.create(
                organization=incident.organization, incident=incident, kind=kind, due_at=due
            )
        elif not clock.is_done and clock.due_at != due:
            clock.due_at = due
            clock.reminded_at = clock.overdue_notified_at = None  # a new date: remind again
            clock.save(update_fields=["due_at", "reminded_at", "overdue_notified_at"])


@transaction.atomic
def incident_personal_data_save(*, incident: Incident, actor, **fields) -> Incident:
    """Save the personal-data assessment and the fields of the PPC report; start or adjust the clocks."""
    changed = {}
    for name in APPI_FIELDS:
        if name in fields and getattr(incident, name) != fields[name]:
            setattr(incident, name, fields[name])
            changed[name] = (
                fields[name] if isinstance(fields[name], bool | int) or fields[name] is None else "…"
            )
    incident.full_clean()
    incident.save()
    was = IncidentClock.objects.filter(incident=incident, kind__in=APPI_KINDS).exists()
    _appi_clocks_sync(incident, incident_settings_get(incident.organization))
    now_running = incident.appi_reportable
    if now_running and not was:
        _entry(
            incident,
            kind=EntryKind.DECISION,
            text=_(
                "Assessed as reportable to the Personal Information Protection Commission: deadlines started from the moment the company became aware."
            ),
            actor=actor,
        )
    if changed:
        audit_record(
            action="incident.personal_data_assessed",
            actor=actor,
            org=incident.organization,
            target=incident,
            data={"changed": changed, "reportable": now_running},
        )
    return incident


@transaction.atomic
def clock_add(
    *,
    incident: Incident,
    actor,
    kind: str,
    label: str = "",
    hours: int | None = None,
    due_at: datetime | None = None,
) -> IncidentClock:
    """A contract, insurer, partner, police or other deadline: `hours` after awareness, or at `due_at`."""
    if kind in APPI_KINDS:
        raise ValidationError({"kind": _("The PPC deadlines start from the personal-data assessment.")})
    if due_at is None:
        if hours is None:
            raise ValidationError(
                {"hours": _("Give the deadline in hours after the company became aware, or a date.")}
            )
        due_at = incident.aware_at + timedelta(hours=hours)
    clock = IncidentClock(
        organization=incident.organization, incident=incident, kind=kind, label=label.strip(), due_at=due_at
    )
    clock.full_clean()
    clock.save()
    audit_record(
        action="incidentclock.added",
        actor=actor,
        org=incident.organization,
        target=clock,
        data={"incident": incident.number, "kind": kind, "due_at": due_at.isoformat()},
    )
    return clock


@transaction.atomic
def clocks_usual_add(*, incident: Incident, actor) -> list[IncidentClock]:
    """Start the contract, insurer and partner clocks that the settings give hours for (once each)."""
    settings = incident_settings_get(incident.organization)
    present = set(incident.clocks.values_list("kind", flat=True))
    added = []
    for kind, hours in (
        (ClockKind.CONTRACT, settings.contract_hours),
        (ClockKind.INSURER, settings.insurer_hours),
        (ClockKind.PARTNER, settings.partner_hours),
    ):
        if hours is not None and kind not in present:
            added.append(clock_add(incident=incident, actor=actor, kind=kind, hours=hours))
    return added


@transaction.atomic
def clock_done(*, clock: IncidentClock, actor, when: datetime | None = None) -> IncidentClock:
    if clock.is_done:
        return clock
    clock.done_at = when or timezone.now()
    clock.save(update_fields=["done_at"])
    _entry(
        clock.incident,
        kind=EntryKind.COMMUNICATION,
        text=_("Deadline met: %(what)s") % {"what": clock.get_kind_display()}
        + (f" ({clock.label})" if clock.label else ""),
        actor=actor,
        at=clock.done_at,
    )
    audit_record(
        action="incidentclock.done",
        actor=actor,
        org=clock.organization,
        target=clock,
        data={"incident": clock.incident.number, "kind": clock.kind},
    )
    return clock


# --- Review -----------------------------------------------------------------------------------------------


@transaction.atomic
def incident_review_save(
    *,
    incident: Incident,
    actor,
    what_happened: str,
    went_well: str,
    to_improve: str,
    lessons: Iterable[str] = (),
    owner=None,
    due_date=None,
):
    """Save the short review. Each lesson (one line each) becomes an action item in the security plan."""
    from ippo.program.services import action_item_create

    incident.review_what_happened = what_happened.strip()
    incident.review_went_well = went_well.strip()
    incident.review_to_improve = to_improve.strip()
    incident.reviewed_at = incident.reviewed_at or timezone.now()
    incident.full_clean()
    incident.save()
    items = []
    for lesson in lessons:
        lesson = lesson.strip()
        if not lesson:
            continue
        item = action_item_create(
            org=incident.organization,
            actor=actor,
            title=lesson[:200],
            description=_("A lesson from the review of incident #%(number)s “%(title)s”.")
            % {"number": incident.number, "title": incident.title},
            owner=owner,
            due_date=due_date,
        )
        items.append(item)
    if items:
        incident.review_actions.add(*items)
    audit_record(
        action="incident.reviewed",
        actor=actor,
        org=incident.organization,
        target=incident,
        data={"action_items": [i.pk for i in items]},
    )
    return items


def incidents_exported(*, org: Organization, actor, fmt: str, count: int) -> None:
    audit_record(action="incident.exported", actor=actor, org=org, data={"format": fmt, "count": count})
