"""Cells safe to open in a spreadsheet. Standard library only: the export benchmark's plain
sqlite3 + csv baseline (benchmarks/export_baseline.py) writes its cells with it too."""

import re
import unicodedata
from datetime import datetime, tzinfo

# A spreadsheet runs a cell as a formula (CSV injection) when it starts with a line break or
# tab, or when its first character after any blanks (spaces, NBSP, zero-width and other
# invisible format characters) is one of these: = + - @, their full-width and small forms, the
# minus sign, or a quote (which a spreadsheet may drop before reading the rest).
CONTROL_TRIGGERS = ("\t", "\r", "\n")
FORMULA_STARTS = frozenset('=+-@"\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b\u2212')
# With a decimal point or, in the Polish CSV for Excel, a decimal comma (-26,6164).
# Characters that show nothing, skipped to the first one that shows: format and control
# characters, combining marks alone (U+034F, variation selectors) and the Hangul fillers.
INVISIBLE = ("Cf", "Cc", "Mn")
FILLERS = frozenset("\u115f\u1160\u3164\uffa0")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")


def neutralise(text: str) -> str:
    """Make a text cell safe to open in a spreadsheet: a ' before anything read as a formula.

    A plain number (-0.25, a negative discrimination index) is left as it is: it is a number
    to the spreadsheet, not a formula.
    """
    if not text or (text[0].isalnum() and text[0] not in FILLERS):  # most cells: names, dates
        return text
    if text.startswith(CONTROL_TRIGGERS):
        return "'" + text
    if PLAIN_NUMBER.fullmatch(text):
        return text
    for character in text:
        # Spaces, invisible format characters and control characters (which a workbook
        # drops, so "\x01=" would arrive as "="), skipped to the first one that shows.
        if _shows(character):
            return "'" + text if character in FORMULA_STARTS else text
    return text


def shows_nothing(text: str) -> bool:
    """Whether a text is only blanks and characters that show nothing ("\u200b\u3164"): the
    admin refuses it where a text is required, as it refuses an empty one."""
    return not any(_shows(character) for character in text)


def _shows(character: str) -> bool:
    return not (
        character.isspace() or character in FILLERS or unicodedata.category(character) in INVISIBLE
    )


class LocalTimes(dict):
    """A time stored as UTC text ("2025-09-10 12:34:56", maybe with microseconds) as the
    export writes it: ISO 8601 to the second in local time, with its offset
    ("2025-09-10T14:34:56+02:00"), so a file reads the hours the pages show.

    Worked out once per UTC hour (the offset is the same all hour, and the minutes and
    seconds do not change with a whole-hour offset): converting each of a 100,000-attempt
    export's 200,000 times on its own would cost a datetime each way.
    """

    def __init__(self, zone: tzinfo):
        super().__init__()
        self.zone = zone

    def __call__(self, utc: str) -> str:
        hour = utc[:13]
        parts = self.get(hour, False)
        if parts is False:
            parts = self[hour] = self._hour(hour)
        if parts is None:  # an offset of part of an hour: each time on its own
            moment = datetime.fromisoformat(f"{utc[:19]}+00:00").astimezone(self.zone)
            return moment.isoformat(timespec="seconds")
        prefix, offset = parts
        return f"{prefix}{utc[13:19]}{offset}"

    def _hour(self, hour: str) -> tuple[str, str] | None:
        moment = datetime.fromisoformat(f"{hour}:00:00+00:00").astimezone(self.zone)
        offset = moment.utcoffset()
        if offset is None or offset.total_seconds() % 3600:
            return None
        local = moment.isoformat(timespec="seconds")  # "2025-09-10T14:00:00+02:00"
        return local[:13], local[19:]
