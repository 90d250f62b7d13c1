from django.urls import path

from ippo.assessments import public_views as views

app_name = "check"

urlpatterns = [
    path("", views.check_start, name="check_start"),
    path("questions/", views.check_questions, name="check_questions"),
    path("result/", views.check_result, name="check_result"),
    path("save/", views.check_save, name="check_save"),
    path("controls/<slug:control_id>/", views.check_control, name="check_control"),
]
