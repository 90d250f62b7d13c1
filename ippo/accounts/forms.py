from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from ippo.accounts.models import User
from ippo.core.roles import Role


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


class InvitationAcceptForm(forms.Form):
    """For someone without an account yet. The password is optional: without one, they sign in with a
    one-time code sent to their e-mail."""

    name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    password = forms.CharField(
        label=_("Password (optional)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Leave empty to sign in with a one-time code sent to your e-mail each time. "
            "If you set one, use at least 10 characters."
        ),
    )

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password(self):
        password = self.cleaned_data.get("password") or ""
        if password:
            password_validation.validate_password(password, User(email=self.email, name=self.data.get("name", "")))
        return password


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "language", "timezone"]
        help_texts = {"timezone": _("Times are shown in this time zone. Asia/Tokyo unless you choose otherwise.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].required = True
        self.fields["timezone"].required = True
