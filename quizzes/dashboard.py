"""The teacher's results dashboard for one quiz: summary, histogram, item analysis, misconceptions.

Reads finished attempts and their answers (as numbers, with the question versions they were
dealt, so edited or deleted questions are reported as they were answered) and hands plain
numbers to `item_analysis`.
"""

import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet

from .fallbacks import current_language
from .item_analysis import QuestionStats, QuizStats, question_stats, quiz_stats
from .models import Answer, Misconception, Question, QuestionVersion, Quiz
from .scoring import overall_grade
from .versions import texts_in, versions_by_id

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
    def flagged(self) -> bool:
        efficiency = self.stats.discriminative_efficiency if self.stats else None
        return efficiency is not None and efficiency < LOW_EFFICIENCY


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


@dataclass
class MisconceptionRow:
    name: str
    picks: int
    learners: int


@dataclass
class Dashboard:
    attempts: int
    learners: int
    mean: float | None
    median: float | None
    pass_rate: float | None
    histogram: list[Bin]
    questions: list[QuestionReport]
    quiz: QuizStats | None
    complete_matrix: bool  # every attempt had the same questions: whole-quiz figures apply
    misconceptions: list[MisconceptionRow] = field(default_factory=list)
    learner_rows: list[LearnerRow] = field(default_factory=list)


def histogram(percentages: list[float], bins: int = HISTOGRAM_BINS) -> list[Bin]:
    """Counts of grades in equal bands of 0–100 %; 100 % falls in the top band."""
    width = 100 // bins
    counts = [0] * bins
    for percent in percentages:
        counts[min(int(percent // width), bins - 1)] += 1
    total = len(percentages) or 1
    return [
        Bin(low=n * width, high=(n + 1) * width, count=count, percent=100 * count / total)
        for n, count in enumerate(counts)
    ]


CHART_WIDTH, CHART_HEIGHT, CHART_BASE = 600, 220, 190


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


@dataclass
class ItemReport:
    """The part of the dashboard that reads every answer: item analysis and choice counts."""

    questions: list[QuestionReport]
    quiz: QuizStats | None
    complete_matrix: bool  # every attempt had the same questions: whole-quiz figures apply
    misconceptions: list[MisconceptionRow]


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
        .values_list("attempt_id", "attempt__learner_id", "version_id", "chosen", "marks")
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
            for index, choice in enumerate(version.choices):
                if chosen >> index & 1:
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


def item_report(data: dict) -> ItemReport:
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
                text=live_choices.get(choice["id"])
                or texts_in(versions[choice["version"]], language)["choices"][choice["index"]][
                    "text"
                ],
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
    return ItemReport(
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


def quiz_dashboard(quiz: Quiz, attempts: QuerySet, items: ItemReport | None = None) -> Dashboard:
    """Everything the dashboard shows for the finished attempts in `attempts` (one quiz).

    `items` is the item analysis when it is stored (`quiz_statistics`); without it, it is
    computed from the attempts here.
    """
    rows = list(
        attempts.submitted()
        .order_by("submitted_at", "id")
        .values_list(
            "id",
            "learner_id",
            "learner__username",
            "learner__first_name",
            "learner__last_name",
            "percentage",
            "passed",
            "submitted_at",
        )
    )
    percentages = [float(row[5]) for row in rows]
    if items is None:
        items = item_report(item_statistics(quiz, attempts))

    by_learner: dict[int, list] = defaultdict(list)
    for row in rows:
        by_learner[row[1]].append(row)
    learner_rows = [
        LearnerRow(
            learner_id=learner_id,
            username=group[0][2],
            name=f"{group[0][3]} {group[0][4]}".strip(),
            grade=overall_grade(quiz.grading_method, [r[5] for r in group]),
            attempts=len(group),
            last_activity=group[-1][7],
        )
        for learner_id, group in by_learner.items()
    ]
    learner_rows.sort(key=lambda row: (row.name.lower() or row.username.lower(), row.username))

    return Dashboard(
        attempts=len(rows),
        learners=len(by_learner),
        mean=statistics.fmean(percentages) if percentages else None,
        median=statistics.median(percentages) if percentages else None,
        pass_rate=100 * sum(1 for row in rows if row[6]) / len(rows) if rows else None,
        histogram=histogram(percentages),
        questions=items.questions,
        quiz=items.quiz,
        complete_matrix=items.complete_matrix,
        misconceptions=items.misconceptions,
        learner_rows=learner_rows,
    )
