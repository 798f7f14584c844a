from django.urls import path

from civicgrid.population import export_views as views

app_name = "population_exports"

urlpatterns = [
    path("", views.export_start, name="start"),
    path("<int:export_id>/", views.export_detail, name="detail"),
    path("<int:export_id>/download/", views.export_download, name="download"),
]
