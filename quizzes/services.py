"""Writes that touch several models: starting, saving and finishing attempts."""

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .dealing import deal
from .models import Answer, Attempt, Choice, Question, Quiz
from .scoring import ChoiceKey, is_passed, percentage, question_marks


class AttemptRefused(Exception):
    """The learner may not start or change this attempt; the message says why."""


def question_snapshot(question: Question, choices: Sequence[Choice]) -> dict:
    """A frozen copy of a question and its choices, in the order the learner sees them."""
    return {
        "id": question.id,
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


def start_refusal(*, learner: AbstractBaseUser, quiz: Quiz, now: datetime) -> str | None:
    """Why the learner may not start a new attempt at the quiz now, or None if they may."""
    if quiz.opens_at and now < quiz.opens_at:
        when = formats.date_format(timezone.localtime(quiz.opens_at), "DATETIME_FORMAT")
        return _("This quiz opens on %(when)s.") % {"when": when}
    if quiz.has_closed(now):
        when = formats.date_format(timezone.localtime(quiz.closes_at), "DATETIME_FORMAT")
        return _("This quiz closed on %(when)s.") % {"when": when}
    if quiz.attempts_allowed:
        used = Attempt.objects.submitted().filter(learner=learner, quiz=quiz).count()
        if used >= quiz.attempts_allowed:
            return _("You have used all %(count)d attempts this quiz allows.") % {
                "count": quiz.attempts_allowed
            }
    return None


def attempt_start(*, learner: AbstractBaseUser, quiz: Quiz) -> Attempt:
    """Resume the learner's in-progress attempt at the quiz, or deal a new one.

    Dealing draws and orders the questions from a seed kept on the attempt and freezes each
    question as an unanswered Answer. Raises AttemptRefused when the quiz is not open or the
    learner has no attempts left.
    """
    attempt = Attempt.objects.in_progress().filter(learner=learner, quiz=quiz).first()
    if attempt is not None:
        return attempt
    now = timezone.now()
    refusal = start_refusal(learner=learner, quiz=quiz, now=now)
    if refusal:
        raise AttemptRefused(refusal)

    questions = {question.id: question for question in quiz.questions.prefetch_related("choices")}
    if not questions:
        raise AttemptRefused(_("This quiz has no questions yet. Come back later."))
    choices = {
        qid: {c.id: c for c in question.choices.all()} for qid, question in questions.items()
    }
    seed = secrets.randbelow(2**31)
    hand = deal(
        list(questions),
        {qid: list(by_id) for qid, by_id in choices.items()},
        seed=seed,
        draw=quiz.questions_per_attempt,
        shuffle_questions=quiz.shuffle_questions,
        shuffle_choices=quiz.shuffle_choices,
    )
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                learner=learner, quiz=quiz, quiz_title=quiz.title, seed=seed, started_at=now
            )
            Answer.objects.bulk_create(
                Answer(
                    attempt=attempt,
                    question=questions[qid],
                    position=position,
                    snapshot=question_snapshot(questions[qid], [choices[qid][c] for c in dealt]),
                )
                for position, (qid, dealt) in enumerate(hand, start=1)
            )
    except IntegrityError:
        # Another request (a second tab, a double click) dealt it first: use that one.
        return Attempt.objects.in_progress().get(learner=learner, quiz=quiz)
    return attempt


def _apply(answers: Sequence[Answer], selections: Mapping[int, Sequence[int]]) -> list[Answer]:
    """Set the chosen choices on the answers named in `selections`; return those changed."""
    changed = []
    for answer in answers:
        if answer.question_key in selections:
            chosen = sorted(set(selections[answer.question_key])) or None
            if chosen != answer.selected:
                answer.selected = chosen
                changed.append(answer)
    return changed


def _lock_open_attempt(attempt: Attempt) -> None:
    """Lock the attempt's row until the transaction ends; refuse if it is already finished."""
    still_open = (
        Attempt.objects.select_for_update()
        .filter(pk=attempt.pk, submitted_at__isnull=True)
        .values_list("pk", flat=True)
    )
    if not list(still_open):
        raise AttemptRefused(_("This attempt is already finished; its answers cannot change."))


@transaction.atomic
def answer_save(*, attempt: Attempt, selections: Mapping[int, Sequence[int]]) -> int:
    """Save the learner's choices (by question id) without finishing; return how many changed.

    An empty list clears an answer. Raises AttemptRefused once the attempt is finished.
    """
    _lock_open_attempt(attempt)
    changed = _apply(list(attempt.answers.all()), selections)
    Answer.objects.bulk_update(changed, ["selected"])
    return len(changed)


@transaction.atomic
def attempt_finish(
    *, attempt: Attempt, selections: Mapping[int, Sequence[int]] | None = None
) -> bool:
    """Save any last choices, mark every answer from its snapshot, and finish the attempt once.

    Returns False, changing nothing, when the attempt had already been finished (a double
    click, a replayed form or a racing request).
    """
    answers = list(attempt.answers.all())
    _apply(answers, selections or {})
    total = maximum = 0
    for answer in answers:
        choices = answer.snapshot["choices"]
        answer.marks = question_marks(
            answer.snapshot["kind"],
            [ChoiceKey(c["id"], c["is_correct"]) for c in choices],
            answer.selected or [],
            answer.max_marks,
        )
        total += answer.marks
        maximum += answer.max_marks
    percent = percentage(total, maximum)
    finished = {
        "submitted_at": timezone.now(),
        "marks": total,
        "max_marks": maximum,
        "percentage": percent,
        "passed": is_passed(total, maximum, attempt.quiz.pass_mark),
        "pass_mark": attempt.quiz.pass_mark,
    }
    # The conditional update is the submit-once guard: of two racing requests, only one
    # finds the attempt still open, on SQLite and PostgreSQL alike.
    if not Attempt.objects.in_progress().filter(pk=attempt.pk).update(**finished):
        return False
    Answer.objects.bulk_update(answers, ["selected", "marks"])
    for field, value in finished.items():
        setattr(attempt, field, value)
    return True
