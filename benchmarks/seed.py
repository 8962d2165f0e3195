"""Realistic benchmark data: the course, learners in one class, and finished attempts in bulk.

Runs inside a configured Django (see run.py). Attempts are dealt and marked by the same code
the site uses (`_dealt_answers`, `QuestionVersion.marks_for`), then written with bulk_create.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from quizzes.course.versions import version_by_id
from quizzes.models import Answer, Attempt, Classroom, Lesson, Membership, Quiz
from quizzes.taking.attempts import _dealt_answers, _pool
from quizzes.taking.scoring import is_passed, percentage

BENCH_QUIZ = "article-4-consultation"
# The classroom spike's quiz: the course's final quiz, 20 questions drawn per learner.
SPIKE_QUIZ = "final-quiz"
# An unusable password: benchmark learners get sessions directly, never sign in.
PASSWORD_HASH = "!bench"  # noqa: S105


def ensure_course():
    if not Lesson.objects.exists():
        call_command("load_course", verbosity=0)


def ensure_learners(prefix: str, count: int) -> list[User]:
    existing = User.objects.filter(username__startswith=prefix).count()
    if existing < count:
        User.objects.bulk_create(
            User(username=f"{prefix}{n:05d}", password=PASSWORD_HASH, first_name="Learner")
            for n in range(existing, count)
        )
    return list(User.objects.filter(username__startswith=prefix).order_by("username")[:count])


def ensure_teacher() -> User:
    teacher = User.objects.filter(username="bench-teacher").first()
    if teacher is None:
        teacher = User.objects.create_superuser("bench-teacher", "t@example.org", None)
    return teacher


def seed_attempts(total: int, learners: list[User], batch: int = 2000) -> int:
    """Add finished attempts at the bench quiz until there are `total`; return how many added."""
    quiz = Quiz.objects.get(slug=BENCH_QUIZ)
    pool = _pool(quiz.pool())
    have = Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False).count()
    rng = random.Random(have)
    now = timezone.now()
    added = 0
    while have + added < total:
        size = min(batch, total - have - added)
        with transaction.atomic():
            attempts, answer_sets = [], []
            for n in range(size):
                learner = learners[(have + added + n) % len(learners)]
                seed = rng.randrange(2**31)
                answers = _dealt_answers(pool, seed=seed, shuffle_choices=quiz.shuffle_choices)
                skill = 0.3 + 0.6 * rng.random()
                marks = maximum = Decimal(0)
                for answer in answers:
                    version = version_by_id(answer.version_id)
                    right = [c["id"] for c in version.choices if c["is_correct"]]
                    wrong = [c["id"] for c in version.choices if not c["is_correct"]]
                    answer.selected = right if rng.random() < skill else wrong[:1]
                    answer.marks = version.marks_for(answer.chosen)
                    marks += answer.marks
                    maximum += answer.max_marks
                started = now - timedelta(days=rng.randrange(60), minutes=rng.randrange(600))
                attempts.append(
                    Attempt(
                        learner=learner,
                        quiz=quiz,
                        quiz_title=quiz.title,
                        seed=seed,
                        started_at=started,
                        submitted_at=started + timedelta(minutes=3 + rng.randrange(20)),
                        marks=marks,
                        max_marks=maximum,
                        percentage=percentage(marks, maximum),
                        pass_mark=quiz.pass_mark,
                        passed=is_passed(marks, maximum, quiz.pass_mark, answers=len(answers)),
                    )
                )
                answer_sets.append(answers)
            Attempt.objects.bulk_create(attempts)
            for attempt, answers in zip(attempts, answer_sets, strict=True):
                for answer in answers:
                    answer.attempt = attempt
            Answer.objects.bulk_create(
                [a for answers in answer_sets for a in answers], batch_size=5000
            )
        added += size
    return added


def ensure_class(teacher: User, learners: list[User]) -> Classroom:
    classroom, _ = Classroom.objects.get_or_create(name="Bench class", teacher=teacher)
    have = set(Membership.objects.filter(classroom=classroom).values_list("learner_id", flat=True))
    Membership.objects.bulk_create(
        Membership(classroom=classroom, learner=learner)
        for learner in learners
        if learner.pk not in have
    )
    return classroom


def ensure_quiz_copy(slug: str, suffix: str, title: str, **settings) -> Quiz:
    """A published copy of the quiz `slug` with `settings` changed (once; reused afterwards).

    The copy has no questions of its own: it draws from the original and whatever the original
    draws from, so its pool is the original's, and attempts at it leave the original's alone.
    """
    copy = Quiz.objects.filter(slug=f"{slug}-{suffix}").first()
    if copy is not None:
        return copy
    original = Quiz.objects.get(slug=slug)
    sources = [original, *original.draws_from.all()]
    copy = Quiz.objects.get(pk=original.pk)
    copy.pk = copy.id = None
    copy._state.adding = True
    copy.slug = f"{slug}-{suffix}"
    for code, _name in django_settings.LANGUAGES:  # each language's title, where it has one
        if getattr(original, f"title_{code}"):
            setattr(copy, f"title_{code}", f"{getattr(original, f'title_{code}')} ({title})")
    for field, value in settings.items():
        setattr(copy, field, value)
    with transaction.atomic():
        copy.save()
        copy.draws_from.set(sources)
    return copy


def ensure_paged_quiz(slug: str = BENCH_QUIZ) -> Quiz:
    """A copy of the quiz shown one question per page."""
    return ensure_quiz_copy(slug, "paged", "one question per page", one_question_per_page=True)


def ensure_timed_quiz(slug: str = BENCH_QUIZ, minutes: int = 30) -> Quiz:
    """A copy of the quiz with a time limit, so its page shows a countdown."""
    return ensure_quiz_copy(slug, "timed", f"{minutes} minutes", time_limit=minutes)
