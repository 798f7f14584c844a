"""Community pages, mounted at /community/ (app_name "community")."""

from django.urls import path

from civicgrid.community import resident_views, scan_views, staff_views, views

app_name = "community"

urlpatterns = [
    path("", staff_views.dashboard, name="dashboard"),
    path("overview/", staff_views.overview, name="overview"),
    path("residents/", staff_views.resident_list, name="resident_list"),
    path("export/<slug:kind>.xlsx", staff_views.export_list, name="export_list"),
    path("alerts/", staff_views.alert_list, name="alert_list"),
    path("alerts/<int:alert_id>/", staff_views.alert_detail, name="alert_detail"),
    path("rules/", staff_views.rule_list, name="rule_list"),
    path("corrections/", staff_views.correction_list, name="correction_list"),
    path(
        "corrections/<int:correction_id>/resolve/",
        staff_views.correction_resolve,
        name="correction_resolve",
    ),
    path("s/<str:token>/", scan_views.scan, name="scan"),
    path("s/<str:token>/visitor/", scan_views.scan_visitor, name="scan_visitor"),
    path("me/", resident_views.my_home, name="me"),
    path("me/health/", resident_views.my_health, name="my_health"),
    path("me/disinfection/", resident_views.my_disinfection, name="my_disinfection"),
    path("me/passes/", resident_views.my_passes, name="my_passes"),
    path(
        "me/passes/<int:pass_id>/correct/", resident_views.my_pass_correct, name="my_pass_correct"
    ),
    path("checkpoints/", views.checkpoint_list, name="checkpoint_list"),
    path(
        "checkpoints/<int:checkpoint_id>/poster.pdf",
        views.checkpoint_poster,
        name="checkpoint_poster",
    ),
    path(
        "checkpoints/<int:checkpoint_id>/tablet/", views.checkpoint_tablet, name="checkpoint_tablet"
    ),
    path(
        "checkpoints/<int:checkpoint_id>/tablet/code/",
        views.checkpoint_tablet_code,
        name="checkpoint_tablet_code",
    ),
    path(
        "checkpoints/<int:checkpoint_id>/revoke/", views.checkpoint_revoke, name="checkpoint_revoke"
    ),
    path(
        "checkpoints/<int:checkpoint_id>/active/", views.checkpoint_active, name="checkpoint_active"
    ),
    path("checkpoints/<int:checkpoint_id>/guard/", views.checkpoint_guard, name="checkpoint_guard"),
]
