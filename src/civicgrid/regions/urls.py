from django.urls import path

from civicgrid.regions import views

app_name = "regions"

urlpatterns = [
    path("", views.division_browser, name="division_browser"),
    path("search/", views.division_search, name="division_search"),
    path("<str:code>/", views.division_browser, name="division_detail"),
]
