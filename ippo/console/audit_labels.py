from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "console.bulk_action": _("Action started from the advisor console"),
    "benchmark.joined": _("Joined the anonymous score comparison"),
    "benchmark.left": _("Left the anonymous score comparison"),
}
