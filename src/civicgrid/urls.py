"""Top-level URL map: one include per app, the API, the admin and operations endpoints."""

from django.contrib import admin
from django.urls import include, path

from civicgrid.api import api
from civicgrid.core import views as core_views

urlpatterns = [
    # First: the API takes the most requests (gate scans, daily reports), and Django tries
    # the patterns in order for every request.
    path("api/v1/", api.urls),
    path("", include("civicgrid.core.urls")),
    path("regions/", include("civicgrid.regions.urls")),
    path("notifications/", include("civicgrid.core.notifications.urls")),
    path("accounts/", include("civicgrid.accounts.urls")),
    path("population/self/", include("civicgrid.population.self_service_urls")),
    path("population/grid/", include("civicgrid.population.grid_urls")),
    path("population/exports/", include("civicgrid.population.export_urls")),
    path("population/", include("civicgrid.population.urls")),
    path("errands/", include("civicgrid.errands.urls")),
    path("learning/", include("civicgrid.learning.urls")),
    path("community/", include("civicgrid.community.urls")),
    path("epidemic/", include("civicgrid.epidemic.urls")),
    path("services/", include("civicgrid.catalog.urls")),
    path("applications/", include("civicgrid.applications.urls")),
    path("appointments/", include("civicgrid.appointments.urls")),
    path("certificates/", include("civicgrid.certificates.urls")),
    path("audit/", include("civicgrid.core.audit.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
