from django.urls import path

from ippo.program import views

org_patterns = [
    path("catalog/", views.control_list, name="control_list"),
    path("catalog/<slug:control_id>/", views.control_detail, name="control_detail"),
]
