"""A learner's progress: best grade and questions mastered per lesson, and their latest mistakes.

Only what the quizzes' review options let the learner see counts here, so neither the progress
page nor a practice round reveals a mark or a right answer that a teacher chose to hide.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Max, Q, QuerySet

from quizzes.models import Answer, Attempt, Lesson, Question, Quiz
from quizzes.taking.overrides import closes_for
from quizzes.taking.review import PARTS, review_for, visible


@dataclass(frozen=True)
class LessonProgress:
    lesson: Lesson
    best: Decimal | None  # best percentage on the lesson's quizzes; None: not attempted
    mastered: int  # questions answered fully right at least once
    questions: int
    mistakes: int = 0  # questions whose latest answer was not fully right: a practice round's
    hidden: bool = False  # finished attempts there whose right answers are not shown yet
    gathers: bool = False  # a quiz there draws its questions from other lessons' (a review)

    @property
    def mastered_percent(self) -> int:
        return round(100 * self.mastered / self.questions) if self.questions else 0


def live_questions(lesson: Lesson | None = None) -> QuerySet:
    """The questions of published quizzes in published lessons (one lesson, or all).

    A lesson's are its quizzes' own and those its quizzes draw from: a final review's quiz
    has none of its own, and its mistakes are in the lessons it draws from.
    """
    questions = Question.objects.filter(
        quiz__is_published=True, quiz__lesson__is_published=True
    ).order_by("quiz__lesson__order", "quiz__order", "quiz_id", "order", "id")
    if lesson is None:
        return questions
    quizzes = Quiz.objects.filter(Q(lesson=lesson) | Q(drawn_into__lesson=lesson))
    return questions.filter(quiz__in=quizzes.values("id"))


def _answers(learner, now: datetime, questions: QuerySet, closes: dict | None = None) -> QuerySet:
    """The learner's finished answers to `questions` whose rightness they may see."""
    return Answer.objects.filter(
        attempt__learner=learner,
        attempt__submitted_at__isnull=False,
        attempt__preview=False,
        question__in=questions,
    ).filter(
        visible(
            "correctness",
            now,
            prefix="attempt__quiz__",
            closes=closes_for(learner) if closes is None else closes,
        )
    )


def _full_marks(marks: Decimal, maximum: Decimal) -> bool:
    return marks >= maximum


def correctness_hidden(
    learner, now: datetime, lesson: Lesson | None = None, *, closes: dict | None = None
) -> set[int]:
    """The lessons (of `lesson`, or all) where the learner has finished attempts whose right
    answers their quiz does not show yet: the progress page cannot count those answers, and
    says why instead of "0 right" or "no mistakes"."""
    closes = closes_for(learner) if closes is None else closes
    attempts = Attempt.objects.submitted().graded().filter(learner=learner)
    if lesson is not None:
        attempts = attempts.filter(quiz__lesson=lesson)
    hidden = attempts.exclude(visible("correctness", now, closes=closes)).order_by()
    return set(hidden.values_list("quiz__lesson", flat=True).distinct())


def has_answered(learner, now: datetime, lesson: Lesson | None = None) -> bool:
    """Whether the learner has finished answers there whose rightness they may see."""
    return _answers(learner, now, live_questions(lesson)).exists()


def unanswered_count(learner, now: datetime, lesson: Lesson | None = None) -> int:
    """How many live questions there the learner has no finished answer to that they may see."""
    questions = live_questions(lesson)
    answered = _answers(learner, now, questions).values("question_id").distinct().count()
    return questions.count() - answered


def latest_mistakes(
    learner, now: datetime, lesson: Lesson | None = None, *, closes: dict | None = None
) -> list[int]:
    """Ids of the questions whose latest answer by the learner was not fully right, in order.

    Only answers whose attempt shows the whole review count: a practice round shows marks,
    right answers, feedback and explanations, so it must not draw from an attempt that hides any.
    """
    questions = live_questions(lesson)
    latest = {}
    closes = closes_for(learner) if closes is None else closes  # read once, used twice
    fully_reviewable = [
        visible(part, now, prefix="attempt__quiz__", closes=closes) for part in PARTS
    ]
    rows = (
        _answers(learner, now, questions, closes)
        .filter(*fully_reviewable)
        .order_by("question_id", "-attempt__submitted_at", "-attempt_id")
        .values_list("question_id", "marks", "version__marks")
    )
    for question_id, marks, maximum in rows:
        latest.setdefault(question_id, _full_marks(marks, maximum))
    wrong = {question_id for question_id, right in latest.items() if not right}
    return [qid for qid in questions.values_list("id", flat=True) if qid in wrong]


def lesson_progress(learner, now: datetime) -> list[LessonProgress]:
    """Per published lesson: best grade, and questions answered fully right at least once."""
    lessons = list(Lesson.objects.published())
    questions = live_questions()
    totals = defaultdict(int)
    lesson_of = {}
    for question_id, lesson_id in questions.values_list("id", "quiz__lesson_id"):
        totals[lesson_id] += 1
        lesson_of[question_id] = lesson_id
    mastered = defaultdict(set)
    closes = closes_for(learner)  # once for the page's three reads
    rows = _answers(learner, now, questions, closes).filter(marks__gt=0)
    for question_id, marks, maximum in rows.values_list("question_id", "marks", "version__marks"):
        if _full_marks(marks, maximum):
            mastered[lesson_of[question_id]].add(question_id)
    best = dict(
        Attempt.objects.submitted()
        .graded()
        .filter(learner=learner)
        .filter(visible("marks", now, closes=closes))
        .order_by()
        .values("quiz__lesson")
        .annotate(best=Max("percentage"))
        .values_list("quiz__lesson", "best")
    )
    mistakes = _by_lesson(latest_mistakes(learner, now, closes=closes), lesson_of)
    hidden = correctness_hidden(learner, now, closes=closes)
    gathering = set(
        Quiz.objects.published()
        .filter(draws_from__isnull=False)
        .values_list("lesson_id", flat=True)
        .distinct()
    )
    return [
        LessonProgress(
            lesson=lesson,
            best=best.get(lesson.id),
            mastered=len(mastered[lesson.id]),
            questions=totals[lesson.id],
            mistakes=mistakes[lesson.id],
            hidden=lesson.id in hidden,
            gathers=lesson.id in gathering,
        )
        for lesson in lessons
    ]


def mistakes_by_lesson(learner, now: datetime) -> Counter:
    """How many questions of each lesson the learner's latest answer got wrong."""
    lesson_of = dict(live_questions().values_list("id", "quiz__lesson_id"))
    return _by_lesson(latest_mistakes(learner, now), lesson_of)


def _by_lesson(question_ids: list[int], lesson_of: dict[int, int]) -> Counter:
    return Counter(lesson_of[question_id] for question_id in question_ids)


def best_by_lesson(
    learner_id: int, quizzes: dict, now: datetime
) -> tuple[dict[int, Decimal | float], set[int]]:
    """The learner's best grade per lesson, over the quizzes whose marks they may see at `now`,
    and the lessons where they have an attempt in progress.

    `quizzes` maps quiz id to quiz (the content cache's copy); the review options are applied
    to the few rows in Python rather than as a filter.
    """
    best: dict[int, Decimal | float] = {}
    in_progress = set()
    closes = closes_for(learner_id)
    for quiz_id, percent, started in Attempt.objects.best_by_quiz(learner_id):
        quiz = quizzes.get(quiz_id)
        if quiz is None:
            continue
        if started:
            in_progress.add(quiz.lesson_id)
        if percent is None or not review_for(quiz, now, closes).marks:
            continue
        if best.get(quiz.lesson_id) is None or percent > best[quiz.lesson_id]:
            best[quiz.lesson_id] = percent
    return best, in_progress
