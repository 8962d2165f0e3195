"""A class's gradebook: learners × quizzes, each cell the grade that counts by the quiz's
grading method, with the attempts behind it; and the same grid as rows for a school's
gradebook import (one row per learner, names and username first)."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from quizzes.course.fallbacks import current_language
from quizzes.models import Attempt, Classroom, GradingMethod, Membership, Quiz
from quizzes.taking.scoring import mean_grade, overall_grade
from quizzes.teaching.classes import name_order
from quizzes.teaching.workbooks import Columns

EXPORT_TYPES = Columns("tttt", rest="n")


@dataclass
class Cell:
    """One learner's standing at one quiz."""

    grade: Decimal | None = None
    attempts: int = 0
    overridden: bool = False  # a mark in one of the attempts was changed by hand
    attempt_id: int | None = None  # the attempt the grade comes from (the latest, for averages)


@dataclass
class Row:
    learner: User
    cells: list[Cell] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.learner.get_full_name() or self.learner.get_username()


@dataclass
class Gradebook:
    quizzes: list[Quiz]
    rows: list[Row]
    averages: list[Decimal | None]
    sort: str


def sorts(quizzes: list[Quiz]) -> list[str]:
    """The `sort` values the gradebook takes: by name, or by a quiz's grade (its slug)."""
    keys = ["name", *(quiz.slug for quiz in quizzes)]
    return [*keys, *(f"-{key}" for key in keys)]


def gradebook_quizzes(classroom: Classroom) -> list[Quiz]:
    """The columns: every published quiz, and any other the class's learners have attempted."""
    attempted = Attempt.objects.graded().filter(learner__memberships__classroom=classroom)
    return list(
        Quiz.objects.filter(Q(is_published=True) | Q(pk__in=attempted.values("quiz_id")))
        .select_related("lesson")
        .order_by("lesson__order", "order", "pk")
    )


def _counting(method: str, attempts: list[tuple[int, Decimal]]) -> int:
    """The id of the attempt whose grade counts (for an average, the latest)."""
    if method == GradingMethod.HIGHEST:
        return max(attempts, key=lambda a: a[1])[0]  # the first to reach the highest
    if method == GradingMethod.FIRST:
        return attempts[0][0]
    return attempts[-1][0]


def gradebook(classroom: Classroom, quizzes: list[Quiz], *, sort: str = "name") -> Gradebook:
    """The class's grid in the order `sort` names (one of `sorts(quizzes)`): two queries
    (for 1,000 learners and 100,000 attempts, 0.5 s of CPU; docs/BENCHMARKS.md)."""
    learners = list(
        User.objects.filter(memberships__classroom=classroom).order_by(
            "last_name", "first_name", "username"
        )
    )
    finished = defaultdict(list)  # (learner, quiz) -> [(attempt id, percentage)], oldest first
    by_hand = set()
    rows = (
        Attempt.objects.graded()
        .submitted()
        .filter(
            learner__in=Membership.objects.filter(classroom=classroom).values("learner_id"),
            quiz__in=[quiz.pk for quiz in quizzes],
        )
        .order_by("submitted_at", "id")
        .values_list("id", "learner_id", "quiz_id", "percentage", "overridden_at")
    )
    for attempt_id, learner_id, quiz_id, percent, overridden_at in rows:
        finished[learner_id, quiz_id].append((attempt_id, percent))
        if overridden_at is not None:
            by_hand.add((learner_id, quiz_id))
    grid = []
    for learner in learners:
        row = Row(learner)
        for quiz in quizzes:
            attempts = finished.get((learner.pk, quiz.pk), [])
            if not attempts:
                row.cells.append(Cell())
                continue
            method = quiz.grading_method
            row.cells.append(
                Cell(
                    grade=overall_grade(method, [percent for _id, percent in attempts]),
                    attempts=len(attempts),
                    overridden=(learner.pk, quiz.pk) in by_hand,
                    attempt_id=_counting(method, attempts),
                )
            )
        grid.append(row)
    averages = []
    for n in range(len(quizzes)):
        grades = [row.cells[n].grade for row in grid if row.cells[n].grade is not None]
        averages.append(mean_grade(sum(grades, Decimal(0)), len(grades)) if grades else None)
    return Gradebook(quizzes, _sorted(grid, quizzes, sort), averages, sort)


def _sorted(rows: list[Row], quizzes: list[Quiz], sort: str) -> list[Row]:
    key, descending = sort.removeprefix("-"), sort.startswith("-")
    if key == "name":  # as the class page lists them, and as the export's columns start
        language = current_language()
        return sorted(rows, key=lambda r: name_order(r.learner, language), reverse=descending)
    column = [quiz.slug for quiz in quizzes].index(key)
    graded = [row for row in rows if row.cells[column].grade is not None]
    ungraded = [row for row in rows if row.cells[column].grade is None]  # last either way
    graded.sort(key=lambda r: r.cells[column].grade, reverse=descending)
    return graded + ungraded


EXPORT_COLUMNS = [_("last name"), _("first name"), _("username"), _("email")]


def gradebook_rows(book: Gradebook) -> Iterator[list]:
    """The grid as rows for a school's gradebook: one per learner, the grades as numbers."""
    yield [str(c) for c in EXPORT_COLUMNS] + [f"{quiz.title} (%)" for quiz in book.quizzes]
    for row in book.rows:
        learner = row.learner
        yield [
            learner.last_name,
            learner.first_name,
            learner.get_username(),
            learner.email,
            *("" if cell.grade is None else f"{cell.grade:.2f}" for cell in row.cells),
        ]
