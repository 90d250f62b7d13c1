"""The public contact points and empty slots every organisation's directory starts with.

Web addresses are only those we found in our reference notes (docs/incidents.md names the source); where
we have none, the field stays empty and the note says to look up the official site. No phone numbers are
pre-filled: they change, and a wrong number in an emergency is worse than none.
Names and notes are shown in the reader's language until someone edits them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language


@dataclass(frozen=True)
class Seed:
    key: str
    kind: str
    position: int
    url: str
    email: str
    name_ja: str
    name_en: str
    notes_ja: str
    notes_en: str



SEEDS: tuple[Seed, ...] = (
    Seed(
        "ipa",
        "ipa",
        10,
        "https://www.ipa.go.jp/security/support/soudan.html",
        "cs-support@ipa.go.jp",
        "IPA（情報処理推進機構）企業組織向けサイバーセキュリティ相談窓口",
        "IPA (Information-technology Promotion Agency): cybersecurity consultation desk for organisations",
        "被害が出ているかの判断や、最初に何をすべきかの技術的な相談ができます。調査に来てくれる窓口ではありません。"
        "ウイルスや不正アクセスの届出も受け付けています。",
        "Technical advice on whether harm was done and what to do first. They do not come to investigate. "
        "They also take reports of viruses and unauthorised access.",
    ),
    Seed(
        "jpcert",
        "jpcert",
        20,
        "https://www.jpcert.or.jp/",
        "",
        "JPCERT/CC（インシデント報告）",
        "JPCERT/CC (incident reports)",
        "インシデントの報告を受け付け、攻撃に使われているサイトの関係者との調整をしてくれます。現地での調査はしません。"
        "報告フォームとメールアドレスは公式サイトに載っています。",
        "Takes incident reports and coordinates with the sites involved, e.g. to take down attack servers. "
        "They do not investigate on site. The report form and address are on the official site.",
    ),
    Seed(
        "police",
        "police",
        30,
        "https://www.npa.go.jp/bureau/cyber/soudan.html",
        "",
        "警察（都道府県警察のサイバー犯罪相談窓口）",
        "Police (the prefectural police's cybercrime consultation desks)",
        "ランサムウェア、不正アクセス、請求書詐欺などの犯罪は警察に相談します。窓口は都道府県ごとにあり、"
        "このページから探せます。オンラインの窓口は正式な被害届の代わりにはなりません。緊急のときは 110 番です。",
        "Ransomware, unauthorised access and invoice fraud are crimes: consult the police. Each prefecture has "
        "its own desk, listed from this page. The online window does not replace a formal report of damage. "
        "In an emergency, dial 110.",
    ),
    Seed(
        "ppc",
        "ppc",
        40,
        "https://www.ppc.go.jp/",
        "",
        "個人情報保護委員会（漏えい等の報告）",
        "Personal Information Protection Commission (breach reports)",
        "個人データの漏えいで報告が必要な場合の報告先です（分野によっては所管の省庁に報告します）。"
        "報告は公式サイトの報告フォームから行います。",
        "Where to report a personal-data breach when a report is required (in some sectors, the ministry in "
        "charge takes it instead). Reports are made with the form on the official site.",
    ),
    Seed(
        "insurer",
        "insurer",
        50,
        "",
        "",
        "サイバー保険の保険会社",
        "Cyber insurer",
        "保険証券にある事故受付の連絡先と証券番号を書き込んでください。保険に入っていなければ削除してかまいません。",
        "Write in the claims contact and policy number from your insurance policy. Delete this if you have no "
        "cyber insurance.",
    ),
    Seed(
        "it_vendor",
        "it_vendor",
        60,
        "",
        "",
        "IT 委託先（パソコン・ネットワークの保守会社）",
        "IT vendor (the company that looks after your PCs and network)",
        "夜間・休日の緊急連絡先があれば、それも書き込んでください。",
        "Write in their out-of-hours emergency number too, if they have one.",
    ),
    Seed(
        "lawyer",
        "lawyer",
        70,
        "",
        "",
        "弁護士",
        "Lawyer",
        "個人データの漏えいや取引先との契約のことで相談できる弁護士を書き込んでください。",
        "Write in a lawyer you can ask about personal-data breaches and contracts with customers.",
    ),
)

_BY_KEY = {s.key: s for s in SEEDS}


def seed_text(key: str, field: str) -> str:
    seed = _BY_KEY.get(key)
    if seed is None:
        return ""
    lang = "en" if (get_language() or "ja").startswith("en") else "ja"
    return getattr(seed, f"{field}_{lang}")
