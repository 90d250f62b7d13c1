"""One factory per tenant-owned model, used by the tenancy harness to create an object of organisation A
for every URL that takes an object id. A new TenantModel behind a URL needs a factory here — the harness
fails with a message saying so."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

FACTORIES = {}


def factory(label: str):
    def register(fn):
        FACTORIES[label] = fn
        return fn

    return register


@factory("core.membership")
def _membership(org, make_user):
    from ippo.core.models import Membership

    return Membership.objects.create(organization=org, user=make_user(), role="member")


@factory("accounts.invitation")
def _invitation(org, make_user):
    from ippo.accounts.models import Invitation

    return Invitation.objects.create(
        organization=org,
        email="invitee@example.com",
        role="member",
        token_hash=f"{timezone.now().timestamp():064.6f}"[-64:],
        expires_at=timezone.now() + timedelta(days=7),
    )


@factory("assessments.assessment")
def _assessment(org, make_user):
    from ippo.assessments.models import Answer, Assessment

    assessment = Assessment.objects.create(organization=org, kind="full", catalog_version="2026.11")
    Answer.objects.create(organization=org, assessment=assessment, item_id="gv-exec-owner", value="yes")
    return assessment


@factory("core.chatwebhook")
def _chatwebhook(org, make_user):
    from ippo.core.models import ChatWebhook
    from ippo.lib.crypto import encrypt

    # Port 1 on loopback: nothing listens, so a test message fails fast without leaving the machine.
    return ChatWebhook.objects.create(
        organization=org,
        kind=ChatWebhook.Kind.GENERIC,
        name="#security",
        url_encrypted=encrypt("http://127.0.0.1:1/ippo-hook"),
        secret_encrypted=encrypt("factory-signing-secret"),
        hint="127.0.0.1/…hook",
    )


@factory("core.delivery")
def _delivery(org, make_user):
    from ippo.core.models import Delivery

    return Delivery.objects.create(
        organization=org,
        channel=Delivery.Channel.EMAIL,
        to_address="someone@example.com",
        subject="Subject",
        body="Body",
        event="test.factory",
        next_attempt_at=timezone.now(),
    )


@factory("program.actionitem")
def _actionitem(org, make_user):
    from ippo.program.models import ActionItem

    return ActionItem.objects.create(organization=org, control_id="pr-mfa-email", source="gap", priority=1)


@factory("program.recurringtask")
def _recurringtask(org, make_user):
    from ippo.program.models import RecurringTask

    return RecurringTask.objects.create(
        organization=org, control_id="pr-restore-test", recurrence="quarterly", next_due=timezone.localdate()
    )


@factory("program.evidence")
def _evidence(org, make_user):
    from ippo.program.models import Evidence

    return Evidence.objects.create(
        organization=org, control_id="pr-mfa-email", kind="note", title="MFA on", note="MFA on", performed_on=timezone.localdate()
    )


@factory("registers.asset")
def _asset(org, make_user):
    from ippo.registers.models import Asset

    return Asset.objects.create(organization=org, name=f"File server {Asset.objects.count() + 1}", asset_type="nas")


@factory("registers.risk")
def _risk(org, make_user):
    from ippo.registers.models import Risk

    return Risk.objects.create(
        organization=org, title="Ransomware stops the business", likelihood=3, days_down=5, control_ids=["pr-backup"]
    )


@factory("registers.vendor")
def _vendor(org, make_user):
    from ippo.registers.models import Vendor

    return Vendor.objects.create(
        organization=org, name=f"IT support {Vendor.objects.count() + 1}", service_kinds=["pc_setup"]
    )


@factory("policies.policy")
def _policy(org, make_user):
    """A rule with an approved version 1 (in force, so every role that may read it can)."""
    return _policyversion(org, make_user).policy


@factory("policies.policyversion")
def _policyversion(org, make_user):
    from ippo.policies.models import Policy, PolicyVersion

    policy = Policy.objects.create(organization=org, kind="rule", title="Rule", language="en")
    return PolicyVersion.objects.create(
        organization=org,
        policy=policy,
        number=1,
        title="Rule",
        sections=[{"heading": "Scope", "paragraphs": ["Applies to everyone from {effective_date}."]}],
        status="approved",
        approved_at=timezone.now(),
        approved_by_name="Owner",
        effective_date=timezone.localdate(),
    )


def _questionnaire_workbook() -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "チェックシート"
    ws.append(["No.", "確認項目", "回答", "備考"])
    ws.append([1, "バックアップを取得していますか", None, None])
    ws.append([2, "ウイルス対策ソフトを導入していますか", None, None])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@factory("questionnaires.questionnaire")
def _questionnaire(org, make_user):
    """A questionnaire whose columns are chosen, with one question confirmed and one still to check."""
    from ippo.questionnaires.models import Questionnaire, QuestionnaireItem

    data = _questionnaire_workbook()
    questionnaire = Questionnaire.objects.create(
        organization=org,
        name="Buyer Co. 2026",
        filename="checklist.xlsx",
        file_data=data,
        file_size=len(data),
        sheet="チェックシート",
        header_row=1,
        question_col=2,
        answer_col=3,
        remarks_col=4,
        language="ja",
        status="review",
    )
    QuestionnaireItem.objects.create(
        organization=org,
        questionnaire=questionnaire,
        row=2,
        question="バックアップを取得していますか",
        suggestions=[{"id": "pr-backup", "score": 0.3, "used_before": False}],
        control_ids=["pr-backup"],
    )
    QuestionnaireItem.objects.create(
        organization=org,
        questionnaire=questionnaire,
        row=3,
        question="ウイルス対策ソフトを導入していますか",
        suggestions=[{"id": "pr-endpoint-protection", "score": 0.3, "used_before": False}],
    )
    return questionnaire


@factory("questionnaires.questionnaireitem")
def _questionnaireitem(org, make_user):
    return _questionnaire(org, make_user).items.order_by("row").last()


@factory("sharing.evidencepack")
def _evidencepack(org, make_user):
    """A signed pack with a real snapshot but a tiny stand-in PDF (printing a real one takes a second)."""
    import hashlib

    from ippo.sharing import selectors, services, signing
    from ippo.sharing.models import EvidencePack

    code = services.code_generate()
    pdf = b"%PDF-1.7\n% factory evidence pack " + code.encode() + b"\n%%EOF\n"
    sha256 = hashlib.sha256(pdf).hexdigest()
    contact = {"name": "Yamada", "email": "yamada@example.com", "phone": ""}
    return EvidencePack.objects.create(
        organization=org,
        code=code,
        language="en",
        contact_name=contact["name"],
        contact_email=contact["email"],
        snapshot=selectors.pack_content(org=org, language="en", contact=contact),
        pdf=pdf,
        sha256=sha256,
        signature=signing.sign(signing.pack_message(code, sha256)),
        key_id=signing.key_id(),
    )


@factory("sharing.sharelink")
def _sharelink(org, make_user):
    import secrets

    from ippo.sharing import services
    from ippo.sharing.models import ShareLink

    return ShareLink.objects.create(
        organization=org,
        pack=_evidencepack(org, make_user),
        token_hash=services.token_hash(secrets.token_urlsafe(32)),
        label="Partner",
        expires_at=timezone.now() + timedelta(days=30),
    )


@factory("reports.reportjob")
def _reportjob(org, make_user):
    from ippo.reports.models import ReportJob

    return ReportJob.objects.create(organization=org, language="en", status="done", progress=100, pdf=b"%PDF-1.7 test", pages=1)


# Modules added later register their factories in ippo/<app>/tests/factories.py with the same decorator
# (`from tests.factories import factory`); they are imported here so the harness sees them all.
def _import_app_factories() -> None:
    import importlib

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("ippo."):
            try:
                importlib.import_module(f"{config.name}.tests.factories")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tests.factories":
                    raise


_import_app_factories()
