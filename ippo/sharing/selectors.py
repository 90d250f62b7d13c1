"""What a partner evidence pack says, computed from the organisation's *current* control status.

`pack_facts` gathers the few rows needed (a handful of queries); `content_compute` is a pure function of
those facts and the catalog, and returns the JSON snapshot stored with the pack. The rules:

- SCS ★3/★4 and CIS Controls v8 IG1: the assessments' item rule (`scoring.coverage_targets` via
  `results.coverage`), with each control's answer taken from its status: in place → yes, partly → partial,
  not in place → no, not known → unknown. Only the controls that apply to the company (its profile) count;
  a requirement none of whose controls has a status is "not assessed".
- NIST CSF 2.0 function scores: `ippo.program.selectors.current_score` (the assessment scoring over today's
  control status).
- SECURITY ACTION: `ippo.policies.security_action.security_action_evaluate`, exactly as on its page.
- Key measures: the short list `KEY_CONTROLS` below, those that apply and are in place, each with the
  date of its newest evidence (`Evidence.performed_on`).
- The contact is what the person making the pack typed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from ippo.assessments import results, scoring
from ippo.assessments.models import Assessment
from ippo.catalog.loader import CSF, SCS, Catalog, catalog_get
from ippo.core.models import Organization
from ippo.policies import security_action
from ippo.policies.models import Policy, PolicyVersion
from ippo.policies.selectors import basic_policy_in_force
from ippo.program.models import ControlStatus, Evidence
from ippo.program.selectors import ANSWER_FOR_STATUS, control_statuses, it_uses_of, score_from_statuses
from ippo.sharing.models import EvidencePack

SNAPSHOT_FORMAT = 1
CIS_IG1 = "cis-v8-ig1"

# The measures a partner asks about first: each has risk weight 3 (the catalog's highest) and together they
# cover ownership, sign-in, updates, malware, exposure, backup and response. Checked by a test.
KEY_CONTROLS: tuple[str, ...] = (
    "gv-exec-owner",
    "pr-mfa-email",
    "pr-mfa-finance",
    "pr-admin-accounts",
    "pr-passwords",
    "pr-os-updates",
    "pr-endpoint-protection",
    "pr-firewall",
    "pr-backup",
    "pr-restore-test",
    "pr-awareness-training",
    "rs-incident-plan",
)


@dataclass(frozen=True)
class PackFacts:
    """Everything `content_compute` reads from the database, as plain values."""

    org_name: str
    statuses: Mapping[str, str]  # control id → ControlStatus value
    it_uses: Sequence[str]
    score: scoring.Score
    last_assessment_on: date | None
    basic_policy_approved: bool
    basic_policy_drafted: bool
    evidence_dates: Mapping[str, date] = field(default_factory=dict)  # key control id → newest evidence


def pack_facts(org: Organization) -> PackFacts:
    statuses = control_statuses(org)
    latest = (
        Assessment.objects.filter(organization=org, status=Assessment.Status.COMPLETED)
        .order_by("-completed_at")
        .values_list("completed_at", flat=True)
        .first()
    )
    drafted = PolicyVersion.objects.filter(
        organization=org, status=PolicyVersion.Status.DRAFT, policy__kind=Policy.Kind.POLICY
    ).exists()
    evidence_dates = dict(
        Evidence.objects.filter(organization=org, control_id__in=KEY_CONTROLS)
        .values_list("control_id")
        .annotate(newest=Max("performed_on"))
        .values_list("control_id", "newest")
    )
    it_uses = it_uses_of(org)
    return PackFacts(
        org_name=org.name,
        statuses=statuses,
        it_uses=it_uses,
        score=score_from_statuses(statuses, it_uses),
        last_assessment_on=timezone.localdate(latest) if latest else None,
        basic_policy_approved=basic_policy_in_force(org) is not None,
        basic_policy_drafted=drafted,
        evidence_dates=evidence_dates,
    )


def _coverage_dict(target: scoring.CoverageTarget) -> dict:
    return {
        "level": target.level,
        "total": target.total,
        "met": target.met,
        "partly_met": target.partly_met,
        "not_assessed": target.not_assessed,
    }


def content_compute(
    *,
    catalog: Catalog,
    facts: PackFacts,
    language: str,
    contact: Mapping[str, str],
    today: date,
) -> dict:
    """The pack's snapshot (JSON-ready). Pure: the same facts give the same snapshot."""
    applicable = [c.id for c in results.applicable_controls(catalog, facts.it_uses)]
    applicable_set = set(applicable)
    answers = {
        cid: ANSWER_FOR_STATUS[status]
        for cid, status in facts.statuses.items()
        if cid in applicable_set and status in ANSWER_FOR_STATUS
    }
    targets = results.coverage(catalog, answers)
    scs = [_coverage_dict(t) for t in targets if t.framework_id == SCS]
    cis = next(_coverage_dict(t) for t in targets if t.framework_id == CIS_IG1)

    evaluation = security_action.security_action_evaluate(
        catalog=catalog,
        statuses=facts.statuses,
        applicable=applicable,
        self_check_done=facts.last_assessment_on is not None,
        basic_policy_approved=facts.basic_policy_approved,
        basic_policy_drafted=facts.basic_policy_drafted,
    )

    csf = catalog.framework(CSF)
    function_labels = {}
    for fn in scoring.FUNCTIONS:
        try:
            function_labels[fn] = next(g.label.get(language) for g in csf.groups if g.id == fn)
        except StopIteration:
            function_labels[fn] = fn

    key_applicable = [cid for cid in KEY_CONTROLS if cid in applicable_set]
    in_place = []
    for cid in key_applicable:
        if facts.statuses.get(cid) != ControlStatus.Status.IMPLEMENTED:
            continue
        newest = facts.evidence_dates.get(cid)
        in_place.append(
            {
                "id": cid,
                "title": catalog.control(cid).title.get(language),
                "evidence_on": newest.isoformat() if newest else None,
            }
        )

    return {
        "format": SNAPSHOT_FORMAT,
        "catalog_version": catalog.version,
        "language": language,
        "organization": facts.org_name,
        "as_of": today.isoformat(),
        "security_action": {
            "verdict": evaluation.verdict,
            "one_star_met": sum(item.is_met for item in evaluation.one_star),
        },
        "scs": scs,
        "cis_ig1": cis,
        "csf": {
            "overall": facts.score.overall,
            "by_function": {fn: facts.score.by_function.get(fn) for fn in scoring.FUNCTIONS},
            "labels": function_labels,
        },
        "key_controls": {"total": len(key_applicable), "in_place": in_place},
        "last_assessment_on": facts.last_assessment_on.isoformat() if facts.last_assessment_on else None,
        "contact": {
            "name": contact.get("name", ""),
            "email": contact.get("email", ""),
            "phone": contact.get("phone", ""),
        },
    }


def pack_content(
    *, org: Organization, language: str, contact: Mapping[str, str], today: date | None = None
) -> dict:
    return content_compute(
        catalog=catalog_get(),
        facts=pack_facts(org),
        language=language,
        contact=contact,
        today=today or timezone.localdate(),
    )


def pack_rows(org: Organization):
    """The pack list: one query whatever the number of packs or links (no PDF bytes, no snapshot)."""
    now = timezone.now()
    return (
        EvidencePack.objects.filter(organization=org)
        .defer("pdf", "snapshot")
        .select_related("created_by")
        .annotate(
            active_links=Count(
                "share_links",
                filter=Q(share_links__revoked_at__isnull=True, share_links__expires_at__gt=now),
            ),
            link_opens=Sum("share_links__access_count"),
        )
        .order_by("-created_at", "-pk")
    )


def latest_contact(org: Organization) -> dict[str, str]:
    """The contact of the newest pack, to prefill the next one (and for packs made on the command line)."""
    pack = (
        EvidencePack.objects.filter(organization=org)
        .order_by("-created_at", "-pk")
        .only("contact_name", "contact_email", "contact_phone")
        .first()
    )
    if pack is None:
        return {"name": "", "email": "", "phone": ""}
    return {"name": pack.contact_name, "email": pack.contact_email, "phone": pack.contact_phone}
