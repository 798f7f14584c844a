"""Community pages, mounted at /community/ (app_name "community")."""

from django.urls import path

from civicgrid.community import scan_views, views

app_name = "community"

urlpatterns = [
    path("s/<str:token>/", scan_views.scan, name="scan"),
    path("s/<str:token>/visitor/", scan_views.scan_visitor, name="scan_visitor"),
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
    path("checkpoints/<int:checkpoint_id>/guard/", views.checkpoint_guard, name="checkpoint_guard"),
]
