"""A classroom spike over real HTTP: many learners press "Finish" at the same moment.

Runs against pytest-django's live server (a threaded WSGI server, one database connection per
request thread) on whichever database the suite uses: SQLite in a file with WAL and IMMEDIATE
transactions, or PostgreSQL under `make test-postgres`.
"""

import http.client
import re
import threading
import time
from collections import Counter
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection

from quizzes.core import sign_in
from quizzes.models import Attempt, Classroom, Membership, Question

from .conftest import take_url, values_shown
from .factories import QuizFactory, TeacherFactory, UserFactory, question_with_choices

pytestmark = pytest.mark.django_db(transaction=True)

# Django's test server queues 10 connections; gunicorn, which serves production, queues 2048.
# A class connecting at the same moment needs a production-sized queue, or the operating system
# resets the connections it cannot queue before the server ever sees them.
ThreadedWSGIServer.request_queue_size = 2048

LEARNERS = 120
DOUBLE_CLICKERS = 20  # these send "Finish" twice at once
QUESTIONS = 5
CSRF = "a" * 32


def session_cookie(user):
    """A signed-in session for `user`, made directly: logging 120 users in is not the test."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = sign_in.BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={CSRF}"


class Browser:
    """One learner's HTTP client: a cookie and a connection of its own."""

    def __init__(self, base, cookie):
        parts = urlsplit(base)
        self.host, self.port, self.cookie = parts.hostname, parts.port, cookie

    def request(self, method, path, body=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        headers = {"Cookie": self.cookie, "Referer": f"http://{self.host}:{self.port}/"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read()
        conn.close()
        return response.status, response.getheader("Location"), content


def test_a_class_finishing_at_the_same_moment_is_saved_exactly_once(live_server, capsys):
    quiz = QuizFactory(slug="spike")
    for n in range(QUESTIONS):
        question_with_choices(quiz, correct=1, wrong=2, order=n, text=f"Spike question {n}")
    questions = list(quiz.questions.prefetch_related("choices"))
    teacher = TeacherFactory()
    classroom = Classroom.objects.create(name="Spike class", teacher=teacher)
    learners = [UserFactory() for _ in range(LEARNERS)]
    Membership.objects.bulk_create(Membership(classroom=classroom, learner=u) for u in learners)

    # Learner n answers the first (n % (QUESTIONS + 1)) questions right: known marks for each.
    expected, forms = {}, {}
    browsers = {}
    for n, learner in enumerate(learners):
        browser = Browser(live_server.url, session_cookie(learner))
        start = urlencode([("csrfmiddlewaretoken", CSRF)])
        status, _, _ = browser.request("POST", quiz.get_absolute_url(), start)
        assert status == 302
        status, _, page = browser.request("GET", take_url(quiz))
        assert status == 200
        attempt_id = re.search(rb'name="attempt" value="(\d+)"', page).group(1).decode()
        right = n % (QUESTIONS + 1)
        data = [("csrfmiddlewaretoken", CSRF), ("attempt", attempt_id), ("action", "finish")]
        for i, question in enumerate(questions):
            choice = next(c for c in question.choices.all() if c.is_correct == (i < right))
            data.append((f"q{question.id}", *values_shown(question, [choice.id])))
        forms[learner.pk] = urlencode(data)
        expected[learner.pk] = Decimal(right)
        browsers[learner.pk] = browser

    senders = [(pk, 1) for pk in browsers] + [(pk, 2) for pk in list(browsers)[:DOUBLE_CLICKERS]]
    barrier = threading.Barrier(len(senders) + 1)
    statuses, errors = Counter(), []
    export = {}

    def finish(pk, _copy):
        barrier.wait()
        try:
            status, location, _ = browsers[pk].request("POST", take_url(quiz), forms[pk])
            statuses[status] += 1
            if status != 302 or "/en/attempts/" not in (location or ""):
                errors.append((pk, status, location))
        except Exception as error:  # noqa: BLE001 - every failure is counted, none hidden
            errors.append((pk, "exception", repr(error)))

    teacher_browser = Browser(live_server.url, session_cookie(teacher))

    def teacher_export():
        browser = teacher_browser
        barrier.wait()
        started = time.perf_counter()
        status, _, body = browser.request("GET", f"/en/results/quiz/{quiz.slug}/grades.csv")
        export.update(status=status, rows=body.count(b"\n"), seconds=time.perf_counter() - started)

    threads = [threading.Thread(target=finish, args=sender) for sender in senders]
    threads.append(threading.Thread(target=teacher_export))
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=180)
    seconds = time.perf_counter() - started

    attempts = Attempt.objects.filter(quiz=quiz)
    finished = attempts.filter(submitted_at__isnull=False)
    per_learner = Counter(attempts.values_list("learner_id", flat=True))
    duplicates = sum(count - 1 for count in per_learner.values())
    wrong_marks = [a.learner_id for a in finished if a.marks != expected[a.learner_id]]
    with capsys.disabled():
        print(
            f"\nclassroom spike on {connection.vendor}: {LEARNERS} learners "
            f"({DOUBLE_CLICKERS} double-clicking, {len(senders)} requests) finished in "
            f"{seconds:.2f} s; errors {len(errors)}; duplicate attempts {duplicates}; "
            f"wrong marks {len(wrong_marks)}; teacher's export {export.get('status')} "
            f"with {export.get('rows', 0) - 1} rows in {export.get('seconds', 0):.2f} s"
        )
    assert errors == []
    assert statuses == Counter({302: len(senders)})
    assert finished.count() == attempts.count() == LEARNERS
    assert duplicates == 0
    assert wrong_marks == []
    assert Question.objects.count() == QUESTIONS
    assert export["status"] == 200
