"""Reads for tabletop exercises: lists, participants by role, and the facilitator's schedule."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch
from django.utils import timezone

from ippo.core.models import Membership, Organization
from ippo.tabletop.content import ROLE_LABELS, ROLES, Inject, Scenario
from ippo.tabletop.models import BRIEFING_KEY, Exercise, ExerciseAction, InjectNote, Participant

HOTWASH_MINUTES = 15


def members(org: Organization) -> list:
    """The organisation's people, for facilitator, participant and owner choices (one query)."""
    return [
        m.user
        for m in Membership.objects.filter(organization=org)
        .select_related("user")
        .order_by("user__name", "user__email")
    ]


def exercises_for_list(org: Organization):
    return (
        Exercise.objects.filter(organization=org)
        .annotate(
            player_count=Count("participants", distinct=True), action_count=Count("actions", distinct=True)
        )
        .select_related("facilitator")
        .order_by("-scheduled_on", "-pk")
    )


def exercise_with_people(org: Organization):
    """Exercises with facilitator and participants loaded (for one exercise's pages)."""
    return (
        Exercise.objects.filter(organization=org)
        .select_related("facilitator")
        .prefetch_related(
            Prefetch("participants", queryset=Participant.objects.select_related("user").order_by("pk"))
        )
    )


@dataclass(frozen=True)
class RoleGroup:
    role: str
    label: str
    people: list


def participants_by_role(exercise: Exercise) -> list[RoleGroup]:
    """Players grouped by role, in the standard order (uses the prefetched participants)."""
    groups = {r: [] for r in ROLES}
    for p in exercise.participants.all():
        groups.setdefault(p.role, []).append(p)
    return [RoleGroup(r, str(ROLE_LABELS[r]), people) for r, people in groups.items() if r in ROLE_LABELS]


def notes_by_inject(exercise: Exercise) -> dict[str, InjectNote]:
    return {n.inject_id: n for n in InjectNote.objects.filter(exercise=exercise)}


def actions_of(exercise: Exercise) -> list[ExerciseAction]:
    return list(
        ExerciseAction.objects.filter(exercise=exercise).select_related("owner", "action_item").order_by("pk")
    )


# --- The facilitator's schedule ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One screen of the facilitator mode: the briefing, an inject, or the hot wash."""

    index: int
    kind: str  # "briefing", "inject" or "hotwash"
    key: str  # note key: "briefing" or the inject id; "" for the hot wash
    minute: int  # planned start, minutes from the beginning (scaled to the exercise's length)
    inject: Inject | None = None


def steps_for(exercise: Exercise, scenario: Scenario) -> list[Step]:
    """The briefing, every inject at its (scaled) minute, then the hot wash in the last 15 minutes."""
    length = exercise.duration_minutes or scenario.minutes
    scale = length / scenario.minutes
    steps = [Step(0, "briefing", BRIEFING_KEY, 0)]
    for n, inject in enumerate(scenario.injects, 1):
        steps.append(Step(n, "inject", inject.id, round(inject.minute * scale), inject))
    last = steps[-1].minute
    steps.append(Step(len(steps), "hotwash", "", max(last + 1, length - HOTWASH_MINUTES)))
    return steps


@dataclass(frozen=True)
class Timing:
    elapsed: int | None  # whole minutes since the start, None before the start
    planned: int  # when this step was planned to start
    next_minute: int | None  # when the next step is planned to start
    length: int
    behind: int  # minutes behind the schedule of the *next* step (0 when on time)


def timing_for(exercise: Exercise, steps: list[Step], index: int, now=None) -> Timing:
    now = now or timezone.now()
    end = exercise.ended_at or now
    elapsed = int((end - exercise.started_at).total_seconds() // 60) if exercise.started_at else None
    planned = steps[index].minute
    next_minute = steps[index + 1].minute if index + 1 < len(steps) else exercise.duration_minutes
    behind = max(0, elapsed - next_minute) if elapsed is not None else 0
    return Timing(elapsed, planned, next_minute, exercise.duration_minutes, behind)


def upcoming_for_user(org: Organization, user, today) -> list[Exercise]:
    """Planned exercises, from today on, in which this person plays a role (one query)."""
    return list(
        Exercise.objects.filter(
            organization=org,
            status=Exercise.Status.PLANNED,
            scheduled_on__gte=today,
            participants__user=user,
        )
        .distinct()
        .order_by("scheduled_on", "pk")
    )


def exercise_last_finished(org: Organization) -> Exercise | None:
    """The most recent finished exercise (for dashboards and the board report: "last exercise held")."""
    return (
        Exercise.objects.filter(organization=org, status=Exercise.Status.FINISHED)
        .order_by("-ended_at", "-pk")
        .first()
    )
