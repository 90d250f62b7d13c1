"""The owner's backup page: when the last backup succeeded and when a restore was last proved to work."""

from __future__ import annotations

from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ippo.backup.selectors import backup_status
from ippo.core.tenancy import org_view

STALE_DAYS = 2  # a daily backup older than this needs attention
RESTORE_STALE_DAYS = 31


@require_safe
@org_view("org.settings")
def backup_overview(request):
    status = backup_status()
    now = timezone.now()
    backup_stale = status.last_ok is None or status.last_ok.finished_at < now - timedelta(days=STALE_DAYS)
    restore_stale = status.last_restore is None or status.last_restore.tested_at < now - timedelta(
        days=RESTORE_STALE_DAYS
    )
    return render(
        request,
        "backup/backup_overview.html",
        {
            "status": status,
            "backup_stale": backup_stale,
            "restore_stale": restore_stale,
            "stale_days": STALE_DAYS,
        },
    )
