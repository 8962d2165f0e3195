"""The settings a learner's attempts follow: the quiz's own, changed by overrides for the learner
or their classes (Moodle's user and group overrides: extra time, attempts, other dates)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q

from quizzes.course.content_cache import cached
from quizzes.models import Membership, Override, Quiz


@dataclass(frozen=True)
class Rules:
    """What a learner's attempts at a quiz are held to."""

    time_limit: int | None  # minutes; None: no limit
    attempts_allowed: int  # 0: unlimited
    opens_at: datetime | None
    closes_at: datetime | None
    overridden: bool = False  # whether an override changed any of them

    def has_closed(self, now: datetime) -> bool:
        return self.closes_at is not None and now >= self.closes_at


def quiz_rules(quiz: Quiz) -> Rules:
    """The quiz's own settings, for a learner no override applies to."""
    return Rules(quiz.time_limit, quiz.attempts_allowed, quiz.opens_at, quiz.closes_at)


def most_generous(quiz: Rules, overrides: Iterable) -> Rules:
    """Each setting that some override sets becomes the most generous value they set (the
    longest time, most attempts with 0 as unlimited, earliest opening, latest close); the
    others stay the quiz's. Pure: `overrides` are anything with the four attributes."""
    overrides = list(overrides)
    if not overrides:
        return quiz

    def given(name):
        return [value for o in overrides if (value := getattr(o, name)) is not None]

    limits, attempts = given("time_limit"), given("attempts_allowed")
    opens, closes = given("opens_at"), given("closes_at")
    return Rules(
        time_limit=max(limits) if limits else quiz.time_limit,
        attempts_allowed=(0 if 0 in attempts else max(attempts))
        if attempts
        else quiz.attempts_allowed,
        opens_at=min(opens) if opens else quiz.opens_at,
        closes_at=max(closes) if closes else quiz.closes_at,
        overridden=True,
    )


def rules_for(*, learner: AbstractBaseUser, quiz: Quiz) -> Rules:
    """The settings the learner's attempts at the quiz follow.

    One query when the quiz has overrides; none when it has none, which is most quizzes most
    of the time: which quizzes have any is kept with the course content (content_cache.py), so
    an override saved or deleted in any process counts at once.
    """
    if quiz.pk not in _quizzes_with_overrides():
        return quiz_rules(quiz)
    return most_generous(quiz_rules(quiz), Override.objects.applying_to(learner, quiz).distinct())


def closes_for(learner: AbstractBaseUser | int) -> dict[int, datetime]:
    """The close date of each quiz whose close an override moved for the learner, by quiz id
    (the latest an override for them or their classes gives, as `rules_for` has it).

    What "after the quiz closes" means for their review: the quiz's own close has no say on
    a quiz they may still answer. No query unless some override sets a close date.
    """
    if not _quizzes_with_moved_closes():
        return {}
    closes: dict[int, datetime] = {}
    moved = Override.objects.filter(closes_at__isnull=False).filter(
        Q(learner=learner) | Q(classroom__memberships__learner=learner)
    )
    for quiz_id, closes_at in moved.values_list("quiz_id", "closes_at"):
        closes[quiz_id] = max(closes_at, closes.get(quiz_id, closes_at))
    return closes


def _quizzes_with_moved_closes() -> frozenset[int]:
    return cached(
        "quizzes-with-moved-closes",
        lambda: frozenset(
            Override.objects.filter(closes_at__isnull=False)
            .order_by()
            .values_list("quiz_id", flat=True)
            .distinct()
        ),
    )


def _quizzes_with_overrides() -> frozenset[int]:
    return cached(
        "quizzes-with-overrides",
        lambda: frozenset(Override.objects.order_by().values_list("quiz_id", flat=True).distinct()),
    )


def rules_of_learners(quiz: Quiz, learner_ids: Iterable[int]) -> dict[int, Rules]:
    """`rules_for` of each learner, in two queries whatever their number, read from the
    database rather than the per-request content cache: the caller has just changed an
    override or the quiz, which that cache sees only from the next request."""
    learner_ids = set(learner_ids)
    overrides = list(Override.objects.filter(quiz=quiz))
    members: dict[int, set[int]] = {}
    class_ids = {o.classroom_id for o in overrides if o.classroom_id is not None}
    if class_ids and learner_ids:
        for classroom_id, learner_id in Membership.objects.filter(
            classroom_id__in=class_ids, learner_id__in=learner_ids
        ).values_list("classroom_id", "learner_id"):
            members.setdefault(learner_id, set()).add(classroom_id)
    own = quiz_rules(quiz)
    return {
        learner_id: most_generous(
            own,
            (
                o
                for o in overrides
                if o.learner_id == learner_id or o.classroom_id in members.get(learner_id, ())
            ),
        )
        for learner_id in learner_ids
    }
