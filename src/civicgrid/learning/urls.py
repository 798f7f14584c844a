from django.urls import path

from civicgrid.learning import manage_views, views

app_name = "learning"
ARTICLE, QUIZ = {"kind": "article"}, {"kind": "quiz"}  # which workflow the shared views run

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<int:article_id>/", views.article_detail, name="article_detail"),
    path("images/<uuid:key>/", views.image, name="image"),
    path("quizzes/<int:quiz_id>/", views.quiz_take, name="quiz_take"),
    path("attempts/<int:attempt_id>/", views.attempt_detail, name="attempt_detail"),
    path("me/", views.my_record, name="my_record"),
    path("manage/", manage_views.manage, name="manage"),
    path("manage/articles/new/", manage_views.article_create, name="article_create"),
    path("manage/articles/<int:article_id>/", manage_views.article_edit, name="article_edit"),
    path(
        "manage/articles/<int:article_id>/images/",
        manage_views.article_image_upload,
        name="article_image_upload",
    ),
    path("manage/articles/<int:pk>/publish/", manage_views.publish, ARTICLE, "article_publish"),
    path("manage/articles/<int:pk>/retract/", manage_views.retract, ARTICLE, "article_retract"),
    path("manage/quizzes/new/", manage_views.quiz_create, name="quiz_create"),
    path("manage/quizzes/<int:quiz_id>/", manage_views.quiz_edit, name="quiz_edit"),
    path("manage/quizzes/<int:pk>/publish/", manage_views.publish, QUIZ, "quiz_publish"),
    path("manage/quizzes/<int:pk>/retract/", manage_views.retract, QUIZ, "quiz_retract"),
    path("completion/", manage_views.completion, name="completion"),
    path("completion/export/", manage_views.completion_export, name="completion_export"),
]
