"""plain_sql reads and writes rows exactly as the ORM would, minus the query building."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from quizzes.core.plain_sql import fetch, fetch_first, insert_each, rows, update_each
from quizzes.course.versions import versions_for
from quizzes.models import Answer, Attempt

from .factories import QuizFactory, UserFactory, question_with_choices

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt():
    attempt = Attempt.objects.create(
        learner=UserFactory(),
        quiz=QuizFactory(),
        started_at=datetime(2030, 3, 15, 9, 30, 5, 123456, tzinfo=UTC),
        marks=Decimal("1.3333333"),
        max_marks=Decimal("2"),
        percentage=Decimal("66.67"),
        language="pl",
    )
    for position in (2, 1, 3):
        question = question_with_choices(attempt.quiz, correct=1, wrong=2, text="Ząb „cytat”")
        Answer.objects.create(
            attempt=attempt,
            question=question,
            version=versions_for([question])[question.id],
            position=position,
            dealt="2,0,1",
            chosen=0b100 if position != 3 else None,
            marks=Decimal("0.5000000"),
        )
    return attempt


def fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_fetch_gives_what_the_orm_gives(attempt):
    (read,) = fetch(Attempt, "WHERE id = %s", [attempt.pk])
    assert fields(read) == fields(Attempt.objects.get(pk=attempt.pk))
    assert read.started_at == datetime(2030, 3, 15, 9, 30, 5, 123456, tzinfo=UTC)
    assert read.marks == Decimal("1.3333333")
    assert not read._state.adding
    answers = fetch(Answer, "WHERE attempt_id = %s ORDER BY position", [attempt.pk])
    assert [fields(a) for a in answers] == [fields(a) for a in attempt.answers.all()]
    assert [a.position for a in answers] == [1, 2, 3]
    assert answers[0].snapshot["text"] == "Ząb „cytat”"
    assert [c["text"] for c in answers[0].snapshot["choices"]] == ["Wrong 2", "Right 1", "Wrong 1"]
    assert [c["text"] for c in answers[0].chosen_choices()] == ["Wrong 2"]
    assert answers[2].selected is None


def test_fetch_first_is_none_when_nothing_matches(attempt):
    assert fetch_first(Attempt, "WHERE id = %s", [attempt.pk + 1]) is None
    assert (
        fetch_first(Answer, "WHERE attempt_id = %s ORDER BY position DESC", [attempt.pk]).position
        == 3
    )


def test_rows_gives_an_aggregate_as_the_database_computes_it(attempt):
    assert rows(Answer, "COUNT(*), MAX(position)", "WHERE attempt_id = %s", [attempt.pk]) == [
        (3, 3)
    ]


def test_update_each_writes_every_instance_and_only_the_fields_named(attempt):
    answers = list(attempt.answers.all())
    for answer in answers:
        answer.chosen = answer.position
        answer.marks = Decimal("0.25")
        answer.position = 99  # not named: stays as stored
    update_each(answers, ["chosen", "marks"])
    stored = list(attempt.answers.values_list("position", "chosen", "marks"))
    assert stored == [
        (1, 1, Decimal("0.25")),
        (2, 2, Decimal("0.25")),
        (3, 3, Decimal("0.25")),
    ]


def test_insert_each_writes_the_rows_bulk_create_would(attempt):
    made = list(attempt.answers.order_by("position"))
    copy = Attempt.objects.create(learner=UserFactory(), quiz=attempt.quiz)

    def unsaved(on):
        return [
            Answer(
                attempt=on,
                question_id=a.question_id,
                version_id=a.version_id,
                position=a.position,
                dealt=a.dealt,
            )
            for a in made
        ]

    insert_each(unsaved(copy))
    Answer.objects.bulk_create(
        unsaved(other := Attempt.objects.create(learner=UserFactory(), quiz=attempt.quiz))
    )

    def rows_of(on):
        return [
            {k: v for k, v in fields(a).items() if k not in ("id", "attempt_id")}
            for a in on.answers.order_by("position")
        ]

    assert rows_of(copy) == rows_of(other)
    assert [(a["position"], a["chosen"], a["marks"], a["comment"]) for a in rows_of(copy)] == [
        (1, None, Decimal("0"), ""),
        (2, None, Decimal("0"), ""),
        (3, None, Decimal("0"), ""),
    ]
