"""Errand pages, mounted at /errands/ (app_name "errands")."""

from django.urls import path

from civicgrid.errands import views

app_name = "errands"

urlpatterns = [
    path("", views.errand_list, name="errand_list"),
    path("new/", views.errand_create, name="errand_create"),
    path("ledger/", views.ledger, name="ledger"),
    path("board/", views.board, name="board"),
    path("board/export.xlsx", views.board_export, name="board_export"),
    path("<int:errand_id>/", views.errand_detail, name="errand_detail"),
    path("<int:errand_id>/claim/", views.errand_claim, name="errand_claim"),
    path("<int:errand_id>/bought/", views.errand_bought, name="errand_bought"),
    path("<int:errand_id>/deliver/", views.errand_deliver, name="errand_deliver"),
    path("<int:errand_id>/confirm/", views.errand_confirm, name="errand_confirm"),
    path("<int:errand_id>/cancel/", views.errand_cancel, name="errand_cancel"),
    path("<int:errand_id>/reassign/", views.errand_reassign, name="errand_reassign"),
    path("<int:errand_id>/repay/", views.errand_repay, name="errand_repay"),
    path("<int:errand_id>/rate/", views.errand_rate, name="errand_rate"),
    path("<int:errand_id>/messages/", views.errand_message, name="errand_message"),
    path("<int:errand_id>/call/", views.errand_call, name="errand_call"),
    path("<int:errand_id>/photos/<int:photo_id>/", views.errand_photo, name="errand_photo"),
]
