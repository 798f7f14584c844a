from django.contrib import admin

from civicgrid.learning.models import Article, Quiz, QuizAttempt, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    prepopulated_fields = {"slug": ["name"]}


# Articles and quizzes change only through the pages and the API (the actions audit every
# step); the admin shows them read-only for support.
class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ["title", "topic", "division_code", "status", "published_at"]
    list_filter = ["status", "topic"]
    search_fields = ["title", "division_code"]


@admin.register(Quiz)
class QuizAdmin(ReadOnlyAdmin):
    list_display = ["title", "division_code", "status", "pass_percent", "published_at"]
    list_filter = ["status"]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(ReadOnlyAdmin):
    list_display = ["quiz", "user", "percent", "passed", "submitted_at"]
    list_filter = ["passed"]
