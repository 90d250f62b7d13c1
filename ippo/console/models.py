from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ippo.core.models import TenantModel


class BenchmarkParticipation(TenantModel):
    """An organisation that agreed to add its score, anonymously, to the comparison other organisations in
    this installation see (by industry and size band, only in groups of at least five)."""

    opted_in_at = models.DateTimeField(_("joined"), auto_now_add=True)
    opted_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("benchmark participation")
        verbose_name_plural = _("benchmark participations")
        constraints = [models.UniqueConstraint(fields=["organization"], name="benchmark_one_per_org")]

    def __str__(self) -> str:
        return str(self.organization)
