"""Writes for the self-assessment: profile, starting, answering, assigning, completing, discarding."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ippo.assessments import results
from ippo.assessments.models import (
    Answer,
    Assessment,
    CompanyProfile,
    Headcount,
    Industry,
    ITUse,
    SectionAssignment,
)
from ippo.catalog.loader import catalog_get
from ippo.core.audit import audit_record
from ippo.core.models import Organization
from ippo.core.selectors import working_memberships
from ippo.program.models import ControlStatus
from ippo.program.services import action_items_from_gaps, control_status_apply_answers, recurring_tasks_ensure

SECTIONS = ("GV", "ID", "PR", "DE", "RS", "RC")


def profile_get(*, org: Organization) -> CompanyProfile | None:
    return CompanyProfile.objects.filter(organization=org).first()


@transaction.atomic
def profile_save(
    *,
    org: Organization,
    actor,
    industry: str | None = None,
    headcount: str | None = None,
    it_uses: Iterable[str] | None = None,
    complete: bool = False,
) -> CompanyProfile:
    """Save the wizard's answers (only the fields given); `complete` marks the wizard as finished."""
    profile = profile_get(org=org) or CompanyProfile(organization=org)
    changed = {}
    if industry is not None:
        if industry and industry not in Industry.values:
            raise ValidationError(_("Choose an industry from the list."))
        changed["industry"] = profile.industry = industry
    if headcount is not None:
        if headcount and headcount not in Headcount.values:
            raise ValidationError(_("Choose a number of employees from the list."))
        changed["headcount"] = profile.headcount = headcount
    if it_uses is not None:
        uses = sorted(set(it_uses))
        if set(uses) - set(ITUse.values):
            raise ValidationError(_("Choose from the listed kinds of IT."))
        changed["it_uses"] = profile.it_uses = uses
    if complete and profile.completed_at is None:
        profile.completed_at = timezone.now()
        changed["completed"] = True
    profile.save()
    if changed:
        audit_record(action="profile.updated", actor=actor, org=org, target=profile, data=changed)
    return profile


@transaction.atomic
def assessment_start(*, org: Organization, actor, kind: str) -> Assessment:
    """Start an assessment of this kind, or return the draft already in progress (one draft per kind)."""
    if kind not in Assessment.Kind.values:
        raise ValidationError(_("Unknown kind of assessment."))
    draft = Assessment.objects.filter(organization=org, kind=kind, status=Assessment.Status.DRAFT).first()
    if draft is not None:
        return draft
    profile = profile_get(org=org)
    assessment = Assessment.objects.create(
        organization=org,
        kind=kind,
        catalog_version=catalog_get().version,
        it_uses=profile.it_uses if profile else [],
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(action="assessment.started", actor=actor, org=org, target=assessment, data={"kind": kind})
    return assessment


def _check_answer(valid_ids: set[str], item_id: str, value: str, evidence_url: str) -> None:
    if item_id not in valid_ids:
        raise ValidationError(_("Unknown question: %(id)s") % {"id": item_id})
    if value not in Answer.Value.values:
        raise ValidationError(_("Choose one of the answers."))
    if evidence_url:
        try:
            URLValidator(schemes=["http", "https"])(evidence_url)
        except ValidationError:
            raise ValidationError(
                _("The evidence link must be a web address starting with https:// or http://.")
            ) from None


@transaction.atomic
def answers_save(*, assessment: Assessment, actor, answers: Mapping[str, Mapping[str, str]]) -> list[Answer]:
    """Save answers to a draft: item id → {"value", "note", "evidence_url"}. All or nothing: one bad
    answer saves none (the form shows which). Two queries plus the writes, whatever the number."""
    if not assessment.is_draft:
        raise ValidationError(_("This assessment is completed and can no longer be changed."))
    catalog = catalog_get()
    errors = {}
    valid_ids = {i.id for i in results.items_for(catalog, assessment.kind, assessment.it_uses)}
    for item_id, fields in answers.items():
        try:
            _check_answer(valid_ids, item_id, fields.get("value", ""), fields.get("evidence_url", ""))
        except ValidationError as exc:
            errors[item_id] = exc.messages
    if errors:
        raise ValidationError(errors)
    existing = {a.item_id: a for a in Answer.objects.filter(assessment=assessment, item_id__in=list(answers))}
    user = actor if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    to_create, to_update = [], []
    for item_id, fields in answers.items():
        version = catalog.control(item_id).version if assessment.kind == Assessment.Kind.FULL else None
        row = existing.get(item_id) or Answer(
            organization_id=assessment.organization_id, assessment=assessment, item_id=item_id
        )
        row.value = fields["value"]
        row.note = (fields.get("note") or "").strip()[:2000]
        row.evidence_url = (fields.get("evidence_url") or "").strip()
        row.control_version = version
        row.answered_by = user
        row.updated_at = now
        (to_update if row.pk else to_create).append(row)
    Answer.objects.bulk_create(to_create)
    Answer.objects.bulk_update(
        to_update, ["value", "note", "evidence_url", "control_version", "answered_by", "updated_at"]
    )
    return to_create + to_update


def answers_of(assessment: Assessment) -> dict[str, Answer]:
    return {a.item_id: a for a in Answer.objects.filter(assessment=assessment)}


def unanswered_ids(assessment: Assessment, answered: Iterable[str]) -> list[str]:
    answered = set(answered)
    return [
        i.id
        for i in results.items_for(catalog_get(), assessment.kind, assessment.it_uses)
        if i.id not in answered
    ]


@transaction.atomic
def assessment_complete(*, assessment: Assessment, actor, when=None) -> Assessment:
    """Score a draft, store its result, move control status, and keep it in the history."""
    if not assessment.is_draft:
        raise ValidationError(_("This assessment is already completed."))
    answers = {item_id: a.value for item_id, a in answers_of(assessment).items()}
    missing = unanswered_ids(assessment, answers)
    if missing:
        raise ValidationError(
            ngettext(
                "%(count)s question is still unanswered. Choose “Don't know” where you are not sure.",
                "%(count)s questions are still unanswered. Choose “Don't know” where you are not sure.",
                len(missing),
            )
            % {"count": len(missing)}
        )
    catalog = catalog_get()
    when = when or timezone.now()
    result = results.result_compute(
        catalog=catalog, kind=assessment.kind, answers=answers, it_uses=assessment.it_uses
    )
    assessment.status = Assessment.Status.COMPLETED
    assessment.completed_at = when
    assessment.completed_by = actor if getattr(actor, "is_authenticated", False) else None
    assessment.catalog_version = catalog.version
    assessment.result = result
    assessment.save(update_fields=["status", "completed_at", "completed_by", "catalog_version", "result"])
    control_status_apply_answers(
        org=assessment.organization,
        actor=actor,
        answers=result["control_answers"],
        source=ControlStatus.Source.QUICK_CHECK
        if assessment.kind == Assessment.Kind.QUICK
        else ControlStatus.Source.ASSESSMENT,
        source_ref=f"assessment:{assessment.pk}",
        when=when,
    )
    action_items_from_gaps(
        org=assessment.organization,
        actor=actor,
        gaps=result["gaps"],
        answers=result["control_answers"],
        source_ref=f"assessment:{assessment.pk}",
    )
    # The measures in place become habits: each one with a default recurrence gets a recurring task.
    recurring_tasks_ensure(
        org=assessment.organization,
        actor=actor,
        control_ids=[cid for cid, value in result["control_answers"].items() if value in ("yes", "partial")],
    )
    audit_record(
        action="assessment.completed",
        actor=actor,
        org=assessment.organization,
        target=assessment,
        data={"kind": assessment.kind, "overall": result["overall"], "tier": result["tier"]},
    )
    return assessment


@transaction.atomic
def assessment_discard(*, assessment: Assessment, actor) -> None:
    if not assessment.is_draft:
        raise ValidationError(_("A completed assessment is part of the history and cannot be deleted."))
    audit_record(
        action="assessment.discarded",
        actor=actor,
        org=assessment.organization,
        target=assessment,
        data={"kind": assessment.kind, "answers": assessment.answers.count()},
    )
    assessment.delete()


@transaction.atomic
def section_assign(
    *, assessment: Assessment, actor, section: str, assignee_id: int | None
) -> SectionAssignment | None:
    """Assign one section of a full assessment to a member of the organisation (None: unassign)."""
    if assessment.kind != Assessment.Kind.FULL or not assessment.is_draft:
        raise ValidationError(_("Only the sections of a full assessment in progress can be assigned."))
    if section not in SECTIONS:
        raise ValidationError(_("Unknown section."))
    SectionAssignment.objects.filter(assessment=assessment, section=section).delete()
    assignment = None
    email = ""
    if assignee_id:
        membership = working_memberships(assessment.organization).filter(user_id=assignee_id).first()
        if membership is None:
            raise ValidationError(_("Choose a member of this organisation who can answer."))
        assignment = SectionAssignment.objects.create(
            organization=assessment.organization,
            assessment=assessment,
            section=section,
            assignee=membership.user,
        )
        email = membership.user.email
    audit_record(
        action="assessment.section_assigned",
        actor=actor,
        org=assessment.organization,
        target=assessment,
        data={"section": section, "assignee": email},
    )
    return assignment


@transaction.atomic
def export_recorded(*, assessment: Assessment, actor, fmt: str) -> None:
    """Exports carry the organisation's answers out of ippo: keep a record of who took them."""
    audit_record(
        action="assessment.exported",
        actor=actor,
        org=assessment.organization,
        target=assessment,
        data={"format": fmt},
    )
