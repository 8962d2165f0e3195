"""Integrity rules the database itself enforces."""

import pytest
from django.db import IntegrityError
from django.utils import timezone

from quizzes.models import Attempt

from .factories import ChoiceFactory, QuestionFactory, QuizFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_pass_mark_cannot_exceed_100():
    with pytest.raises(IntegrityError):
        QuizFactory(pass_mark=101)


def test_question_marks_must_be_positive():
    with pytest.raises(IntegrityError):
        QuestionFactory(marks=0)


def test_question_kind_must_be_known():
    with pytest.raises(IntegrityError):
        QuestionFactory(kind="essay")


def test_two_choices_of_one_question_cannot_share_text():
    question = QuestionFactory()
    ChoiceFactory(question=question, text="Consult")
    with pytest.raises(IntegrityError):
        ChoiceFactory(question=question, text="Consult")


def test_a_learner_has_one_attempt_in_progress_per_quiz():
    learner, quiz = UserFactory(), QuizFactory()
    Attempt.objects.create(learner=learner, quiz=quiz)
    with pytest.raises(IntegrityError):
        Attempt.objects.create(learner=learner, quiz=quiz)


def test_finished_attempts_do_not_count_against_the_in_progress_rule():
    learner, quiz = UserFactory(), QuizFactory()
    now = timezone.now()
    Attempt.objects.create(learner=learner, quiz=quiz, started_at=now, submitted_at=now)
    Attempt.objects.create(learner=learner, quiz=quiz)
    assert Attempt.objects.count() == 2


def test_attempt_marks_cannot_exceed_maximum():
    with pytest.raises(IntegrityError):
        Attempt.objects.create(learner=UserFactory(), quiz=QuizFactory(), marks=3, max_marks=2)


def test_attempt_percentage_stays_within_0_and_100():
    with pytest.raises(IntegrityError):
        Attempt.objects.create(learner=UserFactory(), quiz=QuizFactory(), percentage=101)


def test_an_attempt_cannot_be_submitted_before_it_started():
    now = timezone.now()
    with pytest.raises(IntegrityError):
        Attempt.objects.create(
            learner=UserFactory(),
            quiz=QuizFactory(),
            started_at=now,
            submitted_at=now - timezone.timedelta(seconds=1),
        )
