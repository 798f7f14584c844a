from django.urls import path

from civicgrid.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("tasks/demo/", views.task_demo, name="task_demo"),
    path("tasks/<uuid:key>/progress/", views.task_progress, name="task_progress"),
]
