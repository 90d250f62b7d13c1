from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecksConfig(AppConfig):
    name = "ippo.checks"
    label = "checks"
    verbose_name = _("Automated checks")

    def ready(self) -> None:
        from ippo.core.audit import ACTION_LABELS

        ACTION_LABELS.update(AUDIT_ACTIONS)


AUDIT_ACTIONS = {
    "checks.domain_added": _("Domain added for automated checks"),
    "checks.domain_changed": _("Domain check settings changed"),
    "checks.domain_removed": _("Domain removed from automated checks"),
    "checks.domain_verified": _("Domain ownership proven"),
    "checks.domain_verification_lost": _("Domain ownership proof no longer found"),
    "checks.address_attested": _("Address vouched for as the organisation's own"),
    "checks.address_withdrawn": _("Vouched-for address removed"),
    "checks.run_requested": _("Automated check started by hand"),
}
