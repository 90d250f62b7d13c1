from django.urls import path

from ippo.phishing import views

# Mounted under /o/<org_slug>/ in the "org" namespace: sending profiles, the five-step drill wizard, the
# drill list and detail pages, recurring drills and the drill documents.
org_patterns = [
    path("drills/", views.drill_list, name="drill_list"),
    path("drills/new/", views.drill_create, name="drill_create"),
    path("drills/documents/", views.drill_documents, name="drill_documents"),
    path("drills/<int:pk>/", views.drill_detail, name="drill_detail"),
    path("drills/<int:pk>/audience/", views.drill_audience, name="drill_audience"),
    path("drills/<int:pk>/template/", views.drill_template, name="drill_template"),
    path("drills/<int:pk>/landing/", views.drill_landing, name="drill_landing"),
    path("drills/<int:pk>/window/", views.drill_window, name="drill_window"),
    path("drills/<int:pk>/review/", views.drill_review, name="drill_review"),
    path("drills/<int:pk>/sample/", views.drill_sample, name="drill_sample"),
    path("drills/<int:pk>/finish/", views.drill_finish, name="drill_finish"),
    path("drills/<int:pk>/cancel/", views.drill_cancel, name="drill_cancel"),
    path("drills/<int:pk>/delete/", views.drill_delete, name="drill_delete"),
    path("drills/recurring/<int:pk>/stop/", views.drillprogramme_stop, name="drillprogramme_stop"),
    path("drills/profiles/", views.sendingprofile_list, name="sendingprofile_list"),
    path("drills/profiles/new/", views.sendingprofile_create, name="sendingprofile_create"),
    path("drills/profiles/<int:pk>/", views.sendingprofile_edit, name="sendingprofile_edit"),
    path("drills/profiles/<int:pk>/test/", views.sendingprofile_test, name="sendingprofile_test"),
    path("drills/profiles/<int:pk>/check/", views.sendingprofile_check, name="sendingprofile_check"),
    path("drills/profiles/<int:pk>/delete/", views.sendingprofile_delete, name="sendingprofile_delete"),
]
