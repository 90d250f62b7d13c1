"""Audit actions of the drill sending side (profiles, drills, recurring drills). Merged by ippo.core.audit."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "sendingprofile.created": _("Drill sending profile added"),
    "sendingprofile.updated": _("Drill sending profile changed"),
    "sendingprofile.deleted": _("Drill sending profile deleted"),
    "sendingprofile.tested": _("Test message sent from a drill sending profile"),
    "sendingprofile.domain_checked": _("Drill sender domain checked"),
    "drill.scheduled": _("Phishing drill scheduled"),
    "drill.cancelled": _("Phishing drill cancelled"),
    "drill.finished": _("Phishing drill finished"),
    "drill.deleted": _("Phishing drill draft deleted"),
    "drillprogramme.created": _("Recurring phishing drill set up"),
    "drillprogramme.stopped": _("Recurring phishing drill stopped"),
    "drillprogramme.drill_created": _("Phishing drill created by a recurring drill"),
    # Results (ippo.phishing.results, ippo.phishing.tracking).
    "drill.results_exported": _("Phishing drill results exported"),
    "drill.followup_assigned": _("Follow-up training assigned after phishing drills"),
    "drill.personal_results_deleted": _("Per-person phishing drill results deleted after the retention period"),
}
