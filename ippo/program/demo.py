"""Demo data for the programme: a plan in progress with owners and dates, finished items with evidence,
recurring tasks with owners, and one restore test whose evidence has aged. Runs after the assessments'
demo (which created the gap items). Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ippo.program import services
from ippo.program.models import ActionItem, Evidence, RecurringTask


def load(*, org, users) -> None:
    if Evidence.objects.filter(organization=org).exists():
        return
    today = timezone.localdate()
    owner, manager, member = users["owner"], users["manager"], users["member"]
    items = list(ActionItem.objects.filter(organization=org, status__in=ActionItem.OPEN).order_by("-priority", "pk"))
    people = [manager, manager, member, owner, manager, member, manager, None]
    for index, item in enumerate(items[:16]):
        item.owner = people[index % len(people)]
        item.due_date = today + timedelta(days=(index * 9) - 12)
        item.status = ActionItem.Status.IN_PROGRESS if index % 5 == 1 else ActionItem.Status.TODO
        item.save(update_fields=["owner", "due_date", "status"])

    done = items[16:19]
    evidence = [
        {"note": "全員のメールで多要素認証を有効にし、管理画面で確認しました。", "performed_on": today - timedelta(days=20)},
        {"url": "https://example.com/shared/ippo-demo/asset-list.xlsx", "performed_on": today - timedelta(days=35)},
        {
            "upload": SimpleUploadedFile("update-check.txt", "Windows Update: 28台すべて最新（2026年11月）\n".encode()),
            "performed_on": today - timedelta(days=6),
        },
    ]
    for item, proof in zip(done, evidence, strict=False):
        services.action_item_complete(item=item, actor=manager, evidence=proof)

    for index, task in enumerate(RecurringTask.objects.filter(organization=org).order_by("pk")):
        task.owner = manager if index % 3 else member
        task.save(update_fields=["owner"])

    # A restore test done once, eight months ago: its evidence has aged and the control shows it.
    services.evidence_add(
        org=org,
        actor=manager,
        control_id="pr-restore-test",
        note="NAS のバックアップからフォルダーを1つ復元し、開けることを確認しました。",
        performed_on=today - timedelta(days=240),
    )
    services.control_status_apply_answers(
        org=org,
        actor=manager,
        answers={"pr-restore-test": "yes"},
        source="manual",
        source_ref="demo",
        when=timezone.now() - timedelta(days=240),
    )
    services.evidence_age_check(org=org, today=today)
    services.recurring_occurrences_create(org=org, today=today)
