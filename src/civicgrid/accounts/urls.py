from django.urls import path

from civicgrid.accounts import onboarding_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("login/verify/", views.sign_in_totp, name="sign_in_totp"),
    path("login/code/", views.sign_in_by_code, name="sign_in_by_code"),
    path("login/code/verify/", views.sign_in_code_verify, name="sign_in_code_verify"),
    path("totp/", views.totp_enrol, name="totp_enrol"),
    path("logout/", views.sign_out, name="logout"),
    path("workspace/", views.workspace, name="workspace"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("directory/", views.staff_directory, name="staff_directory"),
    path(
        "directory/<int:membership_id>/reveal/",
        views.staff_directory_reveal,
        name="staff_directory_reveal",
    ),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("onboarding/", onboarding_views.onboarding, name="onboarding"),
    path(
        "onboarding/<uuid:key>/report.xlsx",
        onboarding_views.onboarding_report,
        name="onboarding_report",
    ),
]
