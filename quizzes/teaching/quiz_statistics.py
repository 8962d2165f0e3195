"""Stored item statistics, as Moodle keeps them: computed once, shown with when and from how
many attempts, and recomputed when stale.

The attempts × questions matrix is the one thing a teacher's page cannot aggregate in SQL, so
`dashboard.item_statistics` runs here and its result is kept in `QuizStatistics`, one row per
quiz and scope. Figures are stale when the attempts counted changed (a new one, one fewer, a
regrade) or when they are older than `STATISTICS_MAX_AGE`. Stale figures are recomputed in the
request up to `STATISTICS_INLINE_LIMIT` attempts, and otherwise by the task
`compute_quiz_statistics` while the page shows the stored figures marked as being recomputed.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone
from django_tasks import task

from quizzes.models import Attempt, Classroom, Membership, Quiz, QuizStatistics
from quizzes.teaching.dashboard import item_statistics
from quizzes.teaching.forms import AttemptFilterForm, submitted_between

logger = logging.getLogger(__name__)
Status = QuizStatistics.Status


@dataclass(frozen=True)
class Scope:
    """Whose attempts the figures cover: learners of these classes (None: every learner)."""

    classes: tuple[int, ...] | None
    date_from: date | None
    date_to: date | None

    @classmethod
    def of(cls, user: AbstractBaseUser, form: AttemptFilterForm) -> "Scope":
        """The scope of a teacher's filtered view: the chosen class, or all of theirs."""
        data = form.cleaned_data
        if data.get("classroom"):
            classes: tuple[int, ...] | None = (data["classroom"].pk,)
        elif user.is_superuser:
            classes = None
        else:
            classes = tuple(sorted(Classroom.objects.taught_by(user).values_list("pk", flat=True)))
        return cls(classes, data.get("date_from"), data.get("date_to"))

    @classmethod
    def of_row(cls, row: QuizStatistics) -> "Scope":
        classes = tuple(row.classes) if row.classes is not None else None
        return cls(classes, row.date_from, row.date_to)

    @property
    def key(self) -> str:
        """A short name of the scope, the same for every teacher who sees these attempts."""
        text = json.dumps([self.classes, self.date_from, self.date_to], default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def attempts(self, quiz: Quiz) -> QuerySet:
        """The finished attempts at the quiz the scope covers."""
        attempts = Attempt.objects.graded().submitted().filter(quiz=quiz)
        if self.classes is not None:
            members = Membership.objects.filter(classroom__in=self.classes).values("learner_id")
            attempts = attempts.filter(learner__in=members)
        return submitted_between(attempts, self.date_from, self.date_to)


def counted(attempts: QuerySet) -> dict:
    """What the figures depend on: how many attempts, the newest, which ones (the sums of
    their ids and their learners' ids: a learner who left a class and one who joined it keep
    the count and the newest the same), the latest regrade and the latest mark a teacher
    changed by hand."""
    return attempts.aggregate(
        attempts=Count("id"),
        newest_attempt_id=Max("id"),
        attempt_id_sum=Sum("id"),
        learner_id_sum=Sum("learner_id"),
        last_regraded_at=Max("regraded_at"),
        last_overridden_at=Max("overridden_at"),
    )


def is_fresh(row: QuizStatistics, now_counted: dict, now: datetime) -> bool:
    """Whether the stored figures still describe the attempts and are young enough."""
    return (
        row.status == Status.DONE
        and row.computed_at is not None
        and all(getattr(row, name) == value for name, value in now_counted.items())
        and row.computed_at >= now - settings.STATISTICS_MAX_AGE
    )


def statistics_compute(row: QuizStatistics, now_counted: dict | None = None) -> bool:
    """Compute and store one row's figures; on an error store it as failed with the message.

    `now_counted` is `counted()` of the row's attempts when the caller has it. Running it
    twice stores the same figures. Returns whether it worked; `row` is updated either way.
    """
    try:
        attempts = Scope.of_row(row).attempts(row.quiz)
        fields = {
            **(now_counted or counted(attempts)),
            "result": item_statistics(row.quiz, attempts),
            "status": Status.DONE,
            "error": "",
            "computed_at": timezone.now(),
        }
    except Exception as error:
        logger.exception("Item statistics %s failed", row.pk)
        fields = {"status": Status.FAILED, "error": str(error) or type(error).__name__}
    QuizStatistics.objects.filter(pk=row.pk).update(**fields)
    for name, value in fields.items():
        setattr(row, name, value)
    return row.status == Status.DONE


class StatisticsFailed(Exception):
    """The computation failed; its message is stored on the statistics row."""


@task()
def compute_quiz_statistics(statistics_id: int) -> None:
    """The background task: compute one quiz's stored item statistics."""
    row = QuizStatistics.objects.select_related("quiz").get(pk=statistics_id)
    if not statistics_compute(row):
        raise StatisticsFailed(row.error)


def _recompute(row: QuizStatistics, now_counted: dict, now: datetime, *, claim: Q) -> None:
    """Recompute now (few attempts) or by the task (many), if this caller claims the row."""
    claimed = (
        QuizStatistics.objects.filter(claim, pk=row.pk)
        .exclude(status=Status.COMPUTING, requested_at__gt=now - settings.STATISTICS_MAX_AGE)
        .update(status=Status.COMPUTING, requested_at=now)
    )
    if claimed and now_counted["attempts"] <= settings.STATISTICS_INLINE_LIMIT:
        statistics_compute(row, now_counted)
        return
    if claimed:
        compute_quiz_statistics.enqueue(row.pk)
    row.refresh_from_db()


def _row(user: AbstractBaseUser, quiz: Quiz, form: AttemptFilterForm) -> tuple:
    scope = Scope.of(user, form)
    row, _created = QuizStatistics.objects.get_or_create(
        quiz=quiz,
        scope=scope.key,
        defaults={
            "classes": list(scope.classes) if scope.classes is not None else None,
            "date_from": scope.date_from,
            "date_to": scope.date_to,
            "status": Status.DONE,  # nothing computed yet: stale, so claimed below
        },
    )
    row.quiz = quiz  # no query to read it again
    return row, counted(scope.attempts(quiz))


def statistics_for(user: AbstractBaseUser, quiz: Quiz, form: AttemptFilterForm) -> QuizStatistics:
    """The stored figures for a teacher's view of a quiz, recomputed first when stale and few.

    Many stale attempts: a task recomputes them, and the stored figures (if any) come back
    marked as being computed. Failed figures stay failed until the teacher retries.
    """
    now = timezone.now()
    row, now_counted = _row(user, quiz, form)
    if row.status == Status.FAILED or is_fresh(row, now_counted, now):
        return row
    _recompute(row, now_counted, now, claim=~Q(status=Status.FAILED))
    return row


def statistics_recompute(
    user: AbstractBaseUser, quiz: Quiz, form: AttemptFilterForm
) -> QuizStatistics:
    """The Recompute (or Retry) button: compute the view's figures again, whatever their age."""
    row, now_counted = _row(user, quiz, form)
    _recompute(row, now_counted, timezone.now(), claim=Q())
    return row
