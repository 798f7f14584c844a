"""Pages of the population register mounted at /population/ (app_name "population")."""

from django.urls import path

from civicgrid.population import import_views

app_name = "population"

urlpatterns = [
    # Bulk import of the register from a spreadsheet (population.importing).
    path("import/", import_views.import_upload, name="import_upload"),
    path("import/<uuid:key>/", import_views.import_batch, name="import_batch"),
    path("import/<uuid:key>/mapping/", import_views.import_mapping, name="import_mapping"),
    path("import/<uuid:key>/run/", import_views.import_run, name="import_run"),
    path("import/<uuid:key>/report.xlsx", import_views.import_report, name="import_report"),
]
