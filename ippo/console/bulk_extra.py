"""Bulk actions provided by the people modules: action → (permission, handler(org=, actor=, options=),
label), and the extra choices the console form shows for them (OPTIONS)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _assign_training(*, org, actor, options: dict) -> None:
    from ippo.people.models import Employee
    from ippo.training.services import assignment_create

    module_id = options.get("module_id", "")
    if module_id not in _module_ids():
        raise ValidationError(_("Choose a lesson."))
    assignment_create(
        org=org,
        actor=actor,
        employees=Employee.objects.filter(organization=org, is_active=True),
        module_id=module_id,
        due_on=timezone.localdate() + timedelta(days=30),
    )


def _drill_draft(*, org, actor, options: dict) -> None:
    """A drill draft for everyone with the chosen template: each organisation's manager then picks its
    sending profile and window in the wizard and schedules it (sending is never started from here)."""
    from ippo.phishing import services

    template_id = options.get("template_id", "")
    if template_id not in services.template_ids():
        raise ValidationError(_("Choose a drill template."))
    drill = services.drill_draft_create(org=org, actor=actor, name=str(_("Drill prepared by your advisor")))
    try:
        services.drill_audience_save(
            drill=drill, actor=actor, name=drill.name, mode="everyone", departments=[], employees=[]
        )
    except ValidationError:
        pass  # nobody with an address yet: the draft waits for the employee list
    services.drill_templates_save(drill=drill, actor=actor, template_ids=[template_id], random_template=False)


def _module_ids() -> list[str]:
    from ippo.training.lessons import builtin_modules

    return list(builtin_modules())


def _language() -> str:
    from django.utils.translation import get_language

    return "en" if (get_language() or "ja").startswith("en") else "ja"


def _module_choices():
    from ippo.training.lessons import builtin_modules

    return [(m.id, getattr(m.title, _language())) for m in builtin_modules().values()]


def _template_choices():
    from ippo.phishing.sending import templates_content_by_id

    return [(t.id, t.subject.get(_language())) for t in templates_content_by_id().values()]


HANDLERS: dict = {
    "assign_training": ("people.manage", _assign_training, _("Assign a lesson to everyone (due in 30 days)")),
    "drill_draft": ("drills.manage", _drill_draft, _("Prepare a phishing drill draft from a template")),
}

def options() -> dict:
    """The extra choices of the bulk form, in the reader's language."""
    return {
        "module_id": {"label": _("Lesson"), "choices": _module_choices()},
        "template_id": {"label": _("Drill template"), "choices": _template_choices()},
    }
