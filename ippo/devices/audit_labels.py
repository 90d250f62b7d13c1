from django.utils.translation import gettext_lazy as _

# Audit actions of ippo.devices and the label a person reads (merged by ippo.core.audit).
ACTION_LABELS = {
    "device.enrolment_code_created": _("Device enrolment code made"),
    "device.enrolment_code_revoked": _("Device enrolment code cancelled"),
    "device.enrolled": _("Device enrolled with the agent"),
    "device.updated": _("Device changed"),
    "device.retired": _("Device removed"),
    "cloudconnector.created": _("Cloud sign-in connection added"),
    "cloudconnector.deleted": _("Cloud sign-in connection removed"),
    "cloudconnector.checked": _("Cloud sign-in coverage checked"),
    "saasservice.created": _("Service to check by hand added"),
    "saasservice.deleted": _("Service to check by hand removed"),
    "saasservice.attested": _("Two-step sign-in confirmed by hand"),
}
