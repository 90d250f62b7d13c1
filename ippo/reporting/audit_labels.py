"""Audit actions of the reporting channel and the label a person reads (merged by ippo.core.audit)."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "report.received": _("Report received"),
    "report.viewed": _("Confidential report opened"),
    "report.replied": _("Reply sent to a reporter"),
    "report.acknowledged": _("Report acknowledged"),
    "report.updated": _("Report status or severity changed"),
    "report.attachment_downloaded": _("Report attachment downloaded"),
    "report.incident_opened": _("Incident opened from a report"),
    "reporting.link_rotated": _("Report link replaced"),
    "reporting.settings_changed": _("Reporting office hours changed"),
    "reporting.handler_designated": _("Person designated to handle concerns"),
    "reporting.handler_removed": _("Designation to handle concerns removed"),
    "reporting.rule_saved": _("Escalation rule saved"),
    "reporting.rule_deleted": _("Escalation rule deleted"),
}
