"""Tabletop exercises (机上演習): a planned run of one scenario, its players, the facilitator's notes per
inject, the hot wash and the after-action report's actions. Nothing here grades a person: notes are about
what the group discussed and what the company should improve."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ippo.core.models import TenantModel
from ippo.tabletop.content import ROLE_LABELS, ROLES, Scenario, scenario_get

ROLE_CHOICES = [(r, ROLE_LABELS[r]) for r in ROLES]

# The step of the facilitator mode that holds the briefing, before the first inject.
BRIEFING_KEY = "briefing"


class Exercise(TenantModel):
    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("tabletop", "Planned")
        RUNNING = "running", pgettext_lazy("tabletop", "In progress")
        FINISHED = "finished", pgettext_lazy("tabletop", "Finished")

    scenario_id = models.CharField(_("scenario"), max_length=60)
    scenario_version = models.PositiveSmallIntegerField(_("scenario version"), default=1)
    scheduled_on = models.DateField(pgettext_lazy("tabletop", "date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("length in minutes"), default=90)
    location = models.CharField(_("place"), max_length=200, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("facilitator"),
    )
    facilitator_name = models.CharField(
        _("facilitator from outside"),
        max_length=120,
        blank=True,
        help_text=_("If someone from outside the company runs the exercise, for example your IT vendor."),
    )
    status = models.CharField(
        pgettext_lazy("tabletop", "status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    started_at = models.DateTimeField(pgettext_lazy("tabletop", "started"), null=True, blank=True)
    ended_at = models.DateTimeField(pgettext_lazy("tabletop", "ended"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)  # the day-before reminder
    # Hot wash: the short talk right after the exercise.
    went_well = models.TextField(_("what went well"), blank=True, max_length=5000)
    to_improve = models.TextField(_("what to improve"), blank=True, max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(pgettext_lazy("tabletop", "created"), auto_now_add=True)

    class Meta:
        verbose_name = _("tabletop exercise")
        verbose_name_plural = _("tabletop exercises")
        ordering = ["-scheduled_on", "-pk"]
        indexes = [
            models.Index(fields=["organization", "status", "scheduled_on"], name="exercise_org_status_date")
        ]

    def __str__(self) -> str:
        scenario = self.scenario
        return str(scenario.title) if scenario else self.scenario_id

    @property
    def scenario(self) -> Scenario | None:
        return scenario_get(self.scenario_id)

    @property
    def facilitator_display(self) -> str:
        if self.facilitator_id:
            return str(self.facilitator)
        return self.facilitator_name


class Participant(TenantModel):
    """One player and the role they play: a member of the organisation, or a named outsider."""

    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="participants", verbose_name=_("tabletop exercise")
    )
    role = models.CharField(_("role in the exercise"), max_length=20, choices=ROLE_CHOICES)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member"),
    )
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(user__isnull=True, name=""),
                name="participant_member_or_name",
                violation_error_message=_("A participant is a member or has a name."),
            ),
        ]
        indexes = [models.Index(fields=["organization", "user"], name="participant_org_user")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user_id:
            return str(self.user)
        return self.name


class InjectNote(TenantModel):
    """The facilitator's notes for one inject (or the briefing): what the group said, decided, lacked."""

    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="notes", verbose_name=_("tabletop exercise")
    )
    inject_id = models.CharField(_("inject"), max_length=60)
    text = models.TextField(_("notes"), blank=True, max_length=10000)
    updated_at = models.DateTimeField(_("saved"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("inject note")
        verbose_name_plural = _("inject notes")
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "inject_id"],
                name="injectnote_one_per_inject",
                violation_error_message=_("This inject already has notes."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.exercise_id}/{self.inject_id}"


class ExerciseAction(TenantModel):
    """An improvement agreed in the after-action report. Added to the action plan as an action item."""

    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="actions", verbose_name=_("tabletop exercise")
    )
    title = models.CharField(_("what to do"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person responsible"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    control_id = models.CharField(_("control"), max_length=60, blank=True)
    action_item = models.ForeignKey(
        "program.ActionItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("action item"),
    )
    created_at = models.DateTimeField(pgettext_lazy("tabletop", "created"), auto_now_add=True)

    class Meta:
        verbose_name = _("exercise action")
        verbose_name_plural = _("exercise actions")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title
