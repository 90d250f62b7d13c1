from ippo.assessments.tests.conftest import complete_assessment  # noqa: F401
from tests.helpers import _english, owner_client  # noqa: F401 — shared fixtures
