"""Cached template fragments (`{% cache %}`) are what the template would render without them.

Quiz pages go through the template engine on every request, with the parts every learner sees
alike (buttons, the countdown's announcements, the breadcrumb) kept in the `template_fragments`
cache. Under DEBUG that cache keeps nothing; here each page is rendered
with the cache and with every fragment rendered afresh, for readers after the one who filled
it, and compared byte for byte (CSRF tokens and the seconds ticking aside).
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from quizzes.models import Attempt

from .conftest import answers_for, attempt_shown, signed_in, started, take_url, values_shown
from .conftest import page_shown as page
from .conftest import with_and_without_fragments as both_ways
from .factories import QuizFactory, UserFactory, question_with_choices

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_fragment_cache")]


@pytest.fixture
def readers():
    return [signed_in(UserFactory(username="ala")), signed_in(UserFactory(username='bob "<b>"'))]


@pytest.fixture
def paged_timed(quiz):
    quiz.one_question_per_page = True
    quiz.time_limit = 30
    quiz.save()
    question_with_choices(quiz, correct=1, wrong=1, order=3, text="A third question?")
    return quiz


def test_paged_and_timed_pages_match_a_render_without_cached_fragments(paged_timed, readers):
    ala, bob = readers
    url = take_url(paged_timed)
    ala.post(paged_timed.get_absolute_url())  # Start
    attempt = Attempt.objects.get()
    bob.post(paged_timed.get_absolute_url())
    first = attempt.answers.get(position=1)
    right = [c["id"] for c in first.snapshot["choices"] if c["is_correct"]][:1]
    ala.post(
        url,
        {
            "attempt": attempt.pk,
            "page": 1,
            "goto": 2,
            f"q{first.question_key}": values_shown(first.question_id, right, attempt=attempt),
        },
    )
    next_button = {"en": ">Next →</button>", "pl": ">Dalej →</button>"}
    for language in ("en", "pl", "en"):  # the fragments one language left must not show
        in_language = f"/{language}" + url[3:]
        for client in (ala, bob):
            for number in (1, 2, 3):
                cached, rendered = both_ways(client, in_language, page=number)
                assert cached == rendered
        assert next_button[language] in page(bob, in_language, page=2)
    assert "page-button answered" in page(ala, url, page=3)
    assert "page-button answered" not in page(bob, url, page=3)


def test_the_timer_and_the_buttons_are_each_pages_own(paged_timed, readers):
    ala = readers[0]
    ala.post(paged_timed.get_absolute_url())
    url = take_url(paged_timed)
    first, middle, last = (page(ala, url, page=number) for number in (1, 2, 3))
    assert 'name="goto" value="2" class="button">Next →' in first
    assert "← Previous" not in first
    assert 'name="goto" value="3" class="button">Next →' in middle
    assert 'name="goto" value="1" class="button button-secondary">← Previous' in middle
    assert "Finish and see my result" in last and "Next →" not in last
    for shown in (first, middle, last):
        assert shown.count("data-say-0=") == 1 and shown.count("timer.js") == 1
    # The second of two pages is the last: Finish, where the quiz above shows Next.
    shorter = QuizFactory(lesson=paged_timed.lesson, one_question_per_page=True)
    question_with_choices(shorter, correct=1, wrong=1, order=1)
    question_with_choices(shorter, correct=1, wrong=1, order=2)
    ala.post(shorter.get_absolute_url())
    second = page(ala, take_url(shorter), page=2)
    assert "Finish and see my result" in second and "Next →" not in second
    assert "Question 2 of 2" in second and "2 questions. You pass with 60% or more." in second
    assert "data-say-0=" not in second and "timer.js" not in second
    assert "autosave.js" in second


def test_an_edited_lesson_and_pass_mark_show_at_once(paged_timed, readers):
    ala, bob = readers
    url = take_url(paged_timed)
    for client in readers:
        client.post(paged_timed.get_absolute_url())
    assert "You pass with 60% or more." in page(ala, url)
    lesson = paged_timed.lesson
    lesson.title = "Renamed & <new>"
    lesson.save()
    paged_timed.pass_mark = 75
    paged_timed.save()
    for client in (ala, bob):
        cached, rendered = both_ways(client, url)
        assert cached == rendered
        assert "Renamed &amp; &lt;new&gt;</a>" in cached
        assert "You pass with 75% or more." in cached


def test_one_page_and_paged_quizzes_share_no_fragment_and_debug_renders_them_alike(
    settings, paged_timed, readers
):
    """A fragment cached for a one-page quiz must not show on a paged page; under DEBUG the
    pages are the same (the same templates; only the fragment cache differs)."""
    one_page = QuizFactory(lesson=paged_timed.lesson)
    for order in (1, 2, 3):
        question_with_choices(one_page, correct=1, wrong=1, order=order)
    for client in readers:
        for quiz in (one_page, paged_timed):
            client.post(quiz.get_absolute_url())
            url = take_url(quiz)
            cached, rendered = both_ways(client, url)
            assert cached == rendered
            settings.DEBUG = True
            try:
                assert page(client, url) == cached
            finally:
                settings.DEBUG = False
    assert "Next →" in page(readers[0], take_url(paged_timed))


def test_practice_and_refused_pages_match_a_render_without_cached_fragments(quiz, readers):
    ala = readers[0]
    attempt = attempt_shown(started(ala, quiz))
    ala.post(
        take_url(quiz), {"attempt": attempt, **answers_for(quiz, all_right=False, attempt=attempt)}
    )
    practice = ala.post(reverse("quizzes:practice-new"), {"lesson": ""}).url
    cached, rendered = both_ways(ala, practice)
    assert cached == rendered
    assert "2 questions you got wrong last time." in cached
    quiz.attempts_allowed = 1
    quiz.title = "Renamed after the attempt"
    quiz.save()
    cached, rendered = both_ways(ala, quiz.get_absolute_url())  # the start page refuses
    assert cached == rendered
    assert "You have used the one attempt" in cached and "Renamed after the attempt</h1>" in cached


def test_quizzes_of_one_title_in_two_lessons_each_show_their_own_lesson(readers):
    quizzes = [
        QuizFactory(title="Check yourself", lesson__title=lesson, one_question_per_page=True)
        for lesson in ("Article 4", "Article 5")
    ]
    for quiz in quizzes:
        question_with_choices(quiz, correct=1, wrong=1, order=1)
    for quiz, lesson in zip(quizzes, ("Article 4", "Article 5"), strict=True):
        cached, rendered = both_ways(readers[0], quiz.get_absolute_url())
        assert cached == rendered
        assert f">{lesson}</a> › Quiz</p>" in cached


def test_each_learner_sees_their_own_time_left(paged_timed, readers):
    ala, bob = readers
    url = take_url(paged_timed)
    for client in readers:
        client.post(paged_timed.get_absolute_url())
    bobs = Attempt.objects.get(learner__username__startswith="bob")
    Attempt.objects.filter(pk=bobs.pk).update(deadline=bobs.deadline - timedelta(minutes=18))
    for client, left in ((ala, "about 30 minutes"), (bob, "about 12 minutes"), (ala, "about 30 ")):
        cached, rendered = both_ways(client, url)
        assert cached == rendered
        assert f'<span class="timer-clock">{left}' in cached
