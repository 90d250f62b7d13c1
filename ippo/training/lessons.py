"""Lessons as the pages and the grader see them: the shipped modules (``content.py``) and an organisation's
own (CustomModule: sanitised Markdown and a quiz written in a small text format), behind one lookup."""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass

import markdown as markdown_lib
import nh3
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ippo.training.content import Choice, Module, Question, Text, modules_load
from ippo.training.models import CUSTOM_PREFIX, CustomModule

# What an organisation's lesson may contain after Markdown: text structure, emphasis, tables and links
# (http, https, mailto only). No images (they would load from other sites), no script, no styles.
ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
FOLLOWUP_MODULE = "phishing-bec"


@functools.cache
def builtin_modules() -> dict[str, Module]:
    return {m.id: m for m in modules_load()}


def is_builtin(module_id: str) -> bool:
    return module_id in builtin_modules()


def lang() -> str:
    return "en" if (get_language() or "ja").startswith("en") else "ja"


def text(value: Text) -> str:
    return getattr(value, lang())


def markdown_render(source: str) -> SafeString:
    """Markdown → HTML with an allow-list sanitiser: no script, no event handlers, no javascript: links."""
    html = markdown_lib.markdown(source or "", extensions=["tables", "sane_lists"], output_format="html")
    # Headings start at h2: the page's h1 is the lesson title.
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 — sanitised by nh3 just above


def quiz_parse(source: str) -> tuple[Question, ...]:
    """Parse the quiz format of an organisation's own lesson; raise ValidationError naming each problem.

    ? question text
    - a wrong answer
    * the right answer
    > why (optional)
    """
    questions: list[Question] = []
    problems: list[str] = []
    blocks = [b for b in re.split(r"\n\s*\n", (source or "").replace("\r\n", "\n").strip()) if b.strip()]
    for n, block in enumerate(blocks, 1):
        question, explanation, choices, answer = "", "", [], None
        for raw in block.splitlines():
            line = raw.strip()
            if not line:
                continue
            mark, rest = line[0], line[1:].strip()
            if mark == "?":
                question = f"{question} {rest}".strip()
            elif mark in "-*":
                cid = chr(ord("a") + len(choices))
                choices.append(Choice(cid, Text(rest, rest)))
                if mark == "*":
                    answer = cid if answer is None else "many"
            elif mark == ">":
                explanation = f"{explanation} {rest}".strip()
            else:
                problems.append(
                    _("Question %(n)s: each line must start with ?, -, * or >.") % {"n": n}
                )
        if not question:
            problems.append(_("Question %(n)s: the question (a line starting with ?) is missing.") % {"n": n})
        if not 2 <= len(choices) <= 6:
            problems.append(_("Question %(n)s: give 2 to 6 answers.") % {"n": n})
        if answer is None or answer == "many":
            problems.append(_("Question %(n)s: mark exactly one answer as right with *.") % {"n": n})
        questions.append(Question(f"q{n}", Text(question, question), tuple(choices), answer or "", Text(explanation, explanation)))
    if not blocks:
        problems.append(_("Write at least one question."))
    if problems:
        raise ValidationError(problems)
    return tuple(questions)


@dataclass(frozen=True)
class Lesson:
    """What a page needs about one lesson, whichever kind it is."""

    id: str
    title: str
    summary: str
    minutes: int
    module: Module  # for grading with content.quiz_grade
    custom: CustomModule | None = None

    @property
    def body_html(self) -> SafeString:
        return markdown_render(self.custom.body) if self.custom else SafeString("")

    @property
    def pass_mark(self) -> int:
        return self.module.pass_mark

    @property
    def sections(self) -> list[dict]:
        """The shipped lesson's sections in the current language."""
        language = lang()
        return [
            {
                "heading": getattr(s.heading, language),
                "body": getattr(s.body, language),
                "points": getattr(s.points, language) if s.points else (),
            }
            for s in self.module.sections
        ]

    @property
    def questions(self) -> list[dict]:
        """The quiz in the current language. `answer` and `explanation` are for the page after grading."""
        return self.questions_for(None)

    def questions_for(self, seed: int | None) -> list[dict]:
        """The quiz with each question's choices in an order fixed by `seed` (e.g. the assignment's id), so
        that the right answer is not always in the same place; None keeps the written order."""
        language = lang()
        out = []
        for q in self.module.questions:
            choices = [(c.id, getattr(c.text, language)) for c in q.choices]
            if seed is not None:
                random.Random(f"{seed}:{self.id}:{q.id}").shuffle(choices)
            out.append(
                {
                    "id": q.id,
                    "text": getattr(q.text, language),
                    "choices": choices,
                    "answer": q.answer,
                    "explanation": getattr(q.explanation, language),
                }
            )
        return out


def lesson_from_custom(custom: CustomModule) -> Lesson:
    try:
        questions = quiz_parse(custom.quiz)
    except ValidationError:
        questions = ()
    title = Text(custom.title, custom.title)
    module = Module(
        id=custom.module_id,
        version=1,
        minutes=custom.minutes,
        controls=(),
        title=title,
        summary=Text(custom.summary, custom.summary),
        sections=(),
        pass_mark=custom.pass_mark,
        questions=questions,
    )
    return Lesson(custom.module_id, custom.title, custom.summary, custom.minutes, module, custom)


def lesson_get(module_id: str, *, custom: CustomModule | None = None) -> Lesson | None:
    """The lesson for ``module_id`` (pass the CustomModule for ``custom-<pk>`` ids), or None."""
    if module_id.startswith(CUSTOM_PREFIX):
        return lesson_from_custom(custom) if custom is not None else None
    module = builtin_modules().get(module_id)
    if module is None:
        return None
    return Lesson(module.id, text(module.title), text(module.summary), module.minutes, module)


def module_title(module_id: str, custom_titles: dict[str, str] | None = None) -> str:
    module = builtin_modules().get(module_id)
    if module is not None:
        return text(module.title)
    return (custom_titles or {}).get(module_id, module_id)


def module_choices(org) -> list[tuple[str, str]]:
    """Every lesson that can be assigned in ``org``: the shipped ones, then the organisation's own."""
    choices = [(m.id, text(m.title)) for m in builtin_modules().values()]
    choices += [(c.module_id, c.title) for c in CustomModule.objects.filter(organization=org, is_active=True)]
    return choices


def custom_titles(org) -> dict[str, str]:
    return {f"{CUSTOM_PREFIX}{pk}": title for pk, title in CustomModule.objects.filter(organization=org).values_list("pk", "title")}
