"""The control suggestions: realistic buyers' questions in Japanese and English find the right control among
the first three; the functions are pure and deterministic."""

from __future__ import annotations

import pytest

from ippo.catalog.loader import catalog_get
from ippo.questionnaires import matching

JAPANESE = [
    ("パスワードは定期的に変更していますか", {"pr-passwords"}),
    ("ウイルス対策ソフトを導入していますか", {"pr-endpoint-protection"}),
    ("バックアップを取得していますか", {"pr-backup"}),
    ("退職者のアカウントを削除していますか", {"pr-joiners-leavers", "id-account-inventory"}),
    ("情報セキュリティ基本方針を策定していますか", {"gv-basic-policy"}),
    ("従業員に対して情報セキュリティ教育を実施していますか", {"pr-awareness-training"}),
    ("OSやソフトウェアのセキュリティパッチを適用していますか", {"pr-os-updates", "pr-app-updates"}),
    ("委託先と秘密保持契約を締結していますか", {"gv-vendor-contracts"}),
    ("ノートPCのハードディスクを暗号化していますか", {"pr-disk-encryption"}),
    ("ＵＳＢメモリ等の外部記憶媒体の利用を制限していますか", {"pr-removable-media"}),
    ("多要素認証を導入していますか", {"pr-mfa-email", "pr-mfa-remote", "pr-mfa-finance"}),
    ("アクセスログを取得し、定期的に確認していますか", {"de-logging"}),
    ("無線LANは暗号化されていますか", {"pr-wifi"}),
    ("事務所の入退室管理を行っていますか", {"pr-office-access"}),
    ("離席時にパソコンの画面をロックしていますか", {"pr-screen-lock"}),
    ("サイバー保険に加入していますか", {"rc-cyber-insurance"}),
    ("事業継続計画（BCP）を策定していますか", {"rc-recovery-plan"}),
]

ENGLISH = [
    ("Do you change passwords regularly?", {"pr-passwords"}),
    ("Is anti-virus software installed on all computers?", {"pr-endpoint-protection"}),
    ("Do you take regular backups of business data?", {"pr-backup"}),
    (
        "Are accounts of employees who leave the company removed promptly?",
        {"pr-joiners-leavers", "id-account-inventory"},
    ),
    ("Do you have an information security policy?", {"gv-basic-policy"}),
    ("Are laptops encrypted?", {"pr-disk-encryption"}),
    ("Do staff receive security awareness training?", {"pr-awareness-training"}),
    ("Do you have an incident response plan?", {"rs-incident-plan"}),
    ("Are security patches applied promptly?", {"pr-os-updates", "pr-app-updates", "pr-network-updates"}),
    ("Is the guest Wi-Fi separated from the business network?", {"pr-wifi"}),
    ("Are default passwords changed on new devices?", {"pr-secure-config"}),
]


def test_the_expected_controls_exist_in_the_catalog():
    ids = {c.id for c in catalog_get().controls}
    for _question, expected in JAPANESE + ENGLISH:
        assert expected <= ids


@pytest.mark.parametrize(("question", "expected"), JAPANESE, ids=[q for q, _e in JAPANESE])
def test_a_japanese_question_finds_its_control_in_the_top_three(question, expected):
    top = [cid for cid, _score in matching.suggest(question)]
    assert len(top) == 3
    assert expected & set(top), (question, top)


@pytest.mark.parametrize(("question", "expected"), ENGLISH, ids=[q for q, _e in ENGLISH])
def test_an_english_question_finds_its_control_in_the_top_three(question, expected):
    top = [cid for cid, _score in matching.suggest(question)]
    assert expected & set(top), (question, top)


def test_clear_questions_are_high_matches():
    assert matching.strength(matching.suggest("情報セキュリティ基本方針を策定していますか")[0][1]) == "high"
    assert matching.strength(matching.suggest("Are laptops encrypted?")[0][1]) == "high"


def test_scores_are_ranked_and_between_zero_and_one():
    ranked = matching.suggest("バックアップを取得していますか", limit=10)
    scores = [s for _id, s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)


def test_matching_is_deterministic():
    first = matching.suggest("退職者のアカウントを削除していますか", limit=65)
    index = matching.build_index(matching.control_documents(catalog_get().controls))
    assert index.rank("退職者のアカウントを削除していますか", limit=65) == first
    assert matching.suggest("退職者のアカウントを削除していますか", limit=65) == first


def test_normalise_ignores_width_case_spaces_and_punctuation():
    assert matching.normalise("ＵＳＢ メモリ、使って　いますか？") == "usbメモリ使っていますか"
    assert matching.normalise("Do you use MFA?") == "doyouusemfa"
    assert matching.question_hash("パスワードを変更していますか。") == matching.question_hash(
        "パスワードを 変更していますか"
    )
    assert matching.question_hash("a") != matching.question_hash("b")


def test_ngrams_are_bigrams_and_trigrams():
    assert matching.ngrams("バックアップ") == {
        "バッ": 1, "ック": 1, "クア": 1, "アッ": 1, "ップ": 1,
        "バック": 1, "ックア": 1, "クアッ": 1, "アップ": 1,
    }  # fmt: skip
    assert matching.ngrams("a") == {"a": 1}
    assert matching.ngrams("、。") == {}


def test_a_text_without_letters_matches_nothing():
    assert matching.suggest("？？？") == []


def test_a_small_index_ranks_by_shared_rare_ngrams():
    index = matching.build_index(
        {
            "backup": [[(1.0, "バックアップを毎日取得する")]],
            "password": [[(1.0, "パスワードを使い回さない")]],
            "other": [[(1.0, "毎日の作業を確認する")]],
        }
    )
    assert [cid for cid, _s in index.rank("バックアップはありますか")][0] == "backup"
    assert index.similarity("バックアップを取得", "バックアップを取得") == pytest.approx(1.0)
    assert index.similarity("バックアップ", "パスワード") == 0


def test_synonyms_bridge_the_buyers_words_and_the_catalogs():
    assert "更新プログラム" in matching.expand("セキュリティパッチを適用していますか")
    assert matching.expand("特に関係のない文") == "特に関係のない文"
