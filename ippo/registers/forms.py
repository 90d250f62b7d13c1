from __future__ import annotations

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ippo.catalog.loader import catalog_get
from ippo.registers import content, exchange
from ippo.registers.models import Asset, Risk, RiskSettings, Vendor
from ippo.registers.risk_model import WORKING_DAYS_PER_YEAR
from ippo.registers.selectors import FUNCTION_ORDER


class YenField(forms.IntegerField):
    """A yen amount as people type it: "1,500,000", "１５０万", "¥300,000" or "300000円"."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
    default_error_messages = {
        "invalid": _("Enter an amount in yen, such as 1,500,000 or 150万."),
    }

    def prepare_value(self, value):
        return f"{value:,}" if isinstance(value, int) else value

    def to_python(self, value):
        if isinstance(value, str):
            text = unicodedata.normalize("NFKC", value)
            text = re.sub(r"[\s,¥円]", "", text)
            if text.endswith("万") and text[:-1]:
                try:
                    return round(float(text[:-1]) * 10_000)
                except ValueError:
                    raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            value = text
        return super().to_python(value)


def _member_choices(members) -> list:
    return [(u.pk, f"{u.get_short_name()} <{u.email}>" if u.name else u.email) for u in members]


class _MemberField(forms.TypedChoiceField):
    def __init__(self, *, members, **kwargs):
        self.members = {u.pk: u for u in members}
        super().__init__(
            choices=[("", "—"), *_member_choices(members)],
            coerce=int,
            empty_value=None,
            required=False,
            **kwargs,
        )

    def clean(self, value):
        pk = super().clean(value)
        return self.members.get(pk) if pk is not None else None


class AssetForm(forms.ModelForm):
    class Meta:
        model = Asset
        fields = [
            "name",
            "asset_type",
            "location",
            "owner",
            "owner_name",
            "personal_data",
            "confidentiality",
            "integrity",
            "availability",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _MemberField(members=members, label=capfirst(_("owner")))
        if self.instance.owner_id:
            self.initial["owner"] = self.instance.owner_id
        for name in ("confidentiality", "integrity", "availability"):
            self.fields[name].widget = forms.RadioSelect(choices=self.fields[name].choices)


def _control_choices() -> list:
    from ippo.assessments.selectors import function_label

    catalog = catalog_get()
    return [
        (str(function_label(fn)), [(c.id, str(c.title)) for c in catalog.controls if c.function == fn])
        for fn in FUNCTION_ORDER
    ]


class RiskForm(forms.ModelForm):
    loss_yen = YenField(label=capfirst(_("direct loss (yen)")), min_value=0, max_value=10**12, required=False)
    control_ids = forms.MultipleChoiceField(
        label=capfirst(_("measures that reduce it")), required=False, widget=forms.CheckboxSelectMultiple
    )
    # The queryset is the organisation's assets, set per request (a scoped manager cannot be read at import).
    assets = forms.ModelMultipleChoiceField(
        label=capfirst(_("assets affected")),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Risk
        fields = [
            "title",
            "description",
            "likelihood",
            "days_down",
            "records",
            "loss_yen",
            "control_ids",
            "residual_likelihood",
            "assets",
            "owner",
            "status",
            "notes",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, members, assets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _MemberField(members=members, label=capfirst(_("responsible")))
        if self.instance.owner_id:
            self.initial["owner"] = self.instance.owner_id
        self.fields["assets"].queryset = assets
        self.fields["control_ids"].choices = _control_choices()
        self.fields["residual_likelihood"].choices = [
            ("", _("Use the suggestion")),
            *Risk._meta.get_field("residual_likelihood").choices,
        ]
        self.fields["title"].required = not self.instance.scenario_id
        if self.instance.scenario_id:
            # A starter risk shows the scenario's text in the reader's language until someone edits it.
            self.initial["title"] = self.instance.title_text
            self.initial["description"] = self.instance.description_text

    def clean_loss_yen(self):
        return self.cleaned_data.get("loss_yen") or 0


class RiskSettingsForm(forms.ModelForm):
    daily_revenue_yen = YenField(
        label=capfirst(_("revenue per working day (yen)")),
        min_value=0,
        max_value=10**12,
        required=False,
        help_text=RiskSettings._meta.get_field("daily_revenue_yen").help_text,
    )
    annual_revenue_yen = YenField(
        label=capfirst(_("or: annual revenue (yen)")),
        min_value=0,
        max_value=10**14,
        required=False,
        help_text=_("Leave the daily figure empty and enter annual revenue instead: ippo divides it by 240."),
    )
    cost_per_record_yen = YenField(
        label=capfirst(_("cost per leaked record (yen)")),
        min_value=0,
        max_value=10_000_000,
        help_text=RiskSettings._meta.get_field("cost_per_record_yen").help_text,
    )

    class Meta:
        model = RiskSettings
        fields = ["daily_revenue_yen", "annual_revenue_yen", "cost_per_record_yen"]

    def clean(self):
        data = super().clean()
        daily, annual = data.get("daily_revenue_yen"), data.get("annual_revenue_yen")
        if daily is None and "daily_revenue_yen" not in self.errors:
            if annual is None:
                self.add_error(
                    "daily_revenue_yen", _("Enter the revenue per working day, or the annual revenue.")
                )
            else:
                data["daily_revenue_yen"] = annual // WORKING_DAYS_PER_YEAR
        return data


class VendorForm(forms.ModelForm):
    service_kinds = forms.MultipleChoiceField(
        label=capfirst(_("kinds of service")),
        choices=Vendor.ServiceKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Vendor
        fields = [
            "name",
            "service_kinds",
            "services",
            "contact_name",
            "contact_email",
            "contact_phone",
            "last_review",
            "notes",
        ]
        widgets = {
            "services": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "last_review": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.checklist or {}
        self.checklist_fields = []
        for item in content.checklist():
            name = f"check_{item.id}"
            self.fields[name] = forms.ChoiceField(
                label=item.label.get(),
                help_text=item.help.get(),
                choices=Vendor.Answer.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=stored.get(item.id, Vendor.Answer.UNKNOWN),
            )
            self.checklist_fields.append(name)

    @property
    def main_fields(self):
        return [self[name] for name in self.Meta.fields]

    @property
    def checklist_bound_fields(self):
        return [self[name] for name in self.checklist_fields]

    def checklist_value(self) -> dict[str, str]:
        return {
            item.id: self.cleaned_data.get(f"check_{item.id}") or Vendor.Answer.UNKNOWN
            for item in content.checklist()
        }


class AssetImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file (.csv, .xlsx)"),
        error_messages={"required": _("Choose a file to import.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if name.endswith(".xls"):
            raise forms.ValidationError(
                _("This is the old Excel format (.xls). Save it as .xlsx or as CSV UTF-8.")
            )
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Choose a .csv or .xlsx file."))
        if upload.size > exchange.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB. Split it into several files."))
        return upload
