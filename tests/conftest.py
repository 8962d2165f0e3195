import re
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from quizsite.settings import with_lock_timeout
from quizzes.models import Answer, Attempt, Classroom, Membership, Question

from .factories import QuizFactory, TeacherFactory, UserFactory, question_with_choices


@pytest.fixture(autouse=True)
def english_to_start_with():
    """A request leaves its language active in the thread: every test starts in English, so
    factories write the English versions of translated fields."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def learner(db):
    return UserFactory()


@pytest.fixture
def teacher(db):
    return TeacherFactory()


@pytest.fixture
def learner_client(learner):
    client = Client()
    client.force_login(learner)
    return client


@pytest.fixture
def classroom(teacher, learner):
    """The teacher's class, with the learner in it: teachers see their classes' results."""
    classroom = Classroom.objects.create(name="Class 3B", teacher=teacher)
    Membership.objects.create(classroom=classroom, learner=learner)
    return classroom


def enrol(classroom, *learners):
    for learner in learners:
        Membership.objects.get_or_create(classroom=classroom, learner=learner)


@pytest.fixture
def teacher_client(teacher, classroom):
    client = Client()
    client.force_login(teacher)
    return client


@pytest.fixture
def quiz(db):
    """A published quiz: one one-answer question and one several-answer question (2 of 4)."""
    quiz = QuizFactory(pass_mark=60)
    question_with_choices(quiz, correct=1, wrong=2, order=1, text="Who may ask for consultations?")
    question_with_choices(
        quiz,
        correct=2,
        wrong=2,
        kind=Question.Kind.MULTIPLE,
        order=2,
        text="Which statements about Article 5 are true?",
    )
    return quiz


def choice_ids(question, *, correct):
    """Ids of the question's right (correct=True) or wrong (correct=False) choices."""
    return [c.id for c in question.choices.all() if c.is_correct == correct]


def take_url(quiz) -> str:
    """The address of the learner's attempt in progress at `quiz` (its questions)."""
    return reverse("quizzes:quiz-take", kwargs={"slug": quiz.slug})


def started(client, quiz, **query):
    """Press Start on the quiz's start page, then open the attempt's questions, as a browser
    would; the page (or Start's answer when it was refused)."""
    response = client.post(quiz.get_absolute_url())
    if response.status_code != 302:
        return response
    return client.get(take_url(quiz), query)


def attempt_shown(response) -> int:
    """The attempt id a quiz page's form carries, read from the page as a browser would."""
    assert response.status_code == 200, response.status_code
    found = re.findall(r'name="attempt" value="([0-9]+)"', response.content.decode())
    assert len(found) == 1, found
    return int(found[0])


def values_shown(question, ids, *, attempt=None) -> list[str]:
    """The values the quiz page gives these choices of `question` (a question or its id).

    Read from the order the choices were dealt to `attempt` (an attempt or its id); without
    one, every attempt dealt the question must have them in the same order (no shuffling).
    """
    answers = Answer.objects.filter(question=question)
    if attempt is not None:
        answers = answers.filter(attempt=attempt)
    orders = {tuple(choice["id"] for choice in a.snapshot["choices"]) for a in answers}
    assert len(orders) == 1, f"{len(orders)} orders dealt: open the quiz page or name the attempt"
    dealt = orders.pop()
    return [str(dealt.index(i) + 1) for i in ids]


def answers_for(quiz, *, all_right=True, attempt=None):
    """POST data answering every question of `quiz`, all right or all wrong, as the page would
    send it (see `values_shown`: open the quiz page first)."""
    data = {}
    for question in quiz.questions.all():
        ids = choice_ids(question, correct=all_right)
        if question.kind == Question.Kind.SINGLE:
            ids = ids[:1]
        data[f"q{question.id}"] = values_shown(question, ids, attempt=attempt)
    return data


# What differs between two renders of one page for one reader: each response masks its CSRF
# token afresh, and a countdown's seconds tick.
VOLATILE = re.compile(r'(name="csrfmiddlewaretoken" value="|data-seconds-left=")[^"]+"')


def page_shown(client, url, status=200, **query):
    """The page at `url` as text, with its volatile values (`VOLATILE`) blanked."""
    response = client.get(url, query)
    assert response.status_code == status
    return VOLATILE.sub(r'\1…"', response.content.decode())


def with_and_without_fragments(client, url, status=200, **query):
    """(the page with cached template fragments, the page as the templates render it without)."""
    cached = page_shown(client, url, status, **query)
    fragments = caches["template_fragments"]
    with (
        mock.patch.object(fragments, "get", return_value=None),
        mock.patch.object(fragments, "set"),
    ):
        rendered = page_shown(client, url, status, **query)
    return cached, rendered


def signed_in(user):
    """A client of its own, signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def empty_fragment_cache():
    caches["template_fragments"].clear()


def nothing_saved():
    """No choice recorded on any answer and no attempt finished."""
    return not (
        Answer.objects.filter(chosen__isnull=False).exists() or Attempt.objects.submitted().exists()
    )


# Tests of one database's own behaviour (SQLite's one write lock for the whole database, a
# PostgreSQL server's own settings) run in that database's suite and are left out of the
# other's, so neither suite skips anything: `.ci/run` runs both.
sqlite_only = pytest.mark.database("sqlite")
postgresql_only = pytest.mark.database("postgresql")


def pytest_collection_modifyitems(config, items):
    """Deselect the tests marked for the other database (see `sqlite_only`)."""
    other = [
        item
        for item in items
        if (marker := item.get_closest_marker("database")) and marker.args[0] != connection.vendor
    ]
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = [item for item in items if item not in other]


# The second process: SQLite's write lock, or on PostgreSQL the learners' tables locked
# against every write but not against reads. Held until its stdin closes, or for 60 s at most.
HOLDERS = {
    "sqlite": """
import select, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("held", flush=True)
select.select([sys.stdin], [], [], 60)
db.execute("ROLLBACK")
""",
    "postgresql": """
import psycopg, select, sys
with psycopg.connect(sys.argv[1]) as db:
    db.execute(f"LOCK TABLE {sys.argv[2]} IN EXCLUSIVE MODE")
    print("held", flush=True)
    select.select([sys.stdin], [], [], 60)
    db.rollback()
""",
}


class WriteLock:
    """Another process that holds the lock every write needs, from `hold()` to `release()`."""

    def __init__(self):
        self.process = None

    def hold(self):
        config = connection.settings_dict
        if connection.vendor == "sqlite":
            arguments = [config["NAME"]]
        else:
            from psycopg.conninfo import make_conninfo

            names = {"dbname": "NAME", "user": "USER", "password": "PASSWORD", "host": "HOST"}
            conninfo = make_conninfo(
                **{key: config[name] for key, name in names.items() if config.get(name)},
                **({"port": str(config["PORT"])} if config.get("PORT") else {}),
            )
            tables = ", ".join(model._meta.db_table for model in (Attempt, Answer))
            arguments = [conninfo, tables]
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDERS[connection.vendor], *arguments],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout.readline() == "held\n", "the lock holder did not start"

    def release(self):
        if self.process is not None:
            self.process.stdin.close()
            assert self.process.wait(timeout=30) == 0
            self.process = None


LOCK_TIMEOUT = 0.2  # seconds; the suite's writes otherwise wait DATABASE_LOCK_TIMEOUT


@pytest.fixture
def short_lock_timeout(transactional_db, monkeypatch):
    """Writes give up waiting for a lock after LOCK_TIMEOUT, here and on the live server."""
    config = connection.settings_dict  # shared by every thread's connection
    options = with_lock_timeout(config["OPTIONS"], config["ENGINE"], LOCK_TIMEOUT)
    monkeypatch.setitem(config, "OPTIONS", options)
    connection.close()  # the next query reconnects with them
    yield
    connection.close()


@pytest.fixture
def write_lock(short_lock_timeout):
    """A second process holding the database's write lock while the test says so."""
    lock = WriteLock()
    yield lock
    lock.release()


def pytest_report_header(config):
    from django.db import connection

    return f"database: {connection.vendor} ({connection.settings_dict['ENGINE']})"


@pytest.fixture(autouse=True)
def no_versions_from_an_earlier_test():
    """Each test starts with the process's store of question versions empty: rolling a test
    back lets SQLite give the next test's versions the same ids (see quizzes/course/versions.py)."""
    from quizzes.course.versions import forget

    forget()
    yield
    forget()
