"""axe-core on every remaining student and teacher page, error states included."""

import pytest
from django.urls import reverse

from quizzes.models import Attempt, Classroom, Membership
from quizzes.taking.attempts import attempt_finish, attempt_start

from ..factories import QuizFactory, TeacherFactory, UserFactory, question_with_choices
from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def setting(db):
    quiz = QuizFactory(title="Checked quiz", slug="checked", one_question_per_page=True)
    question_with_choices(quiz, correct=1, wrong=2, text="First?")
    question_with_choices(quiz, correct=1, wrong=2, text="Second?")
    teacher = TeacherFactory(username="teach")
    learner = UserFactory(username="pupil")
    classroom = Classroom.objects.create(name="3B", teacher=teacher)
    Membership.objects.create(classroom=classroom, learner=learner)
    attempt = attempt_start(learner=learner, quiz=quiz)
    attempt_finish(attempt=attempt)  # all wrong: something to practise
    return quiz, classroom, attempt


def test_every_student_page_and_error_state(live_server, page, setting):
    quiz, classroom, attempt = setting
    base = live_server.url
    page.goto(f"{base}/en/no-such-page/")
    assert_accessible(page, "404")
    sign_in(page, base, "pupil", check_accessible=True)
    attempt_start(learner=attempt.learner, quiz=quiz)  # a second attempt, in progress
    for url in (
        reverse("quizzes:progress"),
        reverse("quizzes:my-classes"),
        reverse("quizzes:join-form"),
        reverse("quizzes:join", args=[classroom.join_code]),
        reverse("quizzes:join", args=["NOSUCHCODE"]),
        quiz.get_absolute_url(),  # the start page, with an attempt to continue
        reverse("quizzes:quiz-take", args=[quiz.slug]),  # one question per page
        reverse("quizzes:quiz-take", args=[quiz.slug]) + "?page=2",
        reverse("quizzes:quiz-summary", args=[quiz.slug]),
        "/en/results/",  # 403 for a student
        attempt.get_absolute_url(),
    ):
        page.goto(f"{base}{url}")
        assert_accessible(page, url)
    page.goto(f"{base}{reverse('quizzes:join-form')}")
    page.get_by_role("button", name="Join the class").click()
    assert_accessible(page, "join form with an error")
    page.goto(f"{base}{reverse('quizzes:progress')}")
    page.get_by_role("button", name="Review my mistakes").first.click()
    page.wait_for_url(f"{base}/en/practice/**")
    assert_accessible(page, "practice round")
    assert Attempt.objects.filter(practice=True).exists()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}], ids=["desktop"])
def test_every_teacher_page(live_server, page, setting):
    quiz, classroom, attempt = setting
    base = live_server.url
    sign_in(page, base, "teach", check_accessible=True)
    for url in (
        "/en/admin/",
        reverse("admin:quizzes_quiz_changelist"),
        reverse("admin:quizzes_quiz_change", args=[quiz.pk]),
        reverse("admin:quizzes_quiz_regrade", args=[quiz.pk]),
        reverse("admin:quizzes_quiz_import", args=[quiz.pk]),
        reverse("admin:quizzes_question_add"),
        reverse("admin:quizzes_attempt_changelist"),
        reverse("admin:quizzes_attempt_change", args=[attempt.pk]),
        reverse("admin:quizzes_misconception_changelist"),
        reverse("admin:quizzes_classroom_changelist"),
        reverse("admin:quizzes_lesson_change", args=[quiz.lesson.pk]),
        "/en/results/?date_from=2025-13-45",  # the filter's error state
        reverse("quizzes:class-list"),
        reverse("quizzes:class-detail", args=[classroom.pk]),
        reverse("admin:quizzes_override_changelist"),
        reverse("admin:quizzes_override_add"),
    ):
        page.goto(f"{base}{url}")
        assert_accessible(page, url)


def test_controls_are_at_least_24_by_24_pixels(live_server, page, setting):
    """WCAG 2.2 target size: buttons, fields and navigation links (links inside sentences are
    exempt by the rule, so only those outside paragraphs are measured)."""
    quiz, classroom, attempt = setting
    base = live_server.url
    sign_in(page, base, "pupil", check_accessible=True)
    attempt_start(learner=attempt.learner, quiz=quiz)
    take = reverse("quizzes:quiz-take", args=[quiz.slug])
    for url in (
        "/en/",
        quiz.get_absolute_url(),
        take,
        attempt.get_absolute_url(),
        "/en/me/progress/",
    ):
        page.goto(f"{base}{url}")
        small = page.evaluate(
            """() => [...document.querySelectorAll(
                'button, input:not([type=hidden]), select, nav a, .button')]
              .filter(e => e.offsetParent !== null)
              .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
              .filter(([, r]) => r.width < 24 || r.height < 24)
              .map(([html, r]) => `${html} ${Math.round(r.width)}x${Math.round(r.height)}`)"""
        )
        assert small == [], f"{url}: {small}"
