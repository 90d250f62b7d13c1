from django.urls import include, path

from ippo.assessments import urls as assessment_urls
from ippo.core import views as core_views
from ippo.core.urls import org_patterns as core_org_patterns
from ippo.policies import urls as policy_urls
from ippo.program import urls as program_urls
from ippo.questionnaires import urls as questionnaire_urls
from ippo.registers import urls as register_urls
from ippo.reports import urls as report_urls
from ippo.sharing import urls as sharing_urls

# Every organisation page, in one "org" namespace under /o/<org_slug>/.
org_patterns = [
    *core_org_patterns,
    *assessment_urls.org_patterns,
    *program_urls.org_patterns,
    *register_urls.org_patterns,
    *policy_urls.org_patterns,
    *report_urls.org_patterns,
    *sharing_urls.org_patterns,
    *questionnaire_urls.org_patterns,
]

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("", include("ippo.accounts.urls")),
    path("check/", include("ippo.assessments.public_urls")),
    path("", include("ippo.sharing.public_urls")),
    path("", include("ippo.core.urls")),
    path("o/<slug:org_slug>/", include((org_patterns, "org"))),
]
