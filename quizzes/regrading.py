"""Regrading: re-mark past attempts after a teacher fixes a question's answer key.

Attempts keep the questions as they were answered, so editing a question changes no result on
its own. A regrade is the explicit step that carries today's answer key (which choices are
right, the question's kind, the feedback and explanation that go with the key) into the
attempts' copies and re-marks them. The question and choice texts the learner saw stay as
they were. `regrade_plan` is the dry run; `regrade_apply` does it. Both take the attempts the
teacher may see (their classes' learners'), so a regrade never shows or re-marks anyone else's.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from .models import Answer, Attempt, Question, Quiz
from .plain_sql import update_each
from .scoring import answer_marks, is_passed, percentage


@dataclass(frozen=True)
class RegradeChange:
    """How one finished attempt's marks would change."""

    attempt: Attempt
    old_marks: Decimal
    new_marks: Decimal
    old_percentage: Decimal
    new_percentage: Decimal
    old_passed: bool
    new_passed: bool

    @property
    def difference(self) -> Decimal:
        return self.new_marks - self.old_marks


def rekeyed_snapshot(snapshot: dict, question: Question | None) -> dict:
    """The snapshot with today's answer key of `question` (unchanged when it was deleted).

    Choices deleted since keep their old key; texts the learner saw are kept.
    """
    if question is None:
        return snapshot
    live = {choice.id: choice for choice in question.choices.all()}
    choices = []
    for choice in snapshot["choices"]:
        current = live.get(choice["id"])
        if current is not None:
            choice = {
                **choice,
                "is_correct": current.is_correct,
                "feedback": current.feedback,
                "misconception": current.misconception.slug if current.misconception else None,
            }
        choices.append(choice)
    return {
        **snapshot,
        "kind": question.kind,
        "explanation": question.explanation,
        "source_title": question.source_title,
        "source_url": question.source_url,
        "choices": choices,
    }


def _rekeyed(quiz: Quiz, among: QuerySet):
    """Every attempt at the quiz in `among` with its answers re-keyed and re-marked, unsaved."""
    attempts = among.filter(quiz=quiz)
    answered = Answer.objects.filter(attempt__in=attempts).values("question_id")
    questions = {
        q.id: q
        for q in Question.objects.filter(id__in=answered).prefetch_related("choices__misconception")
    }
    attempts = (
        attempts.select_related("learner")
        .prefetch_related("answers")
        .order_by("learner__username", "started_at", "id")
    )
    for attempt in attempts:
        answers = list(attempt.answers.all())
        # Feedback and explanations come back in the language the attempt was taken in.
        with translation.override(attempt.language):
            for answer in answers:
                question = questions.get(answer.question_id)
                answer.snapshot = rekeyed_snapshot(answer.snapshot, question)
                answer.marks = answer_marks(answer.snapshot, answer.selected)
        yield attempt, answers


def _change(attempt: Attempt, answers: list[Answer]) -> RegradeChange:
    marks = sum((answer.marks for answer in answers), Decimal(0))
    pass_mark = attempt.pass_mark if attempt.pass_mark is not None else 0
    return RegradeChange(
        attempt=attempt,
        old_marks=attempt.marks,
        new_marks=marks,
        old_percentage=attempt.percentage,
        new_percentage=percentage(marks, attempt.max_marks),
        old_passed=attempt.passed,
        new_passed=is_passed(marks, attempt.max_marks, pass_mark),
    )


def regrade_plan(quiz: Quiz, *, among: QuerySet) -> list[RegradeChange]:
    """The dry run: the finished attempts in `among` whose marks today's key would change."""
    changes = []
    for attempt, answers in _rekeyed(quiz, among):
        if attempt.is_submitted:
            change = _change(attempt, answers)
            if change.new_marks != change.old_marks or change.new_passed != change.old_passed:
                changes.append(change)
    return changes


@transaction.atomic
def regrade_apply(
    quiz: Quiz, *, among: QuerySet, now: datetime | None = None
) -> list[RegradeChange]:
    """Carry today's answer key into the attempts at the quiz in `among`; re-mark finished ones.

    In-progress attempts get the new key too, so they are marked with it when finished.
    Returns the changes made to finished attempts' marks.
    """
    now = now or timezone.now()
    # Lock the attempts: a learner finishing during the regrade waits for it.
    list(among.filter(quiz=quiz).select_for_update().values_list("pk", flat=True))
    changes = []
    for attempt, answers in _rekeyed(quiz, among):
        update_each(answers, ["snapshot", "marks"] if attempt.is_submitted else ["snapshot"])
        if not attempt.is_submitted:
            continue
        change = _change(attempt, answers)
        if change.new_marks == change.old_marks and change.new_passed == change.old_passed:
            continue
        Attempt.objects.filter(pk=attempt.pk).update(
            marks=change.new_marks,
            percentage=change.new_percentage,
            passed=change.new_passed,
            regraded_at=now,
        )
        changes.append(change)
    return changes
