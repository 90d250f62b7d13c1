"""The five pillars of an ippo programme — the navigation of every organisation."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Pillar:
    key: str
    number: int
    title: Promise
    summary: Promise
    first_step: Promise
    permission: str


PILLARS: tuple[Pillar, ...] = (
    Pillar(
        "assessment",
        1,
        _("Self-assessment"),
        _(
            "Find out where your company stands. A 30-minute quick check first, then a fuller assessment. "
            "The answers show which measures are missing and which to tackle first, cheapest and most "
            "effective first."
        ),
        _("First step: answer the 30-minute quick check. No special knowledge is needed."),
        "program.view",
    ),
    Pillar(
        "reports",
        2,
        _("Reporting to management"),
        _(
            "Shows the executive, in business terms, what is at risk, what it could cost in yen and what to "
            "fund first, and keeps a record that business partners can verify."
        ),
        _("First step: finish the self-assessment. The report is then prepared from its results."),
        "program.view",
    ),
    Pillar(
        "training",
        3,
        _("Training and drills"),
        _(
            "Short lessons with quizzes for everyone, and practice e-mails that teach people to spot "
            "suspicious messages. Results are for learning, never for judging people."
        ),
        _("First step: choose the lessons everyone should take this year."),
        "org.view",
    ),
    Pillar(
        "controls",
        4,
        _("Basic measures"),
        _(
            "Guided tasks for the basics that stop most attacks: two-step sign-in, updates, anti-malware, "
            "backups with restore tests. Automatic checks of your domain and devices provide the evidence."
        ),
        _("First step: switch on two-step sign-in for company e-mail."),
        "program.view",
    ),
    Pillar(
        "incidents",
        5,
        _("Reporting, consultation and incidents"),
        _(
            "A safe way for anyone to report a worry or a mistake, anonymously if they wish, and a clear "
            "procedure for what to do when something happens."
        ),
        _("First step: share the reporting link with everyone, and decide who receives reports."),
        "org.view",
    ),
)

PILLARS_BY_KEY = {p.key: p for p in PILLARS}
