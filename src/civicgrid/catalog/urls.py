from django.urls import path

from civicgrid.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/<str:code>/", views.item_detail, name="item_detail"),
    path(
        "items/<str:code>/materials/<int:material_id>/template/",
        views.material_template,
        name="material_template",
    ),
    path("online-rate/", views.online_rate, name="online_rate"),
    path("import/", views.import_items, name="import"),
    path("import/<uuid:key>/", views.import_batch, name="import_batch"),
    path("import/<uuid:key>/run/", views.import_run, name="import_run"),
    path("import/<uuid:key>/report.xlsx", views.import_report, name="import_report"),
]
