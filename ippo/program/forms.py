from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ippo.core.selectors import working_memberships
from ippo.program.models import ActionItem, Recurrence


def _member_choices(org, *, blank_label):
    members = working_memberships(org)
    return [("", blank_label)] + [(str(m.user_id), m.user.get_short_name()) for m in members]


class OwnerChoiceMixin:
    def _setup_owner(self, org):
        self.fields["owner"].choices = _member_choices(org, blank_label=_("Nobody yet"))
        self._org = org

    def clean_owner(self):
        value = self.cleaned_data.get("owner")
        if not value:
            return None
        membership = working_memberships(self._org).filter(user_id=value).first()
        if membership is None:
            raise forms.ValidationError(_("Choose a member of this organisation."))
        return membership.user


class ActionItemForm(OwnerChoiceMixin, forms.Form):
    title = forms.CharField(label=_("What needs doing"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    owner = forms.ChoiceField(label=_("Responsible"), required=False)
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (value, label) for value, label in ActionItem.Status.choices if value != ActionItem.Status.DONE
        ],
        required=False,
    )

    def __init__(self, *args, org, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_owner(org)
        self.item = item
        if item is None:
            del self.fields["status"]
            self.fields["title"].required = True
            self.fields["title"].error_messages["required"] = _("Say in a few words what needs doing.")
        elif item.control_id:
            self.fields["title"].help_text = _("Leave empty to use the measure's name.")


class CompleteForm(forms.Form):
    file = forms.FileField(label=_("Evidence file (optional)"), required=False)
    url = forms.URLField(label=_("Or a link"), required=False, assume_scheme="https")
    note = forms.CharField(
        label=_("Or a note: what was done"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )
    performed_on = forms.DateField(
        label=_("Date done"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )

    def clean_performed_on(self):
        value = self.cleaned_data.get("performed_on") or timezone.localdate()
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date done cannot be in the future."))
        return value

    def clean_file(self):
        from django.core.exceptions import ValidationError

        from ippo.program.services import evidence_check_upload

        upload = self.cleaned_data.get("file")
        if upload:
            try:
                evidence_check_upload(upload)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from None
        return upload

    def evidence(self) -> dict | None:
        data = self.cleaned_data
        if not (data.get("file") or data.get("url") or (data.get("note") or "").strip()):
            return None
        return {
            "upload": data.get("file"),
            "url": data.get("url") or "",
            "note": data.get("note") or "",
            "performed_on": data["performed_on"],
        }


class EvidenceForm(CompleteForm):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and self.evidence() is None:
            raise forms.ValidationError(_("Attach a file, a link or a note."))
        return data


class RecurringTaskForm(OwnerChoiceMixin, forms.Form):
    recurrence = forms.ChoiceField(label=_("How often"), choices=Recurrence.choices)
    next_due = forms.DateField(label=_("Next due"), widget=forms.DateInput(attrs={"type": "date"}))
    owner = forms.ChoiceField(label=_("Responsible"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_owner(org)
