from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "ippo.sharing"
    label = "sharing"
    verbose_name = _("Partner evidence")
