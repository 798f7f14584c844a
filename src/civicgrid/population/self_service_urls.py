from django.urls import path

from civicgrid.population import self_service_views as views

app_name = "population_self"

urlpatterns = [
    path("", views.my_household, name="home"),
    path("declare/", views.declare_household, name="declare"),
    path("surveys/<int:survey_id>/", views.answer_survey, name="survey"),
    path("review/", views.review_list, name="review"),
    path("review/<int:declaration_id>/verify/", views.review_verify, name="review_verify"),
    path("review/<int:declaration_id>/return/", views.review_return, name="review_return"),
]
