"""Demo data for the registers: a 30-person manufacturer that uses Microsoft 365, has a website made by a web
company and leaves its PCs and network to an outside IT company. Idempotent: each register is filled only
while it is empty, and the starter risks are added only once."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ippo.registers import services
from ippo.registers.models import Asset, Responsibility, Risk, RiskSettings, Vendor

# name, type, where it lives, owner (a role of the demo users, or a free name), personal data, C, I, A
ASSETS = (
    ("Microsoft 365（メール・Teams・OneDrive）", "cloud", "Microsoft 365", "manager", True, 3, 2, 3),
    ("顧客・取引先名簿", "data", "NAS の営業フォルダー", "営業部", True, 3, 2, 2),
    ("会計・給与データ", "cloud", "クラウド会計サービス", "manager", True, 3, 3, 2),
    ("図面・製造仕様書", "data", "NAS の製造フォルダー", "製造部", False, 3, 3, 3),
    ("ファイルサーバー（NAS）", "nas", "事務所のサーバーラック", "みどりITサポート（保守）", False, 2, 2, 3),
    ("生産管理サーバー", "server", "工場事務所", "製造部", False, 2, 3, 3),
    ("社員用ノートパソコン（25台）", "pc", "各自が使用（持ち出しあり）", "manager", True, 2, 2, 2),
    ("業務用スマートフォン（12台）", "phone", "営業担当者が携帯", "営業部", True, 2, 1, 2),
    ("会社ホームページ", "website", "レンタルサーバー（制作会社が管理）", "manager", False, 1, 3, 2),
    ("ルーター・UTM・無線LAN", "network", "事務所の通信ラック", "みどりITサポート（保守）", False, 2, 2, 3),
    ("ネットバンキング", "cloud", "取引銀行のサービス", "owner", False, 3, 3, 2),
    ("契約書・履歴書（紙）", "paper", "総務の施錠キャビネット", "manager", True, 3, 2, 1),
)

IT_COMPANY = "株式会社みどりITサポート"
WEB_COMPANY = "有限会社さくらウェブ制作"
ACCOUNTING = "ひかりクラウド会計"

# name, kinds, what they do, contact, e-mail, phone, last review (days ago or None), checklist answers
VENDORS = (
    (
        IT_COMPANY,
        ["pc_setup", "network", "backup"],
        "パソコン25台の設定と故障対応、ルーター・UTM・無線LAN と NAS の管理、週1回のバックアップの確認。",
        "木村 誠",
        "support@midori-it.example.jp",
        "03-0000-1234",
        420,
        {
            "confidentiality": "yes",
            "personal-data": "partial",
            "incident-notification": "no",
            "named-accounts": "no",
            "admin-mfa": "partial",
            "backup-restore": "partial",
            "contact-escalation": "yes",
        },
    ),
    (
        WEB_COMPANY,
        ["website"],
        "会社ホームページの制作・更新とレンタルサーバーの契約管理。問い合わせフォームの受信。",
        "小林 さくら",
        "info@sakura-web.example.jp",
        "045-000-5678",
        None,
        {"confidentiality": "yes", "named-accounts": "partial", "admin-mfa": "no", "return-deletion": "no"},
    ),
    (
        ACCOUNTING,
        ["accounting_saas"],
        "会計・給与計算・年末調整のクラウドサービス。社員の給与とマイナンバーを預けている。",
        "",
        "",
        "",
        60,
        {
            "confidentiality": "yes",
            "personal-data": "yes",
            "subcontracting": "partial",
            "incident-notification": "partial",
            "return-deletion": "yes",
            "admin-mfa": "yes",
            "security-status": "yes",
        },
    ),
)

# control id → (who does: "us" or a vendor name, who decides: a role or a free name, or "")
RESPONSIBILITIES = {
    "id-device-inventory": (IT_COMPANY, "manager"),
    "pr-mfa-email": ("us", "manager"),
    "pr-mfa-finance": ("us", "owner"),
    "pr-admin-accounts": (IT_COMPANY, ""),
    "pr-joiners-leavers": ("us", "manager"),
    "pr-backup": (IT_COMPANY, "manager"),
    "pr-restore-test": (IT_COMPANY, ""),
    "pr-website": (WEB_COMPANY, "manager"),
    "pr-os-updates": (IT_COMPANY, "manager"),
    "pr-network-updates": (IT_COMPANY, ""),
    "pr-endpoint-protection": (IT_COMPANY, "manager"),
    "pr-firewall": (IT_COMPANY, "製造部長 中村"),
}


def _assets(org, users) -> None:
    if Asset.objects.filter(organization=org).exists():
        return
    actor = users["manager"]
    for name, kind, where, owner, personal, c, i, a in ASSETS:
        user = users.get(owner)
        services.asset_create(
            org=org,
            actor=actor,
            name=name,
            asset_type=kind,
            location=where,
            owner=user,
            owner_name="" if user else owner,
            personal_data=personal,
            confidentiality=c,
            integrity=i,
            availability=a,
        )


def _risks(org, users) -> None:
    if not RiskSettings.objects.filter(organization=org).exists():
        # About 600 million yen a year over 240 working days.
        services.risk_settings_save(
            org=org, actor=users["owner"], daily_revenue_yen=2_500_000, cost_per_record_yen=5000
        )
    for risk in services.risks_add_starters(org=org, actor=users["manager"]):
        owner = users["owner"] if risk.scenario_id == "invoice-fraud" else users["manager"]
        Risk.objects.filter(pk=risk.pk).update(owner=owner)


def _vendors(org, users) -> None:
    if Vendor.objects.filter(organization=org).exists():
        return
    today = timezone.localdate()
    for name, kinds, what, contact, email, phone, reviewed, answers in VENDORS:
        services.vendor_create(
            org=org,
            actor=users["manager"],
            name=name,
            service_kinds=kinds,
            services=what,
            contact_name=contact,
            contact_email=email,
            contact_phone=phone,
            checklist=answers,
            last_review=today - timedelta(days=reviewed) if reviewed is not None else None,
        )


def _responsibilities(org, users) -> None:
    if Responsibility.objects.filter(organization=org).exists():
        return
    vendors = {v.name: v.pk for v in Vendor.objects.filter(organization=org)}
    rows = {}
    for control_id, (does, decides) in RESPONSIBILITIES.items():
        user = users.get(decides)
        rows[control_id] = {
            "does": "us" if does == "us" else f"vendor:{vendors[does]}",
            "decider_id": user.pk if user else None,
            "decider_name": "" if user else decides,
        }
    from ippo.registers.selectors import responsibility_controls

    services.responsibilities_save(
        org=org,
        actor=users["manager"],
        rows=rows,
        control_ids=[c.id for c in responsibility_controls()],
    )


def load(*, org, users) -> None:
    _assets(org, users)
    _risks(org, users)
    _vendors(org, users)
    _responsibilities(org, users)
