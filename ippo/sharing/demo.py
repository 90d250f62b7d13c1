"""Demo data: one evidence pack in Japanese with one active share link (30 days). Idempotent.

The link's address cannot be shown afterwards (only its hash is kept), so the demo link is there to show
the list, the counts and revoking; make a new link in the demo to open the partner's page."""

from __future__ import annotations

from ippo.sharing import services
from ippo.sharing.models import EvidencePack


def load(*, org, users) -> None:
    if EvidencePack.objects.filter(organization=org).exists():
        return
    pack = services.evidencepack_create(
        org=org,
        actor=users["manager"],
        language="ja",
        contact_name="総務部 情報セキュリティ担当 佐藤 花子",
        contact_email="security@ippo-shoji.example.jp",
        contact_phone="03-0000-0000",
    )
    services.sharelink_create(
        pack=pack, actor=users["owner"], days=30, label="株式会社サンプル製作所（見積依頼）"
    )
