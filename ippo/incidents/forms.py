from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ippo.incidents.models import (
    APPI_KINDS,
    SEVERITY_HELP,
    ClockKind,
    EntryKind,
    ExternalContact,
    Incident,
    IncidentSettings,
    Severity,
    Status,
)
from ippo.registers.models import Asset

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class _MemberField(forms.ChoiceField):
    """A choice among given users, by primary key, without a second query."""

    def __init__(self, *, users, **kwargs):
        self.users = {str(u.pk): u for u in users}
        choices = [("", _("Nobody yet"))] + [(str(u.pk), u.get_short_name()) for u in users]
        super().__init__(choices=choices, required=False, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return self.users.get(value) if value else None


class IncidentForm(forms.ModelForm):
    assets = forms.ModelMultipleChoiceField(
        queryset=Asset.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Affected assets"),
        help_text=_("The devices, services or data involved, from your list of information assets."),
    )

    class Meta:
        model = Incident
        fields = ["title", "kind", "severity", "near_miss", "aware_at", "occurred_at", "description"]
        widgets = {
            "severity": forms.RadioSelect,
            "aware_at": DateTimeLocal(),
            "occurred_at": DateTimeLocal(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, users=(), org=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _MemberField(users=users, label=_("Person responsible"))
        if self.instance.pk and self.instance.owner_id:
            self.initial["owner"] = str(self.instance.owner_id)
        self.fields["severity"].choices = [
            (value, f"{label}: {SEVERITY_HELP[value]}") for value, label in Severity.choices
        ]
        self.fields["severity"].help_text = _(
            "When in doubt, choose the more serious one. You can change it later."
        )
        self.fields["assets"].queryset = Asset.objects.filter(organization=org).order_by("asset_type", "name")
        if self.instance.pk:
            self.initial["assets"] = list(self.instance.assets.values_list("pk", flat=True))
        self.fields["aware_at"].input_formats = [DATETIME_FORMAT]
        self.fields["occurred_at"].input_formats = [DATETIME_FORMAT]
        if not self.instance.pk:
            self.initial.setdefault("aware_at", timezone.localtime().replace(second=0, microsecond=0))
        self.order_fields(
            ["title", "kind", "severity", "near_miss", "owner", "aware_at", "occurred_at", "assets"]
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Move to"), choices=Status.choices)
    note = forms.CharField(label=_("Why (optional)"), required=False, max_length=1000)


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=EntryKind.choices)
    at = forms.DateTimeField(
        label=_("Time"), widget=DateTimeLocal(), input_formats=[DATETIME_FORMAT], required=False
    )
    text = forms.CharField(label=_("What"), max_length=3000, widget=forms.Textarea(attrs={"rows": 2}))


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=300)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"] = _MemberField(users=users, label=_("Person responsible"))


class TaskAssignForm(forms.Form):
    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"] = _MemberField(users=users, label=_("Person responsible"))


class PersonalDataForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = [
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
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "data_kinds",
                "cause",
                "secondary_harm",
                "measures",
                "notice_to_individuals",
                "publication",
            )
        }
        help_texts = {
            "appi_sensitive": _(
                "Health, criminal records, beliefs, race and the like. Even one person counts."
            ),
            "appi_financial": _(
                "Credit card numbers, bank or online-banking sign-in details. Even one person counts."
            ),
            "appi_malicious": _(
                "Unauthorised access, ransomware, theft by an insider, web-form skimming. Even one person counts, "
                "and the final report is due within 60 days instead of 30."
            ),
            "appi_over_1000": _("Counting everyone whose data was, or may have been, affected."),
            "appi_encrypted": _(
                "Strong encryption with the key kept safe: then no report is needed. Not a simple password on a file."
            ),
            "people_affected": _("Your best estimate; the final report can correct it."),
        }


class ClockForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Deadline"), choices=[(v, label) for v, label in ClockKind.choices if v not in APPI_KINDS]
    )
    label = forms.CharField(label=_("Note (whom, which contract)"), max_length=200, required=False)
    hours = forms.IntegerField(
        label=_("Hours after the company became aware"), min_value=0, max_value=24 * 365, required=False
    )
    due_at = forms.DateTimeField(
        label=_("Or a date and time"), widget=DateTimeLocal(), input_formats=[DATETIME_FORMAT], required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("hours") is None and not data.get("due_at"):
            raise forms.ValidationError(
                _("Give the deadline in hours after the company became aware, or a date.")
            )
        return data


class ReviewForm(forms.Form):
    what_happened = forms.CharField(
        label=_("What happened"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In a few sentences, in the order things happened. Describe events, not people."),
    )
    went_well = forms.CharField(
        label=_("What went well"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    to_improve = forms.CharField(
        label=_("What to improve"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lessons = forms.CharField(
        label=_("Actions for the security plan"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line. Each becomes an action item in the plan, e.g. “Turn on two-step sign-in for the accounting team”."
        ),
    )
    due_date = forms.DateField(
        label=_("Due date for these actions"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _MemberField(users=users, label=_("Person responsible for these actions"))
        self.order_fields(["what_happened", "went_well", "to_improve", "lessons", "owner", "due_date"])

    def clean_lessons(self):
        lines = [line.strip() for line in self.cleaned_data["lessons"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > 20:
            raise forms.ValidationError(_("At most 20 actions at a time."))
        if any(len(line) > 200 for line in lines):
            raise forms.ValidationError(_("Keep each action under 200 characters."))
        return lines


class ContactForm(forms.ModelForm):
    url = forms.URLField(label=_("web address"), required=False, max_length=300, assume_scheme="https")

    class Meta:
        model = ExternalContact
        fields = ["kind", "name", "person", "url", "email", "phone", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class SettingsForm(forms.ModelForm):
    class Meta:
        model = IncidentSettings
        fields = ["appi_preliminary_days", "contract_hours", "insurer_hours", "partner_hours"]
