"""Background tasks of the core app, run by the django-tasks worker (`ippo db_worker`, started by
`ippo serve`). Tasks take IDs, never model instances, and are enqueued after the transaction commits."""

from __future__ import annotations

from django_tasks import task

from ippo.core import notify


@task()
def deliver(delivery_id: int) -> str:
    """Send one queued notification (ippo.core.notify). Claims the row first, so a delivery that another
    worker already has, or that was already sent, is skipped. Returns the resulting status."""
    delivery = notify.delivery_claim(delivery_id=delivery_id)
    if delivery is None:
        return "skipped"
    return notify.delivery_attempt(delivery).status


@task()
def retry_due_deliveries() -> int:
    """Attempt every delivery that is due; the same as `ippo notify retry`."""
    return notify.deliveries_retry_due()
