"""Forged and broken input on every form other than the quiz's own (see test_quiz_flow): a clear
message or a 4xx, never a 500, and the database unchanged. Author markup always renders inert."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from quizzes.models import Attempt, Choice, Classroom, Membership, Question

from .conftest import answers_for, attempt_shown, started, take_url
from .factories import LessonFactory, QuizFactory, question_with_choices

pytestmark = pytest.mark.django_db

HUGE = "x" * 300_000


def state():
    return (
        Attempt.objects.count(),
        Classroom.objects.count(),
        Membership.objects.count(),
        Question.objects.count(),
        Choice.objects.count(),
        list(Classroom.objects.values_list("join_code", flat=True)),
    )


TEACHER_POSTS = [
    ("quizzes:class-list", [], {}),
    ("quizzes:class-list", [], {"name": ""}),
    ("quizzes:class-list", [], {"name": "n" * 201}),
    ("quizzes:class-list", [], {"name": HUGE}),
]


@pytest.mark.parametrize(("name", "args", "data"), TEACHER_POSTS)
def test_broken_class_forms_are_refused(teacher_client, classroom, name, args, data):
    before = state()
    response = teacher_client.post(reverse(name, args=args), data)
    assert 400 <= response.status_code < 500
    assert state() == before


@pytest.mark.parametrize(
    "params",
    [
        {"quiz": "no-such-quiz"},
        {"classroom": "abc"},
        {"classroom": "999999"},
        {"date_from": "2025-13-45"},
        {"date_to": "yesterday"},
        {"date_from": "2025-09-10", "date_to": "2025-09-01"},
        {"page": "-1"},
        {"page": "x" * 500},
    ],
)
@pytest.mark.parametrize("page", ["quizzes:results", "quizzes:results-export"])
def test_broken_result_filters_are_a_4xx_or_ignored_never_a_500(teacher_client, quiz, page, params):
    response = teacher_client.get(reverse(page), params)
    assert response.status_code in (200, 400)
    if "page" not in params:
        assert response.status_code == 400


@pytest.mark.parametrize(
    "params",
    [{"classroom": "abc"}, {"date_from": "2025-02-30"}, {"bom": "<script>"}],
)
@pytest.mark.parametrize("kind", ["grades", "responses", "items"])
def test_broken_export_parameters(teacher_client, quiz, kind, params):
    response = teacher_client.get(reverse("quizzes:quiz-export", args=[quiz.slug, kind]), params)
    assert response.status_code in (200, 400)
    if "bom" not in params:
        assert response.status_code == 400


@pytest.mark.parametrize(
    "data",
    [{"lesson": "no-such-lesson"}, {"lesson": HUGE}, {"back": "https://evil.example/"}],
)
def test_a_forged_practice_request_is_refused(learner_client, quiz, data):
    before = state()
    response = learner_client.post(reverse("quizzes:practice-new"), data)
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response.url.startswith("/")  # never an open redirect
    assert state() == before


@pytest.mark.parametrize("data", [{}, {"code": ""}, {"code": HUGE}, {"code": "\x00"}])
def test_a_forged_join_request_is_refused(learner_client, classroom, data):
    before = state()
    assert learner_client.post(reverse("quizzes:join-form"), data).status_code == 400
    assert state() == before


def test_every_form_refuses_a_post_without_its_csrf_token(learner, teacher, classroom, quiz):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(teacher)
    before = state()
    for url, data in [
        (reverse("quizzes:class-list"), {"name": "Sneaky"}),
        (reverse("quizzes:class-rotate", args=[classroom.pk]), {}),
        (reverse("quizzes:class-remove", args=[classroom.pk, learner.pk]), {}),
        (reverse("admin:quizzes_quiz_regrade", args=[quiz.pk]), {}),
        (reverse("quizzes:practice-new"), {}),
        (reverse("quizzes:join-form"), {"code": classroom.join_code}),
    ]:
        assert strict.post(url, data).status_code == 403, url
    assert state() == before


@pytest.mark.parametrize(
    "form, message",
    [
        ({}, "This form is missing its attempt. Reload the quiz page."),
        ({"page": "7"}, "This quiz has no such page. Reload the quiz page."),
    ],
)
def test_a_forged_quiz_form_gets_the_sites_400_page_saying_what_to_do(
    learner_client, quiz, form, message
):
    attempt_id = attempt_shown(started(learner_client, quiz))
    data = {"attempt": attempt_id, **form} if form else {}
    response = learner_client.post(take_url(quiz), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in page and message in page
    assert "Back to the lessons" in page and '<header class="site-header">' in page


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_a_quiz_page_from_before_signing_in_again_gets_the_sites_out_of_date_page(learner, quiz):
    """Signing in again (in another tab) gives a new CSRF token: the old page's is refused."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)
    start = browser.get(quiz.get_absolute_url()).content.decode()
    token = TOKEN.search(start)[1]
    page = browser.post(quiz.get_absolute_url(), {"csrfmiddlewaretoken": token}, follow=True)
    attempt_id = attempt_shown(page)
    # Signed in again, in another tab: the sign-in gives the browser a new CSRF secret.
    sign_in = browser.get(reverse("login")).content.decode()
    response = browser.post(
        reverse("login"),
        {
            "csrfmiddlewaretoken": TOKEN.search(sign_in)[1],
            "username": learner.username,
            "password": "correct horse battery staple",
        },
    )
    assert response.status_code == 302
    form = {"csrfmiddlewaretoken": token, "attempt": attempt_id, **answers_for(quiz)}
    response = browser.post(take_url(quiz), form)
    assert response.status_code == 403
    assert "<h1>This page is out of date</h1>" in response.content.decode()
    assert "the answers saved before are kept" in response.content.decode()
    saved = browser.post(take_url(quiz), form, headers={"X-Quizsite-Autosave": "1"})
    assert saved.status_code == 403 and saved["Content-Type"] == "text/plain; charset=utf-8"
    assert saved.content.decode().startswith("This page is out of date: reload it")
    assert not Attempt.objects.get(pk=attempt_id).is_submitted


def test_author_markup_and_attribute_injection_render_inert(learner_client):
    lesson = LessonFactory(
        title='"><img src=x onerror=alert(1)>',
        summary="<script>alert('summary')</script>",
    )
    quiz = QuizFactory(lesson=lesson, title="<b onmouseover=alert(1)>Quiz</b>")
    question_with_choices(quiz, correct=1, wrong=1, text="<script>alert('question')</script>")
    Choice.objects.filter(question__quiz=quiz, is_correct=True).update(
        text='" autofocus onfocus="alert(1)'
    )
    pages = [
        learner_client.get("/en/").content.decode(),
        learner_client.get(lesson.get_absolute_url()).content.decode(),
        started(learner_client, quiz).content.decode(),
    ]
    for page in pages:
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "<b onmouseover" not in page
        assert 'onfocus="alert(1)' not in page
    # Question texts are inline Markdown: markdown-it escapes <, > and & (quotes need none here).
    assert "&lt;script&gt;alert('question')&lt;/script&gt;" in pages[2]
