"""Writes that touch several models: starting and submitting attempts."""

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Answer, Attempt, Choice, Question, Quiz
from .scoring import ChoiceKey, is_passed, percentage, question_marks


def attempt_start(*, learner: AbstractBaseUser, quiz: Quiz) -> Attempt:
    """Return the learner's in-progress attempt at the quiz, creating it if there is none."""
    attempt = Attempt.objects.in_progress().filter(learner=learner, quiz=quiz).first()
    if attempt is not None:
        return attempt
    try:
        with transaction.atomic():
            return Attempt.objects.create(learner=learner, quiz=quiz)
    except IntegrityError:
        # Another request (a second tab, a double click) created it first: use that one.
        return Attempt.objects.in_progress().get(learner=learner, quiz=quiz)


def question_snapshot(question: Question, choices: Sequence[Choice]) -> dict:
    """A frozen copy of a question and its choices, as the learner answered it."""
    return {
        "text": question.text,
        "kind": question.kind,
        "marks": str(question.marks),
        "explanation": question.explanation,
        "source_title": question.source_title,
        "source_url": question.source_url,
        "choices": [
            {
                "id": choice.id,
                "text": choice.text,
                "is_correct": choice.is_correct,
                "feedback": choice.feedback,
            }
            for choice in choices
        ],
    }


@transaction.atomic
def attempt_submit(
    *,
    attempt: Attempt,
    questions: Sequence[Question],
    selections: Mapping[int, Sequence[int]],
) -> bool:
    """Score a complete set of answers and finish the attempt, once.

    `questions` carry their choices (prefetched); `selections` maps every question id to the
    chosen choice ids, already validated against those choices. Returns False, saving nothing,
    when the attempt had already been submitted (a double click or a replayed form).
    """
    answers = []
    total = Decimal(0)
    maximum = Decimal(0)
    for position, question in enumerate(questions, start=1):
        choices = list(question.choices.all())
        chosen = sorted(set(selections[question.id]))
        earned = question_marks(
            question.kind, [ChoiceKey(c.id, c.is_correct) for c in choices], chosen, question.marks
        )
        total += earned
        maximum += question.marks
        answers.append(
            Answer(
                attempt=attempt,
                question=question,
                position=position,
                snapshot=question_snapshot(question, choices),
                selected=chosen,
                marks=earned,
            )
        )
    percent = percentage(total, maximum)
    finished = {
        "submitted_at": timezone.now(),
        "marks": total,
        "max_marks": maximum,
        "percentage": percent,
        "passed": is_passed(percent, attempt.quiz.pass_mark),
    }
    # The conditional update is the submit-once guard: of two racing requests, only one
    # finds the attempt still open, on SQLite and PostgreSQL alike.
    if not Attempt.objects.in_progress().filter(pk=attempt.pk).update(**finished):
        return False
    Answer.objects.bulk_create(answers)
    for field, value in finished.items():
        setattr(attempt, field, value)
    return True
