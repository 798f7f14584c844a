from django.urls import path

from civicgrid.epidemic import design_views, line_list_views, views

ll = line_list_views

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
    path("line-lists/", ll.case_list, name="case_list"),
    path("line-lists/cases/new/", ll.case_create, name="case_create"),
    path("line-lists/cases/<int:case_id>/", ll.case_detail, name="case_detail"),
    path("line-lists/key-persons/", ll.key_persons, name="key_persons"),
    path("line-lists/worklist/", ll.worklist, name="worklist"),
    path("line-lists/observations/new/", ll.observation_create, name="observation_create"),
    path(
        "line-lists/observations/<int:observation_id>/",
        ll.observation_detail,
        name="observation_detail",
    ),
    path("line-lists/sites/", ll.sites, name="sites"),
    path("line-lists/chains/", ll.chain_list, name="chain_list"),
    path("line-lists/chains/<int:cluster_id>/", ll.chain_detail, name="chain_detail"),
    path("line-lists/statistics/", ll.statistics, name="line_list_statistics"),
    path(
        "line-lists/statistics/export/",
        ll.statistics_export,
        name="line_list_statistics_export",
    ),
    path("line-lists/exports/", ll.exports, name="line_list_exports"),
    path("line-lists/exports/<int:export_id>/", ll.export_detail, name="line_list_export"),
    path(
        "line-lists/exports/<int:export_id>/download/",
        ll.export_download,
        name="line_list_export_download",
    ),
]
