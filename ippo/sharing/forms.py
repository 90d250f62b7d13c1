from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ippo.sharing.models import EvidencePack, ShareLink
from ippo.sharing.services import code_normalize
from ippo.sharing.verification import MAX_FILE_BYTES


class EvidencePackForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the pack"),
        choices=EvidencePack.Language.choices,
        widget=forms.RadioSelect,
        help_text=_("The language your partner reads. The pack is made in one language."),
    )
    contact_name = forms.CharField(
        label=_("Contact person"),
        max_length=120,
        help_text=_("Whom partners may ask about the pack, e.g. “General Affairs, Sato Hanako”."),
    )
    contact_email = forms.EmailField(label=_("Contact e-mail"), max_length=254, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)

    def clean(self):
        data = super().clean()
        if data.get("contact_name") and not (data.get("contact_email") or data.get("contact_phone")):
            self.add_error(
                "contact_email",
                _("Give an e-mail address or a phone number so that partners can reach them."),
            )
        return data


class ShareLinkForm(forms.Form):
    pack = forms.ModelChoiceField(label=_("Evidence pack"), queryset=EvidencePack.objects.none())
    days = forms.TypedChoiceField(
        label=_("The link works for"),
        coerce=int,
        choices=[(d, _("%(days)s days") % {"days": d}) for d in ShareLink.VALID_DAYS],
        initial=30,
    )
    label = forms.CharField(
        label=_("For whom (only you see this)"),
        max_length=120,
        required=False,
        help_text=_("E.g. the partner's name, so you know which link to revoke later."),
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pack"].queryset = (
            EvidencePack.objects.filter(organization=org, revoked_at__isnull=True)
            .defer("pdf", "snapshot")
            .order_by("-created_at", "-pk")
        )
        self.fields["pack"].label_from_instance = lambda p: f"{p.code} ({p.get_language_display()})"


class VerifyCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("The 12 letters and digits printed on the pack, e.g. ABCD-EFGH-JKLM."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )

    def clean_code(self):
        code = code_normalize(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("A verification code has 12 letters and digits, such as ABCD-EFGH-JKLM. Please check it.")
            )
        return code


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("The PDF you received"),
        help_text=_("It is compared with the pack and not kept."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("This file is too large to be an evidence pack."))
        return upload
