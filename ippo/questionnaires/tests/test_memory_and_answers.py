"""Confirmed matches are remembered for the next questionnaire, and answers follow control status unless
typed by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ippo.program.models import ControlStatus, Evidence
from ippo.questionnaires import exchange, selectors, services
from ippo.questionnaires.models import QuestionMatch, QuestionnaireItem
from ippo.questionnaires.tests.conftest import workbook

pytestmark = pytest.mark.django_db


def _import(personas, questions, *, name="Buyer", words=None, language="ja"):
    rows = [["確認項目", "回答", "備考"], *[[q, None, None] for q in questions]]
    data = workbook(rows)
    questionnaire = services.questionnaire_upload(
        org=personas.org, actor=personas.manager, name=name, filename="c.xlsx", data=data
    )
    services.questionnaire_map(
        questionnaire=questionnaire,
        actor=personas.manager,
        sheet=exchange.read_sheet(data, "Sheet1"),
        header_row=1,
        question_col=1,
        answer_col=2,
        remarks_col=3,
        language=language,
        answer_words=words or {},
    )
    return questionnaire


def _items(questionnaire):
    return {i.question: i for i in QuestionnaireItem.objects.filter(questionnaire=questionnaire)}


def _confirm(personas, questionnaire, choices):
    items = _items(questionnaire)
    changes = {}
    for question, value in choices.items():
        changes[items[question].pk] = (
            services.ItemChange(control_ids=[], no_match=True)
            if value is None
            else services.ItemChange(control_ids=value)
        )
    return services.items_save(questionnaire=questionnaire, actor=personas.manager, changes=changes)


def _status(personas, control_id, status):
    ControlStatus.objects.update_or_create(
        organization=personas.org,
        control_id=control_id,
        defaults={"status": status, "source": "manual", "updated_at": timezone.now()},
    )


def test_a_second_questionnaire_is_pre_confirmed_from_memory(personas, in_org):
    with in_org():
        first = _import(personas, ["パスワードは定期的に変更していますか", "ISMS認証を取得していますか"])
        _confirm(
            personas,
            first,
            {
                "パスワードは定期的に変更していますか": ["pr-passwords", "pr-mfa-email"],
                "ISMS認証を取得していますか": None,
            },
        )
        assert QuestionMatch.objects.count() == 2
        # The next buyer words it with different punctuation, spaces and full-width letters.
        second = _import(
            personas,
            [
                "パスワードは 定期的に変更していますか？",
                "ＩＳＭＳ認証を取得していますか",
                "ウイルス対策ソフトを導入していますか",
            ],
            name="Next buyer",
        )
        items = _items(second)
    remembered = items["パスワードは 定期的に変更していますか？"]
    assert remembered.control_ids == ["pr-passwords", "pr-mfa-email"] and remembered.from_memory
    assert [s["id"] for s in remembered.suggestions[:2]] == ["pr-passwords", "pr-mfa-email"]
    assert all(s["used_before"] for s in remembered.suggestions[:2])
    isms = items["ＩＳＭＳ認証を取得していますか"]
    assert isms.no_match and isms.control_ids == [] and isms.from_memory
    fresh = items["ウイルス対策ソフトを導入していますか"]
    assert fresh.control_ids == [] and not fresh.from_memory


def test_a_similar_question_gets_the_remembered_controls_suggested_first(personas, in_org):
    with in_org():
        first = _import(personas, ["退職者のアカウントを削除していますか"])
        _confirm(personas, first, {"退職者のアカウントを削除していますか": ["pr-joiners-leavers"]})
        second = _import(personas, ["退職者のアカウントは速やかに削除していますか"], name="Next")
        item = QuestionnaireItem.objects.get(questionnaire=second)
    assert item.control_ids == []  # not the same question: suggested, not confirmed
    assert item.suggestions[0] == {**item.suggestions[0], "id": "pr-joiners-leavers", "used_before": True}
    assert len(item.suggestions) == 3


def test_taking_back_a_confirmation_forgets_it(personas, in_org):
    with in_org():
        first = _import(personas, ["バックアップを取得していますか"])
        _confirm(personas, first, {"バックアップを取得していますか": ["pr-backup"]})
        _confirm(personas, first, {"バックアップを取得していますか": []})
        assert not QuestionMatch.objects.exists()


def test_memory_belongs_to_one_organisation(personas, in_org, unscoped):
    from django_scopes import scope

    with in_org():
        first = _import(personas, ["バックアップを取得していますか"])
        _confirm(personas, first, {"バックアップを取得していますか": ["pr-backup"]})
    with scope(organization=personas.other_org):
        data = workbook([["確認項目", "回答"], ["バックアップを取得していますか", None]])
        other = services.questionnaire_upload(
            org=personas.other_org, actor=personas.outsider, name="B", filename="b.xlsx", data=data
        )
        services.questionnaire_map(
            questionnaire=other,
            actor=personas.outsider,
            sheet=exchange.read_sheet(data, "Sheet1"),
            header_row=1,
            question_col=1,
            answer_col=2,
            remarks_col=None,
            language="ja",
            answer_words={},
        )
        assert QuestionnaireItem.objects.get(questionnaire=other).control_ids == []


def test_answers_follow_control_status_unless_typed_by_hand(personas, in_org):
    with in_org():
        questionnaire = _import(
            personas,
            ["バックアップを取得していますか", "ウイルス対策ソフトを導入していますか"],
            words={"implemented": "○", "partial": "△", "not_implemented": "×"},
        )
        _confirm(
            personas,
            questionnaire,
            {
                "バックアップを取得していますか": ["pr-backup"],
                "ウイルス対策ソフトを導入していますか": ["pr-endpoint-protection"],
            },
        )

        def answers():
            rows = selectors.questionnaire_rows(questionnaire)
            return {r.item.question: (r.answer, r.remark) for r in rows}

        assert answers()["バックアップを取得していますか"] == ("確認中", "")  # no status yet: being checked
        _status(personas, "pr-backup", "not_implemented")
        assert answers()["バックアップを取得していますか"][0] == "×"
        _status(personas, "pr-backup", "implemented")
        Evidence.objects.create(
            organization=personas.org,
            control_id="pr-backup",
            kind="note",
            title="週次バックアップ記録",
            note="x",
            performed_on=date(2026, 3, 1),
        )
        Evidence.objects.create(
            organization=personas.org,
            control_id="pr-backup",
            kind="note",
            title="古い記録",
            note="x",
            performed_on=date(2025, 3, 1),
        )
        answer, remark = answers()["バックアップを取得していますか"]
        assert answer == "○" and "週次バックアップ記録" in remark and "2026-03-01" in remark

        item = _items(questionnaire)["ウイルス対策ソフトを導入していますか"]
        services.items_save(
            questionnaire=questionnaire,
            actor=personas.manager,
            changes={
                item.pk: services.ItemChange(control_ids=["pr-endpoint-protection"], override_answer="○")
            },
        )
        _status(personas, "pr-endpoint-protection", "not_implemented")
        assert answers()["ウイルス対策ソフトを導入していますか"][0] == "○"  # the override is kept
        services.items_save(
            questionnaire=questionnaire,
            actor=personas.manager,
            changes={
                item.pk: services.ItemChange(control_ids=["pr-endpoint-protection"], override_answer="")
            },
        )
        assert answers()["ウイルス対策ソフトを導入していますか"][0] == "×"  # following control status again


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["implemented", "implemented"], "implemented"),
        (["implemented", "partial"], "partial"),
        (["implemented", "not_implemented"], "partial"),
        (["not_implemented", "not_implemented"], "not_implemented"),
        (["implemented", "unknown"], "unknown"),
        (["implemented", None], "unknown"),
    ],
)
def test_several_controls_combine_into_one_answer(statuses, expected):
    ids = ["a", "b"]
    found = {cid: s for cid, s in zip(ids, statuses, strict=True) if s}
    words = {"implemented": "Y", "partial": "P", "not_implemented": "N", "unknown": "?"}
    derived = selectors.derive(ids, found, {}, words, "en")
    assert derived.status == expected and derived.answer == words[expected] and derived.remark == ""


def test_no_confirmed_control_means_no_answer():
    assert selectors.derive([], {}, {}, {}, "ja") == selectors.Derived(None, "", "")


def test_the_newest_evidence_of_any_confirmed_control_is_the_remark():
    today = date(2026, 4, 1)
    evidence = {"a": ("old", today - timedelta(days=30)), "b": ("new", today)}
    derived = selectors.derive(
        ["a", "b"], {"a": "implemented", "b": "implemented"}, evidence, {"implemented": "Y"}, "en"
    )
    assert derived.remark == "Evidence: new (2026-04-01)"


def test_saving_nothing_new_records_nothing(personas, in_org):
    from ippo.core.models import AuditEvent

    with in_org():
        questionnaire = _import(personas, ["バックアップを取得していますか"])
        item = QuestionnaireItem.objects.get()
        assert (
            services.items_save(
                questionnaire=questionnaire,
                actor=personas.manager,
                changes={item.pk: services.ItemChange(control_ids=[])},
            )
            == 0
        )
    with in_org():
        assert not AuditEvent.objects.filter(action="questionnaire.matches_confirmed").exists()


def test_unknown_control_ids_are_ignored(personas, in_org):
    with in_org():
        questionnaire = _import(personas, ["バックアップを取得していますか"])
        item = QuestionnaireItem.objects.get()
        services.items_save(
            questionnaire=questionnaire,
            actor=personas.manager,
            changes={item.pk: services.ItemChange(control_ids=["pr-backup", "no-such-control", "pr-backup"])},
        )
        item.refresh_from_db()
    assert item.control_ids == ["pr-backup"]
