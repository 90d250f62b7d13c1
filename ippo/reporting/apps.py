from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "ippo.reporting"
    label = "reporting"
    verbose_name = _("Reporting channel")

    def ready(self) -> None:
        from ippo.reporting.logfilter import install

        install()  # withhold log lines about the anonymous routes (see logfilter.py)
