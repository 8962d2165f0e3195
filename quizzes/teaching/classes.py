"""Classes: joining with a code, running a class, and which results a teacher may see."""

import re
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from quizzes.course.alphabet import sort_key
from quizzes.course.fallbacks import current_language
from quizzes.models import Attempt, Classroom, Membership, Override, Quiz, new_join_code
from quizzes.taking.attempts import attempts_follow_rules

CODE_SHAPE = re.compile(r"[A-Z0-9]{1,16}")


# What a learner may type between a code's characters: the class page shows the code spaced
# out to read aloud, and people write it with hyphens or in groups.
CODE_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]+")


def by_code(code: str) -> Classroom | None:
    """The class with this join code (any case; spaces and hyphens ignored), or None."""
    code = CODE_SEPARATORS.sub("", code).upper()
    if not CODE_SHAPE.fullmatch(code):  # never send junk (a NUL byte, say) to the database
        return None
    return Classroom.objects.filter(join_code=code).select_related("teacher").first()


def join(*, learner: AbstractBaseUser, code: str) -> tuple[Classroom | None, bool]:
    """Add the learner to the class with this code: (class, newly joined) or (None, False)."""
    classroom = by_code(code)
    if classroom is None:
        return None, False
    try:
        with transaction.atomic():
            _, created = Membership.objects.get_or_create(classroom=classroom, learner=learner)
            if created:  # the class's overrides now count for the attempts they are answering
                _running_follow_rules(learner.pk)
    except IntegrityError:  # a double click joined a moment ago
        created = False
    return classroom, created


@dataclass(frozen=True)
class Left:
    """What taking a learner out of a class did."""

    removed: bool
    overrides_removed: int  # their own overrides, which no teacher could see any more
    attempts_moved: int  # attempts in progress whose time left changed


def leave(*, classroom: Classroom, learner: AbstractBaseUser) -> Left:
    """Take the learner out of the class. The class's overrides stop counting for them, and
    so do their own overrides once no class has them (no teacher could see or remove those);
    the attempts they are answering take the time left their settings now give."""
    with transaction.atomic():
        removed, _ = Membership.objects.filter(classroom=classroom, learner=learner).delete()
        if not removed:
            return Left(False, 0, 0)
        overrides = 0
        if not Membership.objects.filter(learner=learner).exists():
            overrides, _ = Override.objects.filter(learner=learner).delete()
        return Left(True, overrides, _running_follow_rules(learner.pk))


def _running_follow_rules(learner_id: int) -> int:
    """Bring the learner's attempts in progress to what their settings now give, after they
    joined or left a class; how many changed."""
    running = Attempt.objects.in_progress().filter(learner_id=learner_id)
    quizzes = Quiz.objects.filter(pk__in=running.values("quiz_id"))
    return sum(attempts_follow_rules(quiz, [learner_id]) for quiz in quizzes)


def rotate_code(classroom: Classroom) -> str:
    """Give the class a new join code; the old code and link stop working."""
    while True:
        code = new_join_code()
        if not Classroom.objects.filter(join_code=code).exists():
            break
    Classroom.objects.filter(pk=classroom.pk).update(join_code=code)
    classroom.join_code = code
    return code


def learners_taught_by(user: AbstractBaseUser) -> QuerySet:
    """Ids of the learners in the user's classes (every class for a superuser)."""
    return Membership.objects.filter(classroom__in=Classroom.objects.taught_by(user)).values(
        "learner_id"
    )


def attempts_visible_to(user: AbstractBaseUser) -> QuerySet:
    """Graded attempts a teacher may see: their classes' learners' (a superuser: all)."""
    attempts = Attempt.objects.graded()
    if user.is_superuser:
        return attempts
    return attempts.filter(learner__in=learners_taught_by(user))


def class_names_by_learner(user: AbstractBaseUser) -> dict[int, str]:
    """For the teacher's learners: their classes' names (of this teacher), joined with "; "."""
    names: dict[int, list[str]] = {}
    rows = Membership.objects.filter(classroom__in=Classroom.objects.taught_by(user))
    for learner_id, name in rows.order_by("classroom__name").values_list(
        "learner_id", "classroom__name"
    ):
        names.setdefault(learner_id, []).append(name)
    return {learner_id: "; ".join(values) for learner_id, values in names.items()}


def display_name(user: AbstractBaseUser) -> str:
    """A learner as teachers' pages name them: "Anna Kowalska (annak)", or the username."""
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


def name_order(learner: AbstractBaseUser, language: str) -> tuple:
    """A sort key putting learners in a class list's order: surname (or, for a learner with
    none, the username), then first name, then username, in `language`'s alphabet (Łucja
    before Zofia in Polish, where Python put her last). The dashboard's learner table, sorted
    by the database, orders them the same way (`dashboard.alphabet_key`)."""
    username = learner.get_username()
    names = (learner.last_name or username, learner.first_name, username)
    return tuple(sort_key(name, language) for name in names)


def by_name(memberships):
    """A class's memberships in a class list's order (`name_order`), in the reader's alphabet."""
    language = current_language()
    return sorted(memberships, key=lambda membership: name_order(membership.learner, language))


@dataclass(frozen=True)
class LessonNow:
    """Where a quiz stands among a teacher's learners (or one class's) at this moment."""

    in_progress: list[Attempt]  # their open attempts, a class list's order
    finished: int  # learners with a finished attempt
    not_started: list[AbstractBaseUser]  # learners with no attempt at all


def lesson_now(quiz: Quiz, user: AbstractBaseUser, classroom: Classroom | None = None) -> LessonNow:
    """Who is taking `quiz` now, how many have finished, and who has not started: what a
    teacher follows during the lesson, which the finished attempts' figures cannot show.

    Among the learners of `classroom`, or of all the user's classes. Previews and practice
    rounds are nobody's attempts here. Three queries, however many learners.
    """
    classes = [classroom] if classroom is not None else Classroom.objects.taught_by(user)
    learners = Membership.objects.filter(classroom__in=classes).values("learner_id")
    counted = Attempt.objects.filter(quiz=quiz, practice=False, preview=False)
    language = current_language()
    in_progress = list(
        counted.filter(submitted_at__isnull=True, learner__in=learners).select_related("learner")
    )
    for attempt in in_progress:
        attempt.quiz = quiz  # for its end time, without a query each
    finished = (
        counted.filter(submitted_at__isnull=False, learner__in=learners)
        .values("learner_id")
        .distinct()
        .count()
    )
    not_started = User.objects.filter(id__in=learners).exclude(id__in=counted.values("learner_id"))
    return LessonNow(
        in_progress=sorted(in_progress, key=lambda a: name_order(a.learner, language)),
        finished=finished,
        not_started=sorted(not_started, key=lambda learner: name_order(learner, language)),
    )
