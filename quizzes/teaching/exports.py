"""CSV exports of results, streamed row by row.

Knows nothing of views: it turns querysets into rows and rows into CSV text.
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from django.db.models import CharField, Func, Max, QuerySet, TextField
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from quizzes.core.spreadsheet import LocalTimes, neutralise
from quizzes.course.fallbacks import current_language, translated
from quizzes.course.versions import as_dealt, texts_in, version_by_id
from quizzes.models import Answer, Question, QuestionVersion
from quizzes.teaching.workbooks import Columns

fromisoformat = datetime.fromisoformat

ATTEMPT_COLUMNS = [
    _("username"),
    pgettext_lazy("a person's full name", "name"),
    _("email"),
    _("quiz"),
    _("started"),
    _("submitted"),
    _("marks"),
    _("maximum"),
    _("percentage"),
    _("passed"),
]


# Each export's column types, for its workbook (workbooks.py): t text, n number, d time.
ATTEMPT_TYPES = Columns("ttttddnnnw")
GRADE_TYPES = Columns("tttttwddnnnt", rest="n")
RESPONSE_TYPES = Columns("ttntnntttnnt")
ITEM_TYPES = Columns("nntwnnnnnnnw")


def attempt_rows(attempts: QuerySet) -> Iterator[list]:
    """The header, then one row per submitted attempt, read from the database in chunks.

    The quiz is named as it is now, in the export's language, so one quiz has one name
    whichever language its attempts were taken in (the title kept with the attempt, for a
    quiz since deleted)."""
    yield [str(column) for column in ATTEMPT_COLUMNS]
    rows = (
        attempts.filter(submitted_at__isnull=False)
        .order_by("submitted_at", "id")
        .annotate(
            quiz_name=Coalesce(translated("quiz__title"), "quiz_title", output_field=TextField())
        )
        .values_list(
            "learner__username",
            "learner__first_name",
            "learner__last_name",
            "learner__email",
            "quiz_name",
            "started_at",
            "submitted_at",
            "marks",
            "max_marks",
            "percentage",
            "passed",
        )
    )
    for (
        username,
        first,
        last,
        email,
        quiz,
        started,
        submitted,
        marks,
        maximum,
        percent,
        passed,
    ) in rows.iterator(chunk_size=2000):
        yield [
            username,
            f"{first} {last}".strip(),
            email,
            quiz,
            timezone.localtime(started).isoformat(timespec="seconds"),
            timezone.localtime(submitted).isoformat(timespec="seconds"),
            f"{marks.normalize():f}",
            f"{maximum.normalize():f}",
            f"{percent:.2f}",
            "yes" if passed else "no",
        ]


GRADE_COLUMNS = [
    _("last name"),
    _("first name"),
    _("username"),
    _("email"),
    _("class"),
    _("state"),
    _("started"),
    _("completed"),
    _("duration (s)"),
    _("marks"),
    _("grade (%)"),
    _("language"),
]

RESPONSE_COLUMNS = [
    _("username"),
    pgettext_lazy("a person's full name", "name"),
    _("attempt id"),
    _("language"),
    _("question number"),
    _("question id"),
    _("question"),
    _("chosen"),
    _("correct answer"),
    _("marks"),
    _("maximum"),
    _("misconceptions"),
]

ITEM_COLUMNS = [
    _("question number"),
    _("question id"),
    _("question"),
    _("kind"),
    _("maximum"),
    _("answered"),
    _("facility index (%)"),
    _("standard deviation (%)"),
    _("effective weight (%)"),
    _("discrimination index (%)"),
    _("discriminative efficiency (%)"),
    _("flagged (efficiency under 15 %)"),
]


def _number(value: Decimal) -> str:
    """A mark without trailing zeros: 1, 0.5, 0.3333333."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text


class UTCText(Func):
    """A date and time as UTC text, "2025-09-10 12:34:56.123456" (the microseconds may be
    missing): what SQLite stores, and what PostgreSQL writes for it.

    Reading the grades' two times this way instead of as datetimes takes 0.6 s off the
    export of 100,000 attempts on SQLite (1.0 s to 0.35 s to read the attempts), where
    Django's converters make each datetime in Python.
    """

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS text)")

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')",
        )


def _seconds(started: str, submitted: str) -> str:
    """Whole seconds from one `UTCText` to another."""
    return str(int((fromisoformat(submitted) - fromisoformat(started)).total_seconds()))


class _Marks(dict):
    """Each mark read as text ("0.5000000", "1") to the text written, worked out once: an
    export has a handful of distinct marks."""

    def __missing__(self, text: str) -> str:
        self[text] = written = _number(Decimal(text))
        return written


class _Grades(dict):
    """Each percentage read as text to the text written, with two decimals."""

    def __missing__(self, text: str) -> str:
        self[text] = written = f"{Decimal(text):.2f}"
        return written


def _figure(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def question_columns(answers: QuerySet) -> list[tuple[int, str, Decimal]]:
    """(question id, text, maximum) of every question the answers cover, by question id.

    Two small queries whatever the number of answers: the versions the answers were dealt,
    then the live questions among them. A question's column shows its first version's maximum.
    """
    versions = (
        QuestionVersion.objects.filter(id__in=answers.order_by().values("version_id").distinct())
        .order_by("question_key", "created_at", "id")
        .only("id", "question_key", "marks", "content")
    )
    language = current_language()
    firsts = {}
    for version in versions:
        firsts.setdefault(version.question_key, version)
    live = Question.objects.in_bulk(list(firsts))
    # Attempts in both languages share a column, named in the reader's language while the
    # question exists.
    return [
        (
            key,
            live[key].text if key in live else texts_in(version, language)["text"],
            version.marks,
        )
        for key, version in sorted(firsts.items())
    ]


def grade_rows(
    attempts: QuerySet, questions: list[tuple[int, str, Decimal]], classes: dict[int, str]
) -> Iterator[list]:
    """Moodle-like grades: one row per attempt, then each question's marks, streamed.

    Reads attempts and their answers as two ordered streams and merges them as they come,
    so memory stays flat however many attempts there are.
    """
    header = [str(column) for column in GRADE_COLUMNS]
    # Translators: a spreadsheet column of one question's marks: "Q3 /2: Who may ask…".
    heading = _("Q%(number)d /%(maximum)s: %(text)s")
    header += [
        heading % {"number": n, "maximum": _number(maximum), "text": text[:60]}
        for n, (_key, text, maximum) in enumerate(questions, start=1)
    ]
    yield header
    position = {key: n for n, (key, _text, _maximum) in enumerate(questions)}
    # Two streams, both in attempt id order (the order attempts were started, which never
    # changes), merged as they come: one row per attempt for the attempt's columns, and three
    # values per answer. Joining the attempt's columns onto every answer made the database
    # driver convert each date and number twelve times over. Attempts started after the
    # export began are left out of both streams.
    last = attempts.aggregate(last=Max("id"))["last"] or 0
    attempts = attempts.filter(id__lte=last)
    # Marks and grades as text skip the driver's Decimal conversion (1.4 million times for
    # 100,000 attempts); each distinct one is turned into the text written once. The times as
    # text skip making 200,000 datetimes only to write them out again.
    heads = (
        attempts.order_by("id")
        .annotate(
            started=UTCText("started_at"),
            submitted=UTCText("submitted_at"),
            total=Cast("marks", CharField()),
            grade=Cast("percentage", CharField()),
        )
        .values_list(
            "id",
            "learner_id",
            "learner__last_name",
            "learner__first_name",
            "learner__username",
            "learner__email",
            "started",
            "submitted",
            "total",
            "grade",
            "language",
        )
    )
    column_of = {
        version_id: position[key]
        for version_id, key in QuestionVersion.objects.filter(
            question_key__in=position
        ).values_list("id", "question_key")
    }
    marks_by_attempt = groupby(
        Answer.objects.filter(attempt__in=attempts)
        .order_by("attempt_id", "position")
        .annotate(mark=Cast("marks", CharField()))
        .values_list("attempt_id", "version_id", "mark")
        .iterator(chunk_size=5000),
        key=itemgetter(0),
    )
    marks_text, grades_text = _Marks(), _Grades()
    local = LocalTimes(timezone.get_current_timezone())  # as the pages show them
    width = len(questions)
    pending = next(marks_by_attempt, None)
    for (
        attempt_id,
        learner_id,
        last,
        first,
        username,
        email,
        started,
        submitted,
        total,
        grade,
        language,
    ) in heads.iterator(chunk_size=2000):
        # Only the text cells can start a formula: the dates and figures written here never do.
        row = NeutralisedRow(
            (
                neutralise(last),
                neutralise(first),
                neutralise(username),
                neutralise(email),
                neutralise(classes.get(learner_id, "")),
                "finished" if submitted else "in progress",
                local(started),
                local(submitted) if submitted else "",
                _seconds(started, submitted) if submitted else "",
                marks_text[total],
                grades_text[grade],
                neutralise(language),
            )
        )
        marks = [""] * width
        while pending is not None and pending[0] < attempt_id:
            pending = next(marks_by_attempt, None)
        if pending is not None and pending[0] == attempt_id:
            for _attempt, version_id, mark in pending[1]:
                n = column_of.get(version_id)
                if n is not None:
                    marks[n] = marks_text[mark]
            pending = next(marks_by_attempt, None)
        row += marks
        yield row


def response_rows(attempts: QuerySet, misconceptions: dict[str, str]) -> Iterator[list]:
    """One row per answer: what was chosen, what was right, the marks and misconceptions."""
    yield [str(column) for column in RESPONSE_COLUMNS]
    rows = (
        Answer.objects.filter(attempt__in=attempts)
        .order_by("attempt__submitted_at", "attempt_id", "position")
        .values_list(
            "attempt__learner__username",
            "attempt__learner__first_name",
            "attempt__learner__last_name",
            "attempt_id",
            "attempt__language",
            "position",
            "version_id",
            "dealt",
            "chosen",
            "marks",
        )
    )
    shown = {}  # the same question dealt the same way in the same language: built once
    for (
        username,
        first,
        last,
        attempt_id,
        language,
        position,
        version_id,
        dealt,
        chosen,
        marks,
    ) in rows.iterator(chunk_size=2000):
        version = version_by_id(version_id)
        key = (version_id, dealt, language)
        if key not in shown:
            shown[key] = as_dealt(version, [int(i) for i in dealt.split(",")], language)
        snapshot = shown[key]
        ids = {c["id"] for c in version.picked(chosen)}
        picked = [c for c in snapshot["choices"] if c["id"] in ids]
        right = [c for c in snapshot["choices"] if c["is_correct"]]
        tags = dict.fromkeys(  # once each, where two wrong choices share one
            misconceptions.get(c["misconception"], c["misconception"])
            for c in picked
            if c["misconception"] and not c["is_correct"]
        )
        yield [
            username,
            f"{first} {last}".strip(),
            str(attempt_id),
            language,
            str(position),
            str(version.question_key),
            snapshot["text"],
            " | ".join(c["text"] for c in picked),
            " | ".join(c["text"] for c in right),
            _number(marks),
            _number(version.marks),
            " | ".join(tags),
        ]


def item_rows(questions) -> Iterator[list]:
    """One row per question of a dashboard, with its item analysis figures."""
    yield [str(column) for column in ITEM_COLUMNS]
    for question in questions:
        stats = question.stats
        yield [
            str(question.number),
            str(question.key),
            question.text,
            question.kind,
            _number(question.max_marks),
            str(question.answered),
            _figure(stats and stats.facility_index),
            _figure(stats and stats.standard_deviation),
            _figure(stats and stats.effective_weight),
            _figure(stats and stats.discrimination_index),
            _figure(stats and stats.discriminative_efficiency),
            "yes" if question.flagged else "no",
        ]


class NeutralisedRow(list):
    """A row whose export neutralised its text cells itself: `csv_lines` writes it as it is.

    For exports whose rows are mostly their own dates and figures, which never start a
    formula (the grades: twelve marks or more to a row, beside a few names).
    """


class _Echo:
    """A file-like object whose write() hands back what it is given."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list], delimiter: str = ",") -> Iterator[str]:
    """Each row as one line of CSV text, written lazily, every text cell neutralised.

    Every export goes through here, so no column (a name, a class, a question's text) can
    forget it, except in a `NeutralisedRow`, whose export did it.
    """
    writer = csv.writer(_Echo(), delimiter=delimiter)
    for row in rows:
        if type(row) is not NeutralisedRow:
            row = [neutralise(cell) if isinstance(cell, str) else cell for cell in row]
        yield writer.writerow(row)
