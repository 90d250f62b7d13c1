"""Audit actions of tabletop exercises and the label a person reads (merged by ippo.core.audit)."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "tabletop.exercise_planned": _("Tabletop exercise planned"),
    "tabletop.exercise_updated": _("Tabletop exercise plan changed"),
    "tabletop.exercise_deleted": _("Tabletop exercise deleted"),
    "tabletop.exercise_started": _("Tabletop exercise started"),
    "tabletop.exercise_finished": _("Tabletop exercise finished"),
    "tabletop.hotwash_saved": _("Tabletop exercise hot wash saved"),
    "tabletop.actions_added": _("Action items added from a tabletop exercise"),
}
