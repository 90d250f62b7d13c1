from django.urls import path

from ippo.sharing import public_views as views

# Public pages (no login): share links and verification, mounted at the site root by ippo/urls.py.
app_name = "sharing"

urlpatterns = [
    path("verify/", views.verify_start, name="verify_start"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
    path("share/<str:token>/", views.share_page, name="share_page"),
    path("share/<str:token>/pdf/", views.share_pdf, name="share_pdf"),
]
