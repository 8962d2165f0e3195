from django.urls import path

from .views import learner, pages, taking, teaching

app_name = "quizzes"

urlpatterns = [
    path("", pages.home, name="home"),
    path("lessons/<slug:slug>/", pages.lesson_detail, name="lesson-detail"),
    path("quizzes/<slug:slug>/", taking.quiz_take, name="quiz-take"),
    path("practice/", taking.practice_new, name="practice-new"),
    path("practice/<int:pk>/", taking.practice_take, name="practice-take"),
    path("attempts/<int:pk>/", learner.attempt_result, name="attempt-result"),
    path("me/", learner.my_results, name="my-results"),
    path("me/progress/", learner.progress, name="progress"),
    path("results/", teaching.results, name="results"),
    path("results/export.csv", teaching.results_export, name="results-export"),
    path("healthz", pages.healthz, name="healthz"),
]
