from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from ippo.backup.models import BackupRun, RestoreTest


@pytest.fixture
def url(personas):
    return reverse("org:backup_overview", args=[personas.org.slug])


def test_owner_sees_last_backup_and_restore_test(owner_client, url, django_assert_max_num_queries):
    now = timezone.now()
    BackupRun.objects.create(
        status="ok", started_at=now, finished_at=now, path="/srv/b/ippo-backup-1.tar.gz", size=2048
    )
    RestoreTest.objects.create(path="/srv/b/ippo-backup-1.tar.gz", tested_at=now, ok=True, detail="70 tables")
    response = owner_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "ippo-backup-1.tar.gz" in body and "Restored and checked" in body
    assert "No backup has been made yet" not in body


def test_empty_state_gives_guidance(owner_client, url):
    body = owner_client.get(url).content.decode()
    assert "No backup has been made yet" in body and "No restore has been tested yet" in body


def test_failed_backup_is_shown(owner_client, url):
    now = timezone.now()
    BackupRun.objects.create(status="error", started_at=now, finished_at=now, error="OSError: disk full")
    assert "disk full" in owner_client.get(url).content.decode()


def test_japanese(owner_client, url):
    owner_client.cookies["ippo_language"] = "ja"
    body = owner_client.get(url).content.decode()
    assert "バックアップ" in body


@pytest.mark.parametrize("role", ["manager", "member", "advisor", "viewer"])
def test_only_the_owner(client, personas, url, role):
    client.force_login(personas.users[role])
    assert client.get(url).status_code == 403


def test_post_is_rejected(owner_client, url):
    assert owner_client.post(url).status_code == 405


def test_query_count_is_constant(owner_client, url, django_assert_max_num_queries):
    now = timezone.now()
    for i in range(20):
        BackupRun.objects.create(status="ok", started_at=now, finished_at=now, path=f"/b/{i}", size=1)
        RestoreTest.objects.create(path=f"/b/{i}", tested_at=now, ok=True)
    with django_assert_max_num_queries(20):
        assert owner_client.get(url).status_code == 200
