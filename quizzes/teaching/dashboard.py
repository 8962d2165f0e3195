"""The teacher's results dashboard for one quiz: summary, histogram, item analysis, misconceptions.

The attempt-level figures (summary, histogram, the learners' grades) are aggregate queries over
the attempts' numeric columns, so they cost the same for 30 attempts as for 100,000. The
per-question reports (`item_statistics`, stored by `quiz_statistics`) read the answers as
numbers, with the question versions they were dealt, so edited or deleted questions are
reported as they were answered, and hand plain numbers to `item_analysis`.
"""

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from django.db import connection
from django.db.models import (
    Count,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Collate, Lower, NullIf, Replace, Round

from quizzes.course.alphabet import byte_filing
from quizzes.course.fallbacks import current_language
from quizzes.course.rendering import plain_text, render_inline
from quizzes.course.true_false import choice_label
from quizzes.course.versions import texts_in, versions_by_id
from quizzes.models import Answer, GradingMethod, Misconception, Question, QuestionVersion, Quiz
from quizzes.taking.scoring import mean_grade
from quizzes.teaching.item_analysis import QuestionStats, QuizStats, question_stats, quiz_stats

# Moodle flags questions whose discriminative efficiency is below this (percent).
LOW_EFFICIENCY = 15
HISTOGRAM_BINS = 10


@dataclass
class ChoiceCount:
    text: str
    is_correct: bool
    misconception: str  # the misconception's name, "" for none
    count: int = 0
    percent: float = 0.0

    @property
    def html(self):
        return render_inline(self.text)


@dataclass
class QuestionReport:
    number: int
    key: int
    text: str
    kind: str
    max_marks: Decimal
    answered: int
    stats: QuestionStats | None
    choices: list[ChoiceCount]

    @property
    def html(self):
        """The question's text with its inline Markdown rendered."""
        return render_inline(self.text)

    @property
    def plain(self) -> str:
        """The question's text without Markdown, for the summary table's short line."""
        return plain_text(self.text)

    @property
    def flagged(self) -> bool:
        efficiency = self.stats.discriminative_efficiency if self.stats else None
        return efficiency is not None and efficiency < LOW_EFFICIENCY

    def chart(self) -> dict:
        """The SVG bar chart of how often each choice was picked, as Google Forms draws it:
        one bar a choice, labelled by letter, the correct ones marked ✓ and hatched."""
        return choice_chart(self.choices)


@dataclass
class Bin:
    low: int
    high: int
    count: int
    percent: float  # of attempts, for the bar height


@dataclass
class LearnerRow:
    learner_id: int
    username: str
    name: str
    grade: Decimal | None
    attempts: int
    last_activity: datetime | None
    latest_attempt: int | None = None  # the id of the learner's latest attempt, for a link


@dataclass
class MisconceptionRow:
    name: str
    picks: int
    learners: int


@dataclass
class Summary:
    attempts: int
    learners: int
    mean: float | None
    median: float | None
    pass_rate: float | None
    histogram: list[Bin]


@dataclass
class QuestionReports:
    questions: list[QuestionReport]
    quiz: QuizStats | None
    complete_matrix: bool  # every attempt had the same questions: whole-quiz figures apply
    misconceptions: list[MisconceptionRow] = field(default_factory=list)


@dataclass
class Dashboard(QuestionReports, Summary):
    """The summary and the per-question reports, as the dashboard page shows them."""


def band(number: int, bins: int = HISTOGRAM_BINS) -> Q:
    """The attempts whose grade falls in band `number` of 0–100 %; 100 % is in the top band."""
    width = 100 // bins
    within = Q()
    if number > 0:
        within &= Q(percentage__gte=number * width)
    if number < bins - 1:
        within &= Q(percentage__lt=(number + 1) * width)
    return within


def histogram_bins(counts: list[int]) -> list[Bin]:
    """Bands of equal width from the counts of attempts in each, lowest first."""
    width = 100 // len(counts)
    total = sum(counts) or 1
    return [
        Bin(low=n * width, high=(n + 1) * width, count=count, percent=100 * count / total)
        for n, count in enumerate(counts)
    ]


# A percentage in hundredths: an exact integer on SQLite (which keeps decimals as floats) too.
CENTS = Cast(Round(F("percentage") * 100), IntegerField())


def quiz_summary(finished: QuerySet) -> Summary:
    """Attempts, learners, mean, median, pass rate and histogram of `finished` attempts.

    `finished` is filtered to submitted attempts already: filtering twice makes SQLite think
    the quiz's date index the more selective and read every attempt at the quiz.
    """
    finished = finished.order_by()
    totals = finished.aggregate(
        attempts=Count("id"),
        learners=Count("learner", distinct=True),
        cents=Sum(CENTS),
        passed=Count("id", filter=Q(passed=True)),
        **{f"band{n}": Count("id", filter=band(n)) for n in range(HISTOGRAM_BINS)},
    )
    count = totals["attempts"]
    histogram = histogram_bins([totals[f"band{n}"] for n in range(HISTOGRAM_BINS)])
    if not count:
        return Summary(0, 0, None, None, None, histogram)
    return Summary(
        attempts=count,
        learners=totals["learners"],
        mean=float(Fraction(totals["cents"], 100 * count)),
        median=median(finished, count),
        pass_rate=100 * totals["passed"] / count,
        histogram=histogram,
    )


def median(finished: QuerySet, count: int) -> float:
    """The median percentage of `count` finished attempts: the middle one, or the mean of the
    middle two (as `statistics.median` gives it), read from the database in order."""
    middle = count // 2
    start = middle if count % 2 else middle - 1
    values = [
        float(p)
        for p in finished.order_by("percentage").values_list("percentage", flat=True)[
            start : middle + 1
        ]
    ]
    return values[0] if len(values) == 1 else (values[0] + values[1]) / 2


# How the learner table may be ordered: the `sort` parameter's values, the columns a "-" turns
# round, and the ties after them (by name, then username, so pages never overlap).
BY_NAME = ["last_key", "first_key", "learner__username"]
LEARNER_ORDERS = {
    "name": (BY_NAME, []),
    "grade": (["grade"], BY_NAME),
    "attempts": (["attempts"], BY_NAME),
    "last": (["last_activity"], BY_NAME),
}
LEARNER_SORTS = [*LEARNER_ORDERS, *(f"-{key}" for key in LEARNER_ORDERS)]


def _grade(quiz: Quiz, finished: QuerySet):
    """The grade that counts, per learner of a GROUP BY learner, by the quiz's grading method."""
    method = quiz.grading_method
    if method == GradingMethod.HIGHEST:
        return Max("percentage")
    if method == GradingMethod.AVERAGE:
        # Exact hundredths over the count: the order of the exact averages, without float sums.
        return Sum(CENTS) * Value(1.0) / Count("id")
    if method in (GradingMethod.FIRST, GradingMethod.LAST):
        order = (
            ["submitted_at", "id"] if method == GradingMethod.FIRST else ["-submitted_at", "-id"]
        )
        one = finished.filter(learner=OuterRef("learner_id")).order_by(*order)
        return Subquery(one.values("percentage")[:1])
    raise ValueError(f"unknown grading method {method!r}")


def learner_grades(quiz: Quiz, finished: QuerySet, *, sort: str = "name") -> QuerySet:
    """One row per learner of `finished` attempts (submitted ones, as for `quiz_summary`):
    attempts, last activity and the grade that counts (as `scoring.overall_grade` gives it),
    in the order `sort` names."""
    columns, ties = LEARNER_ORDERS[sort.removeprefix("-")]
    direction = "desc" if sort.startswith("-") else "asc"
    finished = finished.order_by()
    language = current_language()
    rows = finished.values(
        "learner_id", "learner__username", "learner__first_name", "learner__last_name"
    ).annotate(
        attempts=Count("id"),
        last_activity=Max("submitted_at"),
        latest_attempt=Max("id"),
        cents=Sum(CENTS),
        grade=_grade(quiz, finished),
        # Max() of a learner's one name: worked out once per learner, after grouping; as a
        # plain expression it joined the GROUP BY, once per attempt (the whole quiz's
        # dashboard at 100,000 attempts took 775 ms instead of 375).
        last_key=alphabet_key(
            Max(Coalesce(NullIf("learner__last_name", Value("")), "learner__username")), language
        ),
        first_key=alphabet_key(Max("learner__first_name"), language),
    )
    return rows.order_by(*(getattr(F(c), direction)() for c in columns), *ties)


def alphabet_key(name, language: str):
    """A database expression ordering `name` (a field or an expression) by `language`'s
    alphabet, ignoring case, as `classes.name_order` orders a class (Ćwik after Bąk, Łódź
    after Lis)."""
    key = Lower(name)
    # SQLite compares bytes, PostgreSQL by its collation, and neither knows that Polish puts
    # "ł" between "l" and "m": letters beyond a-z are written as alphabet.byte_filing says.
    for letter, filed in byte_filing(language).items():
        # Both cases: SQLite's lower() changes only A-Z.
        for written in (letter, letter.upper()):
            key = Replace(key, Value(written), Value(filed))
    if connection.vendor == "postgresql":  # byte order, as SQLite compares
        key = Collate(key, "C")
    return key


def learner_rows(quiz: Quiz, rows) -> list[LearnerRow]:
    """The rows of `learner_grades` (one page of them) as the learner table shows them."""
    average = quiz.grading_method == GradingMethod.AVERAGE
    return [
        LearnerRow(
            learner_id=row["learner_id"],
            username=row["learner__username"],
            name=f"{row['learner__first_name']} {row['learner__last_name']}".strip(),
            grade=(
                mean_grade(Decimal(row["cents"]) / 100, row["attempts"])
                if average
                else row["grade"]
            ),
            attempts=row["attempts"],
            last_activity=row["last_activity"],
            latest_attempt=row["latest_attempt"],
        )
        for row in rows
    ]


CHART_WIDTH, CHART_HEIGHT, CHART_BASE = 600, 220, 190
# The per-question chart: a row per choice, its letter and ✓ on the left, the bar, the count.
ROW_HEIGHT, BAR_LEFT, BAR_WIDTH = 34, 64, 440
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def choice_chart(choices: list[ChoiceCount]) -> dict:
    """SVG coordinates of a question's choice bars, as a share of the answers (0–100 %)."""
    rows = []
    for n, choice in enumerate(choices):
        top = n * ROW_HEIGHT
        width = round(BAR_WIDTH * choice.percent / 100, 1)
        rows.append(
            {
                "choice": choice,
                "letter": LETTERS[n],
                "y": top + 6,
                "text_y": top + 23,
                "width": width,
                "count_x": round(BAR_LEFT + width + 8, 1),
            }
        )
    return {"rows": rows, "height": ROW_HEIGHT * len(choices) + 4, "bar_left": BAR_LEFT}


def histogram_bars(bins: list[Bin]) -> list[dict]:
    """SVG coordinates for the histogram's bars, scaled to the tallest one."""
    tallest = max((b.count for b in bins), default=0) or 1
    step = CHART_WIDTH / len(bins)
    bars = []
    for n, b in enumerate(bins):
        height = round((CHART_BASE - 20) * b.count / tallest, 1)
        bars.append(
            {
                "bin": b,
                "x": round(n * step + 4, 1),
                "width": round(step - 8, 1),
                "y": round(CHART_BASE - height, 1),
                "height": height,
                "label_x": round(n * step + step / 2, 1),
                "count_y": round(CHART_BASE - height - 5, 1),
            }
        )
    return bars


def question_order(quiz: Quiz, keys: set[int]) -> list[int]:
    """The quiz's question order for the keys answered; deleted questions last, by id."""
    live = [qid for qid in quiz.pool().values_list("id", flat=True) if qid in keys]
    return live + sorted(keys - set(live))


def item_statistics(quiz: Quiz, attempts: QuerySet) -> dict:
    """The item analysis of the finished attempts in `attempts` (one quiz), as plain JSON.

    The attempts × questions matrix is read here, and only here, as numbers: each answer's
    version, chosen choices (a bit mask) and marks. The result is what `QuizStatistics`
    stores. It names questions and choices by id and by the version and place they were
    shown in, so `item_report` can show them in the reader's language.
    """
    latest: dict[int, QuestionVersion] = {}
    picks: dict[int, Counter] = defaultdict(Counter)
    answered: Counter = Counter()
    misconception_picks: Counter = Counter()
    misconception_learners: dict[str, set] = defaultdict(set)
    answers = list(
        Answer.objects.filter(attempt__in=attempts.submitted())
        .order_by("attempt__submitted_at", "attempt_id", "position")
        # As floats, as the item analysis reads them: no Decimal made 1.2 million times.
        .annotate(mark=Cast("marks", FloatField()))
        .values_list("attempt_id", "attempt__learner_id", "version_id", "chosen", "mark")
        .iterator(chunk_size=2000)
    )
    versions = versions_by_id({version_id for _a, _l, version_id, _c, _m in answers})
    # A question edited between attempts has several versions: list every choice any version
    # had (latest wording first), and scale each answer to the latest maximum mark.
    choice_rows: dict[int, dict[int, tuple[QuestionVersion, int]]] = defaultdict(dict)
    for version in sorted(versions.values(), key=lambda v: (v.created_at, v.pk)):
        for index, choice in enumerate(version.choices):
            choice_rows[version.question_key][choice["id"]] = (version, index)
    raw: list[tuple[int, int, float, float]] = []
    for attempt_id, learner_id, version_id, chosen, marks in answers:
        version = versions[version_id]
        key = version.question_key
        latest[key] = version  # ordered by attempt: the last one seen is the latest
        raw.append((attempt_id, key, float(marks), float(version.marks)))
        if chosen:
            answered[key] += 1
            for choice in version.picked(chosen):
                picks[key][choice["id"]] += 1
                slug = choice["misconception"]
                if slug and not choice["is_correct"]:
                    misconception_picks[slug] += 1
                    misconception_learners[slug].add(learner_id)

    # In attempt order, as the answers came.
    marks_by_attempt: dict[int, dict[int, float]] = defaultdict(dict)
    for attempt_id, key, marks, maximum in raw:
        newest = float(latest[key].marks)
        marks_by_attempt[attempt_id][key] = marks * newest / maximum if maximum else marks

    order = question_order(quiz, set(latest))
    max_marks = [float(latest[key].marks) for key in order]
    question_sets = {frozenset(marks) for marks in marks_by_attempt.values()}
    complete = len(question_sets) == 1
    per_question: list[QuestionStats | None]
    if complete:
        matrix = [[marks[key] for key in order] for marks in marks_by_attempt.values()]
        per_question = list(question_stats(matrix, max_marks))
        whole = quiz_stats(matrix, max_marks)
    else:
        # Random draws: each question against the attempts that had it; no whole-quiz figures.
        per_question = []
        for key, maximum in zip(order, max_marks, strict=True):
            pairs = [
                [marks[key], sum(marks.values()) - marks[key]]
                for marks in marks_by_attempt.values()
                if key in marks
            ]
            if not pairs:
                per_question.append(None)
                continue
            rest = max(p[1] for p in pairs) or 1.0
            stats = question_stats(pairs, [maximum, rest])[0]
            # An effective weight needs the whole quiz's questions: not defined here.
            per_question.append(replace(stats, effective_weight=None, negative_covariance=False))
        whole = None

    questions = []
    for key, stats in zip(order, per_question, strict=True):
        version = latest[key]
        current = {c["id"]: (version, i) for i, c in enumerate(version.choices)}
        older = [(cid, at) for cid, at in choice_rows[key].items() if cid not in current]
        choices = [
            {
                "id": cid,
                "version": owner.pk,
                "index": index,
                "is_correct": owner.choices[index]["is_correct"],
                "misconception": owner.choices[index]["misconception"] or "",
                "count": picks[key][cid],
            }
            for cid, (owner, index) in [*current.items(), *older]
        ]
        questions.append(
            {
                "key": key,
                "version": version.pk,
                "kind": version.kind,
                "max_marks": str(version.marks),
                "answered": answered[key],
                "stats": asdict(stats) if stats else None,
                "choices": choices,
            }
        )
    return {
        "questions": questions,
        "quiz": asdict(whole) if whole else None,
        "complete_matrix": complete,
        "misconceptions": [
            {"slug": slug, "picks": count, "learners": len(misconception_learners[slug])}
            for slug, count in misconception_picks.most_common()
        ],
    }


def item_report(data: dict) -> QuestionReports:
    """`item_statistics`' result for the page: texts in the reader's language where the
    question or choice still exists, else from the version learners were shown."""
    keys = [question["key"] for question in data["questions"]]
    live = Question.objects.prefetch_related("choices").in_bulk(keys)
    live_choices = {c.id: c.text for q in live.values() for c in q.choices.all()}
    names = dict(Misconception.objects.values_list("slug", "name"))
    versions = versions_by_id(
        {q["version"] for q in data["questions"]}
        | {c["version"] for q in data["questions"] for c in q["choices"]}
    )
    language = current_language()
    questions = []
    for number, question in enumerate(data["questions"], start=1):
        key = question["key"]
        total_picks = question["answered"] or 1
        choices = [
            ChoiceCount(
                text=choice_label(
                    question["kind"],
                    live_choices.get(choice["id"])
                    or texts_in(versions[choice["version"]], language)["choices"][choice["index"]][
                        "text"
                    ],
                ),
                is_correct=choice["is_correct"],
                misconception=names.get(choice["misconception"], ""),
                count=choice["count"],
                percent=100 * choice["count"] / total_picks,
            )
            for choice in question["choices"]
        ]
        stats = question["stats"]
        questions.append(
            QuestionReport(
                number=number,
                key=key,
                text=live[key].text
                if key in live
                else texts_in(versions[question["version"]], language)["text"],
                kind=question["kind"],
                max_marks=Decimal(question["max_marks"]),
                answered=question["answered"],
                stats=QuestionStats(**stats) if stats else None,
                choices=choices,
            )
        )
    return QuestionReports(
        questions=questions,
        quiz=QuizStats(**data["quiz"]) if data["quiz"] else None,
        complete_matrix=data["complete_matrix"],
        misconceptions=[
            MisconceptionRow(
                name=names.get(row["slug"], row["slug"]),
                picks=row["picks"],
                learners=row["learners"],
            )
            for row in data["misconceptions"]
        ],
    )


def question_reports(quiz: Quiz, attempts: QuerySet) -> QuestionReports:
    """The per-question reports computed now (a selection of attempts has no stored figures)."""
    return item_report(item_statistics(quiz, attempts))
