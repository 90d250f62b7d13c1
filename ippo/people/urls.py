from django.urls import path

from ippo.people import views

# Mounted under /o/<org_slug>/ in the "org" namespace (see ippo/urls.py).
org_patterns = [
    path("people/", views.employee_list, name="employee_list"),
    path("people/new/", views.employee_create, name="employee_create"),
    path("people/import/", views.employee_import, name="employee_import"),
    path("people/export/", views.employee_export, name="employee_export"),
    path("people/<int:pk>/", views.employee_edit, name="employee_edit"),
    path("people/<int:pk>/leave/", views.employee_deactivate, name="employee_deactivate"),
    path("people/<int:pk>/return/", views.employee_reactivate, name="employee_reactivate"),
    path("people/departments/", views.department_list, name="department_list"),
    path("people/departments/<int:pk>/rename/", views.department_edit, name="department_edit"),
    path("people/departments/<int:pk>/delete/", views.department_delete, name="department_delete"),
]
