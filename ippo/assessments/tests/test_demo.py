import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from ippo.assessments.models import Assessment
from ippo.program.models import ControlStatus

pytestmark = pytest.mark.django_db


def test_the_demo_company_has_assessments_months_apart_that_improve():
    call_command("demo")
    call_command("demo")  # idempotent
    with scopes_disabled():
        done = list(
            Assessment.objects.filter(organization__slug="demo", status="completed").order_by("completed_at")
        )
        statuses = ControlStatus.objects.filter(organization__slug="demo").count()
    assert [a.kind for a in done] == ["quick", "full", "full"]
    first_full, second_full = done[1], done[2]
    assert (second_full.completed_at - first_full.completed_at).days >= 90
    assert second_full.result["overall"] > first_full.result["overall"]
    assert 0 < first_full.result["overall"] < 100
    assert statuses == len(second_full.result["control_answers"])
    from ippo.assessments.results import result_compare

    diff = result_compare(first_full.result, second_full.result)
    assert diff["improved"] and diff["regressed"]  # the comparison has both to show
