from django import forms
from django.utils.translation import gettext_lazy as _

from ippo.core.models import ChatWebhook, NotificationPreference, Organization
from ippo.core.roles import Role


class OrganizationCreateForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "slug"]
        widgets = {"slug": forms.TextInput(attrs={"placeholder": "example-corp", "autocapitalize": "none"})}

    def clean_slug(self):
        return (self.cleaned_data.get("slug") or "").strip().lower()

    def validate_unique(self):
        # organization_create() checks uniqueness with a message of its own, inside its transaction.
        pass


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ChatWebhookForm(forms.Form):
    """Adding a chat webhook. Which fields are needed depends on the service; ippo.core.notify checks them.
    Secrets use password inputs, so they are never sent back to the browser, not even after an error."""

    kind = forms.ChoiceField(label=_("Service"), choices=ChatWebhook.Kind.choices)
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("So that you recognise it, for example “#security channel”."),
        error_messages={"required": _("Please give the webhook a name, such as the channel it posts to.")},
    )
    url = forms.CharField(
        label=_("Webhook URL"),
        required=False,
        max_length=2000,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "Slack, Microsoft Teams and other services: the address the service gave you, starting with "
            "https://. It is stored encrypted and is not shown again."
        ),
    )
    room_id = forms.CharField(
        label=_("Chatwork room ID"),
        required=False,
        max_length=20,
        help_text=_("Chatwork only: the digits after “rid” in the room's address."),
    )
    token = forms.CharField(
        label=_("Chatwork API token"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Chatwork only. It is stored encrypted and is not shown again."),
    )


class NotificationPreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email_enabled", "digest_enabled"]
