from django.urls import path

from civicgrid.epidemic import design_views, views

app_name = "epidemic"

urlpatterns = [
    path("", views.home, name="home"),
    path("forms/<int:form_id>/report/", views.report_entry, name="report_entry"),
    path("forms/<int:form_id>/upload/", views.report_upload, name="report_upload"),
    path("forms/<int:form_id>/upload/template/", views.report_template, name="report_template"),
    path("reports/<int:report_id>/", views.report_detail, name="report_detail"),
    path("forms/<int:form_id>/completeness/", views.completeness, name="completeness"),
    path(
        "forms/<int:form_id>/completeness/export/",
        views.completeness_export,
        name="completeness_export",
    ),
    path("forms/<int:form_id>/statistics/", views.statistics, name="statistics"),
    path(
        "forms/<int:form_id>/statistics/export/", views.statistics_export, name="statistics_export"
    ),
    path("forms/<int:form_id>/situation.pdf", views.situation_report, name="situation_report"),
    path("forms/<int:form_id>/approvals/", views.approvals, name="approvals"),
    path("design/", design_views.design_list, name="design_list"),
    path("design/new/", design_views.design_create, name="design_create"),
    path("design/<int:form_id>/", design_views.design_edit, name="design_edit"),
]
