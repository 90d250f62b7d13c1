from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ippo.devices.models import SaasAttestation, SaasService


class _EmployeeField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.department.name})" if obj.department_id else obj.name


def _employees(org):
    from ippo.people.models import Employee

    return Employee.objects.filter(organization=org, is_active=True).select_related("department")


class EnrolForm(forms.Form):
    label = forms.CharField(
        label=_("Device name"),
        max_length=100,
        required=False,
        help_text=_("For example “Sales laptop 3”. Leave empty to use the computer's own name."),
    )
    owner = _EmployeeField(queryset=None, required=False, label=_("Used by"))

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _employees(org)


class DeviceForm(forms.Form):
    name = forms.CharField(label=_("Device name"), max_length=200)
    owner = _EmployeeField(queryset=None, required=False, label=_("Used by"))

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _employees(org)


class M365Form(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, initial="Microsoft 365")
    tenant_id = forms.CharField(
        label=_("Tenant ID"), max_length=100, help_text=_("Directory (tenant) ID of the app registration.")
    )
    client_id = forms.CharField(label=_("Application (client) ID"), max_length=100)
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted and never shown again."),
    )

    def credentials(self) -> tuple[dict, str]:
        data = self.cleaned_data
        creds = {k: data[k].strip() for k in ("tenant_id", "client_id", "client_secret")}
        return creds, _("tenant %(tenant)s") % {"tenant": creds["tenant_id"][:8] + "…"}


class GoogleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, initial="Google Workspace")
    admin_email = forms.EmailField(
        label=_("Administrator to act as"),
        help_text=_(
            "An administrator's address in your Google Workspace (domain-wide delegation acts as them)."
        ),
    )
    service_account = forms.CharField(
        label=_("Service account key (JSON)"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Paste the whole key file. It is stored encrypted and never shown again."),
    )

    def clean_service_account(self) -> dict:
        try:
            data = json.loads(self.cleaned_data["service_account"])
        except ValueError:
            raise ValidationError(_("This is not a JSON key file.")) from None
        if not isinstance(data, dict) or data.get("type") != "service_account":
            raise ValidationError(_("This is not a service account key file."))
        missing = [k for k in ("client_email", "private_key", "token_uri") if not data.get(k)]
        if missing:
            raise ValidationError(_("The key file lacks: %(fields)s.") % {"fields": ", ".join(missing)})
        return data

    def credentials(self) -> tuple[dict, str]:
        account = self.cleaned_data["service_account"]
        creds = {"admin_email": self.cleaned_data["admin_email"], "service_account": account}
        return creds, account["client_email"]


SAAS_SUGGESTIONS = (
    "freee",
    "マネーフォワード クラウド",
    "Chatwork",
    "LINE WORKS",
    "弥生",
    "kintone",
    "Slack",
    "Zoom",
)


class SaasServiceForm(forms.ModelForm):
    class Meta:
        model = SaasService
        fields = ["name", "control_id", "interval_months"]
        widgets = {"name": forms.TextInput(attrs={"list": "saas-suggestions"})}

    def clean_interval_months(self):
        value = self.cleaned_data["interval_months"]
        if not 1 <= value <= 24:
            raise ValidationError(_("Choose between 1 and 24 months."))
        return value


class AttestForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Is two-step sign-in required?"),
        choices=SaasAttestation.Answer.choices,
        widget=forms.RadioSelect,
    )
    screenshot = forms.FileField(
        label=_("Screenshot of the setting"),
        help_text=_("A screenshot of the administration screen that shows the setting (PNG, JPEG or PDF)."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_screenshot(self):
        from ippo.program.services import evidence_check_upload

        upload = self.cleaned_data["screenshot"]
        evidence_check_upload(upload)
        return upload
