from tests.factories import factory


@factory("phishing.sendingprofile")
def _sendingprofile(org, make_user):
    from ippo.phishing.models import SendingProfile

    return SendingProfile.objects.create(
        organization=org, name="訓練用", host="127.0.0.1", port=1, security="none", from_address="it@drill.example"
    )


@factory("phishing.drill")
def _drill(org, make_user):
    from ippo.phishing.models import Drill

    return Drill.objects.create(organization=org, name="2026年 冬の訓練", template_ids=["delivery-notice"])


@factory("phishing.drillprogramme")
def _drillprogramme(org, make_user):
    from datetime import date

    from ippo.phishing.models import DrillProgramme

    return DrillProgramme.objects.create(
        organization=org,
        name="四半期ごとの訓練",
        template_ids=["delivery-notice"],
        profile=_sendingprofile(org, make_user),
        next_run_on=date(2027, 1, 15),
    )
