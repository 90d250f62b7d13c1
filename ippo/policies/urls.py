from django.urls import path

from ippo.policies import views

# Mounted under /o/<org_slug>/ in the "org" namespace (see ippo/urls.py).
org_patterns = [
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/generate/", views.policy_generate, name="policy_generate"),
    path("policies/new/", views.policy_create, name="policy_create"),
    path("policies/ours/", views.policy_rules, name="policy_rules"),
    path("policies/security-action/", views.security_action_view, name="security_action"),
    path("policies/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/edit/", views.policy_edit, name="policy_edit"),
    path("policies/versions/<int:pk>/", views.policyversion_detail, name="policyversion_detail"),
    path("policies/versions/<int:pk>/approve/", views.policyversion_approve, name="policyversion_approve"),
    path("policies/versions/<int:pk>/discard/", views.policyversion_discard, name="policyversion_discard"),
    path("policies/versions/<int:pk>/pdf/", views.policyversion_pdf, name="policyversion_pdf"),
]
