"""What a question file (GIFT or Aiken) holds once read, and the error that lists its problems.

Plain values, no ORM: `gift.py` and `aiken.py` produce them, the import view turns them into
questions. Equality compares what makes the question itself (texts, kind, correctness, feedback,
explanation, category, marks, source), not how the file wrote it: the line number, the GIFT
weights as written and the warnings are kept but left out of `==`, so a question exported and
read back equals the one first read.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _


@dataclass
class ParsedChoice:
    """One answer of a question as the file gave it."""

    text: str
    correct: bool
    # The GIFT weight as a fraction of 1 (Fraction(1, 2) for %50%); None when not written.
    weight: Fraction | None = field(default=None, compare=False)
    feedback: str = ""


@dataclass
class ParsedQuestion:
    """One multiple-choice question read from a file, ready to be checked and saved."""

    line: int = field(compare=False)  # 1-based line of the question's first line of text
    title: str
    text: str
    kind: str  # scoring.SINGLE or scoring.MULTIPLE
    choices: list[ParsedChoice]
    explanation: str = ""
    category: str = ""
    marks: Decimal | None = None
    source_title: str = ""
    source_url: str = ""
    warnings: list[str] = field(default_factory=list, compare=False)


class FormatError(Exception):
    """Every problem found in a file, as (line number, message) pairs in line order."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = list(errors)
        super().__init__(
            "\n".join(
                _("line %(line)d: %(message)s") % {"line": line, "message": message}
                for line, message in self.errors
            )
        )


def text_blocks(text: str) -> list[list[tuple[int, str]]]:
    """The file's runs of non-blank lines, each line with its 1-based number.

    Only \\n, \\r\\n and \\r end a line, so numbers match what an editor shows.
    """
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks
