from django import forms
from django.utils.translation import gettext_lazy as _

from ippo.core.models import Organization
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
