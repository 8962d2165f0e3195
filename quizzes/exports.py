"""CSV exports of results, streamed row by row.

Knows nothing of views: it turns querysets into rows and rows into CSV text.
"""

import csv
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

ATTEMPT_COLUMNS = [
    _("username"),
    _("name"),
    _("email"),
    _("quiz"),
    _("started"),
    _("submitted"),
    _("marks"),
    _("maximum"),
    _("percentage"),
    _("passed"),
]


def neutralise(text: str) -> str:
    """Make a text cell safe to open in a spreadsheet by prefixing formula triggers with '."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def attempt_rows(attempts: QuerySet) -> Iterator[list]:
    """The header, then one row per submitted attempt, read from the database in chunks."""
    yield [str(column) for column in ATTEMPT_COLUMNS]
    rows = (
        attempts.filter(submitted_at__isnull=False)
        .order_by("submitted_at", "id")
        .values_list(
            "learner__username",
            "learner__first_name",
            "learner__last_name",
            "learner__email",
            "quiz_title",
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
            neutralise(username),
            neutralise(f"{first} {last}".strip()),
            neutralise(email),
            neutralise(quiz),
            started.isoformat(timespec="seconds"),
            submitted.isoformat(timespec="seconds"),
            f"{marks.normalize():f}",
            f"{maximum.normalize():f}",
            f"{percent:.2f}",
            "yes" if passed else "no",
        ]


class _Echo:
    """A file-like object whose write() hands back what it is given."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    """Each row as one line of CSV text, written lazily."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)
