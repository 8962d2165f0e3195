"""Every page goes through the template engine, with what readers see alike in cached fragments.

The site header, the home page's introduction and the quiz page's buttons are `{% cache %}`
fragments in the `template_fragments` cache (which keeps nothing under DEBUG). These tests check
what a cache shared by every reader must never do: show one learner's name, token, messages or
scores to another, keep showing content after an edit, mark the wrong page or speak the wrong
language; and that each page is byte for byte what the templates render without the cache.
"""

import re
from datetime import date

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse

from quizzes.models import Course

from .conftest import (
    answers_for,
    attempt_shown,
    choice_ids,
    signed_in,
    started,
    take_url,
    values_shown,
)
from .conftest import with_and_without_fragments as both_ways
from .factories import LessonFactory, TeacherFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_fragment_cache")]

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


@pytest.fixture
def readers():
    """Two learners and a teacher, each with their own client; the first fills the cache."""
    return [
        signed_in(UserFactory(username="ala")),
        signed_in(UserFactory(username='bob "<b>"')),
        signed_in(TeacherFactory(username="teacher")),
    ]


def in_language(url, language):
    return f"/{language}/{url[4:]}"


def urls(quiz, language="en"):
    """The home page, the quiz's lesson and the glossary."""
    pages = (reverse("quizzes:home"), quiz.lesson.get_absolute_url(), reverse("quizzes:glossary"))
    return [in_language(url, language) for url in pages]


@pytest.mark.parametrize("language", ["en", "pl"])
def test_pages_match_a_render_without_cached_fragments(quiz, readers, language):
    LessonFactory(title="A second & <b>lesson</b>", is_published=True)
    ala, bob, teacher = readers
    attempt = attempt_shown(started(ala, quiz))
    ala.post(take_url(quiz), {"attempt": attempt, **answers_for(quiz, attempt=attempt)})
    for client in (ala, bob, teacher, Client()):
        for url in urls(quiz, language):
            cached, rendered = both_ways(client, url)
            assert cached == rendered
    result = reverse("quizzes:attempt-result", args=[attempt])
    for client, url in ((bob, quiz.get_absolute_url()), (ala, result)):
        cached, rendered = both_ways(client, in_language(url, language))
        assert cached == rendered
    assert "(bob &quot;&lt;b&gt;&quot;)</button>" in page(bob, f"/{language}/")


def test_no_learner_sees_another_learners_name_token_messages_or_scores(quiz, readers):
    ala, bob, _teacher = readers
    url = take_url(quiz)
    attempt = attempt_shown(started(ala, quiz))
    ala.post(url, {"attempt": attempt, "action": "finish", **answers_for(quiz, attempt=attempt)})
    again = attempt_shown(started(ala, quiz))
    ala.post(url, {"attempt": again, "action": "save"})  # leaves a message for her next page
    home = reverse("quizzes:home")
    alas, bobs = page(ala, home), page(bob, home)
    assert "Sign out (ala)" in alas and "Your best in this lesson: 100%" in alas
    assert "Your answers are saved." in alas
    assert "Sign out (bob &quot;&lt;b&gt;&quot;)" in bobs and "ala" not in bobs
    assert "Your best" not in bobs and "Not attempted yet" in bobs
    assert 'class="messages"' not in bobs and "Your answers are saved." not in bobs
    for client, html in ((ala, alas), (bob, bobs)):
        secret = client.cookies["csrftoken"].value
        assert {_unmask_cipher_token(token) for token in TOKEN.findall(html)} == {secret}
    assert 'class="messages"' not in page(ala, home)  # shown once


def test_each_learners_token_is_the_one_that_works_for_them():
    ala, bob = (Client(enforce_csrf_checks=True) for _ in range(2))
    ala.force_login(UserFactory(username="ala"))
    bob.force_login(UserFactory(username="bob"))
    home = reverse("quizzes:home")
    alas, bobs = (TOKEN.findall(page(client, home))[-1] for client in (ala, bob))
    switch = reverse("set_language")
    form = {"language": "pl", "next": home}
    assert bob.post(switch, {**form, "csrfmiddlewaretoken": alas}).status_code == 403
    allowed = bob.post(switch, {**form, "csrfmiddlewaretoken": bobs})
    assert allowed.status_code == 302 and allowed.url == "/pl/"


def test_an_edit_to_the_course_shows_at_once(quiz, readers):
    ala = readers[0]
    home, lesson_url = urls(quiz)[:2]
    page(ala, home), page(ala, lesson_url), page(Client(), home)
    lesson = quiz.lesson
    lesson.title = "Renamed & <new>"
    lesson.save()
    Course.objects.update_or_create(pk=1, defaults={"as_of": date(2031, 2, 3)})
    for client in (ala, Client()):
        shown = page(client, home)
        assert "Renamed &amp; &lt;new&gt;</a>" in shown
        assert 'datetime="2031-02-03"' in shown
    assert "Renamed &amp; &lt;new&gt;" in page(ala, lesson_url)


def test_the_header_marks_the_current_page_and_offers_what_the_reader_may_use(readers):
    ala, _bob, teacher = readers
    pages = {
        reverse("quizzes:home"): "Lessons",
        reverse("quizzes:glossary"): "Glossary",
        reverse("quizzes:my-results"): "My results",
        reverse("quizzes:progress"): "Progress",
    }
    for client in (ala, teacher, ala):
        for url, entry in pages.items():
            shown = page(client, url)
            assert re.findall(r'aria-current="page">([^<]+)<', shown) == [entry]
    assert "Class results" in page(teacher, "/en/") and "Authoring" in page(teacher, "/en/")
    assert "Class results" not in page(ala, "/en/") and "Authoring" not in page(ala, "/en/")
    anonymous = page(Client(), "/en/")
    assert "Sign in</a>" in anonymous and "Sign out" not in anonymous
    assert "My results" not in anonymous


def test_each_language_shows_its_own_header_and_returns_to_the_same_page(quiz, readers):
    ala = readers[0]
    lesson = quiz.lesson.get_absolute_url()
    for language, lessons in (("en", "Lessons"), ("pl", "Lekcje"), ("en", "Lessons")):
        url = in_language(lesson, language)
        shown = page(ala, url)
        assert f'<html lang="{language}">' in shown
        assert f'aria-current="page">{lessons}</a>' not in shown and f">{lessons}</a>" in shown
        assert f'name="next" value="{url}"' in shown
        assert f'value="{language}" lang="{language}" class="link-button" aria-current' in shown
    switched = ala.post(reverse("set_language"), {"language": "pl", "next": lesson})
    assert switched.url == in_language(lesson, "pl")


def test_saved_answers_are_ticked_and_the_message_shows_once(quiz, readers):
    ala = readers[0]
    url = take_url(quiz)
    attempt = attempt_shown(started(ala, quiz))
    readers[1].post(quiz.get_absolute_url())
    question = quiz.questions.get(order=1)
    [wrong] = values_shown(question, choice_ids(question, correct=False)[:1])
    response = ala.post(url, {"attempt": attempt, "action": "save", f"q{question.pk}": wrong})
    assert response.status_code == 302
    first = page(ala, url)
    assert "Your answers are saved." in first
    assert re.search(rf'name="q{question.pk}" value="{wrong}"[^>]*checked', first)
    again = page(ala, url)
    assert "Your answers are saved." not in again
    assert re.search(rf'name="q{question.pk}" value="{wrong}"[^>]*checked', again)
    assert not re.search(r"checked", page(readers[1], url))


def test_each_learners_quiz_page_carries_their_own_attempt_and_title(quiz, readers):
    ala = readers[0]
    started(ala, quiz)  # dealt under the old title, which the attempt keeps
    quiz.title = 'Consultation & "defence"'
    quiz.save()
    ids = [attempt_shown(started(client, quiz)) for client in readers[1:]]
    for client in readers:
        cached, rendered = both_ways(client, take_url(quiz))
        assert cached == rendered
        new_title = "Consultation &amp; &quot;defence&quot;</h1>" in cached
        assert new_title is (client is not ala)
    ids.append(attempt_shown(ala.get(take_url(quiz))))
    assert len(set(ids)) == 3


def test_with_shuffled_choices_each_learners_page_answers_their_own_dealing(
    quiz, readers, monkeypatch
):
    quiz.shuffle_choices = True
    quiz.save()
    seeds = iter([1, 2])
    monkeypatch.setattr("quizzes.taking.attempts.secrets.randbelow", lambda _: next(seeds))
    ala, bob = readers[:2]
    url = take_url(quiz)
    attempts = [attempt_shown(started(client, quiz)) for client in (ala, bob)]
    assert answers_for(quiz, attempt=attempts[0]) != answers_for(quiz, attempt=attempts[1])
    for client, attempt in zip((ala, bob), attempts, strict=True):
        response = client.post(url, {"attempt": attempt, **answers_for(quiz, attempt=attempt)})
        result = client.get(response.url).content.decode()
        assert "2 out of 2 marks (100%)" in result
