"""The benchmark's plain sqlite3 + csv baseline writes the very bytes of the site's grades export.

`make bench` compares the export's speed with it, which is honest only while the two write the
same file: same header, columns, order, formats, neutralising and line endings.
"""

import io
import sqlite3
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from benchmarks.export_baseline import grades_csv
from quizzes.models import Attempt, Classroom, Question
from quizzes.taking.attempts import attempt_finish
from quizzes.teaching.regrading import regrade_apply

from .conftest import choice_ids, enrol, sqlite_only, started
from .factories import QuizFactory, SuperuserFactory, UserFactory, question_with_choices

# Committed data: the baseline reads the test database's file on a connection of its own.
pytestmark = [sqlite_only, pytest.mark.django_db(transaction=True)]


def finish(user, quiz, choose):
    """Open the quiz as `user` and finish with `choose(question)`'s choices (None: leave the
    question unanswered, as when time runs out)."""
    client = Client()
    client.force_login(user)
    started(client, quiz)
    attempt = Attempt.objects.in_progress().get(learner=user, quiz=quiz)
    chosen = {question.id: choose(question) for question in quiz.questions.all()}
    attempt_finish(
        attempt=attempt, selections={key: ids for key, ids in chosen.items() if ids is not None}
    )
    return attempt


def right(question):
    ids = choice_ids(question, correct=True)
    return ids[:1] if question.kind == Question.Kind.SINGLE else ids


def wrong(question):
    return choice_ids(question, correct=False)[:1]


def one_right(question):
    """One right choice: a third of the marks of the question with three right choices."""
    return choice_ids(question, correct=True)[:1]


def baseline_bytes(quiz) -> bytes:
    out = io.BytesIO()
    db = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        rows = grades_csv(db, quiz.pk, out)
    finally:
        db.close()
    assert rows == out.getvalue().count(b"\r\n") - 1
    return out.getvalue()


def site_bytes(quiz) -> bytes:
    client = Client()
    client.force_login(SuperuserFactory())
    response = client.get(reverse("quizzes:quiz-export", args=[quiz.slug, "grades"]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_baseline_writes_the_sites_grades_csv_byte_for_byte(quiz):
    question_with_choices(quiz, correct=3, wrong=1, kind=Question.Kind.MULTIPLE, order=3)
    question_with_choices(quiz, correct=1, wrong=1, marks=2, order=4, text='=2+2, "quoted"')
    dropped = question_with_choices(quiz, correct=1, wrong=1, order=5, text="Soon deleted: ą")
    teacher = UserFactory(username="form-teacher")
    classes = [Classroom.objects.create(name=n, teacher=teacher) for n in ("Zażółć", '3B, "x"')]
    ola = UserFactory(username="ola", first_name="Ola", last_name="Nowak, Jr.", email="")
    enrol(classes[0], ola)
    enrol(classes[1], ola)
    evil = UserFactory(username="=cmd", first_name='"+1"', last_name="@SUM(A1)", email=" =1")
    enrol(classes[1], evil)
    łukasz = UserFactory(username="łukasz", first_name="Łukasz", last_name="Żółw\u00a0")
    finish(ola, quiz, right)
    finish(evil, quiz, wrong)
    finish(łukasz, quiz, lambda q: one_right(q) if q.kind == Question.Kind.MULTIPLE else None)
    # A second attempt, in Polish, submitted on a whole second 179.1 seconds after it began.
    second = finish(ola, quiz, wrong)
    Attempt.objects.filter(pk=second.pk).update(
        started_at=datetime(2030, 3, 15, 9, 30, 5, 900000, tzinfo=UTC),
        submitted_at=datetime(2030, 3, 15, 9, 33, 5, tzinfo=UTC),
        language="pl",
    )
    Attempt.objects.create(learner=UserFactory(), quiz=quiz)  # not finished: not written
    other = QuizFactory()
    question_with_choices(other, correct=1, wrong=1)
    finish(ola, other, right)  # another quiz's: not written
    # A regrade: the one-answer question's wrong choice was right after all, so its answers
    # point at a second version of it.
    single = quiz.questions.get(order=1)
    single.choices.update(is_correct=True)
    assert regrade_apply(quiz, among=Attempt.objects.all())
    dropped.delete()

    site = site_bytes(quiz)
    lines = site.decode().split("\r\n")
    assert len(lines) == 1 + 4 + 1 and lines[-1] == ""  # the header, 4 attempts, a last CRLF
    assert lines[0].endswith(',"Q4 /2: =2+2, ""quoted""",Q5 /1: Soon deleted: ą')
    assert "'=cmd" in site.decode() and '"Nowak, Jr."' in site.decode()
    assert "0.3333333" in site.decode()  # a third of a mark
    assert ",2030-03-15T10:30:05+01:00,2030-03-15T10:33:05+01:00,179," in site.decode()
    assert baseline_bytes(quiz) == site


def test_the_baseline_writes_the_header_alone_for_a_quiz_nobody_finished(quiz):
    Attempt.objects.create(learner=UserFactory(), quiz=quiz)
    site = site_bytes(quiz)
    assert site.count(b"\r\n") == 1
    assert baseline_bytes(quiz) == site
