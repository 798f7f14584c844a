from django.urls import path

from civicgrid.certificates import views

app_name = "certificates"

urlpatterns = [
    # The holder's wallet (phone-first).
    path("", views.wallet_list, name="wallet_list"),
    path("<int:pk>/", views.wallet_detail, name="wallet_detail"),
    path("<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("<int:pk>/share/", views.share_create, name="share_create"),
    path("shares/<int:pk>/revoke/", views.share_revoke, name="share_revoke"),
    # Public: verification and the published keys.
    path("verify/", views.verify_page, name="verify"),
    path("v/<str:code>/", views.verify_link, name="verify_link"),
    path("s/<str:token>/", views.shared_view, name="shared_view"),
    path("keys/", views.keys_page, name="keys"),
    path("keys.json", views.keys_json, name="keys_json"),
    # The issuing department (desktop).
    path("issued/", views.issued_list, name="issued_list"),
    path("issue/", views.issue_form, name="issue"),
    path("issued/<int:pk>/", views.issued_detail, name="issued_detail"),
    path("issued/<int:pk>/revoke/", views.revoke, name="revoke"),
]
