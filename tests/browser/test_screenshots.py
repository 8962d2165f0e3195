"""The main pages with the real course, photographed on a phone and a desktop.

Always runs (it checks the pages render with the shipped course and pass axe); with
SCREENSHOTS_DIR set (`make screenshots`), the pictures are saved there for the README.
"""

import os
import random
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from quizzes.models import Classroom, Membership, Quiz
from quizzes.taking.attempts import attempt_finish, attempt_start

from ..factories import TeacherFactory, UserFactory
from .conftest import PHONE, assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def finish(learner, quiz, skill, rng):
    """A finished attempt where each answer is right with probability `skill`."""
    attempt = attempt_start(learner=learner, quiz=quiz)
    selections = {}
    for answer in attempt.answers.all():
        choices = answer.snapshot["choices"]
        right = [c["id"] for c in choices if c["is_correct"]]
        wrong = [c["id"] for c in choices if not c["is_correct"]]
        selections[answer.question_key] = right if rng.random() < skill else wrong[:1]
    attempt_finish(attempt=attempt, selections=selections)
    return attempt


@pytest.fixture
def school(db):
    call_command("loaddata", str(ROOT / "fixtures" / "course.yaml"), verbosity=0)
    quiz = Quiz.objects.get(slug="article-4-consultation")
    teacher = TeacherFactory(username="teacher")
    classroom = Classroom.objects.create(name="Class 3B", teacher=teacher)
    rng = random.Random(4)
    for n in range(24):
        learner = UserFactory(username=f"pupil{n}")
        Membership.objects.create(classroom=classroom, learner=learner)
        finish(learner, quiz, skill=0.35 + n / 40, rng=rng)
    second = Quiz.objects.get(slug="north-atlantic-treaty-and-council")
    for learner in classroom.memberships.order_by("pk")[:16]:
        finish(learner.learner, second, skill=0.6, rng=rng)
    attempts = {}
    for language, name in (("en", "amy"), ("pl", "ola")):
        student = UserFactory(username=name, first_name=name.title())
        Membership.objects.create(classroom=classroom, learner=student)
        with translation.override(language):  # the attempt is taken, and kept, in this language
            attempts[language] = finish(student, quiz, skill=0.7, rng=rng)
    return quiz, attempts


def shoot(page, name, viewport, language):
    target = os.environ.get("SCREENSHOTS_DIR")
    if target:
        size = "phone" if viewport == PHONE else "desktop"
        name = name if language == "en" else f"{name}-{language}"
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / f"{name}-{size}.png"), full_page=False)


@pytest.mark.parametrize("language", ["en", "pl"])
def test_the_main_pages_with_the_shipped_course(live_server, page, viewport, school, language):
    quiz, attempts = school
    classroom = Classroom.objects.get()
    base = live_server.url
    sign_in(page, base, {"en": "amy", "pl": "ola"}[language])
    with translation.override(language):
        pages = [
            ("home", reverse("quizzes:home")),
            ("lesson", reverse("quizzes:lesson-detail", args=["article-4-through-history"])),
            ("quiz", quiz.get_absolute_url()),
            ("result", attempts[language].get_absolute_url()),
        ]
        dashboard = reverse("quizzes:quiz-results", args=[quiz.slug])
    for name, url in pages:
        page.goto(f"{base}{url}")
        if name == "quiz":  # the start page first; Start leads to the questions
            assert_accessible(page, "start page")
            shoot(page, "start", viewport, language)
            page.locator(f'form[action="{url}"] button').click()
            page.wait_for_url("**/attempt/")
        assert_accessible(page, name)
        if name == "lesson":
            page.locator("figure.timeline").scroll_into_view_if_needed()
        shoot(page, name, viewport, language)
    page.context.clear_cookies()
    sign_in(page, base, "teacher")
    page.goto(f"{base}{dashboard}")
    assert page.locator(".histogram-bar").count() == 10
    assert_accessible(page, "dashboard")
    page.locator("#histogram-heading").scroll_into_view_if_needed()
    shoot(page, "dashboard", viewport, language)
    page.locator("#choices-heading").scroll_into_view_if_needed()
    assert page.locator("svg.choice-chart").count() == quiz.questions.count()
    shoot(page, "charts", viewport, language)
    with translation.override(language):
        gradebook = reverse("quizzes:class-gradebook", args=[classroom.pk])
        attempt = reverse("quizzes:teacher-attempt", args=[attempts[language].pk])
    page.goto(f"{base}{gradebook}")
    assert_accessible(page, "gradebook")
    shoot(page, "gradebook", viewport, language)
    page.goto(f"{base}{attempt}")
    assert_accessible(page, "one learner's attempt")
    shoot(page, "teacher-attempt", viewport, language)
