"""Appointment pages, mounted at /appointments/ (app_name "appointments"): the applicant's
phone pages first, then the office staff's desktop pages under staff/."""

from django.urls import path

from civicgrid.appointments import views

app_name = "appointments"

urlpatterns = [
    path("", views.booking_list, name="booking_list"),
    path("new/", views.booking_create, name="booking_create"),
    path("appeal/", views.appeal, name="appeal"),
    path("<int:booking_id>/", views.booking_detail, name="booking_detail"),
    path("<int:booking_id>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("<int:booking_id>/reschedule/", views.booking_reschedule, name="booking_reschedule"),
    path("staff/", views.office_list, name="office_list"),
    path("staff/no-shows/", views.no_show_list, name="no_show_list"),
    path("staff/appeals/", views.appeal_list, name="appeal_list"),
    path("staff/appeals/<int:appeal_id>/decide/", views.appeal_decide, name="appeal_decide"),
    path("staff/<int:office_id>/", views.office_day, name="office_day"),
    path("staff/<int:office_id>/check-in/", views.office_check_in, name="office_check_in"),
    path("staff/<int:office_id>/load/", views.office_load, name="office_load"),
    path("staff/<int:office_id>/closures/", views.office_closure, name="office_closure"),
    path(
        "staff/<int:office_id>/closures/<int:closure_id>/remove/",
        views.office_closure_remove,
        name="office_closure_remove",
    ),
]
