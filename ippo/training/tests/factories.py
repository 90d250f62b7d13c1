from datetime import timedelta

from django.utils import timezone

from tests.factories import factory


def _employee(org):
    from ippo.people.models import Employee

    return Employee.objects.create(organization=org, name="渡辺 恵", email=f"megumi.{org.slug}@example.com")


@factory("training.assignment")
def _assignment(org, make_user):
    from ippo.training.models import Assignment

    return Assignment.objects.create(
        organization=org,
        employee=_employee(org),
        module_id="passwords-mfa",
        due_on=timezone.localdate() + timedelta(days=30),
        assigned_at=timezone.now(),
    )


@factory("training.assignmentrule")
def _assignmentrule(org, make_user):
    from ippo.training.models import AssignmentRule

    return AssignmentRule.objects.create(organization=org, kind="yearly", module_id="passwords-mfa", month=4, days=30)


@factory("training.groupsession")
def _groupsession(org, make_user):
    from ippo.training.models import GroupSession

    return GroupSession.objects.create(
        organization=org, held_on=timezone.localdate(), module_id="ransomware-backup", facilitator="石川 浩"
    )


@factory("training.custommodule")
def _custommodule(org, make_user):
    from ippo.training.models import CustomModule

    return CustomModule.objects.create(
        organization=org,
        title="当社のきまり",
        body="## 画面ロック\n\n席を離れるときは画面をロックします。",
        quiz="? 席を離れるときは？\n- そのまま\n* 画面をロック\n> ロックします。",
    )
