from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ippo.assessments.models import Assessment, Headcount, Industry, ITUse


class ProfileBasicsForm(forms.Form):
    industry = forms.ChoiceField(
        label=_("What does your company mainly do?"),
        choices=[("", _("Choose…")), *Industry.choices],
        error_messages={"required": _("Choose the closest industry. “Other” is fine.")},
    )
    headcount = forms.ChoiceField(
        label=_("How many people work for the company, including part-time staff?"),
        choices=Headcount.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the number of people.")},
    )


class ProfileITForm(forms.Form):
    it_uses = forms.MultipleChoiceField(
        label=_("Which of these does your company use? Tick all that apply."),
        help_text=_("Nothing to tick? That is fine: the questions for everyone still apply."),
        choices=ITUse.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class CompanyNameForm(forms.Form):
    name = forms.CharField(
        label=_("Company name"),
        max_length=200,
        help_text=_("You can change it later."),
        error_messages={"required": _("Enter the company name.")},
    )


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Assessment.Kind.choices, required=False, widget=forms.HiddenInput
    )
    file = forms.FileField(
        label=_("File exported from ippo (.xlsx or .json)"),
        error_messages={"required": _("Choose a file to import.")},
    )

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB. Export it again from ippo."))
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".json")):
            raise forms.ValidationError(_("Choose an .xlsx or .json file exported from ippo."))
        return upload
