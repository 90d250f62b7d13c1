from django.urls import path

from ippo.training import views, views_manage

# Mounted under /o/<org_slug>/ in the "org" namespace (see ippo/urls.py).
org_patterns = [
    path("training/", views.pillar_training, name="pillar_training"),
    path("training/mine/", views.training_mine, name="training_mine"),
    path("training/lessons/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("training/lessons/<int:pk>/quiz/", views.assignment_quiz, name="assignment_quiz"),
    path("training/lessons/<int:pk>/certificate/", views.assignment_certificate, name="assignment_certificate"),
    path("training/lessons/<int:pk>/cancel/", views_manage.assignment_cancel, name="assignment_cancel"),
    path("training/people/", views_manage.training_people, name="training_people"),
    path("training/people/<int:pk>/", views_manage.employee_training, name="employee_training"),
    path("training/people/<int:pk>/send-link/", views_manage.employee_sendlink, name="employee_sendlink"),
    path("training/assign/", views_manage.training_assign, name="training_assign"),
    path("training/preview/", views_manage.training_preview, name="training_preview"),
    path("training/export/", views_manage.training_export, name="training_export"),
    path("training/rules/", views_manage.assignmentrule_list, name="assignmentrule_list"),
    path("training/rules/<int:pk>/", views_manage.assignmentrule_edit, name="assignmentrule_edit"),
    path("training/rules/<int:pk>/delete/", views_manage.assignmentrule_delete, name="assignmentrule_delete"),
    path("training/sessions/", views_manage.groupsession_list, name="groupsession_list"),
    path("training/sessions/new/", views_manage.groupsession_create, name="groupsession_create"),
    path("training/sessions/<int:pk>/", views_manage.groupsession_edit, name="groupsession_edit"),
    path("training/modules/", views_manage.custommodule_list, name="custommodule_list"),
    path("training/modules/new/", views_manage.custommodule_create, name="custommodule_create"),
    path("training/modules/<int:pk>/", views_manage.custommodule_edit, name="custommodule_edit"),
]
