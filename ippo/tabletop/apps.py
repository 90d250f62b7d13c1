from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TabletopConfig(AppConfig):
    name = "ippo.tabletop"
    label = "tabletop"
    verbose_name = _("Tabletop exercises")
