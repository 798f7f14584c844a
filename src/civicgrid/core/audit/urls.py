from django.urls import path

from civicgrid.core.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.record_list, name="record_list"),
    path("my-data/", views.my_data, name="my_data"),
]
