"""Writes for tabletop exercises: plan, run, take notes, hot wash, and turn the after-action report's actions
into action items in the plan (through ippo.program.services.action_item_create)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ippo.core.audit import audit_record
from ippo.core.models import Membership, Organization
from ippo.tabletop.content import ROLES, scenario_get
from ippo.tabletop.models import BRIEFING_KEY, Exercise, ExerciseAction, InjectNote, Participant


@dataclass(frozen=True)
class PlayerSpec:
    """One participant to plan: a member (user) or an outsider (name), in a role."""

    role: str
    user: object | None = None
    name: str = ""


def _check_members(org: Organization, users) -> None:
    ids = {u.pk for u in users if u is not None}
    if not ids:
        return
    found = set(
        Membership.objects.filter(organization=org, user_id__in=ids).values_list("user_id", flat=True)
    )
    if found != ids:
        raise ValidationError(_("Choose people who belong to the organisation."))


def _set_participants(exercise: Exercise, players: list[PlayerSpec]) -> None:
    rows = []
    seen = set()
    for p in players:
        if p.role not in ROLES:
            raise ValidationError(_("Unknown role in the exercise."))
        name = (p.name or "").strip()
        if p.user is None and not name:
            continue
        key = (p.role, p.user.pk if p.user is not None else None, name)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            Participant(
                organization=exercise.organization,
                exercise=exercise,
                role=p.role,
                user=p.user,
                name=name[:120],
            )
        )
    exercise.participants.all().delete()
    Participant.objects.bulk_create(rows)


def _scenario_or_error(scenario_id: str):
    scenario = scenario_get(scenario_id)
    if scenario is None:
        raise ValidationError({"scenario_id": _("Choose one of the scenarios.")})
    return scenario


@transaction.atomic
def exercise_plan(
    *,
    org: Organization,
    actor,
    scenario_id: str,
    scheduled_on: date,
    start_time: time | None = None,
    duration_minutes: int | None = None,
    location: str = "",
    facilitator=None,
    facilitator_name: str = "",
    players: list[PlayerSpec] = (),
    notify: bool = True,
) -> Exercise:
    """Plan an exercise; with `notify`, the members who play or facilitate get an e-mail with the briefing link."""
    scenario = _scenario_or_error(scenario_id)
    _check_members(org, [facilitator, *(p.user for p in players)])
    exercise = Exercise(
        organization=org,
        scenario_id=scenario.id,
        scenario_version=scenario.version,
        scheduled_on=scheduled_on,
        start_time=start_time,
        duration_minutes=duration_minutes or scenario.minutes,
        location=location.strip(),
        facilitator=facilitator,
        facilitator_name=facilitator_name.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    exercise.full_clean()
    exercise.save()
    _set_participants(exercise, list(players))
    if notify:
        exercise_invite(exercise, [facilitator, *(p.user for p in players)])
    audit_record(
        action="tabletop.exercise_planned",
        actor=actor,
        org=org,
        target=exercise,
        data={
            "scenario": scenario.id,
            "date": scheduled_on.isoformat(),
            "participants": exercise.participants.count(),
        },
    )
    return exercise


def exercise_invitees(exercise: Exercise) -> list:
    """The members who play or facilitate (outsiders have no account: the planner tells them)."""
    users = [p.user for p in exercise.participants.select_related("user") if p.user_id]
    if exercise.facilitator_id:
        users.append(exercise.facilitator)
    return users


def exercise_invite(exercise: Exercise, users, *, reminder: bool = False) -> None:
    from django.urls import reverse

    from ippo.core.notify import notification_send

    def subject() -> str:
        if reminder:
            return _("Tomorrow: tabletop exercise “%(title)s”") % {"title": exercise}
        return _("Tabletop exercise on %(date)s: %(title)s") % {
            "date": formats.date_format(exercise.scheduled_on, "DATE_FORMAT"),
            "title": exercise,
        }

    def body() -> str:
        when = formats.date_format(exercise.scheduled_on, "DATE_FORMAT")
        if exercise.start_time:
            when = f"{when} {exercise.start_time:%H:%M}"
        return _(
            "You are invited to a tabletop exercise, “%(title)s”, on %(when)s (%(minutes)s minutes). "
            "Place: %(place)s. It is a discussion, not a test: nobody is graded. "
            "Please read the short briefing beforehand; it also shows your role."
        ) % {
            "title": exercise,
            "when": when,
            "minutes": exercise.duration_minutes,
            "place": exercise.location or "—",
        }

    notification_send(
        org=exercise.organization,
        event="tabletop.reminded" if reminder else "tabletop.invited",
        users=[u for u in users if u is not None],
        subject=subject,
        body=body,
        url=reverse("org:exercise_briefing", args=[exercise.organization.slug, exercise.pk]),
        webhooks=False,
    )


PLAN_FIELDS = (
    "scheduled_on",
    "start_time",
    "duration_minutes",
    "location",
    "facilitator",
    "facilitator_name",
)


@transaction.atomic
def exercise_update(
    *, exercise: Exercise, actor, players: list[PlayerSpec] | None = None, **fields
) -> Exercise:
    """Change the plan (date, time, length, place, facilitator) and, when given, the participants."""
    for name in fields:
        if name not in PLAN_FIELDS:
            raise ValueError(name)
    _check_members(exercise.organization, [fields.get("facilitator"), *(p.user for p in players or ())])
    changed = []
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(exercise, name) != value:
            setattr(exercise, name, value)
            changed.append(name)
    exercise.full_clean()
    exercise.save()
    if players is not None:
        _set_participants(exercise, players)
        changed.append("participants")
    audit_record(
        action="tabletop.exercise_updated",
        actor=actor,
        org=exercise.organization,
        target=exercise,
        data={"changed": changed},
    )
    return exercise


@transaction.atomic
def exercise_delete(*, exercise: Exercise, actor) -> None:
    audit_record(
        action="tabletop.exercise_deleted",
        actor=actor,
        org=exercise.organization,
        target=exercise,
        data={"scenario": exercise.scenario_id, "date": exercise.scheduled_on.isoformat()},
    )
    exercise.delete()


@transaction.atomic
def exercise_start(*, exercise: Exercise, actor, now=None) -> Exercise:
    """Start the clock (once: a second start keeps the first start time)."""
    now = now or timezone.now()
    claimed = Exercise.objects.filter(pk=exercise.pk, started_at__isnull=True).update(
        started_at=now, status=Exercise.Status.RUNNING
    )
    exercise.refresh_from_db()
    if claimed:
        audit_record(
            action="tabletop.exercise_started", actor=actor, org=exercise.organization, target=exercise
        )
    return exercise


@transaction.atomic
def exercise_finish(*, exercise: Exercise, actor, now=None) -> Exercise:
    now = now or timezone.now()
    claimed = (
        Exercise.objects.filter(pk=exercise.pk)
        .exclude(status=Exercise.Status.FINISHED)
        .update(status=Exercise.Status.FINISHED, ended_at=now)
    )
    if claimed:
        Exercise.objects.filter(pk=exercise.pk, started_at__isnull=True).update(started_at=now)
    exercise.refresh_from_db()
    if claimed:
        audit_record(
            action="tabletop.exercise_finished", actor=actor, org=exercise.organization, target=exercise
        )
        _record_evidence(exercise, actor)
    return exercise


# The catalog's control "tabletop exercise once a year": a finished exercise is its evidence.
TABLETOP_CONTROL_ID = "rs-tabletop"


def _record_evidence(exercise: Exercise, actor) -> None:
    from ippo.program.services import evidence_add

    held_on = min(timezone.localdate(exercise.ended_at), timezone.localdate())
    evidence_add(
        org=exercise.organization,
        actor=actor,
        control_id=TABLETOP_CONTROL_ID,
        title=_("Tabletop exercise held: %(title)s") % {"title": exercise},
        note=_(
            "Exercise no. %(number)s, with %(count)s participants. The after-action report is kept in ippo."
        )
        % {"number": exercise.pk, "count": exercise.participants.count()},
        performed_on=held_on,
    )


def note_keys(exercise: Exercise) -> list[str]:
    scenario = exercise.scenario
    return [BRIEFING_KEY, *(i.id for i in scenario.injects)] if scenario else [BRIEFING_KEY]


@transaction.atomic
def inject_note_save(*, exercise: Exercise, actor, inject_id: str, text: str) -> InjectNote:
    """Save the notes for one inject (autosaved while the facilitator types; the last write wins)."""
    if inject_id not in note_keys(exercise):
        raise ValidationError(_("This exercise has no such inject."))
    text = (text or "").replace("\r\n", "\n")
    if len(text) > 10000:
        raise ValidationError(_("Notes can be at most 10,000 characters."))
    note, _created = InjectNote.objects.update_or_create(
        organization=exercise.organization,
        exercise=exercise,
        inject_id=inject_id,
        defaults={"text": text, "updated_by": actor if getattr(actor, "is_authenticated", False) else None},
    )
    return note


@transaction.atomic
def exercise_hotwash_save(*, exercise: Exercise, actor, went_well: str, to_improve: str) -> Exercise:
    exercise.went_well = went_well.strip()
    exercise.to_improve = to_improve.strip()
    exercise.full_clean()
    exercise.save(update_fields=["went_well", "to_improve"])
    audit_record(action="tabletop.hotwash_saved", actor=actor, org=exercise.organization, target=exercise)
    return exercise


@transaction.atomic
def exercise_action_add(
    *, exercise: Exercise, actor, title: str, owner=None, due_date: date | None = None, control_id: str = ""
) -> ExerciseAction:
    _check_members(exercise.organization, [owner])
    scenario = exercise.scenario
    if control_id and (scenario is None or control_id not in scenario.controls):
        raise ValidationError({"control_id": _("Choose one of the scenario's controls.")})
    action = ExerciseAction(
        organization=exercise.organization,
        exercise=exercise,
        title=title.strip(),
        owner=owner,
        due_date=due_date,
        control_id=control_id,
    )
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def exercise_action_remove(*, action: ExerciseAction, actor) -> None:
    if action.action_item_id:
        raise ValidationError(_("This action is already in the action plan; change it there."))
    action.delete()


def _source_text(exercise: Exercise) -> str:
    return _("From the tabletop exercise “%(title)s” held on %(date)s (exercise no. %(number)s).") % {
        "title": str(exercise),
        "date": formats.date_format(exercise.scheduled_on, "DATE_FORMAT"),
        "number": exercise.pk,
    }


@transaction.atomic
def exercise_actions_to_plan(*, exercise: Exercise, actor) -> list:
    """Add every action of the after-action report that is not in the plan yet as an action item, with the
    exercise recorded as its source in the description. Returns the new action items."""
    from ippo.program.services import action_item_create

    org = exercise.organization
    pending = list(
        ExerciseAction.objects.select_for_update(of=("self",))
        .filter(exercise=exercise, action_item__isnull=True)
        .select_related("owner")
        .order_by("pk")
    )
    created = []
    source = _source_text(exercise)
    for action in pending:
        item = action_item_create(
            org=org,
            actor=actor,
            title=action.title,
            control_id=action.control_id,
            description=source,
            owner=action.owner,
            due_date=action.due_date,
        )
        action.action_item = item
        action.save(update_fields=["action_item"])
        created.append(item)
    if created:
        audit_record(
            action="tabletop.actions_added",
            actor=actor,
            org=org,
            target=exercise,
            data={"action_items": [i.pk for i in created]},
        )
    return created
