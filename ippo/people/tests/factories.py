from tests.factories import factory


@factory("people.department")
def _department(org, make_user):
    from ippo.people.models import Department

    return Department.objects.create(organization=org, name="営業部")


@factory("people.employee")
def _employee(org, make_user):
    from ippo.people.models import Employee

    return Employee.objects.create(
        organization=org,
        name="伊藤 さくら",
        email="sakura.ito@example.com",
        department=_department(org, make_user),
    )
