from django.urls import path

from ippo.accounts import views

app_name = "accounts"

urlpatterns = [
    path("invite/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
    path("settings/language/", views.language_switch, name="language_switch"),
    path("settings/", views.preferences, name="preferences"),
]
