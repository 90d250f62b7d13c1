from tests.factories import factory


@factory("tabletop.exercise")
def _exercise(org, make_user):
    from django.utils import timezone

    from ippo.tabletop.models import Exercise, Participant

    exercise = Exercise.objects.create(
        organization=org,
        scenario_id="ransomware-file-server",
        scheduled_on=timezone.localdate(),
        duration_minutes=90,
    )
    Participant.objects.create(
        organization=org, exercise=exercise, role="vendor", name="木村 誠（みどりITサポート）"
    )
    return exercise


@factory("tabletop.exerciseaction")
def _exerciseaction(org, make_user):
    from ippo.tabletop.models import ExerciseAction

    return ExerciseAction.objects.create(
        organization=org, exercise=_exercise(org, make_user), title="Test restoring the NAS backup"
    )
