"""Regrading: re-mark past attempts after a teacher fixes a question's answer key.

Attempts point at the question versions they were dealt, so editing a question changes no
result on its own. A regrade is the explicit step that gives each version the attempts used
today's answer key (which choices are right, the question's kind, the feedback and explanation
that go with the key) as a new version, keeping the texts the learner saw, points the answers
at it and re-marks them, recording which attempts it re-marked (`Regrade`). `regrade_plan` is
the dry run; `regrade_apply` does it. Both take the attempts the teacher may see (their classes'
learners'), so a regrade never shows or re-marks anyone else's.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import Answer, Attempt, Question, Quiz, Regrade, RegradedAttempt
from .plain_sql import update_each
from .scoring import answer_marks, is_passed, percentage
from .versions import as_dealt, rekeyed, stored, versions_by_id


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


def _rekeyed(quiz: Quiz, among: QuerySet):
    """Every attempt at the quiz in `among` with its answers given today's key and re-marked,
    unsaved, and the new versions that key needs (unsaved too)."""
    attempts = among.filter(quiz=quiz)
    answered = Answer.objects.filter(attempt__in=attempts)
    versions = versions_by_id(answered.values_list("version_id", flat=True).distinct())
    questions = Question.objects.filter(
        id__in={v.question_key for v in versions.values()}
    ).prefetch_related("choices__misconception")
    live = {question.id: question for question in questions}
    today = {pk: rekeyed(v, live.get(v.question_key)) for pk, v in versions.items()}
    attempts = (
        attempts.select_related("learner")
        .prefetch_related("answers")
        .order_by("learner__username", "started_at", "id")
    )
    for attempt in attempts:
        answers = list(attempt.answers.all())
        for answer in answers:
            version = today[answer.version_id]
            answer.new_version = version
            snapshot = as_dealt(version, answer.dealt_indexes, attempt.language)
            answer.marks = answer_marks(snapshot, answer.selected)
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


def _changed(change: RegradeChange) -> bool:
    return change.new_marks != change.old_marks or change.new_passed != change.old_passed


def regrade_plan(quiz: Quiz, *, among: QuerySet) -> list[RegradeChange]:
    """The dry run: the finished attempts in `among` whose marks today's key would change."""
    changes = []
    for attempt, answers in _rekeyed(quiz, among):
        if attempt.is_submitted:
            change = _change(attempt, answers)
            if _changed(change):
                changes.append(change)
    return changes


@transaction.atomic
def regrade_apply(
    quiz: Quiz,
    *,
    among: QuerySet,
    by=None,
    record: Regrade | None = None,
    now: datetime | None = None,
) -> list[RegradeChange]:
    """Give the attempts at the quiz in `among` today's key; re-mark the finished ones.

    In-progress attempts get the new key too, so they are marked with it when finished.
    Returns the changes made to finished attempts' marks, recorded in `record` (a regrade
    done in batches) or in a new `Regrade` made by `by` when any attempt changed.
    """
    now = now or timezone.now()
    # Lock the attempts: a learner finishing during the regrade waits for it.
    list(among.filter(quiz=quiz).select_for_update().values_list("pk", flat=True))
    plan = list(_rekeyed(quiz, among))
    # The new versions are saved here, in the regrade's transaction, and read back from this
    # function's own objects: they reach the process's store only once committed.
    new = {id(a.new_version): a.new_version for _attempt, answers in plan for a in answers}
    saved = stored([v for v in new.values() if v.pk is None])
    changes = []
    for attempt, answers in plan:
        moved = []
        for answer in answers:
            version = answer.new_version
            version_id = version.pk or saved[version.fingerprint].pk
            if version_id != answer.version_id:
                answer.version_id = version_id
                moved.append(answer)
        if not attempt.is_submitted:
            update_each(moved, ["version"])
            continue
        update_each(answers, ["version", "marks"])
        change = _change(attempt, answers)
        if not _changed(change):
            continue
        Attempt.objects.filter(pk=attempt.pk).update(
            marks=change.new_marks,
            percentage=change.new_percentage,
            passed=change.new_passed,
            regraded_at=now,
        )
        if record is None:
            record = Regrade.objects.create(quiz=quiz, by=by, at=now)
        RegradedAttempt.objects.create(
            regrade=record,
            attempt=attempt,
            marks_before=change.old_marks,
            marks_after=change.new_marks,
        )
        changes.append(change)
    return changes
