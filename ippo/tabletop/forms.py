from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ippo.catalog.loader import catalog_get
from ippo.tabletop.content import ROLE_LABELS, ROLES, scenarios_get
from ippo.tabletop.services import PlayerSpec


def _member_label(user) -> str:
    return f"{user.name} <{user.email}>" if user.name else user.email


class _MemberField(forms.TypedChoiceField):
    """One member of the organisation (or nobody)."""

    def __init__(self, *, members, **kwargs):
        self.members = {u.pk: u for u in members}
        super().__init__(
            choices=[("", "—"), *((u.pk, _member_label(u)) for u in members)],
            coerce=int,
            empty_value=None,
            required=False,
            **kwargs,
        )

    def clean(self, value):
        pk = super().clean(value)
        return self.members.get(pk) if pk is not None else None


class ExerciseForm(forms.Form):
    """Plan an exercise: scenario, date, facilitator and the players in each role."""

    scenario_id = forms.ChoiceField(label=_("Scenario"))
    scheduled_on = forms.DateField(
        label=pgettext_lazy("tabletop", "Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    start_time = forms.TimeField(
        label=_("Start time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"),
        min_value=30,
        max_value=240,
        initial=90,
        help_text=_("90 minutes suits most companies. The injects' times are stretched or shortened to fit."),
    )
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    facilitator_name = forms.CharField(
        label=_("Or a facilitator from outside"),
        max_length=120,
        required=False,
        help_text=_("For example someone from your IT vendor or an advisor who is not a member here."),
    )

    def __init__(self, *args, members, exercise=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        self.fields["scenario_id"].choices = [(s.id, str(s.title)) for s in scenarios_get().values()]
        if exercise is not None:
            self.fields["scenario_id"].disabled = True
            self.fields["scenario_id"].initial = exercise.scenario_id
        self.fields["facilitator"] = _MemberField(
            members=self.members,
            label=_("Facilitator"),
            help_text=_("The person who reads out the injects and keeps time. They do not play a role."),
        )
        self.order_fields(
            ["scenario_id", "scheduled_on", "start_time", "duration_minutes", "location", "facilitator"]
        )
        member_choices = [(u.pk, _member_label(u)) for u in self.members]
        self.role_fields = []
        for role in ROLES:
            self.fields[f"players_{role}"] = forms.TypedMultipleChoiceField(
                label=ROLE_LABELS[role],
                choices=member_choices,
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"others_{role}"] = forms.CharField(
                label=_("People from outside (one name a line)"),
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.role_fields.append((ROLE_LABELS[role], self[f"players_{role}"], self[f"others_{role}"]))
        if exercise is not None and not self.is_bound:
            self.initial.update(
                {
                    "scenario_id": exercise.scenario_id,
                    "scheduled_on": exercise.scheduled_on,
                    "start_time": exercise.start_time,
                    "duration_minutes": exercise.duration_minutes,
                    "location": exercise.location,
                    "facilitator": exercise.facilitator_id,
                    "facilitator_name": exercise.facilitator_name,
                }
            )
            for role in ROLES:
                people = [p for p in exercise.participants.all() if p.role == role]
                self.initial[f"players_{role}"] = [p.user_id for p in people if p.user_id]
                self.initial[f"others_{role}"] = "\n".join(p.name for p in people if not p.user_id)

    def main_fields(self):
        return [
            self[n] for n in ("scenario_id", "scheduled_on", "start_time", "duration_minutes", "location")
        ]

    def facilitator_fields(self):
        return [self["facilitator"], self["facilitator_name"]]

    def players(self) -> list[PlayerSpec]:
        by_pk = {u.pk: u for u in self.members}
        players = []
        for role in ROLES:
            for pk in self.cleaned_data.get(f"players_{role}") or []:
                players.append(PlayerSpec(role=role, user=by_pk[pk]))
            for line in (self.cleaned_data.get(f"others_{role}") or "").splitlines():
                if line.strip():
                    players.append(PlayerSpec(role=role, name=line.strip()[:120]))
        return players

    def plan_fields(self) -> dict:
        names = (
            "scheduled_on",
            "start_time",
            "duration_minutes",
            "location",
            "facilitator",
            "facilitator_name",
        )
        return {n: self.cleaned_data[n] for n in names}


class HotWashForm(forms.Form):
    went_well = forms.CharField(
        label=_("What went well"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What the company already does well: plans, contacts, habits that worked in the discussion."
        ),
    )
    to_improve = forms.CharField(
        label=_("What to improve"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Gaps the discussion showed: missing contacts, unclear decisions, steps nobody knew."),
    )


class ActionForm(forms.Form):
    title = forms.CharField(label=_("What to do"), max_length=200)
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    control_id = forms.ChoiceField(label=_("Related control"), required=False)

    def __init__(self, *args, members, scenario=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _MemberField(members=members, label=_("Person responsible"))
        catalog = catalog_get()
        controls = scenario.controls if scenario else ()
        self.fields["control_id"].choices = [("", "—"), *((c, catalog.control(c).title) for c in controls)]
        self.order_fields(["title", "owner", "due_date", "control_id"])
