"""This app's audit actions and the labels people read (merged into ippo.core.audit.ACTION_LABELS)."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "training.assigned": _("Training assigned"),
    "training.assignment_cancelled": _("Training assignment cancelled"),
    "training.completed": _("Training completed"),
    "training.session_recorded": _("Group training session recorded"),
    "training.module_saved": _("Own training module saved"),
    "training.rule_changed": _("Training assignment rule changed"),
    "training.exported": _("Training records exported"),
    "training.link_sent": _("Training sign-in link sent"),
    "training.link_used": _("Signed in with a training link"),
}
