"""Version 1 of the JSON API: the same selectors and services as the pages, under the same tenant scoping
(ippo.api.access.org_access). Lists are paginated with `limit` (1–200) and `offset`."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import BaseModel, ConfigDict, Field

from ippo.api.access import org_access
from ippo.catalog.loader import catalog_get
from ippo.core.models import Membership
from ippo.core.tenancy import memberships_of

router = Router()


# --- Common ---------------------------------------------------------------------------------------------------


class Strict(BaseModel):
    """Input (query strings and bodies): unknown fields are an error, so a typo is reported, not ignored.
    Plain pydantic, not ninja's Schema, which would read attributes off any object it is given."""

    model_config = ConfigDict(extra="forbid")


class LangParams(Strict):
    lang: str = "ja"


class PageParams(Strict):
    limit: int = Field(50, ge=1, le=1000, description="At most 200 items are returned per page.")
    offset: int = Field(0, ge=0, le=100_000_000)
    lang: str = "ja"


def _page(qs, params: PageParams):
    limit = min(max(params.limit, 1), 200)
    offset = max(params.offset, 0)
    return qs.count(), list(qs[offset : offset + limit])


def _lang(params) -> str:
    return "en" if getattr(params, "lang", "ja") == "en" else "ja"


class Error(Schema):
    # A sentence, or (invalid input caught by the schema) one entry per field: {"loc", "msg", "type"}.
    detail: str | list[dict]


# What any operation may answer besides success: a body that is not JSON, no or a bad token, a role or token that does not allow
# it, another organisation's (or a missing) object, and invalid input.
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}


# --- Organisations -----------------------------------------------------------------------------------------


class OrgOut(Schema):
    slug: str
    name: str
    role: str
    is_demo: bool


class ScoreOut(Schema):
    overall: float | None
    tier: int | None
    by_function: dict[str, float | None]
    answered: int
    unknown: int


class OrgDetailOut(OrgOut):
    score: ScoreOut
    open_action_items: int
    overdue_action_items: int


@router.get(
    "/orgs",
    response={200: list[OrgOut], **ERRORS},
    summary="Organisations this token can reach",
    tags=["organisations"],
)
def org_list(request, params: Query[LangParams]):
    token = request.auth
    if token.organization_id is not None:
        from ippo.api.access import ORG_TOKEN_ROLE

        org = token.organization
        return [OrgOut(slug=org.slug, name=org.name, role=ORG_TOKEN_ROLE[token.scope], is_demo=org.is_demo)]
    return [
        OrgOut(
            slug=m.organization.slug, name=m.organization.name, role=m.role, is_demo=m.organization.is_demo
        )
        for m in memberships_of(token.user)
    ]


@router.get("/orgs/{org_slug}", response={200: OrgDetailOut, **ERRORS}, tags=["organisations"])
def org_detail(request, org_slug: str, params: Query[LangParams]):
    from ippo.program.models import ActionItem
    from ippo.program.selectors import current_score

    with org_access(request, org_slug, "program.view") as org:
        score = current_score(org)
        today = timezone.localdate()
        open_items = ActionItem.objects.filter(organization=org, status__in=ActionItem.OPEN)
        return OrgDetailOut(
            slug=org.slug,
            name=org.name,
            role=request.role,
            is_demo=org.is_demo,
            score=ScoreOut(
                overall=score.overall,
                tier=score.tier,
                by_function=dict(score.by_function),
                answered=score.answered,
                unknown=score.unknown,
            ),
            open_action_items=open_items.count(),
            overdue_action_items=open_items.filter(due_date__lt=today).count(),
        )


# --- Controls and their status ------------------------------------------------------------------------------


class ControlOut(Schema):
    id: str
    title: str
    function: str
    cost: str
    status: str
    source: str | None
    updated_at: datetime | None
    mappings: dict[str, list[str]]


class ControlParams(Strict):
    lang: str = "ja"
    status: str | None = None
    function: str | None = None


@router.get("/orgs/{org_slug}/controls", response={200: list[ControlOut], **ERRORS}, tags=["controls"])
def control_list(request, org_slug: str, params: Query[ControlParams]):
    """Every control in the catalog with this organisation's status (`unknown` when never assessed)."""
    from ippo.program.models import ControlStatus

    with org_access(request, org_slug, "program.view") as org:
        rows = {s.control_id: s for s in ControlStatus.objects.filter(organization=org)}
        lang = _lang(params)
        out = []
        for control in catalog_get().controls:
            row = rows.get(control.id)
            status = row.status if row else ControlStatus.Status.UNKNOWN
            if params.status and status != params.status:
                continue
            if params.function and control.function != params.function:
                continue
            out.append(
                ControlOut(
                    id=control.id,
                    title=control.title.get(lang),
                    function=control.function,
                    cost=control.cost,
                    status=status,
                    source=row.source if row else None,
                    updated_at=row.updated_at if row else None,
                    mappings={k: list(v) for k, v in control.mappings.items() if v},
                )
            )
        return out


# --- Assessments ----------------------------------------------------------------------------------------------


class AssessmentOut(Schema):
    id: int
    kind: str
    status: str
    catalog_version: str
    created_at: datetime
    completed_at: datetime | None
    overall: float | None
    tier: int | None
    by_function: dict[str, float | None] | None


class AssessmentPage(Schema):
    count: int
    items: list[AssessmentOut]


def _assessment_out(a) -> AssessmentOut:
    result = a.result or {}
    return AssessmentOut(
        id=a.pk,
        kind=a.kind,
        status=a.status,
        catalog_version=a.catalog_version,
        created_at=a.created_at,
        completed_at=a.completed_at,
        overall=result.get("overall"),
        tier=result.get("tier"),
        by_function=result.get("by_function"),
    )


@router.get("/orgs/{org_slug}/assessments", response={200: AssessmentPage, **ERRORS}, tags=["assessments"])
def assessment_list(request, org_slug: str, params: Query[PageParams]):
    from ippo.assessments.models import Assessment

    with org_access(request, org_slug, "program.view") as org:
        count, items = _page(
            Assessment.objects.filter(organization=org).order_by("-created_at", "-pk"), params
        )
        return AssessmentPage(count=count, items=[_assessment_out(a) for a in items])


@router.get(
    "/orgs/{org_slug}/assessments/{assessment_id}",
    response={200: AssessmentOut, **ERRORS},
    tags=["assessments"],
)
def assessment_detail(request, org_slug: str, assessment_id: int, params: Query[LangParams]):
    from ippo.assessments.models import Assessment

    with org_access(request, org_slug, "program.view") as org:
        return _assessment_out(
            get_object_or_404(Assessment.objects.filter(organization=org), pk=assessment_id)
        )


# --- Action items -----------------------------------------------------------------------------------------------


class ActionItemOut(Schema):
    id: int
    title: str
    control_id: str
    description: str
    status: str
    source: str
    priority: float | None
    owner: str | None
    due_date: date | None
    created_at: datetime
    completed_at: datetime | None


class ActionItemPage(Schema):
    count: int
    items: list[ActionItemOut]


class ActionItemParams(PageParams):
    status: str | None = None
    owner: str | None = None
    overdue: bool | None = None


class ActionItemIn(Strict):
    title: str = Field(min_length=1, max_length=200, pattern=r"\S")
    control_id: str = ""
    description: str = ""
    owner: str | None = None
    due_date: date | None = None


class ActionItemPatch(Strict):
    title: str | None = Field(default=None, min_length=1, max_length=200, pattern=r"\S")
    description: str | None = None
    owner: str | None = None
    due_date: date | None = None
    status: str | None = None


def _item_out(item, lang: str) -> ActionItemOut:
    from ippo.program.selectors import control_title

    with translation.override(lang):
        title = item.title or (control_title(item.control_id) if item.control_id else "")
    return ActionItemOut(
        id=item.pk,
        title=str(title),
        control_id=item.control_id,
        description=item.description,
        status=item.status,
        source=item.source,
        priority=item.priority,
        owner=item.owner.email if item.owner else None,
        due_date=item.due_date,
        created_at=item.created_at,
        completed_at=item.completed_at,
    )


def _member_by_email(org, email: str | None):
    if not email:
        return None
    membership = (
        Membership.objects.filter(organization=org, user__email__iexact=email).select_related("user").first()
    )
    if membership is None:
        raise HttpError(422, f"{email} is not a member of this organisation.")
    return membership.user


@router.get("/orgs/{org_slug}/action-items", response={200: ActionItemPage, **ERRORS}, tags=["action items"])
def actionitem_list(request, org_slug: str, params: Query[ActionItemParams]):
    from ippo.program.models import ActionItem

    with org_access(request, org_slug, "program.view") as org:
        qs = ActionItem.objects.filter(organization=org).select_related("owner").order_by("-priority", "pk")
        if params.status:
            qs = qs.filter(status=params.status)
        if params.owner:
            qs = qs.filter(owner__email__iexact=params.owner)
        if params.overdue is not None:
            overdue = Q(status__in=ActionItem.OPEN, due_date__lt=timezone.localdate())
            qs = qs.filter(overdue) if params.overdue else qs.exclude(overdue)
        count, items = _page(qs, params)
        return ActionItemPage(count=count, items=[_item_out(i, _lang(params)) for i in items])


@router.get(
    "/orgs/{org_slug}/action-items/{item_id}",
    response={200: ActionItemOut, **ERRORS},
    tags=["action items"],
)
def actionitem_detail(request, org_slug: str, item_id: int, params: Query[LangParams]):
    from ippo.program.models import ActionItem

    with org_access(request, org_slug, "program.view") as org:
        item = get_object_or_404(
            ActionItem.objects.filter(organization=org).select_related("owner"), pk=item_id
        )
        return _item_out(item, _lang(params))


@router.post(
    "/orgs/{org_slug}/action-items",
    response={201: ActionItemOut, **ERRORS},
    tags=["action items"],
)
def actionitem_create(request, org_slug: str, payload: ActionItemIn):
    from django.core.exceptions import ValidationError

    from ippo.program.services import action_item_create

    with org_access(request, org_slug, "program.change") as org:
        if not payload.title.strip():
            raise HttpError(422, "The title is empty.")
        try:
            item = action_item_create(
                org=org,
                actor=request.user if request.auth.user_id else None,
                title=payload.title,
                control_id=payload.control_id,
                description=payload.description,
                owner=_member_by_email(org, payload.owner),
                due_date=payload.due_date,
            )
        except KeyError:
            raise HttpError(422, f"Unknown control {payload.control_id!r}.") from None
        except ValidationError as exc:
            raise HttpError(422, " ".join(exc.messages)) from None
        return 201, _item_out(item, "ja")


@router.patch(
    "/orgs/{org_slug}/action-items/{item_id}",
    response={200: ActionItemOut, **ERRORS},
    tags=["action items"],
)
def actionitem_update(request, org_slug: str, item_id: int, payload: ActionItemPatch):
    from django.core.exceptions import ValidationError

    from ippo.program.models import ActionItem
    from ippo.program.services import action_item_update

    with org_access(request, org_slug, "program.change") as org:
        item = get_object_or_404(ActionItem.objects.filter(organization=org), pk=item_id)
        fields = payload.model_dump(exclude_unset=True)
        if "owner" in fields:
            fields["owner"] = _member_by_email(org, fields["owner"])
        if "status" in fields and fields["status"] not in ActionItem.Status.values:
            raise HttpError(422, f"Unknown status {fields['status']!r}.")
        if "title" in fields and fields["title"] is None:
            del fields["title"]
        if "description" in fields and fields["description"] is None:
            fields["description"] = ""
        try:
            item = action_item_update(
                item=item, actor=request.user if request.auth.user_id else None, **fields
            )
        except ValidationError as exc:
            raise HttpError(422, " ".join(exc.messages)) from None
        return _item_out(item, "ja")


# --- Registers ------------------------------------------------------------------------------------------------


class AssetOut(Schema):
    id: int
    name: str
    asset_type: str
    location: str
    owner: str | None
    personal_data: bool
    confidentiality: int
    integrity: int
    availability: int


class AssetPage(Schema):
    count: int
    items: list[AssetOut]


class AssetParams(PageParams):
    asset_type: str | None = None


@router.get("/orgs/{org_slug}/assets", response={200: AssetPage, **ERRORS}, tags=["registers"])
def asset_list(request, org_slug: str, params: Query[AssetParams]):
    from ippo.registers.models import Asset

    with org_access(request, org_slug, "program.view") as org:
        qs = Asset.objects.filter(organization=org).select_related("owner").order_by("name", "pk")
        if params.asset_type:
            qs = qs.filter(asset_type=params.asset_type)
        count, items = _page(qs, params)
        return AssetPage(
            count=count,
            items=[
                AssetOut(
                    id=a.pk,
                    name=a.name,
                    asset_type=a.asset_type,
                    location=a.location,
                    owner=a.owner.email if a.owner else (a.owner_name or None),
                    personal_data=a.personal_data,
                    confidentiality=a.confidentiality,
                    integrity=a.integrity,
                    availability=a.availability,
                )
                for a in items
            ],
        )


class RiskOut(Schema):
    id: int
    title: str
    status: str
    likelihood: int
    impact_yen: int
    expected_annual_yen: int
    residual_annual_yen: int
    control_ids: list[str]


@router.get("/orgs/{org_slug}/risks", response={200: list[RiskOut], **ERRORS}, tags=["registers"])
def risk_list(request, org_slug: str, params: Query[LangParams]):
    """Every risk with its estimate in yen (expected loss a year, before and after the measures)."""
    from ippo.registers.selectors import risk_register

    with (
        org_access(request, org_slug, "program.view") as org,
        translation.override(_lang(params)),
    ):
        register = risk_register(org)
        return [
            RiskOut(
                id=row.risk.pk,
                title=str(row.risk),
                status=row.risk.status,
                likelihood=row.estimate.likelihood,
                impact_yen=row.estimate.impact_yen,
                expected_annual_yen=row.estimate.expected_annual_yen,
                residual_annual_yen=row.estimate.residual_annual_yen,
                control_ids=list(row.risk.control_ids),
            )
            for row in register.rows
        ]
