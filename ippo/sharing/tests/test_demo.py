"""The demo company gets one Japanese pack with one active share link, once."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from ippo.core.demo import demo_load
from ippo.sharing.models import EvidencePack, ShareLink

pytestmark = pytest.mark.django_db


def test_the_demo_has_one_japanese_pack_with_an_active_link():
    org, _users = demo_load()
    demo_load()  # idempotent
    with scopes_disabled():
        pack = EvidencePack.objects.get(organization=org)
        link = ShareLink.objects.get(pack=pack)
    assert pack.language == "ja" and pack.revoked_at is None and pack.contact_name
    assert link.is_active() and link.access_count == 0
    assert pack.snapshot["organization"] == org.name
