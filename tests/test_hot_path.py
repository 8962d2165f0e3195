"""The cheap per-request path: cached course content, raw session and user reads.

Pages keep what every learner sees alike in memory per content version (content_cache.py);
these tests show a teacher's edit is visible on the very next request, a rolled-back edit
never is, and that sessions still expire, end and fail safely with the one-query reads.
"""

import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.cache.backends import filebased
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.models import LessonSource

from .factories import LessonFactory, QuizFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson():
    lesson = LessonFactory(title="Consultation", is_published=True)
    QuizFactory(lesson=lesson, title="Consultation check", slug="consultation-check")
    return lesson


def text(response):
    assert response.status_code == 200
    return response.content.decode()


def test_an_edited_lesson_shows_on_the_next_request(learner_client, lesson):
    url = lesson.get_absolute_url()
    assert "Consultation" in text(learner_client.get(url))
    assert "Consultation" in text(learner_client.get("/en/"))
    lesson.title = "Consultation under Article 4"
    lesson.body = "## New heading\n\nA rewritten paragraph."
    lesson.save()
    assert "Consultation under Article 4" in text(learner_client.get("/en/"))
    page = text(learner_client.get(url))
    assert "Consultation under Article 4" in page
    assert "A rewritten paragraph." in page


def test_a_new_source_and_an_unpublished_quiz_show_at_once(learner_client, lesson):
    url = lesson.get_absolute_url()
    assert "Consultation check" in text(learner_client.get(url))
    LessonSource.objects.create(lesson=lesson, title="NATO: Consultation", url="https://nato.int/")
    quiz = lesson.quizzes.get()
    quiz.is_published = False
    quiz.save()
    page = text(learner_client.get(url))
    assert "NATO: Consultation" in page
    assert "Consultation check" not in page
    assert "Consultation check" not in text(learner_client.get("/en/"))
    assert (
        learner_client.get(reverse("quizzes:quiz-take", args=["consultation-check"])).status_code
        == 404
    )


def test_an_unpublished_or_deleted_lesson_is_gone_at_once(learner_client, lesson):
    url = lesson.get_absolute_url()
    text(learner_client.get(url))
    lesson.is_published = False
    lesson.save()
    assert learner_client.get(url).status_code == 404
    assert "Consultation" not in text(learner_client.get("/en/"))
    lesson.delete()
    assert learner_client.get(url).status_code == 404


def test_an_edit_that_rolls_back_is_never_served(learner_client, lesson):
    """The version is a random token: rolling back cannot bring an old number back."""
    url = lesson.get_absolute_url()
    with pytest.raises(RuntimeError), transaction.atomic():
        lesson.title = "A title that was never committed"
        lesson.save()
        assert "never committed" in text(learner_client.get(url))
        raise RuntimeError
    assert "never committed" not in text(learner_client.get(url))
    assert "never committed" not in text(learner_client.get("/en/"))


def test_a_cached_lesson_costs_two_queries(learner_client, lesson, django_assert_num_queries):
    """The user and the content version: the session comes from the sessions cache, the
    lesson itself from memory."""
    url = lesson.get_absolute_url()
    learner_client.get(url)
    with django_assert_num_queries(2):
        text(learner_client.get(url))


def test_teachers_still_see_drafts(teacher_client, lesson):
    lesson.is_published = False
    lesson.save()
    assert "Draft: learners cannot see" in text(teacher_client.get(lesson.get_absolute_url()))


def signed_out(client):
    response = client.get(reverse("quizzes:my-results"))
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_expired_session_signs_the_learner_out(learner_client, monkeypatch):
    """The cached copy of a session expires with it (`cached_db` sets the cache's timeout to
    the session's age), and the database row's expiry holds once the copy is gone."""
    assert not signed_out(learner_client)
    age = settings.SESSION_COOKIE_AGE + 1
    later, now = time.time() + age, timezone.now() + timedelta(seconds=age)
    monkeypatch.setattr(filebased.time, "time", lambda: later)
    monkeypatch.setattr(timezone, "now", lambda: now)
    assert signed_out(learner_client)


def test_a_session_expired_in_the_database_signs_the_learner_out(learner_client):
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    caches[settings.SESSION_CACHE_ALIAS].clear()
    assert signed_out(learner_client)


def test_after_signing_out_the_old_session_cookie_is_refused(learner_client):
    """The cached copy goes with the row, so a replayed cookie finds neither."""
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = learner_client.cookies[
        settings.SESSION_COOKIE_NAME
    ].value
    assert not signed_out(replay)
    learner_client.post(reverse("logout"))
    assert signed_out(replay)


@pytest.mark.parametrize("key", ["", "short", "x" * 40, "' OR 1=1 --", "é" * 32])
def test_a_forged_session_cookie_is_treated_as_signed_out(db, key):
    client = Client()
    client.cookies["sessionid"] = key
    response = client.get(reverse("quizzes:my-results"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_deactivated_learner_is_signed_out(learner, learner_client):
    learner.is_active = False
    learner.save()
    assert learner_client.get(reverse("quizzes:my-results")).status_code == 302


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(learner_client):
    stolen = Client()
    stolen.cookies = learner_client.cookies.__class__(learner_client.cookies)
    assert stolen.get(reverse("quizzes:my-results")).status_code == 200
    learner_client.post(reverse("logout"))
    assert stolen.get(reverse("quizzes:my-results")).status_code == 302


# The site header is rendered once per language, role and menu entry, then filled in per request.


def header(page):
    return page[page.index('<header class="site-header">') : page.index("</header>")]


def test_each_learner_sees_their_own_name_and_gets_a_working_sign_out(db):
    from .factories import UserFactory

    ala, bob = UserFactory(username="ala"), UserFactory(username="bob<&>")
    for user, shown in ((ala, "Sign out (ala)"), (bob, "Sign out (bob&lt;&amp;&gt;)")):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        top = header(text(client.get(reverse("quizzes:home"))))
        assert shown in top
        assert "ala" not in top if user is bob else "bob" not in top
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', top).group(1)
        response = client.post(reverse("logout"), {"csrfmiddlewaretoken": token})
        assert response.status_code == 302
        assert client.get(reverse("quizzes:my-results")).status_code == 302  # signed out


def test_the_language_switcher_returns_to_the_escaped_current_address(learner_client):
    top = header(text(learner_client.get(reverse("quizzes:home") + "?x='&y")))
    assert '<input type="hidden" name="next" value="/en/?x=&#x27;&amp;y">' in top
    top = header(text(learner_client.get(reverse("quizzes:progress"))))
    assert 'name="next" value="/en/me/progress/"' in top


def test_the_header_marks_the_current_page_and_fits_the_role(learner_client, teacher_client):
    pages = {"home": "Lessons", "my-results": "My results", "progress": "Progress"}
    for name, label in pages.items():
        top = header(text(learner_client.get(reverse(f"quizzes:{name}"))))
        assert re.findall(r'aria-current="page">([^<]+)<', top) == [label]
        assert "Authoring" not in top
    top = header(text(teacher_client.get(reverse("quizzes:results"))))
    assert re.findall(r'aria-current="page">([^<]+)<', top) == ["Class results"]
    assert "Authoring" in top
    anonymous = header(text(Client().get(reverse("quizzes:home"))))
    assert "Sign in" in anonymous
    assert "Sign out" not in anonymous


def test_the_header_follows_the_language(learner_client):
    english = header(text(learner_client.get("/en/")))
    polish = header(text(learner_client.get("/pl/")))
    assert 'href="/en/me/progress/"' in english
    assert 'href="/pl/me/progress/"' in polish
    assert "Wyloguj" in polish


def test_a_value_built_while_the_content_changed_is_not_served_as_new(lesson):
    """Another app-server thread sees an edit while this one is still building from old rows."""
    from quizzes.course import content_cache

    def build_while_an_edit_lands():
        lesson.save()  # the edit commits, and another thread already caches under its version
        content_cache.cached("other", lambda: "built by the other thread")
        return "built from the old rows"

    content_cache.cached("anything", lambda: "warm")  # this process has seen the old version
    assert content_cache.cached("value", build_while_an_edit_lands) == "built from the old rows"
    assert (
        content_cache.cached("value", lambda: "built from the new rows")
        == "built from the new rows"
    )


def test_a_missing_lesson_or_quiz_is_not_kept_in_memory(lesson):
    """Made-up addresses (a crawler's) each cost a query, never a cache entry."""
    from quizzes.course import content_cache

    builds = []
    for _ in range(2):
        assert content_cache.cached("lesson-article:made-up", lambda: builds.append(1)) is None
    assert content_cache.cached("found", lambda: builds.append(2) or "kept") == "kept"
    assert content_cache.cached("found", lambda: builds.append(3) or "rebuilt") == "kept"
    assert builds == [1, 1, 2]
