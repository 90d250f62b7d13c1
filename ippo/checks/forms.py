from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DomainForm(forms.Form):
    name = forms.CharField(
        label=_("Domain"),
        max_length=253,
        help_text=_(
            "The part after @ in your e-mail addresses, or your website's address without https://, e.g. example.co.jp."
        ),
    )
    dkim_selectors = forms.CharField(
        label=_("DKIM selectors (optional)"),
        max_length=200,
        required=False,
        help_text=_(
            "Leave empty if you don't know: we try the usual ones for Microsoft 365 and Google Workspace."
        ),
    )


class DomainSettingsForm(forms.Form):
    dkim_selectors = forms.CharField(label=_("DKIM selectors (optional)"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("Check this domain every week"), required=False)


class AttestationForm(forms.Form):
    address = forms.CharField(
        label=_("Address (IPv4 or IPv6)"),
        max_length=45,
        help_text=_(
            "For example the fixed address of your office internet line, if it is not in your domain's records."
        ),
    )
    reason = forms.CharField(
        label=_("Why this address is yours"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "E.g. “Fixed IP of the head office line, contract with our internet provider no. 1234”. This is kept in the audit log with your name and the date."
        ),
    )
    confirm = forms.BooleanField(
        label=_("I confirm that this address belongs to our organisation and that ippo may test it."),
    )
