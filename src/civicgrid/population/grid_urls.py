"""The grid worker's pages and coverage, mounted at /population/grid/."""

from django.urls import path

from civicgrid.population import grid_views, move_views

app_name = "population_grid"

urlpatterns = [
    path("", grid_views.household_list, name="household_list"),
    path("households/<int:household_id>/", grid_views.household_detail, name="household_detail"),
    path("households/<int:household_id>/visit/", grid_views.visit_create, name="visit_create"),
    path("households/<int:household_id>/call/", grid_views.household_call, name="household_call"),
    path("persons/<int:person_id>/call/", grid_views.person_call, name="person_call"),
    path("persons/<int:person_id>/change/", move_views.person_change, name="person_change"),
    path("households/<int:household_id>/split/", move_views.household_split, name="split"),
    path("households/<int:household_id>/grid/", move_views.household_grid, name="household_grid"),
    path("worklist/", grid_views.worklist, name="worklist"),
    path("coverage/", grid_views.coverage, name="coverage"),
]
