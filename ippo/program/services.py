"""Writes to the control-status hub."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ippo.catalog.loader import catalog_get
from ippo.core.audit import audit_record
from ippo.core.models import Organization
from ippo.program.models import RECURRENCE_MONTHS, ControlStatus

STATUS_FOR_ANSWER = {
    "yes": ControlStatus.Status.IMPLEMENTED,
    "partial": ControlStatus.Status.PARTIAL,
    "no": ControlStatus.Status.NOT_IMPLEMENTED,
    "unknown": ControlStatus.Status.UNKNOWN,
}


@transaction.atomic
def control_status_apply_answers(
    *,
    org: Organization,
    actor,
    answers: Mapping[str, str],
    source: str,
    source_ref: str,
    when: datetime,
) -> int:
    """Set the status of every control in `answers` (control id → yes/partial/no/unknown) from one
    source, such as a completed assessment. Returns how many rows were written. Two queries plus the writes,
    whatever the number of controls. A status set later than `when` (by a newer source) is kept."""
    catalog = catalog_get()
    existing = {
        s.control_id: s for s in ControlStatus.objects.filter(organization=org, control_id__in=list(answers))
    }
    to_create, to_update = [], []
    user = actor if getattr(actor, "is_authenticated", False) else None
    for control_id, answer in answers.items():
        status = STATUS_FOR_ANSWER[answer]
        version = catalog.control(control_id).version
        row = existing.get(control_id)
        if row is None:
            to_create.append(
                ControlStatus(
                    organization=org,
                    control_id=control_id,
                    control_version=version,
                    status=status,
                    source=source,
                    source_ref=source_ref,
                    updated_at=when,
                    updated_by=user,
                )
            )
        elif row.updated_at <= when:
            row.status, row.control_version, row.source, row.source_ref = status, version, source, source_ref
            row.updated_at, row.updated_by = when, user
            to_update.append(row)
    ControlStatus.objects.bulk_create(to_create)
    ControlStatus.objects.bulk_update(
        to_update, ["status", "control_version", "source", "source_ref", "updated_at", "updated_by"]
    )
    return len(to_create) + len(to_update)


# --- Action plan -------------------------------------------------------------------------------------------

OPEN = ("todo", "in_progress")


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def action_items_from_gaps(
    *, org: Organization, actor, gaps: list[dict], answers: dict[str, str], source_ref: str
) -> dict[str, int]:
    """Turn an assessment's gaps into action items without double entry: one open item per control.
    An open item for a control this assessment found in place ("yes") is closed as done; controls it did
    not ask about are left alone. Returns counts."""
    from ippo.program.models import ActionItem

    open_items = {
        i.control_id: i
        for i in ActionItem.objects.filter(organization=org, source=ActionItem.Source.GAP, status__in=OPEN)
    }
    gap_ids = {g["control_id"] for g in gaps}
    created = updated = closed = 0
    now = timezone.now()
    for gap in gaps:
        item = open_items.get(gap["control_id"])
        if item is None:
            ActionItem.objects.create(
                organization=org,
                control_id=gap["control_id"],
                source=ActionItem.Source.GAP,
                source_ref=source_ref,
                priority=gap["priority"],
                created_by=_user(actor),
            )
            created += 1
        elif item.priority != gap["priority"]:
            item.priority, item.source_ref = gap["priority"], source_ref
            item.save(update_fields=["priority", "source_ref", "updated_at"])
            updated += 1
    for control_id, item in open_items.items():
        if control_id not in gap_ids and answers.get(control_id) == "yes":
            item.status, item.completed_at, item.completed_by = ActionItem.Status.DONE, now, _user(actor)
            item.save(update_fields=["status", "completed_at", "completed_by", "updated_at"])
            closed += 1
    if created or closed:
        audit_record(
            action="actionitem.generated",
            actor=actor,
            org=org,
            data={"source": source_ref, "created": created, "updated": updated, "closed": closed},
        )
    return {"created": created, "updated": updated, "closed": closed}


@transaction.atomic
def action_plan_exported(*, org: Organization, actor, fmt: str, count: int) -> None:
    """An export carries the plan out of ippo: keep a record of who took it."""
    audit_record(action="actionitem.exported", actor=actor, org=org, data={"format": fmt, "count": count})


@transaction.atomic
def action_item_create(
    *,
    org: Organization,
    actor,
    title: str,
    control_id: str = "",
    description: str = "",
    owner=None,
    due_date=None,
):
    from ippo.program.models import ActionItem

    if control_id:
        catalog_get().control(control_id)  # KeyError for an unknown control
    item = ActionItem(
        organization=org,
        title=title.strip(),
        control_id=control_id,
        description=description.strip(),
        owner=owner,
        due_date=due_date,
        source=ActionItem.Source.MANUAL,
        created_by=_user(actor),
    )
    item.full_clean()
    item.save()
    audit_record(action="actionitem.created", actor=actor, org=org, target=item, data={"title": str(item)})
    return item


@transaction.atomic
def action_item_update(*, item, actor, **fields):
    """Change title, description, owner, due date or status (not to done: use action_item_complete)."""
    from ippo.program.models import ActionItem

    allowed = {"title", "description", "owner", "due_date", "status"}
    changed = {}
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(name)
        if name == "status" and value == ActionItem.Status.DONE:
            raise ValidationError(_("Use “Mark as done” to complete an item."))
        if getattr(item, name) != value:
            setattr(item, name, value)
            changed[name] = str(value) if value is not None else None
    if not changed:
        return item
    if "owner" in changed or "due_date" in changed:
        item.reminded_at = item.overdue_notified_at = item.escalated_at = (
            None  # a new owner or date: remind again
        )
    item.full_clean()
    item.save()
    audit_record(action="actionitem.updated", actor=actor, org=item.organization, target=item, data=changed)
    return item


@transaction.atomic
def action_item_complete(*, item, actor, evidence: dict | None = None, when=None):
    """Mark an item done, attach its evidence, move its control to "in place", and for a recurring task
    schedule the next occurrence."""
    from ippo.program.models import ActionItem

    if not item.is_open:
        raise ValidationError(_("This item is already closed."))
    when = when or timezone.now()
    if evidence:
        evidence_add(
            org=item.organization, actor=actor, control_id=item.control_id, action_item=item, **evidence
        )
    item.status, item.completed_at, item.completed_by = ActionItem.Status.DONE, when, _user(actor)
    item.save(update_fields=["status", "completed_at", "completed_by", "updated_at"])
    if item.control_id:
        try:
            catalog_get().control(item.control_id)
        except KeyError:
            pass  # retired from the catalog
        else:
            control_status_apply_answers(
                org=item.organization,
                actor=actor,
                answers={item.control_id: "yes"},
                source=ControlStatus.Source.ACTION_ITEM,
                source_ref=f"actionitem:{item.pk}",
                when=when,
            )
    done_on = timezone.localdate(when)
    if item.recurring_task_id:
        task = item.recurring_task
        task.last_done = done_on
        task.next_due = add_months(done_on, RECURRENCE_MONTHS[task.recurrence])
        task.save(update_fields=["last_done", "next_due"])
    elif item.control_id:
        recurring_tasks_ensure(
            org=item.organization, actor=actor, control_ids=[item.control_id], first_due=None, done_on=done_on
        )
    audit_record(
        action="actionitem.completed",
        actor=actor,
        org=item.organization,
        target=item,
        data={"control": item.control_id, "evidence": bool(evidence)},
    )
    return item


@transaction.atomic
def action_comment_add(*, item, actor, body: str):
    from ippo.program.models import ActionComment

    body = body.strip()
    if not body:
        raise ValidationError(_("Write a comment first."))
    return ActionComment.objects.create(
        organization=item.organization, item=item, author=_user(actor), body=body[:5000]
    )


# --- Evidence -----------------------------------------------------------------------------------------------

EVIDENCE_EXTENSIONS = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".txt": "text/plain",
    ".log": "text/plain",
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".zip": "application/zip",
    ".eml": "message/rfc822",
}


def evidence_max_bytes() -> int:
    from ippo.lib.env import env_int

    return env_int("IPPO_EVIDENCE_MAX_MB", 20) * 1024 * 1024


def evidence_check_upload(upload) -> str:
    """The content type to store for an upload, or ValidationError with a clear message."""
    import os

    ext = os.path.splitext(upload.name or "")[1].lower()
    if ext not in EVIDENCE_EXTENSIONS:
        raise ValidationError(
            _("Files of type “%(ext)s” cannot be attached. Allowed: %(allowed)s.")
            % {"ext": ext or "?", "allowed": ", ".join(sorted(e.lstrip(".") for e in EVIDENCE_EXTENSIONS))}
        )
    if upload.size > evidence_max_bytes():
        raise ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": evidence_max_bytes() // (1024 * 1024)}
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    return EVIDENCE_EXTENSIONS[ext]


@transaction.atomic
def evidence_add(
    *,
    org: Organization,
    actor,
    control_id: str = "",
    action_item=None,
    title: str = "",
    upload=None,
    url: str = "",
    note: str = "",
    performed_on=None,
):
    """Attach one piece of evidence: a file, a link or a note (in that order of preference)."""
    import hashlib

    from ippo.program.models import Evidence

    if control_id:
        catalog_get().control(control_id)
    performed_on = performed_on or timezone.localdate()
    if performed_on > timezone.localdate():
        raise ValidationError(_("The date done cannot be in the future."))
    evidence = Evidence(
        organization=org,
        control_id=control_id,
        action_item=action_item,
        title=(title or "").strip()[:200],
        note=(note or "").strip(),
        url=(url or "").strip(),
        performed_on=performed_on,
        created_by=_user(actor),
    )
    if upload is not None:
        evidence.content_type = evidence_check_upload(upload)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        evidence.kind = Evidence.Kind.FILE
        evidence.filename = (upload.name or "file")[-255:]
        evidence.size = upload.size
        evidence.sha256 = digest.hexdigest()
        evidence.title = evidence.title or evidence.filename
    elif evidence.url:
        evidence.kind = Evidence.Kind.LINK
        evidence.title = evidence.title or evidence.url[:200]
    elif evidence.note:
        evidence.kind = Evidence.Kind.NOTE
        evidence.title = evidence.title or evidence.note[:60]
    else:
        raise ValidationError(_("Attach a file, a link or a note."))
    evidence.full_clean(exclude=["file"])
    if upload is not None:
        evidence.file.save(evidence.filename, upload, save=False)
    evidence.save()
    audit_record(
        action="evidence.added",
        actor=actor,
        org=org,
        target=evidence,
        data={"control": control_id, "kind": evidence.kind, "sha256": evidence.sha256},
    )
    return evidence


# --- Recurring tasks ----------------------------------------------------------------------------------------


def add_months(day, months: int):
    """The same day `months` later, clamped to the end of a shorter month (31 Jan + 1 → 28/29 Feb)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def recurring_tasks_ensure(
    *, org: Organization, actor, control_ids, today=None, first_due=None, done_on=None
) -> int:
    """A recurring task for each given control that has a default recurrence and none yet (editable per
    organisation afterwards). The first occurrence is due one interval after `done_on` when the work was
    just done, else in two weeks. Returns how many were created."""
    from datetime import timedelta

    from ippo.program.models import RecurringTask

    catalog = catalog_get()
    today = today or timezone.localdate()
    existing = set(RecurringTask.objects.filter(organization=org).values_list("control_id", flat=True))
    rows = []
    for control_id in control_ids:
        try:
            control = catalog.control(control_id)
        except KeyError:
            continue
        if control.recurrence and control_id not in existing:
            if done_on is not None:
                next_due = add_months(done_on, RECURRENCE_MONTHS[control.recurrence])
            else:
                next_due = first_due or today + timedelta(days=14)
            rows.append(
                RecurringTask(
                    organization=org,
                    control_id=control_id,
                    recurrence=control.recurrence,
                    next_due=next_due,
                    last_done=done_on,
                )
            )
    RecurringTask.objects.bulk_create(rows)
    return len(rows)


LEAD_DAYS = 14  # an occurrence appears in the plan this many days before it is due


@transaction.atomic
def recurring_occurrences_create(*, org: Organization, today) -> int:
    """Create the action item for every active recurring task due within LEAD_DAYS that has none open."""
    from datetime import timedelta

    from ippo.program.models import ActionItem, RecurringTask

    due = RecurringTask.objects.filter(
        organization=org, is_active=True, next_due__lte=today + timedelta(days=LEAD_DAYS)
    )
    open_for = set(
        ActionItem.objects.filter(organization=org, recurring_task__in=due, status__in=OPEN).values_list(
            "recurring_task_id", flat=True
        )
    )
    items = [
        ActionItem(
            organization=org,
            control_id=task.control_id,
            title=task.title,
            source=ActionItem.Source.RECURRING,
            source_ref=f"recurring:{task.pk}",
            recurring_task=task,
            owner_id=task.owner_id,
            due_date=task.next_due,
        )
        for task in due
        if task.pk not in open_for
    ]
    ActionItem.objects.bulk_create(items)
    return len(items)


@transaction.atomic
def recurring_task_update(*, task, actor, recurrence: str, next_due, owner, is_active: bool):
    task.recurrence, task.next_due, task.owner, task.is_active = recurrence, next_due, owner, is_active
    task.full_clean()
    task.save()
    audit_record(
        action="recurringtask.updated",
        actor=actor,
        org=task.organization,
        target=task,
        data={"recurrence": recurrence, "next_due": str(next_due), "active": is_active},
    )
    return task


@transaction.atomic
def evidence_age_check(*, org: Organization, today) -> list[str]:
    """Lower to "partly in place" every control that is in place but whose newest evidence is older than
    its recurrence (a restore test from eight months ago for a quarterly test), and record why.
    Returns the control ids lowered."""
    from ippo.program.selectors import stale_evidence

    stale = stale_evidence(org, today)
    if not stale:
        return []
    rows = list(
        ControlStatus.objects.filter(
            organization=org, control_id__in=list(stale), status=ControlStatus.Status.IMPLEMENTED
        )
    )
    now = timezone.now()
    for row in rows:
        row.status, row.source, row.source_ref, row.updated_at, row.updated_by = (
            ControlStatus.Status.PARTIAL,
            ControlStatus.Source.EVIDENCE_AGED,
            f"evidence:{stale[row.control_id].latest.isoformat()}",
            now,
            None,
        )
    ControlStatus.objects.bulk_update(rows, ["status", "source", "source_ref", "updated_at", "updated_by"])
    for row in rows:
        audit_record(
            action="controlstatus.evidence_aged",
            actor="ippo",
            org=org,
            target=row,
            data={"control": row.control_id, "latest_evidence": stale[row.control_id].latest.isoformat()},
            via="task",
        )
    return [row.control_id for row in rows]
