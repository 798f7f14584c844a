from django.urls import path

from civicgrid.regions import views

app_name = "regions"

urlpatterns = [
    path("", views.division_browser, name="division_browser"),
    path("search/", views.division_search, name="division_search"),
    path("maps/<str:code>.geojson", views.division_map, name="division_map"),
    path("<str:code>/", views.division_browser, name="division_detail"),
]
