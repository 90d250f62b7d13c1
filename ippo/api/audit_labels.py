from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "apitoken.created": _("API token created"),
    "apitoken.revoked": _("API token revoked"),
    "apitoken.used": _("API token used (first use of the day)"),
}
