"""Cells safe to open in a spreadsheet. Standard library only: the export benchmark's plain
sqlite3 + csv baseline (benchmarks/export_baseline.py) writes its cells with it too."""

import re
import unicodedata

# A spreadsheet runs a cell as a formula (CSV injection) when it starts with a line break or
# tab, or when its first character after any blanks (spaces, NBSP, zero-width and other
# invisible format characters) is one of these: = + - @, their full-width and small forms, the
# minus sign, or a quote (which a spreadsheet may drop before reading the rest).
CONTROL_TRIGGERS = ("\t", "\r", "\n")
FORMULA_STARTS = frozenset('=+-@"\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b\u2212')
PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def neutralise(text: str) -> str:
    """Make a text cell safe to open in a spreadsheet: a ' before anything read as a formula.

    A plain number (-0.25, a negative discrimination index) is left as it is: it is a number
    to the spreadsheet, not a formula.
    """
    if text[:1].isalnum() or not text:  # most cells: names, dates, numbers; empty ones
        return text
    if text.startswith(CONTROL_TRIGGERS):
        return "'" + text
    if PLAIN_NUMBER.fullmatch(text):
        return text
    for character in text:
        # Spaces, invisible format characters and control characters (which a workbook
        # drops, so "\x01=" would arrive as "="), skipped to the first one that shows.
        if not (character.isspace() or unicodedata.category(character) in ("Cf", "Cc")):
            return "'" + text if character in FORMULA_STARTS else text
    return text
