"""Application pages, mounted at /applications/ (app_name "applications")."""

from django.urls import path

from civicgrid.applications import clerk_views, views

app_name = "applications"

urlpatterns = [
    # Applicants (phone-first).
    path("", views.my_applications, name="my_applications"),
    path("apply/<str:item_code>/", views.apply, name="apply"),
    path("drafts/<int:draft_id>/steps/<str:step_key>/", views.draft_step, name="draft_step"),
    path("drafts/<int:draft_id>/check/", views.draft_check, name="draft_check"),
    path("drafts/<int:draft_id>/submit/", views.draft_submit, name="draft_submit"),
    path("track/", views.track_search, name="track_search"),
    path("cases/<str:number>/", views.case_track, name="case_track"),
    path("cases/<str:number>/supply/", views.case_supply, name="case_supply"),
    path("cases/<str:number>/rate/", views.case_rate, name="case_rate"),
    path("attachments/<uuid:reference>/", views.attachment, name="attachment"),
    # Clerks (desktop).
    path("queue/", clerk_views.queue, name="clerk_queue"),
    path("queue/<str:number>/", clerk_views.case_detail, name="clerk_case"),
    path("queue/<str:number>/reveal/", clerk_views.reveal, name="clerk_reveal"),
    path("queue/<str:number>/advance/", clerk_views.advance, name="clerk_advance"),
    path("queue/<str:number>/material/", clerk_views.request_material, name="clerk_request"),
    path("queue/<str:number>/refuse/", clerk_views.refuse, name="clerk_refuse"),
    path("queue/<str:number>/complete/", clerk_views.complete, name="clerk_complete"),
    path("report/", clerk_views.report, name="department_report"),
    path(
        "follow-ups/<int:follow_up_id>/close/",
        clerk_views.close_follow_up,
        name="follow_up_close",
    ),
]
