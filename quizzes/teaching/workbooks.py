"""Exports as Excel workbooks (.xlsx), written row by row in openpyxl's write-only mode.

The rows are the CSV exports' own (exports.py), so both files always hold the same cells; here
each column's text becomes the cell type a spreadsheet should see: numbers as numbers, times as
dates, and text neutralised as in CSV (a ' before anything a spreadsheet would run as a
formula). Write-only mode keeps one row in memory: openpyxl streams the sheet to a temporary
file as rows come, so 100,000 rows cost what 10,000 do (docs/BENCHMARKS.md).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import IO

from django.utils import timezone
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from quizzes.core.spreadsheet import neutralise

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT, NUMBER, TIME, WORD = "t", "n", "d", "w"

# A WORD column's values: the same in every language in a plain CSV, so that a script reads
# an English and a Polish teacher's files alike, and in the reader's language in the files
# people open (CSV for Excel, workbooks), as the headings are.
WORDS = {
    "finished": pgettext_lazy("an attempt, in a spreadsheet", "finished"),
    "in progress": pgettext_lazy("an attempt, in a spreadsheet", "in progress"),
    "yes": pgettext_lazy("in a spreadsheet", "yes"),
    "no": pgettext_lazy("in a spreadsheet", "no"),
    "single": pgettext_lazy("a kind of question, in a spreadsheet", "one answer"),
    "multiple": pgettext_lazy("a kind of question, in a spreadsheet", "several answers"),
    "truefalse": pgettext_lazy("a kind of question, in a spreadsheet", "true or false"),
}


def words_shown() -> dict[str, str]:
    """WORDS in the current language, looked up once for a whole file."""
    return {value: str(shown) for value, shown in WORDS.items()}


@dataclass(frozen=True)
class Columns:
    """The type of each column of an export: one letter a column (t text, n number, d time,
    w one of WORDS), and the type of any further ones (the grades' one column per question)."""

    kinds: str
    rest: str = TEXT

    def of(self, index: int) -> str:
        return self.kinds[index] if index < len(self.kinds) else self.rest


def _text(value: str) -> str:
    # Control characters other than tab and line breaks cannot be stored in a workbook: taken
    # out first, so that what neutralise sees is what the cell will hold.
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))


def _number(value: str) -> Decimal | str | None:
    if value == "":
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return _text(value)


def _time(value: str) -> datetime | str | None:
    """An ISO 8601 time as the reader's local time (a workbook has no time zones)."""
    if value == "":
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return _text(value)
    if timezone.is_aware(moment):
        moment = timezone.make_naive(moment)
    return moment


CONVERT = {TEXT: _text, NUMBER: _number, TIME: _time}


def xlsx_write(
    rows: Iterable[list],
    out: IO[bytes],
    *,
    columns: Columns,
    title: str,
    progress: Callable[[int], None] | None = None,
    every: int = 2000,
) -> int:
    """Write the rows (a header first) to `out` as a one-sheet workbook; the rows written.

    `progress(rows)` is called every `every` rows, for a background job's progress.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.freeze_panes = "A2"
    rows = iter(rows)
    header = next(rows, None)
    written = 0
    if header is not None:
        bold = Font(bold=True)
        cells = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=_text(str(name)))
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        written = 1
    shown = words_shown()
    convert = {**CONVERT, WORD: lambda value: _text(shown.get(value, value))}
    kinds = None
    for row in rows:
        if kinds is None or len(kinds) != len(row):
            kinds = [convert[columns.of(i)] for i in range(len(row))]
        sheet.append([convert(cell) for convert, cell in zip(kinds, row, strict=True)])
        written += 1
        if progress is not None and written % every == 0:
            progress(written)
    workbook.save(out)
    return written


def _sheet_title(title: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("-" if c in "[]:*?/\\" else c for c in title).strip("'") or "Sheet"
    return cleaned[:31]
