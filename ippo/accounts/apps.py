from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ippo.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from ippo.accounts import receivers  # noqa: F401  (connects audit receivers)
