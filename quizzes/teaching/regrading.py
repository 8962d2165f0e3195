"""Regrading: re-mark past attempts after a teacher fixes a question's answer key.

Attempts point at the question versions they were dealt, so editing a question changes no
result on its own. A regrade is the explicit step that gives each version the attempts used
today's answer key (which choices are right, the question's kind, the feedback and explanation
that go with the key) as a new version, keeping the texts the learner saw, points the answers
at it and re-marks them, recording which attempts it re-marked (`Regrade`). `regrade_plan` is
the dry run; `regrade_apply` does it. Both take the attempts the teacher may see (their classes'
learners'), so a regrade never shows or re-marks anyone else's.

An answer's marks depend only on its version and what was chosen, so the work is done per
(version, chosen) pair, of which there are a few hundred however many attempts there are: the
new marks are worked out once per pair and written with one UPDATE each, and each attempt's
change is summed by the database.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from quizzes.course.versions import rekeyed, stored, versions_by_id
from quizzes.models import (
    Answer,
    Attempt,
    Question,
    QuestionVersion,
    Quiz,
    Regrade,
    RegradedAttempt,
)
from quizzes.taking.scoring import is_passed, percentage

MARKS = DecimalField(max_digits=14, decimal_places=7)


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


@dataclass
class _Plan:
    """What today's key changes: new versions by old version id, new marks by (old version
    id, chosen mask), and the finished attempts whose marks change."""

    versions: dict[int, QuestionVersion]
    marks: dict[tuple[int, int | None], Decimal]
    changes: list[RegradeChange]


def _plan(quiz: Quiz, among: QuerySet) -> _Plan:
    attempts = among.filter(quiz=quiz)
    answers = Answer.objects.filter(attempt__in=attempts.values("pk"))
    used = versions_by_id(answers.order_by().values_list("version_id", flat=True).distinct())
    live = Question.objects.filter(id__in={v.question_key for v in used.values()})
    live = {q.id: q for q in live.prefetch_related("choices__misconception")}
    new = {}
    for pk, version in used.items():
        today = rekeyed(version, live.get(version.question_key))
        if today is not version:
            new[pk] = today
    # Answers a teacher marked by hand keep their marks (Moodle keeps manual marks too).
    pairs = (
        answers.filter(version_id__in=new, attempt__submitted_at__isnull=False, overridden=False)
        .order_by()
        .values_list("version_id", "chosen")
        .distinct()
    )
    marks = {(v, chosen): new[v].marks_for(chosen) for v, chosen in pairs}
    changes = []
    if marks:
        after = Case(
            *(
                When(version_id=v, **_chosen_is(chosen), then=Value(m))
                for (v, chosen), m in marks.items()
            ),
            default=F("marks"),
            output_field=MARKS,
        )
        difference = (
            Answer.objects.filter(attempt=OuterRef("pk"), version_id__in=new, overridden=False)
            .order_by()
            .values("attempt")
            .annotate(total=Sum(after - F("marks"), output_field=MARKS))
            .values("total")
        )
        answer_count = (
            Answer.objects.filter(attempt=OuterRef("pk"))
            .order_by()
            .values("attempt")
            .annotate(n=Count("id"))
            .values("n")
        )
        changed = (
            attempts.submitted()
            .annotate(
                difference=Subquery(difference, output_field=MARKS),
                answer_count=Subquery(answer_count),
            )
            .exclude(difference__isnull=True)
            .exclude(difference=0)
            .select_related("learner")
            .order_by("learner__username", "started_at", "id")
        )
        for attempt in changed:
            total = attempt.marks + attempt.difference
            pass_mark = attempt.pass_mark if attempt.pass_mark is not None else 0
            changes.append(
                RegradeChange(
                    attempt=attempt,
                    old_marks=attempt.marks,
                    new_marks=total,
                    old_percentage=attempt.percentage,
                    new_percentage=percentage(total, attempt.max_marks),
                    old_passed=attempt.passed,
                    new_passed=is_passed(
                        total, attempt.max_marks, pass_mark, answers=attempt.answer_count
                    ),
                )
            )
    return _Plan(versions=new, marks=marks, changes=changes)


def _chosen_is(chosen: int | None) -> dict:
    return {"chosen__isnull": True} if chosen is None else {"chosen": chosen}


def regrade_plan(quiz: Quiz, *, among: QuerySet) -> list[RegradeChange]:
    """The dry run: the finished attempts in `among` whose marks today's key would change."""
    return _plan(quiz, among).changes


def marked_by_hand(quiz: Quiz, *, among: QuerySet) -> int:
    """How many finished answers at the quiz in `among` a teacher marked by hand: a regrade
    leaves their marks (and key) alone."""
    attempts = among.filter(quiz=quiz).submitted().values("pk")
    return Answer.objects.filter(attempt__in=attempts, overridden=True).count()


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
    plan = _plan(quiz, among)
    if not plan.versions:
        return []
    # Saved here, in the regrade's transaction; they reach the process's store of versions
    # only when read after it has committed (versions.py).
    saved = stored([v for v in plan.versions.values() if v.pk is None])
    new_id = {old: (v.pk or saved[v.fingerprint].pk) for old, v in plan.versions.items()}
    attempts = among.filter(quiz=quiz)
    finished = Answer.objects.filter(
        attempt__in=attempts.submitted().values("pk"), overridden=False
    )
    for (old, chosen), marks in plan.marks.items():
        finished.filter(version_id=old, **_chosen_is(chosen)).update(
            version_id=new_id[old], marks=marks
        )
    open_answers = Answer.objects.filter(attempt__in=attempts.in_progress().values("pk"))
    for old, new in new_id.items():
        open_answers.filter(version_id=old).update(version_id=new)
    for change in plan.changes:
        attempt = change.attempt
        attempt.marks, attempt.percentage = change.new_marks, change.new_percentage
        attempt.passed, attempt.regraded_at = change.new_passed, now
    Attempt.objects.bulk_update(
        [c.attempt for c in plan.changes], ["marks", "percentage", "passed", "regraded_at"]
    )
    if plan.changes:
        record = record or Regrade.objects.create(quiz=quiz, by=by, at=now)
        RegradedAttempt.objects.bulk_create(
            RegradedAttempt(
                regrade=record,
                attempt=change.attempt,
                marks_before=change.old_marks,
                marks_after=change.new_marks,
            )
            for change in plan.changes
        )
    return plan.changes
