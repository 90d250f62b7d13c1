"""Writes to the control-status hub."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.db import transaction

from ippo.catalog.loader import catalog_get
from ippo.core.models import Organization
from ippo.program.models import ControlStatus

STATUS_FOR_ANSWER = {
    "yes": ControlStatus.Status.IMPLEMENTED,
    "partial": ControlStatus.Status.PARTIAL,
    "no": ControlStatus.Status.NOT_IMPLEMENTED,
    "unknown": ControlStatus.Status.UNKNOWN,
}


@transaction.atomic
def control_status_apply_answers(
    *,
    org: Organization,
    actor,
    answers: Mapping[str, str],
    source: str,
    source_ref: str,
    when: datetime,
) -> int:
    """Set the status of every control in `answers` (control id → yes/partial/no/unknown) from one
    source, such as a completed assessment. Returns how many rows were written. Two queries plus the writes,
    whatever the number of controls. A status set later than `when` (by a newer source) is kept."""
    catalog = catalog_get()
    existing = {
        s.control_id: s for s in ControlStatus.objects.filter(organization=org, control_id__in=list(answers))
    }
    to_create, to_update = [], []
    user = actor if getattr(actor, "is_authenticated", False) else None
    for control_id, answer in answers.items():
        status = STATUS_FOR_ANSWER[answer]
        version = catalog.control(control_id).version
        row = existing.get(control_id)
        if row is None:
            to_create.append(
                ControlStatus(
                    organization=org,
                    control_id=control_id,
                    control_version=version,
                    status=status,
                    source=source,
                    source_ref=source_ref,
                    updated_at=when,
                    updated_by=user,
                )
            )
        elif row.updated_at <= when:
            row.status, row.control_version, row.source, row.source_ref = status, version, source, source_ref
            row.updated_at, row.updated_by = when, user
            to_update.append(row)
    ControlStatus.objects.bulk_create(to_create)
    ControlStatus.objects.bulk_update(
        to_update, ["status", "control_version", "source", "source_ref", "updated_at", "updated_by"]
    )
    return len(to_create) + len(to_update)
