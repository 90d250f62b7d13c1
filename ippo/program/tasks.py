"""Background tasks of the programme, run by the django-tasks worker."""

from __future__ import annotations

from django_tasks import task


@task()
def tick() -> dict:
    """The programme clock (ippo.program.reminders.tick). `ippo serve` enqueues it every few minutes;
    other deployments run `ippo program tick` from cron or a timer."""
    from ippo.program.reminders import tick as run

    return run()
