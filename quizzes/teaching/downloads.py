"""Streaming file downloads shared by the results pages and the admin."""

import itertools
import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from quizzes.models import Answer, Misconception
from quizzes.teaching import exports
from quizzes.teaching.classes import class_names_by_learner
from quizzes.teaching.dashboard import QuestionReports, question_order, question_reports
from quizzes.teaching.exports import csv_lines
from quizzes.teaching.workbooks import CONTENT_TYPE, NUMBER, WORD, Columns, words_shown, xlsx_write

QUIZ_EXPORTS = ("grades", "responses", "items")
QUIZ_EXPORT_TYPES = {
    "grades": exports.GRADE_TYPES,
    "responses": exports.RESPONSE_TYPES,
    "items": exports.ITEM_TYPES,
}
# Said when a workbook of more than EXPORT_INLINE_LIMIT attempts is asked for where no
# background job writes it: it is written whole before it is sent, unlike a streamed CSV.
WORKBOOK_TOO_LARGE = _(
    "That many attempts make a workbook too large to write while you wait. Download the CSV, "
    "or a quiz's workbook from its dashboard, which is written in the background."
)
LINES_PER_PIECE = 200


def csv_filename(name: str, extension: str = "csv") -> str:
    """`<name>-<today>.csv` (or another extension): what and when."""
    return f"{name}-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_text(
    rows: Iterable[list], *, bom: bool = False, columns: Columns | None = None
) -> Iterator[str]:
    """The rows as CSV lines; with `bom`, Excel's CSV: after a UTF-8 byte-order mark, and in a
    language that writes decimal commas (Polish), with semicolons between the cells and the
    number `columns` written 3,5, as Excel set to that language reads a CSV file. Otherwise
    it puts each row into one cell there, and takes 3.5 for text."""
    if bom and columns is not None and formats.get_format("DECIMAL_SEPARATOR") == ",":
        lines = csv_lines(_for_excel(rows, columns, decimal_commas=True), delimiter=";")
    elif bom and columns is not None:
        lines = csv_lines(_for_excel(rows, columns, decimal_commas=False))
    else:
        lines = csv_lines(rows)
    return itertools.chain(["\ufeff"], lines) if bom else lines


def _for_excel(rows: Iterable[list], columns: Columns, *, decimal_commas: bool) -> Iterator[list]:
    """The rows as people read them in Excel: WORD cells in the reader's language ("tak",
    "zakończone"), and, with `decimal_commas`, numbers written 3,5."""
    rows = iter(rows)
    yield next(rows, [])  # the header
    numbers: list[int] | None = None
    words: list[int] = []
    shown = words_shown()
    for row in rows:
        if not isinstance(row, list):
            row = list(row)
        if numbers is None:
            numbers = [n for n in range(len(row)) if decimal_commas and columns.of(n) == NUMBER]
            words = [n for n in range(len(row)) if columns.of(n) == WORD]
        for n in numbers:
            if n < len(row) and isinstance(row[n], str):
                row[n] = row[n].replace(".", ",")
        for n in words:
            if n < len(row):
                row[n] = shown.get(row[n], row[n])
        yield row


def csv_download(
    rows: Iterable[list], name: str, *, bom: bool = False, columns: Columns | None = None
) -> StreamingHttpResponse:
    """Stream rows as a CSV attachment named `<name>-<today>.csv`.

    With `bom`, Excel's CSV (`csv_text`): a UTF-8 byte-order mark, which Excel needs to read
    accented letters (ą, ł, ó) correctly, and the reader's language's separators.
    """
    filename = csv_filename(name)
    lines = csv_text(rows, bom=bom, columns=columns)
    # Lines sent a few hundred at a time: each piece of a streamed response costs Django and
    # the server a handful of calls, as much as writing a line of grades.
    pieces = iter(lambda: "".join(itertools.islice(lines, LINES_PER_PIECE)), "")
    response = StreamingHttpResponse(pieces, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def quiz_csv_rows(user, quiz, attempts, kind: str, *, items: QuestionReports | None = None):
    """One quiz's grades, responses or item statistics for `attempts`, as rows.

    `user` decides which of the learner's classes the grades name; `items` is the stored item
    analysis, computed from `attempts` when not given.
    """
    if kind == "grades":
        columns = {
            c[0]: c for c in exports.question_columns(Answer.objects.filter(attempt__in=attempts))
        }
        ordered = [columns[key] for key in question_order(quiz, set(columns))]
        return exports.grade_rows(attempts, ordered, class_names_by_learner(user))
    if kind == "responses":
        names = dict(Misconception.objects.values_list("slug", "name"))
        return exports.response_rows(attempts, names)
    if kind == "items":
        return exports.item_rows((items or question_reports(quiz, attempts)).questions)
    raise ValueError(f"unknown export {kind!r}")


def quiz_csv_download(
    user, quiz, attempts, kind: str, *, bom: bool = False, items=None, format: str = "csv"
):
    """`quiz_csv_rows` as a streamed CSV or a workbook; shared by the dashboard and the admin."""
    rows = quiz_csv_rows(user, quiz, attempts, kind, items=items)
    return download(rows, f"{kind}-{quiz.slug}", QUIZ_EXPORT_TYPES[kind], format=format, bom=bom)


def xlsx_download(rows: Iterable[list], name: str, columns: Columns) -> FileResponse:
    """The rows as an Excel workbook named `<name>-<today>.xlsx`, one sheet.

    The workbook is written to a temporary file first (a zip file cannot be streamed before
    its last row), in openpyxl's write-only mode, so memory stays flat however many rows.
    """
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    xlsx_write(rows, out, columns=columns, title=name)
    out.seek(0)
    return FileResponse(
        out, as_attachment=True, filename=csv_filename(name, "xlsx"), content_type=CONTENT_TYPE
    )


def download(rows: Iterable[list], name: str, columns: Columns, *, format: str, bom: bool):
    """The rows as the file `format` names ("csv" or "xlsx"); `bom` for Excel's CSV."""
    if format == "xlsx":
        return xlsx_download(rows, name, columns)
    return csv_download(rows, name, bom=bom, columns=columns)
