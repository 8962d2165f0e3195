from django.urls import path

from quizzes.views import learner, pages, taking, teaching

app_name = "quizzes"

urlpatterns = [
    path("", pages.home, name="home"),
    path("lessons/<slug:slug>/", pages.lesson_detail, name="lesson-detail"),
    path("glossary/", pages.glossary, name="glossary"),
    path("quizzes/<slug:slug>/", taking.quiz_start, name="quiz-start"),
    path("quizzes/<slug:slug>/attempt/", taking.quiz_take, name="quiz-take"),
    path("quizzes/<slug:slug>/attempt/summary/", taking.quiz_summary, name="quiz-summary"),
    path("practice/", taking.practice_new, name="practice-new"),
    path("practice/<int:pk>/", taking.practice_take, name="practice-take"),
    path("practice/<int:pk>/summary/", taking.practice_summary, name="practice-summary"),
    path("attempts/<int:pk>/", learner.attempt_result, name="attempt-result"),
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
    path("results/jobs/<int:pk>/retry/", teaching.job_retry_view, name="job-retry"),
    path("results/jobs/<int:pk>/download/", teaching.job_download, name="job-download"),
    path("classes/", teaching.class_list, name="class-list"),
    path("classes/<int:pk>/", teaching.class_detail, name="class-detail"),
    path("classes/<int:pk>/rotate/", teaching.class_rotate, name="class-rotate"),
    path("classes/<int:pk>/overrides/", teaching.class_override_save, name="class-override"),
    path(
        "classes/<int:pk>/overrides/<int:override_id>/delete/",
        teaching.class_override_delete,
        name="class-override-delete",
    ),
    path("classes/<int:pk>/remove/<int:learner_id>/", teaching.class_remove, name="class-remove"),
    path("classes/<int:pk>/unlock/<int:learner_id>/", teaching.class_unlock, name="class-unlock"),
    path("classes/<int:pk>/roster/", teaching.class_roster, name="class-roster"),
    path(
        "classes/<int:pk>/password/<int:learner_id>/",
        teaching.class_password_reset,
        name="class-password-reset",
    ),
    path("results/attempts/<int:pk>/", teaching.attempt_detail, name="teacher-attempt"),
    path(
        "results/attempts/<int:pk>/questions/<int:position>/",
        teaching.attempt_override,
        name="attempt-override",
    ),
    path("classes/<int:pk>/gradebook/", teaching.class_gradebook, name="class-gradebook"),
    path(
        "classes/<int:pk>/gradebook.csv",
        teaching.class_gradebook,
        {"format": "csv"},
        name="class-gradebook-csv",
    ),
    path(
        "classes/<int:pk>/gradebook.xlsx",
        teaching.class_gradebook,
        {"format": "xlsx"},
        name="class-gradebook-xlsx",
    ),
]
