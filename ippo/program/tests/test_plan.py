"""The action plan: gaps become items once, completing with evidence moves control status and score,
employees work on their own items, recurring tasks come back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope

from ippo.core.models import AuditEvent
from ippo.program import services
from ippo.program.models import ActionItem, ControlStatus, Evidence, RecurringTask

pytestmark = pytest.mark.django_db


def test_assessment_gaps_become_action_items_once(complete_assessment, unscoped):
    first = complete_assessment(kind="full", answer=lambda i, _: "no" if i % 2 else "yes")
    with unscoped():
        items = dict(ActionItem.objects.filter(source="gap").values_list("control_id", "priority"))
    assert set(items) == {g["control_id"] for g in first.result["gaps"]}
    assert all(p > 0 for p in items.values())

    # The same gaps again: no duplicates. Controls now in place: their items are closed.
    second = complete_assessment(
        kind="full", answer=lambda i, _: "yes" if i % 4 == 1 else ("no" if i % 2 else "yes")
    )
    with unscoped():
        open_ids = set(
            ActionItem.objects.filter(source="gap", status__in=ActionItem.OPEN).values_list(
                "control_id", flat=True
            )
        )
        done = ActionItem.objects.filter(source="gap", status="done").count()
    assert open_ids == {g["control_id"] for g in second.result["gaps"]}
    assert done == len(items) - len(open_ids) > 0


def test_a_quick_check_does_not_close_items_for_controls_it_did_not_ask(complete_assessment, unscoped):
    complete_assessment(kind="full", answer=lambda i, _: "no")
    with unscoped():
        before = ActionItem.objects.filter(status__in=ActionItem.OPEN).count()
    complete_assessment(kind="quick", answer=lambda i, _: "no")
    with unscoped():
        assert ActionItem.objects.filter(status__in=ActionItem.OPEN).count() == before


def test_completing_an_item_with_a_file_moves_status_and_score(owner_client, complete_assessment, unscoped):
    complete_assessment(kind="full", answer=lambda i, _: "no")
    with unscoped():
        item = ActionItem.objects.get(control_id="pr-mfa-email", source="gap")
    before = owner_client.get("/o/org-a/plan/").content.decode()
    upload = SimpleUploadedFile("mfa-settings.png", b"\x89PNG fake screenshot", content_type="image/png")
    response = owner_client.post(
        f"/o/org-a/plan/{item.pk}/complete/",
        {"file": upload, "note": "MFA on for all 12 mailboxes"},
        follow=True,
    )
    html = response.content.decode()
    assert "your score went from 0 to" in html and "score-number" in before
    with unscoped():
        item.refresh_from_db()
        status = ControlStatus.objects.get(control_id="pr-mfa-email")
        evidence = Evidence.objects.get(action_item=item)
        assert AuditEvent.objects.filter(action="actionitem.completed").exists()
        assert AuditEvent.objects.filter(action="evidence.added").exists()
    assert item.status == "done" and item.completed_by is not None
    assert (status.status, status.source) == ("implemented", "action_item")
    assert evidence.kind == "file" and evidence.size == 20 and len(evidence.sha256) == 64
    assert evidence.filename == "mfa-settings.png" and evidence.note == "MFA on for all 12 mailboxes"


def test_a_disallowed_evidence_file_keeps_the_item_open_and_says_why(owner_client, personas, unscoped):
    with scope(organization=personas.org):
        item = services.action_item_create(
            org=personas.org, actor=personas.owner, title="Write the backup plan"
        )
    upload = SimpleUploadedFile("page.html", b"<script>alert(1)</script>", content_type="text/html")
    response = owner_client.post(f"/o/org-a/plan/{item.pk}/complete/", {"file": upload})
    assert response.status_code == 400
    assert "cannot be attached" in response.content.decode()
    with unscoped():
        item.refresh_from_db()
        assert item.status == "todo" and not Evidence.objects.exists()


def test_evidence_files_download_as_attachments_only(owner_client, personas, unscoped):
    with scope(organization=personas.org):
        evidence = services.evidence_add(
            org=personas.org,
            actor=personas.owner,
            control_id="pr-backup",
            upload=SimpleUploadedFile("report.pdf", b"%PDF-1.4 test"),
        )
    response = owner_client.get(f"/o/org-a/evidence/{evidence.pk}/")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"


def test_an_employee_works_only_on_their_own_items(client, personas, unscoped):
    member = personas.users["member"]
    with scope(organization=personas.org):
        mine = services.action_item_create(
            org=personas.org, actor=personas.owner, title="Lock screens", owner=member
        )
        other = services.action_item_create(org=personas.org, actor=personas.owner, title="Buy a NAS")
    client.force_login(member)
    assert "Lock screens" in client.get("/o/org-a/plan/mine/").content.decode()
    assert client.get(f"/o/org-a/plan/{other.pk}/")["Location"] == "/o/org-a/plan/mine/"
    assert client.post(f"/o/org-a/plan/{other.pk}/complete/")["Location"] == "/o/org-a/plan/mine/"
    client.post(f"/o/org-a/plan/{mine.pk}/comment/", {"body": "Done on all PCs except the reception one"})
    client.post(f"/o/org-a/plan/{mine.pk}/complete/", {"note": "All PCs lock after 5 minutes"})
    with unscoped():
        mine.refresh_from_db()
        other.refresh_from_db()
        assert mine.status == "done" and other.status == "todo"
        assert mine.comments.get().author == member
    assert client.get("/o/org-a/plan/").status_code == 403


def test_manual_items_need_a_title(owner_client, unscoped):
    response = owner_client.post("/o/org-a/plan/new/", {"title": "  "})
    assert "Say in a few words what needs doing" in response.content.decode()
    with unscoped():
        assert not ActionItem.objects.exists()


def test_owner_and_due_date_can_be_changed_but_only_to_members(owner_client, personas, unscoped):
    with scope(organization=personas.org):
        item = services.action_item_create(org=personas.org, actor=personas.owner, title="Review accounts")
    response = owner_client.post(
        f"/o/org-a/plan/{item.pk}/edit/",
        {"title": "Review accounts", "owner": personas.outsider.pk, "status": "todo"},
        follow=True,
    )
    assert "Select a valid choice" in response.content.decode()
    owner_client.post(
        f"/o/org-a/plan/{item.pk}/edit/",
        {
            "title": "Review accounts",
            "owner": personas.users["manager"].pk,
            "due_date": "2027-01-15",
            "status": "in_progress",
        },
    )
    with unscoped():
        item.refresh_from_db()
    assert (item.owner, item.due_date, item.status) == (
        personas.users["manager"],
        date(2027, 1, 15),
        "in_progress",
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 5, 15), 12, date(2027, 5, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert services.add_months(day, months) == expected


def test_recurring_tasks_come_back_after_completion(personas, unscoped):
    today = date(2026, 11, 26)
    with scope(organization=personas.org):
        assert (
            services.recurring_tasks_ensure(
                org=personas.org, actor=None, control_ids=["pr-restore-test", "pr-mfa-email"], today=today
            )
            == 1
        )
        task = RecurringTask.objects.get()
        assert (task.recurrence, task.next_due) == ("quarterly", today + timedelta(days=14))
        assert services.recurring_occurrences_create(org=personas.org, today=today) == 1
        assert services.recurring_occurrences_create(org=personas.org, today=today) == 0  # no duplicate
        item = ActionItem.objects.get(recurring_task=task)
        services.action_item_complete(
            item=item, actor=personas.owner, when=timezone.make_aware(timezone.datetime(2026, 12, 5, 10))
        )
        task.refresh_from_db()
        assert (task.last_done, task.next_due) == (date(2026, 12, 5), date(2027, 3, 5))
        assert (
            services.recurring_occurrences_create(org=personas.org, today=today) == 0
        )  # next one not yet near


def test_old_evidence_lowers_a_control_and_the_page_says_so(owner_client, personas, unscoped):
    today = timezone.localdate()
    with scope(organization=personas.org):
        services.control_status_apply_answers(
            org=personas.org,
            actor=None,
            answers={"pr-restore-test": "yes", "pr-backup": "yes"},
            source="manual",
            source_ref="",
            when=timezone.now(),
        )
        services.evidence_add(
            org=personas.org,
            actor=None,
            control_id="pr-restore-test",
            note="Restored one folder",
            performed_on=today - timedelta(days=240),
        )
        services.evidence_add(
            org=personas.org,
            actor=None,
            control_id="pr-backup",
            note="Nightly backups",
            performed_on=today - timedelta(days=5),
        )
        lowered = services.evidence_age_check(org=personas.org, today=today)
        statuses = dict(ControlStatus.objects.values_list("control_id", "status"))
    assert lowered == ["pr-restore-test"]
    assert statuses == {"pr-restore-test": "partial", "pr-backup": "implemented"}
    page = owner_client.get("/o/org-a/catalog/pr-restore-test/").content.decode()
    assert "but this needs doing every 3 months" in page and "Evidence out of date" in page


@pytest.mark.parametrize("language", ["ja", "en"])
def test_plan_pages_render_in_both_languages(owner_client, complete_assessment, language):
    complete_assessment(kind="full", answer=lambda i, _: "no")
    owner_client.cookies["ippo_language"] = language
    for url in (
        "/o/org-a/plan/",
        "/o/org-a/plan/board/",
        "/o/org-a/plan/calendar/",
        "/o/org-a/plan/mine/",
        "/o/org-a/plan/recurring/",
        "/o/org-a/plan/?status=done&owner=none&source=gap&function=PR&overdue=1",
        "/o/org-a/plan/calendar/?month=bad",
    ):
        response = owner_client.get(url)
        assert response.status_code == 200, url
        assert f'lang="{language}"' in response.content.decode()[:200]


def test_the_demo_has_a_plan_in_progress_with_evidence_and_recurring_tasks():
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    call_command("demo")
    with scopes_disabled():
        files_first = Evidence.objects.filter(organization__slug="demo", kind="file").count()
    call_command("demo")  # again: nothing is added twice
    with scopes_disabled():
        items = ActionItem.objects.filter(organization__slug="demo")
        assert items.filter(status="in_progress").exists() and items.filter(status="done").count() >= 3
        assert items.filter(owner__isnull=False, due_date__isnull=False).count() >= 10
        assert Evidence.objects.filter(organization__slug="demo", kind="file").count() == files_first >= 1
        assert RecurringTask.objects.filter(organization__slug="demo", owner__isnull=False).exists()
        assert ControlStatus.objects.get(organization__slug="demo", control_id="pr-restore-test").status == "partial"
