from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ippo.reporting.attachments import MAX_BYTES, MAX_FILES
from ippo.reporting.models import EscalationRule, Identity, Kind, Severity, Status, When


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ScreenshotsField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"accept": "image/png,image/jpeg,image/webp", "multiple": True})

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(item, initial) for item in data if item]
        else:
            files = [single(data, initial)] if data else []
        # Checked before anything reads the files into memory.
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Please send at most three pictures."))
        if any(f.size > MAX_BYTES for f in files):
            raise forms.ValidationError(_("A picture can be at most 5 MB. Please send a smaller one."))
        return files


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened?"), choices=Kind.choices, widget=forms.RadioSelect)
    happened = forms.ChoiceField(
        label=_("When?"), choices=When.choices, widget=forms.RadioSelect, initial=When.JUST_NOW
    )
    description = forms.CharField(
        label=_("Anything you want to add (optional)"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you saw or did, in your own words. A few words are enough."),
    )
    severity_guess = forms.TypedChoiceField(
        label=_("How serious does it seem?"),
        choices=Severity.choices,
        coerce=int,
        initial=Severity.UNKNOWN,
        widget=forms.RadioSelect,
    )
    screenshots = ScreenshotsField(
        label=_("Screenshots or photos (optional)"),
        help_text=_("Up to three pictures (PNG, JPEG or WebP), 5 MB each."),
    )
    keep_metadata = forms.BooleanField(
        label=_("Keep the pictures' hidden details (such as place and camera)"),
        required=False,
        help_text=_(
            "Normally removed, because they can show who took the picture. Ignored for anonymous reports."
        ),
    )
    identity = forms.ChoiceField(label=_("Your name"), choices=Identity.choices, widget=forms.RadioSelect)

    def __init__(self, *args, public: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.public = public
        if public:
            self.fields["identity"].initial = Identity.ANONYMOUS
            self.fields["reporter_name"] = forms.CharField(
                label=_("Your name (only if you chose to give it)"), required=False, max_length=100
            )
            self.fields["passphrase"] = forms.CharField(
                label=_("A passphrase of your own (optional)"),
                required=False,
                max_length=200,
                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                help_text=_(
                    "Makes your receipt code safer. You will need both to read replies. We cannot recover either."
                ),
            )
        else:
            self.fields["identity"].choices = [c for c in Identity.choices if c[0] != Identity.ANONYMOUS]
            self.fields["identity"].initial = Identity.NAMED

    def clean(self):
        data = super().clean()
        if self.public and data.get("identity") in (Identity.NAMED, Identity.RESTRICTED):
            if not (data.get("reporter_name") or "").strip():
                self.add_error("reporter_name", _("Please write your name, or choose to report anonymously."))
        return data


class ReceiptForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    passphrase = forms.CharField(
        label=_("Passphrase (if you set one)"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


class ConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Type your receipt code here"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=pgettext_lazy("reporting", "Message"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    screenshots = ScreenshotsField(label=_("Screenshots or photos (optional)"))


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply to the reporter"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Thank them first. The reporter reads this with their receipt code or when signed in."),
    )


class ReportUpdateForm(forms.Form):
    status = forms.ChoiceField(label=pgettext_lazy("reporting", "Status"), choices=Status.choices)
    severity = forms.TypedChoiceField(
        label=pgettext_lazy("reporting", "Severity"), choices=Severity.choices, coerce=int
    )


class DesignateForm(forms.Form):
    user = forms.ModelChoiceField(label=pgettext_lazy("reporting", "Person"), queryset=None)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.fields["user"].label_from_instance = lambda u: f"{u.name or u.email} ({u.email})"


class SettingsForm(forms.Form):
    day_starts = forms.TimeField(
        label=_("Office hours start"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    day_ends = forms.TimeField(label=_("Office hours end"), widget=forms.TimeInput(attrs={"type": "time"}))
    weekends_are_night = forms.BooleanField(label=_("Weekends count as out of hours"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("day_starts") and data.get("day_ends") and data["day_starts"] >= data["day_ends"]:
            raise forms.ValidationError(_("Office hours must end after they start."))
        return data


MAX_STEPS = 3


class EscalationRuleForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of report"),
        choices=[c for c in Kind.choices if c[0] != Kind.MISCONDUCT],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "None ticked: every kind. Concerns about misconduct always go to the designated handlers."
        ),
    )

    class Meta:
        model = EscalationRule
        fields = [
            "name",
            "position",
            "kinds",
            "min_severity",
            "reescalate_minutes",
            "notify_chat",
            "is_active",
        ]

    def __init__(self, *args, people, contacts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reescalate_minutes"].min_value = 5
        contacts = contacts or {}
        self.contact_fields = []
        for step in range(1, MAX_STEPS + 1):
            row = []
            for shift, label in (
                ("day", pgettext_lazy("reporting", "Office hours")),
                ("night", pgettext_lazy("reporting", "Out of hours")),
            ):
                name = f"step{step}_{shift}"
                field = forms.ModelMultipleChoiceField(
                    label=label,
                    queryset=people,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    initial=[u.pk for u in contacts.get((step, shift), [])],
                )
                field.label_from_instance = lambda u: u.name or u.email
                self.fields[name] = field
                row.append(name)
            self.contact_fields.append((step, row))

    def clean_reescalate_minutes(self):
        minutes = self.cleaned_data["reescalate_minutes"]
        if minutes < 5:
            raise forms.ValidationError(_("Please allow at least 5 minutes."))
        return minutes

    def contacts(self) -> dict:
        return {
            (step, shift): list(self.cleaned_data.get(f"step{step}_{shift}") or [])
            for step in range(1, MAX_STEPS + 1)
            for shift in ("day", "night")
        }

    def clean(self):
        data = super().clean()
        if not any(data.get(f"step1_{s}") for s in ("day", "night")):
            self.add_error(None, _("Please choose at least one person for step 1."))
        return data
