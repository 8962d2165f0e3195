"""Framed pages (quizzes/frames.py) are byte for byte what the template engine would render.

Home, lesson and quiz pages are rendered once per kind and filled in per request. Under DEBUG
they are rendered the usual way, so each test renders a page both ways, for a second reader
after a first one built the frame, and compares (CSRF tokens aside: each response masks its
own).
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import answers_for, attempt_shown, choice_ids, values_shown
from .factories import LessonFactory, TeacherFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return TOKEN.sub(r'\1…"', response.content.decode())


def both_ways(settings, client, url):
    """(the page as framed, the page as the template engine renders it)."""
    framed = page(client, url)
    settings.DEBUG = True
    try:
        rendered = page(client, url)
    finally:
        settings.DEBUG = False
    return framed, rendered


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def readers():
    """Two learners and a teacher, each with their own client: the first builds the frames."""
    return [
        signed_in(UserFactory(username="ala")),
        signed_in(UserFactory(username='bob "<b>"')),
        signed_in(TeacherFactory(username="teacher")),
    ]


@pytest.mark.parametrize("language", ["en", "pl"])
def test_home_and_lesson_pages_match_a_plain_render(settings, quiz, readers, language):
    LessonFactory(title="A second & <b>lesson</b>", is_published=True)
    urls = [f"/{language}/", f"/{language}" + quiz.lesson.get_absolute_url()[3:]]
    ala, bob, teacher = readers
    for url in urls:
        for client in (ala, bob, teacher, Client()):
            framed, rendered = both_ways(settings, client, url)
            assert framed == rendered
    assert "(bob &quot;&lt;b&gt;&quot;)</button>" in page(bob, urls[0])


def test_home_scores_are_each_learners_own(settings, quiz, readers):
    ala, bob, _teacher = readers
    attempt = attempt_shown(ala.get(quiz.get_absolute_url()))
    right = answers_for(quiz, attempt=attempt)
    ala.post(quiz.get_absolute_url(), {"attempt": attempt, "action": "finish", **right})
    home = reverse("quizzes:home")
    for client, score in ((ala, "Your best: 100%"), (bob, "Not attempted yet")):
        framed, rendered = both_ways(settings, client, home)
        assert framed == rendered
        assert score in framed


def test_quiz_pages_match_a_plain_render_for_each_learner(settings, quiz, readers):
    ala = readers[0]
    ala.get(quiz.get_absolute_url())  # dealt under the old title, which the attempt keeps
    quiz.title = 'Consultation & "defence"'
    quiz.save()
    for client in readers:
        framed, rendered = both_ways(settings, client, quiz.get_absolute_url())
        assert framed == rendered
        new_title = "Consultation &amp; &quot;defence&quot;</h1>" in framed
        assert new_title is (client is not ala)
    ids = [attempt_shown(client.get(quiz.get_absolute_url())) for client in readers]
    assert len(set(ids)) == 3  # each page carries its own learner's attempt


def test_saved_answers_are_ticked_and_the_message_shows_once(quiz, readers):
    ala = readers[0]
    url = quiz.get_absolute_url()
    attempt = attempt_shown(ala.get(url))
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


def test_with_shuffled_choices_each_learners_framed_page_answers_their_own_dealing(
    quiz, readers, monkeypatch
):
    """The quiz page's frame is shared, but the values in it are places in each attempt's order."""
    quiz.shuffle_choices = True
    quiz.save()
    seeds = iter([1, 2])
    monkeypatch.setattr("quizzes.taking.attempts.secrets.randbelow", lambda _: next(seeds))
    ala, bob = readers[:2]
    url = quiz.get_absolute_url()
    attempts = [attempt_shown(client.get(url)) for client in (ala, bob)]
    assert answers_for(quiz, attempt=attempts[0]) != answers_for(quiz, attempt=attempts[1])
    for client, attempt in zip((ala, bob), attempts, strict=True):
        response = client.post(url, {"attempt": attempt, **answers_for(quiz, attempt=attempt)})
        result = client.get(response.url).content.decode()
        assert "2 out of 2 marks (100%)" in result
