"""Audit actions recorded by the incidents app, merged into ippo.core.audit.ACTION_LABELS on first use."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "incident.created": _("Incident recorded"),
    "incident.updated": _("Incident changed"),
    "incident.status_changed": _("Incident status changed"),
    "incident.playbook_applied": _("Playbook checklist added to an incident"),
    "incident.personal_data_assessed": _("Incident personal-data assessment saved"),
    "incident.reviewed": _("Incident review saved"),
    "incident.exported": _("Incident register exported"),
    "incident.ppc_draft_downloaded": _("Draft report to the PPC downloaded"),
    "incidentclock.added": _("Incident deadline added"),
    "incidentclock.done": _("Incident deadline met"),
    "incidentsettings.updated": _("Incident deadline settings changed"),
    "externalcontact.seeded": _("Public contact points added to the directory"),
    "externalcontact.created": _("External contact added"),
    "externalcontact.updated": _("External contact changed"),
    "externalcontact.deleted": _("External contact deleted"),
}
