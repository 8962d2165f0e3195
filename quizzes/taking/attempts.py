"""Writes that touch several models: starting, saving and finishing attempts."""

import enum
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from quizzes.course.content_cache import cached
from quizzes.course.fallbacks import current_language
from quizzes.course.versions import versions_by_id, versions_for
from quizzes.models import Answer, Attempt, Lesson, Question, Quiz
from quizzes.taking import timing
from quizzes.taking.dealing import deal
from quizzes.taking.overrides import Rules, quiz_rules, rules_for, rules_of_learners
from quizzes.taking.progress import (
    correctness_hidden,
    has_answered,
    latest_mistakes,
    unanswered_count,
)
from quizzes.taking.scoring import answer_marks, is_passed, percentage


class AttemptRefused(Exception):
    """The learner may not start or change this attempt; the message says why."""


def attempts_used(*, learner: AbstractBaseUser, quiz: Quiz) -> int:
    """How many finished attempts at the quiz count against the learner's allowance."""
    return Attempt.objects.submitted().graded().filter(learner=learner, quiz=quiz).count()


def start_refusal(
    *,
    learner: AbstractBaseUser,
    quiz: Quiz,
    now: datetime,
    rules: Rules | None = None,
    used: int | None = None,
) -> str | None:
    """Why the learner may not start a new attempt at the quiz now, or None if they may.

    `rules` are the settings with the learner's overrides (read when not given), `used` the
    attempts counted against them (counted when needed and not given).
    """
    if not quiz.is_shown:  # one in progress may be finished
        return _("This quiz is not open any more.")
    rules = rules or rules_for(learner=learner, quiz=quiz)
    if rules.opens_at and now < rules.opens_at:
        when = formats.date_format(timezone.localtime(rules.opens_at), "DATETIME_FORMAT")
        return _("This quiz opens on %(when)s.") % {"when": when}
    if rules.has_closed(now):
        when = formats.date_format(timezone.localtime(rules.closes_at), "DATETIME_FORMAT")
        return _("This quiz closed on %(when)s.") % {"when": when}
    if rules.attempts_allowed:
        if used is None:
            used = attempts_used(learner=learner, quiz=quiz)
        if used >= rules.attempts_allowed:
            return ngettext(
                "You have used the one attempt this quiz allows.",
                "You have used all %(count)d attempts this quiz allows.",
                rules.attempts_allowed,
            ) % {"count": rules.attempts_allowed}
    return None


def attempt_in_progress(*, learner: AbstractBaseUser, quiz: Quiz) -> Attempt | None:
    """The learner's unfinished attempt at the quiz, if they have one."""
    return Attempt.objects.open_for(learner, quiz)


def questions_dealt(quiz: Quiz) -> int:
    """How many questions an attempt at the quiz dealt now gets."""
    pool = _quiz_pool(quiz)
    draw = quiz.questions_per_attempt
    return min(draw, len(pool)) if draw else len(pool)


def attempt_start(*, learner: AbstractBaseUser, quiz: Quiz, preview: bool = False) -> Attempt:
    """Resume the learner's in-progress attempt at the quiz, or deal a new one.

    Dealing draws and orders the questions from a seed kept on the attempt and freezes each
    question as an unanswered Answer; the clock starts now. The learner's overrides set the
    time limit, dates and attempts. Raises AttemptRefused when the quiz is not open or the
    learner has no attempts left. A `preview` (a teacher trying the quiz) ignores dates and
    limits of attempts and counts nowhere.
    """
    attempt = attempt_in_progress(learner=learner, quiz=quiz)
    if attempt is not None:
        return attempt
    now = timezone.now()
    rules = quiz_rules(quiz) if preview else rules_for(learner=learner, quiz=quiz)
    refusal = None if preview else start_refusal(learner=learner, quiz=quiz, now=now, rules=rules)
    if refusal:
        raise AttemptRefused(refusal)

    pool = _quiz_pool(quiz)
    if not pool:
        raise AttemptRefused(_("This quiz has no questions yet. Come back later."))
    seed = secrets.randbelow(2**31)
    attempt = Attempt(
        learner=learner,
        quiz=quiz,
        quiz_title=quiz.title,
        language=current_language(),
        seed=seed,
        started_at=now,
        deadline=timing.deadline_for(now, rules.time_limit),
        # An override's close date, kept on the attempt so its page reads no override.
        closes_at=rules.closes_at if rules.closes_at != quiz.closes_at else None,
        preview=preview,
        paged=quiz.one_question_per_page,
    )
    hand = _dealt_answers(
        pool,
        seed=seed,
        draw=quiz.questions_per_attempt,
        shuffle_questions=quiz.shuffle_questions,
        shuffle_choices=quiz.shuffle_choices,
    )
    try:
        _save_dealt(attempt, hand)
    except IntegrityError:
        # Another request (a second tab, a double click) dealt it first: use that one.
        return Attempt.objects.in_progress().get(learner=learner, quiz=quiz)
    return attempt


def _quiz_pool(quiz: Quiz) -> list[tuple[int, int, int, bool]]:
    return cached(f"pool:{quiz.pk}", lambda: _pool(quiz.pool()))


def _pool(questions) -> list[tuple[int, int, int, bool]]:
    """(question id, its current version's id, how many choices it has, whether they keep
    their order) for each question.

    Kept per quiz and content version (content_cache.py): dealing then reads nothing but this.
    """
    questions = list(questions.prefetch_related("choices__misconception"))
    versions = versions_for(questions)
    return [
        (
            q.id,
            versions[q.id].pk,
            len(versions[q.id].choices),
            versions[q.id].kind == Question.Kind.TRUE_FALSE,
        )
        for q in questions
    ]


def _dealt_answers(pool: Sequence[tuple], *, seed: int, **settings) -> list[Answer]:
    """Unsaved answers for the pool's questions, drawn and ordered by `seed`."""
    version_of = {qid: version_id for qid, version_id, *_rest in pool}
    choices = {qid: range(count) for qid, _version_id, count, _kept in pool}
    keep_order = {qid for qid, *_rest, kept in pool if kept}
    hand = deal(
        [qid for qid, *_rest in pool], choices, seed=seed, keep_order=keep_order, **settings
    )
    return [
        Answer(
            question_id=qid,
            version_id=version_of[qid],
            position=position,
            dealt=",".join(str(index) for index in dealt),
        )
        for position, (qid, dealt) in enumerate(hand, start=1)
    ]


@transaction.atomic
def _save_dealt(attempt: Attempt, answers: Sequence[Answer]) -> None:
    attempt.save()
    for answer in answers:
        answer.attempt = attempt
    Answer.objects.deal(answers)


def practice_start(*, learner: AbstractBaseUser, lesson: Lesson | None) -> Attempt:
    """A practice round of the questions the learner last got wrong (in a lesson, or all).

    Practice rounds never count toward grades. A learner has one at a time: starting a new
    one discards an unfinished one. Raises AttemptRefused when there is nothing to practise.
    """
    now = timezone.now()
    mistakes = latest_mistakes(learner, now, lesson)
    if not mistakes:
        raise AttemptRefused(_nothing_to_practise(learner, now, lesson))
    order = {qid: n for n, qid in enumerate(mistakes)}
    pool = sorted(_pool(Question.objects.filter(id__in=mistakes)), key=lambda q: order[q[0]])
    seed = secrets.randbelow(2**31)
    title = (
        _("Practice: my mistakes in “%(lesson)s”") % {"lesson": lesson.title}
        if lesson
        else _("Practice: my mistakes in every lesson")
    )
    attempt = Attempt(
        learner=learner,
        practice=True,
        lesson=lesson,
        quiz_title=title[:200],
        language=current_language(),
        seed=seed,
        started_at=now,
    )
    hand = _dealt_answers(pool, seed=seed, shuffle_choices=True)
    try:
        with transaction.atomic():
            Attempt.objects.in_progress().filter(learner=learner, practice=True).delete()
            _save_dealt(attempt, hand)
    except IntegrityError:
        # A second click started one at the same moment: use that one.
        return Attempt.objects.in_progress().get(learner=learner, practice=True)
    return attempt


# Why there is nothing to practise, where a quiz shows its right answers later: said by a
# refused practice round and where the practice form would be (My results, Progress).
ANSWERS_SHOWN_LATER = gettext_lazy(
    "Nothing to practise yet: your teacher shows which of your answers were right "
    "later (after the quiz closes, say), and only then can you practise them."
)


def _nothing_to_practise(learner: AbstractBaseUser, now: datetime, lesson: Lesson | None) -> str:
    """Why a practice round has nothing in it, saying only what is true: a question the
    learner never answered (say, one the final quiz drew) was not "right"."""
    unanswered = unanswered_count(learner, now, lesson)
    if not has_answered(learner, now, lesson):
        if correctness_hidden(learner, now, lesson):
            return str(ANSWERS_SHOWN_LATER)
        return _("Nothing to practise yet: take the quiz first, then practise what you got wrong.")
    if unanswered:
        return ngettext(
            "Nothing to practise yet: the questions you have answered there were right, and "
            "%(count)d question you have not answered. Take the quiz first.",
            "Nothing to practise yet: the questions you have answered there were right, and "
            "%(count)d questions you have not answered. Take the quiz first.",
            unanswered,
        ) % {"count": unanswered}
    return _("Nothing to practise: your latest answer to every question there was right.")


def _apply(answers: Sequence[Answer], selections: Mapping[int, Sequence[int]]) -> list[Answer]:
    """Set the chosen choices on the answers named in `selections`; return those changed."""
    changed = []
    for answer in answers:
        if answer.question_key in selections:
            chosen = set(selections[answer.question_key])
            if chosen != set(answer.selected or ()):
                answer.selected = chosen
                changed.append(answer)
    return changed


def answers_of(attempt: Attempt) -> list[Answer]:
    """The attempt's answers in the order they were dealt, with their versions at hand."""
    answers = Answer.objects.of(attempt)
    versions_by_id(answer.version_id for answer in answers)
    return answers


def _lock_open_attempt(attempt: Attempt) -> None:
    """Lock the attempt's row until the transaction ends; refuse if it is already finished."""
    if not Attempt.objects.lock_open(attempt.pk):
        raise AttemptRefused(_("This attempt is already finished; its answers cannot change."))


@transaction.atomic
def answer_save(*, attempt: Attempt, selections: Mapping[int, Sequence[int]]) -> int:
    """Save the learner's choices (by question id) without finishing; return how many changed.

    An empty list clears an answer. Raises AttemptRefused once the attempt is finished.
    """
    _lock_open_attempt(attempt)
    changed = _apply(answers_of(attempt), selections)
    Answer.objects.write(changed, ["chosen"])
    return len(changed)


@transaction.atomic
def attempt_finish(
    *,
    attempt: Attempt,
    selections: Mapping[int, Sequence[int]] | None = None,
    at: datetime | None = None,
) -> bool:
    """Save any last choices, mark every answer by its version, and finish the attempt once.

    `at` is the finishing time to record (default: now; the deadline for an attempt whose
    time ran out). Returns False, changing nothing, when the attempt had already been
    finished (a double click, a replayed form or a racing request).
    """
    try:
        # Lock first, then read: a save or a regrade racing this finish waits for it (or
        # it for them), so the marks are computed from the answers and key that are stored.
        _lock_open_attempt(attempt)
    except AttemptRefused:
        return False
    answers = answers_of(attempt)
    _apply(answers, selections or {})
    total = maximum = 0
    for answer in answers:
        answer.marks = answer_marks(answer.snapshot, answer.selected)
        total += answer.marks
        maximum += answer.max_marks
    percent = percentage(total, maximum)
    pass_mark = attempt.quiz.pass_mark if attempt.quiz_id else None
    finished = {
        # Never before the start: a close date moved back in time cannot break the record.
        "submitted_at": max(at or timezone.now(), attempt.started_at),
        "marks": total,
        "max_marks": maximum,
        "percentage": percent,
        "passed": pass_mark is not None
        and is_passed(total, maximum, pass_mark, answers=len(answers)),
        "pass_mark": pass_mark,
    }
    if not Attempt.objects.finish(attempt.pk, **finished):
        return False
    Answer.objects.write(answers, ["chosen", "marks"])
    for field, value in finished.items():
        setattr(attempt, field, value)
    return True


class Outcome(enum.Enum):
    """What became of answers a learner sent."""

    SAVED = "saved"
    FINISHED = "finished"
    FINISHED_AT_TIME_UP = "time-up"  # sent as time ran out: accepted, then finished
    REFUSED_TOO_LATE = "too-late"  # sent after the grace: dropped, saved answers finished
    ALREADY_FINISHED = "already-finished"


def answers_submit(
    *,
    attempt: Attempt,
    selections: Mapping[int, Sequence[int]],
    finish: bool,
    now: datetime | None = None,
) -> Outcome:
    """Save or finish with the learner's choices, with the server's clock as the judge.

    Choices that arrive after the deadline and its grace period are refused, and the attempt is
    finished with what was saved before. Choices sent as time runs out are accepted and the
    attempt finished, whatever button was pressed.
    """
    now = now or timezone.now()
    end = attempt.ends_at
    if timing.too_late(end, now):
        finished = attempt_finish(attempt=attempt, at=end)
        return Outcome.REFUSED_TOO_LATE if finished else Outcome.ALREADY_FINISHED
    if timing.time_is_up(end, now):
        finished = attempt_finish(attempt=attempt, selections=selections, at=end)
        return Outcome.FINISHED_AT_TIME_UP if finished else Outcome.ALREADY_FINISHED
    if finish:
        finished = attempt_finish(attempt=attempt, selections=selections, at=now)
        return Outcome.FINISHED if finished else Outcome.ALREADY_FINISHED
    try:
        answer_save(attempt=attempt, selections=selections)
    except AttemptRefused:
        return Outcome.ALREADY_FINISHED
    return Outcome.SAVED


def attempts_follow_rules(quiz: Quiz, learner_ids=None, now: datetime | None = None) -> int:
    """Give the attempts at `quiz` in progress (of `learner_ids`, or everyone's) the time
    limit and close date their learners' settings now give, as a Start now would; return how
    many learners' attempts changed (a teacher's preview follows too, uncounted: the teacher
    who changed the quiz was told "it reaches 1 attempt in progress" of their own).

    Called when a teacher saves or removes an override or changes the quiz's timing, so extra
    time given during a lesson reaches the learners already answering (Moodle's
    quiz_update_open_attempts). The limit still counts from each attempt's start. A shorter
    limit never ends an attempt in the past: one whose new end has gone by ends now, so the
    answers it saved until now count and the learner's next request (or the grace's end)
    finishes it.
    """
    now = now or timezone.now()
    running = Attempt.objects.in_progress().filter(quiz=quiz)
    if learner_ids is not None:
        running = running.filter(learner_id__in=list(learner_ids))
    running = list(
        running.only("pk", "learner_id", "started_at", "deadline", "closes_at", "preview")
    )
    rules = rules_of_learners(quiz, {a.learner_id for a in running if not a.preview})
    changed = 0
    for attempt in running:
        own = quiz_rules(quiz) if attempt.preview else rules[attempt.learner_id]
        deadline = timing.deadline_for(attempt.started_at, own.time_limit)
        closes_at = own.closes_at if own.closes_at != quiz.closes_at else None
        if deadline is not None and deadline < now:
            # Not before the old limit's end, nor before now if that was still ahead.
            deadline = max(deadline, min(attempt.deadline or now, now))
        if (deadline, closes_at) != (attempt.deadline, attempt.closes_at):
            updated = (
                Attempt.objects.in_progress()
                .filter(pk=attempt.pk)
                .update(deadline=deadline, closes_at=closes_at)
            )
            changed += 0 if attempt.preview else updated
    return changed


def moved_message(moved: int) -> str:
    """What `attempts_follow_rules` did, for the teacher who made the change ("" for none)."""
    if not moved:
        return ""
    return ngettext(
        "It also reaches %(count)s attempt in progress: its time left is updated (one "
        "whose new time has already run out ends now, with the answers it saved).",
        "It also reaches %(count)s attempts in progress: their time left is updated (any "
        "whose new time has already run out ends now, with the answers it saved).",
        moved,
    ) % {"count": moved}


def overdue(attempts: QuerySet, now: datetime, *, grace: bool = True) -> QuerySet:
    """The in-progress attempts among `attempts` whose time or quiz has run out by `now`.

    With `grace`, only those past the grace period too: an answer sent as time ran out may
    still be on its way, and finishing before it lands would drop it.
    """
    cutoff = now - timing.GRACE if grace else now
    return attempts.in_progress().filter(
        Q(deadline__lte=cutoff)
        | Q(closes_at__lte=cutoff)
        | Q(closes_at__isnull=True, quiz__closes_at__lte=cutoff, preview=False)
    )


def overdue_finish(attempts: QuerySet, now: datetime | None = None, *, grace: bool = True) -> int:
    """Finish, with their saved answers, the attempts that ran out of time; return how many.

    Called wherever attempts are read (the learner's pages, the teacher's results, a cron
    command), so an attempt left open past its deadline is finished when anyone next looks.
    """
    now = now or timezone.now()
    count = 0
    for attempt in overdue(attempts, now, grace=grace).select_related("quiz"):
        count += attempt_finish(attempt=attempt, at=attempt.ends_at)
    return count
