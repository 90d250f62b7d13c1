"""Forms for generating and editing documents. A document is edited one section at a time: a heading and a
text box, with paragraphs separated by an empty line, so no markup is needed."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.forms import formset_factory
from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext_lazy as _

from ippo.policies import library
from ippo.policies.models import (
    MAX_HEADING,
    MAX_NOTE,
    MAX_REPORT_CONTACT,
    MAX_SECTION_TEXT,
    MAX_SECTIONS,
    MAX_TITLE,
    Policy,
)

SECTION_PREFIX = "s"


def paragraphs_from_text(text: str) -> list[str]:
    """Split a text box into paragraphs at empty lines."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def text_from_paragraphs(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


class GenerateForm(forms.Form):
    templates = forms.MultipleChoiceField(
        label=_("Documents to draft"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one document.")},
    )
    language = forms.ChoiceField(
        label=_("Language of the documents"),
        choices=settings.LANGUAGES,
        help_text=_(
            "Each document is written in one language. A document that already exists keeps its language."
        ),
    )
    report_contact = forms.CharField(
        label=_("Who should people report incidents and worries to?"),
        max_length=MAX_REPORT_CONTACT,
        help_text=_(
            "A person or team and how to reach them, for example “General Affairs, Yamada, 03-1234-5678”. "
            "It is written into the documents."
        ),
        error_messages={
            "required": _("Say who people should report to, for example a team and a phone number."),
            "max_length": _("Keep this under %(limit_value)d characters (it has %(show_value)d)."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["templates"].choices = [(t.id, t.title.get()) for t in library.templates_get()]


class CreateForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=MAX_TITLE,
        error_messages={
            "required": _("The document needs a title."),
            "max_length": _("Keep the title under %(limit_value)d characters (it has %(show_value)d)."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Policy.Kind.choices,
        initial=Policy.Kind.RULE,
        help_text=_(
            "The basic policy is the company's public statement, signed by the owner; rules are for staff."
        ),
    )
    language = forms.ChoiceField(label=_("Language of the document"), choices=settings.LANGUAGES)


class VersionForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=MAX_TITLE,
        error_messages={
            "required": _("The document needs a title."),
            "max_length": _("Keep the title under %(limit_value)d characters (it has %(show_value)d)."),
        },
    )
    note = forms.CharField(
        label=_("What changed (optional)"),
        max_length=MAX_NOTE,
        required=False,
        help_text=_(
            "A short note for the version history, for example “Added the rule on USB memory sticks”."
        ),
        error_messages={
            "max_length": _("Keep the note under %(limit_value)d characters (it has %(show_value)d)."),
        },
    )


class SectionForm(forms.Form):
    heading = forms.CharField(
        label=_("Heading"),
        max_length=MAX_HEADING,
        error_messages={
            "required": _("Give this section a heading."),
            "max_length": _("Keep the heading under %(limit_value)d characters (it has %(show_value)d)."),
        },
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=MAX_SECTION_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Leave an empty line between paragraphs."),
        error_messages={
            "required": _("Write the text of this section, or tick “Remove this section”."),
            "max_length": _(
                "This section is too long: %(show_value)d characters, and the limit is %(limit_value)d. "
                "Split it into two sections."
            ),
        },
    )

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not paragraphs_from_text(body):
            raise forms.ValidationError(_("Write the text of this section, or tick “Remove this section”."))
        return body


class BaseSectionFormSet(BaseFormSet):
    default_error_messages = {
        **BaseFormSet.default_error_messages,
        "too_few_forms": _("A document needs at least one section."),
        "too_many_forms": _("A document can have at most %(num)d sections."),
    }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("Remove this section")

    def sections(self) -> list[dict]:
        """The sections to save, in order, without the removed and the untouched empty ones."""
        return [
            {
                "heading": form.cleaned_data["heading"],
                "paragraphs": paragraphs_from_text(form.cleaned_data["body"]),
            }
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


SectionFormSet = formset_factory(
    SectionForm,
    formset=BaseSectionFormSet,
    extra=0,
    can_delete=True,
    min_num=1,
    validate_min=True,
    max_num=MAX_SECTIONS,
    validate_max=True,
    absolute_max=MAX_SECTIONS + 5,
)


def section_formset(
    data=None, *, sections: list[dict] | None = None, add_one: bool = False
) -> BaseSectionFormSet:
    """The sections form: from stored sections (GET), from the posted data, or the posted data plus one empty
    section at the end ("Add a section", which saves nothing)."""
    if data is not None and add_one:
        data = data.copy()
        key = f"{SECTION_PREFIX}-TOTAL_FORMS"
        try:
            total = int(data.get(key, "0"))
        except ValueError:
            total = 0
        data[key] = str(min(total + 1, MAX_SECTIONS))
    if data is not None:
        return SectionFormSet(data, prefix=SECTION_PREFIX)
    initial = [
        {"heading": s["heading"], "body": text_from_paragraphs(s["paragraphs"])} for s in sections or []
    ]
    return SectionFormSet(initial=initial, prefix=SECTION_PREFIX)
