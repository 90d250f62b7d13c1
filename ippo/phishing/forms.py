"""Forms of the drill pages: sending profiles and the five wizard steps."""

from __future__ import annotations

from django import forms
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ippo.people.models import Department, Employee
from ippo.phishing.models import Drill, SendingProfile

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class SendingProfileForm(forms.ModelForm):
    password = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = SendingProfile
        fields = ["name", "host", "port", "security", "username", "from_address", "messages_per_minute"]
        widgets = {"security": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = bool(self.instance.pk and self.instance.password_encrypted)
        self.fields["password"].help_text = (
            _("A password is stored. Leave this empty to keep it.")
            if stored
            else _(
                "The password of the user name above, if the server needs one. It is stored encrypted and never shown again."
            )
        )
        self.fields["host"].help_text = _("For example smtp.example.co.jp, or your own mail server.")
        self.fields["messages_per_minute"].validators.append(_per_minute_range)

    def clean_host(self):
        host = self.cleaned_data["host"].strip()
        if not host or any(c.isspace() for c in host) or "/" in host:
            raise forms.ValidationError(
                _("Enter the server's host name or address, without http:// or a path.")
            )
        return host

    def clean_port(self):
        port = self.cleaned_data["port"]
        if not 1 <= port <= 65535:
            raise forms.ValidationError(_("Enter a port from 1 to 65535."))
        return port


def _per_minute_range(value: int) -> None:
    if not 1 <= value <= 6000:
        raise forms.ValidationError(_("Enter a number from 1 to 6000."))


class ProfileTestForm(forms.Form):
    to_address = forms.EmailField(label=_("send a test message to"))


class AudienceForm(forms.Form):
    MODES = [
        ("everyone", _("Everyone who has an e-mail address")),
        ("departments", _("Some departments")),
        ("people", _("Selected people")),
    ]
    name = forms.CharField(
        label=_("name of the drill"),
        max_length=200,
        help_text=_("Only managers see it, for example “Winter 2026 drill”."),
    )
    mode = forms.ChoiceField(label=_("who receives the drill"), choices=MODES, widget=forms.RadioSelect)
    departments = forms.ModelMultipleChoiceField(
        label=_("departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    employees = forms.ModelMultipleChoiceField(
        label=_("people"),
        queryset=Employee.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = (
            Department.objects.filter(organization=org)
            .annotate(
                with_mail=Count("employees", filter=Q(employees__is_active=True) & ~Q(employees__email=""))
            )
            .order_by("name")
        )
        self.fields["departments"].label_from_instance = lambda d: (
            ngettext("%(name)s (%(count)s person)", "%(name)s (%(count)s people)", d.with_mail)
            % {"name": d.name, "count": d.with_mail}
        )
        self.fields["employees"].queryset = (
            Employee.objects.filter(organization=org, is_active=True).exclude(email="").order_by("name", "pk")
        )
        self.fields["employees"].label_from_instance = lambda e: f"{e.name} <{e.email}>"

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == "departments" and not data.get("departments"):
            self.add_error("departments", _("Choose at least one department."))
        if mode == "people" and not data.get("employees"):
            self.add_error("employees", _("Choose at least one person."))
        return data


class TemplateForm(forms.Form):
    template_ids = forms.MultipleChoiceField(
        label=_("templates"),
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose a template.")},
    )
    random_template = forms.BooleanField(
        label=_("a random template for each person"),
        required=False,
        help_text=_(
            "Choose two or more templates: each person gets one of them, so colleagues cannot warn each other about “the” drill mail."
        ),
    )

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template_ids"].choices = [(t.id, t.id) for t in templates]


class LandingForm(forms.Form):
    landing = forms.ChoiceField(
        label=_("what people see after clicking"), choices=Drill.Landing.choices, widget=forms.RadioSelect
    )


class WindowForm(forms.Form):
    profile = forms.ModelChoiceField(
        label=_("sending profile"), queryset=SendingProfile.objects.none(), empty_label=None
    )
    window_start = forms.DateTimeField(
        label=_("send from"),
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    window_end = forms.DateTimeField(
        label=_("send by"),
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        help_text=_("Mail is spread evenly between these times, so people do not all receive it at once."),
    )
    business_hours_only = forms.BooleanField(
        label=_("only during business hours"),
        required=False,
        help_text=_(
            "Weekdays 9:00–18:00 Japan time, skipping Japanese public holidays and the New Year break (29 December – 3 January)."
        ),
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = SendingProfile.objects.filter(organization=org).order_by("name")

    def clean(self):
        data = super().clean()
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and end <= start:
            self.add_error("window_end", _("“Send by” must be after “send from”."))
        return data


class ReviewForm(forms.Form):
    repeat = forms.BooleanField(label=_("repeat this drill regularly"), required=False)
    repeat_every_months = forms.IntegerField(
        label=_("every (months)"),
        min_value=1,
        max_value=24,
        initial=3,
        required=False,
        help_text=_("Each time, every person gets a template picked at random."),
    )

    def clean(self):
        data = super().clean()
        if data.get("repeat") and not data.get("repeat_every_months"):
            self.add_error("repeat_every_months", _("Enter how many months apart the drills are."))
        return data
