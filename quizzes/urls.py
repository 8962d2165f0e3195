from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    path("", views.home, name="home"),
    path("lessons/<slug:slug>/", views.lesson_detail, name="lesson-detail"),
    path("quizzes/<slug:slug>/", views.quiz_take, name="quiz-take"),
    path("attempts/<int:pk>/", views.attempt_result, name="attempt-result"),
    path("me/", views.my_results, name="my-results"),
    path("results/", views.results, name="results"),
    path("results/export.csv", views.results_export, name="results-export"),
    path("healthz", views.healthz, name="healthz"),
]
