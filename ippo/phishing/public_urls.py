from django.urls import path

from ippo.phishing import public_views

# Public pages (no login), mounted by ippo/urls.py at /drill/; see PUBLIC_URL_NAMES in tests/test_tenancy.py.
# Every URL carries the recipient's 128-bit token from the mail; nothing else identifies the person.
app_name = "drill"

urlpatterns = [
    path("o/<str:token>.gif", public_views.tracking_image, name="open"),
    path("c/<str:token>/", public_views.link_click, name="click"),
    path("c/<str:token>/confirm/", public_views.click_confirm, name="confirm"),
    path("c/<str:token>/submit/", public_views.practice_submit, name="submit"),
    path("c/<str:token>/learn/", public_views.teaching_page, name="learn"),
    path("r/<str:token>/", public_views.report, name="report"),
]
