"""Partner questionnaires (取引先からのセキュリティチェックシート): a buyer's own Excel checklist, its
questions matched to controls, and the organisation's memory of those matches."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ippo.core.models import TenantModel

MAX_FILE_BYTES = 5 * 1024 * 1024

# The answer written for each control status, by the questionnaire's language. Buyers often want their own
# words (○／△／×), so each questionnaire keeps its own copy, changeable on the column page.
DEFAULT_ANSWER_WORDS = {
    "ja": {"implemented": "はい", "partial": "一部対応", "not_implemented": "いいえ", "unknown": "確認中"},
    "en": {"implemented": "Yes", "partial": "Partly", "not_implemented": "No", "unknown": "Being checked"},
}


class Language(models.TextChoices):
    JA = "ja", "日本語"
    EN = "en", "English"


class Questionnaire(TenantModel):
    """One buyer's checklist: the uploaded workbook as it came, and where in it the questions and the
    answers go."""

    class Status(models.TextChoices):
        MAPPING = "mapping", _("Choose the columns")
        REVIEW = "review", _("Check the matches")

    name = models.CharField(
        _("name"), max_length=200, help_text=_("Who sent it, e.g. the buyer's name and the year.")
    )
    filename = models.CharField(_("file name"), max_length=255)
    file_data = models.BinaryField(_("file"), max_length=MAX_FILE_BYTES)
    file_size = models.PositiveIntegerField(_("file size"), default=0)
    file_sha256 = models.CharField(max_length=64, blank=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("heading row"), default=1)
    question_col = models.PositiveSmallIntegerField(_("question column"), default=1)
    answer_col = models.PositiveSmallIntegerField(_("answer column"), default=2)
    remarks_col = models.PositiveSmallIntegerField(_("remarks column"), null=True, blank=True)
    language = models.CharField(
        _("language of the answers"), max_length=2, choices=Language.choices, default="ja"
    )
    answer_words = models.JSONField(_("answer words"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.MAPPING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    exported_at = models.DateTimeField(_("last exported"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner questionnaire")
        verbose_name_plural = _("partner questionnaires")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(header_row__gte=1, question_col__gte=1, answer_col__gte=1),
                name="questionnaire_positions_from_one",
                violation_error_message=_("Rows and columns are counted from 1."),
            ),
            models.CheckConstraint(
                condition=~models.Q(question_col=models.F("answer_col")),
                name="questionnaire_answer_not_in_question_column",
                violation_error_message=_("The answers cannot go into the question column."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def words(self) -> dict[str, str]:
        """The answer for each control status: this questionnaire's words, else the language's defaults."""
        words = dict(DEFAULT_ANSWER_WORDS.get(self.language, DEFAULT_ANSWER_WORDS["ja"]))
        words.update({k: v for k, v in (self.answer_words or {}).items() if k in words and v})
        return words


class QuestionnaireItem(TenantModel):
    """One question of a questionnaire (one row of the buyer's sheet), the controls confirmed as
    answering it, and any answer typed by hand."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="items", verbose_name=_("questionnaire")
    )
    row = models.PositiveIntegerField(_("row"))
    question = models.TextField(_("question"), max_length=4000)
    # [{"id": control id, "score": 0–1, "used_before": bool}, …], best first, as found when imported.
    suggestions = models.JSONField(default=list, blank=True)
    control_ids = models.JSONField(_("confirmed controls"), default=list, blank=True)
    no_match = models.BooleanField(_("no matching control"), default=False)
    # Pre-confirmed because the same question was answered before (QuestionMatch).
    from_memory = models.BooleanField(default=False)
    override_answer = models.CharField(
        pgettext_lazy("questionnaire", "answer typed by hand"), max_length=200, blank=True
    )
    override_remark = models.TextField(_("remark typed by hand"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["row", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "row"],
                name="questionnaireitem_one_per_row",
                violation_error_message=_("This row already holds a question."),
            )
        ]

    def __str__(self) -> str:
        return self.question[:60]

    @property
    def is_confirmed(self) -> bool:
        return bool(self.control_ids) or self.no_match


class QuestionMatch(TenantModel):
    """The organisation's memory: a question (by its normalised text) and the controls confirmed for it,
    so the next buyer's checklist that asks the same thing is answered already."""

    question_hash = models.CharField(max_length=64)
    question = models.TextField(_("question"), max_length=4000)
    control_ids = models.JSONField(_("confirmed controls"), default=list, blank=True)
    no_match = models.BooleanField(_("no matching control"), default=False)
    times_confirmed = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("remembered match")
        verbose_name_plural = _("remembered matches")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "question_hash"],
                name="questionmatch_one_per_question",
                violation_error_message=_("This question is already remembered."),
            )
        ]

    def __str__(self) -> str:
        return self.question[:60]
