from django.urls import path, register_converter
from django.urls.converters import IntConverter

from quizzes.models import MAX_ROW_ID
from quizzes.views import learner, pages, taking, teaching


class RowIdConverter(IntConverter):
    """A row's id in an address: any digits, but one beyond the largest id a row can have
    matches no address (404) rather than reaching the database, which refuses it (a 500)."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ROW_ID:
            raise ValueError(value)
        return number


register_converter(RowIdConverter, "id")

app_name = "quizzes"

urlpatterns = [
    path("", pages.home, name="home"),
    path("lessons/<slug:slug>/", pages.lesson_detail, name="lesson-detail"),
    path("glossary/", pages.glossary, name="glossary"),
    path("quizzes/<slug:slug>/", taking.quiz_start, name="quiz-start"),
    path("quizzes/<slug:slug>/attempt/", taking.quiz_take, name="quiz-take"),
    path("quizzes/<slug:slug>/attempt/summary/", taking.quiz_summary, name="quiz-summary"),
    path("practice/", taking.practice_new, name="practice-new"),
    path("practice/<id:pk>/", taking.practice_take, name="practice-take"),
    path("practice/<id:pk>/summary/", taking.practice_summary, name="practice-summary"),
    path("attempts/<id:pk>/", learner.attempt_result, name="attempt-result"),
    path("me/", learner.my_results, name="my-results"),
    path("me/progress/", learner.progress, name="progress"),
    path("me/classes/", learner.my_classes, name="my-classes"),
    path("join/", learner.join, name="join-form"),
    path("join/<str:code>/", learner.join, name="join"),
    path("results/", teaching.results, name="results"),
    path("results/export.csv", teaching.results_export, name="results-export"),
    path(
        "results/export.xlsx",
        teaching.results_export,
        {"format": "xlsx"},
        name="results-export-xlsx",
    ),
    path("results/quiz/<slug:slug>/", teaching.quiz_results, name="quiz-results"),
    path("results/quiz/<slug:slug>/<str:kind>.csv", teaching.quiz_export, name="quiz-export"),
    path(
        "results/quiz/<slug:slug>/<str:kind>.xlsx",
        teaching.quiz_export,
        {"format": "xlsx"},
        name="quiz-export-xlsx",
    ),
    path(
        "results/quiz/<slug:slug>/statistics/",
        teaching.quiz_statistics_refresh,
        name="quiz-statistics",
    ),
    path("results/jobs/", teaching.job_list, name="job-list"),
    path("results/jobs/<id:pk>/retry/", teaching.job_retry_view, name="job-retry"),
    path("results/jobs/<id:pk>/download/", teaching.job_download, name="job-download"),
    path("classes/", teaching.class_list, name="class-list"),
    path("classes/<id:pk>/", teaching.class_detail, name="class-detail"),
    path("classes/<id:pk>/rotate/", teaching.class_rotate, name="class-rotate"),
    path("classes/<id:pk>/overrides/", teaching.class_override_save, name="class-override"),
    path(
        "classes/<id:pk>/overrides/<id:override_id>/delete/",
        teaching.class_override_delete,
        name="class-override-delete",
    ),
    path("classes/<id:pk>/remove/<id:learner_id>/", teaching.class_remove, name="class-remove"),
    path("classes/<id:pk>/unlock/<id:learner_id>/", teaching.class_unlock, name="class-unlock"),
    path("classes/<id:pk>/roster/", teaching.class_roster, name="class-roster"),
    path("classes/<id:pk>/passwords/", teaching.class_passwords_reset, name="class-passwords"),
    path(
        "classes/<id:pk>/password/<id:learner_id>/",
        teaching.class_password_reset,
        name="class-password-reset",
    ),
    path("results/attempts/<id:pk>/", teaching.attempt_detail, name="teacher-attempt"),
    path(
        "results/attempts/<id:pk>/questions/<id:position>/",
        teaching.attempt_override,
        name="attempt-override",
    ),
    path("classes/<id:pk>/gradebook/", teaching.class_gradebook, name="class-gradebook"),
    path(
        "classes/<id:pk>/gradebook.csv",
        teaching.class_gradebook,
        {"format": "csv"},
        name="class-gradebook-csv",
    ),
    path(
        "classes/<id:pk>/gradebook.xlsx",
        teaching.class_gradebook,
        {"format": "xlsx"},
        name="class-gradebook-xlsx",
    ),
]
