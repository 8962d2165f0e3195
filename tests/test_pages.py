"""Home, lessons, My results and the health check, as a visitor sees them."""

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt

from .conftest import answers_for, attempt_shown, started, take_url
from .factories import LessonFactory, QuizFactory

pytestmark = pytest.mark.django_db


def test_home_lists_published_lessons_in_order(client):
    LessonFactory(title="Second", order=2)
    LessonFactory(title="First", order=1)
    LessonFactory(title="Draft", is_published=False)
    page = client.get(reverse("quizzes:home")).content.decode()
    assert page.index("First") < page.index("Second")
    assert "Draft" not in page


def test_home_shows_the_learners_best_score_per_lesson(learner_client, quiz):
    for all_right in (False, True, False):
        attempt_id = attempt_shown(started(learner_client, quiz))
        learner_client.post(
            take_url(quiz),
            {"attempt": attempt_id, **answers_for(quiz, all_right=all_right)},
        )
    LessonFactory(title="Untouched lesson")
    page = learner_client.get(reverse("quizzes:home")).content.decode()
    assert "Your best in this lesson: 100%" in page
    assert "Not attempted yet" in page
    assert "in progress" not in page


def test_home_and_my_results_show_an_attempt_in_progress(learner_client, quiz):
    started(learner_client, quiz)
    home = learner_client.get(reverse("quizzes:home")).content.decode()
    assert '<span class="score">Attempt in progress</span>' in home
    assert "Not attempted yet" not in home
    mine = learner_client.get(reverse("quizzes:my-results")).content.decode()
    assert f"{quiz.title}, started" in mine
    assert f'<a href="{take_url(quiz)}">Continue</a>' in mine
    # Finished once and started again: the best and the one in progress.
    attempt_id = Attempt.objects.get().pk
    learner_client.post(take_url(quiz), {"attempt": attempt_id, **answers_for(quiz)})
    assert "In progress" not in learner_client.get(reverse("quizzes:my-results")).content.decode()
    started(learner_client, quiz)
    home = learner_client.get(reverse("quizzes:home")).content.decode()
    assert '<span class="score">Your best in this lesson: 100% · attempt in progress</span>' in home


def test_lesson_markdown_renders_and_author_html_stays_inert(client):
    lesson = LessonFactory(
        body=(
            "## Consultation\n\nAllies **talk**.\n\n"
            '<script>alert("x")</script>\n\n'
            '<img src=x onerror="alert(1)">\n\n'
            "[click](javascript:alert(1))"
        )
    )
    page = client.get(lesson.get_absolute_url()).content.decode()
    assert "<h2>Consultation</h2>" in page
    assert "<strong>talk</strong>" in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert "<img" not in page
    assert 'href="javascript:' not in page


def test_lesson_title_and_sources_are_escaped(client):
    lesson = LessonFactory(title='<b onmouseover="x">Title</b>')
    lesson.sources.create(title="<i>NATO</i>", url="https://www.nato.int/")
    page = client.get(lesson.get_absolute_url()).content.decode()
    assert "<b onmouseover" not in page
    assert "&lt;i&gt;NATO&lt;/i&gt;" in page


def test_lesson_page_links_its_quiz_and_lists_sources(client, quiz):
    quiz.lesson.sources.create(
        title="NATO: Article 4", url="https://www.nato.int/cps/en/natohq/topics_49187.htm"
    )
    page = client.get(quiz.lesson.get_absolute_url()).content.decode()
    assert quiz.get_absolute_url() in page
    assert "https://www.nato.int/cps/en/natohq/topics_49187.htm" in page


def test_unpublished_lessons_are_404_for_learners_and_visible_to_teachers(
    learner_client, teacher_client
):
    lesson = LessonFactory(is_published=False)
    assert learner_client.get(lesson.get_absolute_url()).status_code == 404
    response = teacher_client.get(lesson.get_absolute_url())
    assert response.status_code == 200
    assert "Draft" in response.content.decode()


def test_unknown_lesson_is_a_404_page(client):
    response = client.get("/en/lessons/no-such-lesson/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_my_results_shows_each_attempt_and_the_best_per_quiz(learner_client, quiz):
    for all_right in (True, False):
        attempt_id = attempt_shown(started(learner_client, quiz))
        learner_client.post(
            take_url(quiz),
            {"attempt": attempt_id, **answers_for(quiz, all_right=all_right)},
        )
    response = learner_client.get(reverse("quizzes:my-results"))
    page = response.content.decode()
    best = response.context["best"][0]
    assert (best["best"], best["count"]) == (100, 2)
    for attempt in Attempt.objects.all():
        assert attempt.get_absolute_url() in page


def test_my_results_invites_a_first_quiz_when_empty(learner_client):
    assert "You have not finished a quiz yet" in learner_client.get("/en/me/").content.decode()


def finish_attempts(learner, count):
    for _ in range(count):
        now = timezone.now()
        Attempt.objects.create(
            learner=learner, quiz=QuizFactory(), started_at=now, submitted_at=now, percentage=50
        )


def test_home_and_my_results_use_constant_queries(
    learner, learner_client, django_assert_max_num_queries
):
    """The lesson list and My results cost the same number of queries at 2 and 30 rows."""
    finish_attempts(learner, 2)
    counts = {}
    for name in ("quizzes:home", "quizzes:my-results"):
        # Count inside the loop: Django clears its query log when the next request starts.
        # My results: 12 with the practice form's mistakes per lesson (two queries).
        with django_assert_max_num_queries(12) as small:
            learner_client.get(reverse(name))
        counts[name] = len(small.captured_queries)
    finish_attempts(learner, 28)
    for name, count in counts.items():
        with django_assert_max_num_queries(count):
            learner_client.get(reverse(name))


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr("quizzes.core.database_busy.connection.cursor", broken_cursor)
    assert client.get("/healthz").status_code == 503


def test_signed_in_users_visiting_sign_up_go_home(learner_client):
    response = learner_client.get(reverse("signup"))
    assert response.status_code == 302


def test_sign_up_rejects_mismatched_passwords_with_a_message(client):
    response = client.post(
        reverse("signup"),
        {"username": "ola", "password1": "Baltic-sentry-2025", "password2": "different-2025"},
    )
    assert response.status_code == 400
    assert "didn’t match" in response.content.decode()


def test_sign_in_with_the_login_page(client, learner):
    response = client.post(
        reverse("login"),
        {"username": learner.username, "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert response.url == reverse("quizzes:home")


def test_an_unexpected_error_shows_our_500_page_and_leaks_nothing(monkeypatch):
    from django.test import Client

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail: password=hunter2")

    monkeypatch.setattr("quizzes.views.pages.Lesson.objects.published", broken)
    response = Client(raise_request_exception=False).get("/en/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert '<a class="brand" href="/en/">quizsite</a>' in page
    assert "hunter2" not in page and "Traceback" not in page and "RuntimeError" not in page


def test_the_404_page_leaks_nothing(client):
    response = client.get("/no/such/page/<script>")
    page = response.content.decode()
    assert response.status_code == 404
    assert "<script>" not in page and "urlpatterns" not in page.lower()


def test_an_edited_lesson_shows_its_new_text_despite_the_cache(client):
    from .factories import LessonFactory

    lesson = LessonFactory(body="## Old heading\n\nOld text.")
    assert "Old text." in client.get(lesson.get_absolute_url()).content.decode()
    lesson.body = "## New heading\n\nNew text."
    lesson.save()
    page = client.get(lesson.get_absolute_url()).content.decode()
    assert "New text." in page and "Old text." not in page
