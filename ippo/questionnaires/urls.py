from django.urls import path

from ippo.questionnaires import views

# Mounted under /o/<org_slug>/ in the "org" namespace (see ippo/urls.py).
org_patterns = [
    path("questionnaires/", views.questionnaire_list, name="questionnaire_list"),
    path("questionnaires/upload/", views.questionnaire_upload, name="questionnaire_upload"),
    path("questionnaires/<int:pk>/", views.questionnaire_review, name="questionnaire_review"),
    path("questionnaires/<int:pk>/columns/", views.questionnaire_mapping, name="questionnaire_mapping"),
    path("questionnaires/<int:pk>/save/", views.questionnaire_save, name="questionnaire_save"),
    path("questionnaires/<int:pk>/accept/", views.questionnaire_accept, name="questionnaire_accept"),
    path("questionnaires/<int:pk>/export/", views.questionnaire_export, name="questionnaire_export"),
    path("questionnaires/<int:pk>/delete/", views.questionnaire_delete, name="questionnaire_delete"),
    path("questionnaires/questions/<int:pk>/", views.questionnaireitem_edit, name="questionnaireitem_edit"),
]
