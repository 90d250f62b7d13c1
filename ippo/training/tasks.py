"""Background tasks of training, run by the django-tasks worker. Tasks take IDs, never model instances."""

from __future__ import annotations

from django_tasks import task

from ippo.training import services


@task()
def signin_link_mail(link_id: int, token_encrypted: str, language: str) -> bool:
    """Send the e-mail for one sign-in link (the token arrives encrypted)."""
    return services.signinlink_mail(link_id=link_id, token_encrypted=token_encrypted, language=language)
