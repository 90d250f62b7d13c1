from django.urls import include, path

from ippo.api import urls as api_urls
from ippo.assessments import urls as assessment_urls
from ippo.backup import urls as backup_urls
from ippo.checks import urls as check_urls
from ippo.console import urls as console_urls
from ippo.core import views as core_views
from ippo.core.urls import org_patterns as core_org_patterns
from ippo.devices import urls as device_urls
from ippo.incidents import urls as incident_urls
from ippo.lib.env import env_bool
from ippo.people import urls as people_urls
from ippo.phishing import urls as phishing_urls
from ippo.policies import urls as policy_urls
from ippo.program import urls as program_urls
from ippo.questionnaires import urls as questionnaire_urls
from ippo.registers import urls as register_urls
from ippo.reporting import urls as reporting_urls
from ippo.reports import urls as report_urls
from ippo.sharing import urls as sharing_urls
from ippo.tabletop import urls as tabletop_urls
from ippo.training import urls as training_urls

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
    *people_urls.org_patterns,
    *training_urls.org_patterns,
    *phishing_urls.org_patterns,
    *reporting_urls.org_patterns,
    *incident_urls.org_patterns,
    *tabletop_urls.org_patterns,
    *check_urls.org_patterns,
    *device_urls.org_patterns,
    *api_urls.org_patterns,
    *console_urls.org_patterns,
    *backup_urls.org_patterns,
]

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("", include("ippo.accounts.urls")),
    path("check/", include("ippo.assessments.public_urls")),
    path("", include("ippo.sharing.public_urls")),
    path("learn/", include("ippo.training.public_urls")),
    path("drill/", include("ippo.phishing.public_urls")),
    path("report/", include("ippo.reporting.public_urls")),
    path("agent/", include("ippo.devices.public_urls")),
    path("console/", include("ippo.console.urls")),
    path("api/", include("ippo.api.urls")),
    path("", include("ippo.core.urls")),
    path("o/<slug:org_slug>/", include((org_patterns, "org"))),
]

if env_bool("IPPO_BENCH_FLOOR"):
    urlpatterns.append(path("_bench/floor", core_views.bench_floor, name="bench_floor"))
