from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    name = "ippo.registers"
    label = "registers"
    verbose_name = _("Assets, risks and vendors")
