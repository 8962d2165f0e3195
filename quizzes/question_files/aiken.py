"""Aiken, Moodle's simplest text format for one-answer questions: read it.

Follows Moodle's importer (question/format/aiken/format.php) and its documentation
(docs.moodle.org, "Aiken format"):

    Which body decides on collective defence?
    A) The North Atlantic Council
    B. The European Council
    ANSWER: A

Decisions where Aiken leaves room:

- A blank line ends a question, and every question ends with its `ANSWER: X` line: text after
  it before a blank line is an error (Moodle would start a new question there).
- The text may run over several lines before the first option; they are kept as lines
  (stripped), joined by line breaks. Moodle reads one line only.
- An option is a capital letter, `)` or `.`, then a space or tab and its text: `A) Text`,
  `B. Text`. So a line of text beginning "A. " is an option, as in Moodle. Options run A, B, C…
  without gaps; after the options only the ANSWER line may follow.
- `ANSWER:` is written in capitals, followed by one option letter.
- Errors cite the offending line; errors about a whole question (no ANSWER line, fewer than two
  options) cite its first line. Every error in the file is collected, and nothing is returned
  when there is one.
"""

import re

from django.utils.translation import gettext as _

from quizzes.core.spreadsheet import shows_nothing
from quizzes.question_files.parsed import (
    FormatError,
    ParsedChoice,
    ParsedQuestion,
    text_blocks,
)
from quizzes.taking.scoring import SINGLE

_OPTION = re.compile(r"(?P<letter>[A-Z])[.)](?:[ \t]+(?P<text>.*))?")
_ANSWER = re.compile(r"ANSWER:(?P<letter>.*)")


def parse_aiken(text: str) -> list[ParsedQuestion]:
    """The questions of an Aiken file; FormatError lists every problem in it."""
    errors: list[tuple[int, str]] = []
    questions = []
    for block in text_blocks(text):
        question = _question([(number, line.strip()) for number, line in block], errors)
        if question is not None:
            questions.append(question)
    if errors:
        raise FormatError(sorted(errors, key=lambda error: error[0]))
    return questions


def _question(lines: list[tuple[int, str]], errors: list[tuple[int, str]]) -> ParsedQuestion | None:
    """The question in a block of stripped lines, or None after adding its problems to `errors`."""
    first, first_text = lines[0]
    if _OPTION.fullmatch(first_text) or _ANSWER.match(first_text):
        errors.append(
            (first, _("This line comes before any question text: start with the question."))
        )
        return None
    found = len(errors)
    stem: list[str] = []
    options: list[tuple[int, str, str]] = []  # line, letter, text
    answer: tuple[int, str] | None = None
    for number, line in lines:
        option = _OPTION.fullmatch(line)
        if answer is not None:
            errors.append(
                (
                    number,
                    _("Text after the ANSWER line: leave a blank line before the next question."),
                )
            )
            break
        if match := _ANSWER.match(line):
            answer = (number, match.group("letter").strip())
        elif option:
            expected = chr(ord(options[-1][1]) + 1) if options else "A"
            letter = option.group("letter")
            if letter != expected:
                errors.append(
                    (
                        number,
                        _("Option %(letter)s is out of sequence: expected %(expected)s.")
                        % {"letter": letter, "expected": expected},
                    )
                )
            options.append((number, letter, (option.group("text") or "").strip()))
        elif options:
            errors.append(
                (
                    number,
                    _(
                        "Expected the next option or the ANSWER line: an option is a capital "
                        "letter, ) or . and a space, then its text."
                    ),
                )
            )
        else:
            stem.append(line)

    if answer is None:
        errors.append((first, _("This question has no ANSWER line after its options.")))
    if len(options) < 2:
        errors.append(
            (
                first,
                _("A question needs at least two options; this one has %(count)d.")
                % {"count": len(options)},
            )
        )
    seen = set()
    for number, _letter, option_text in options:
        if shows_nothing(option_text):  # empty, or zero-width characters only
            errors.append((number, _("This option has no text.")))
        elif option_text in seen:
            errors.append(
                (
                    number,
                    _("The option “%(text)s” appears twice in this question.")
                    % {"text": option_text},
                )
            )
        seen.add(option_text)
    letters = [letter for _number, letter, _text in options]
    if answer is not None:
        number, letter = answer
        if not re.fullmatch(r"[A-Z]", letter):
            errors.append(
                (number, _("Write the answer as ANSWER: and one option letter, such as ANSWER: B."))
            )
        elif letter not in letters:
            errors.append(
                (
                    number,
                    _("ANSWER %(letter)s is not one of this question's options.")
                    % {"letter": letter},
                )
            )
    if len(errors) > found:
        return None
    assert answer is not None  # a missing ANSWER line is an error above

    return ParsedQuestion(
        line=first,
        title="",
        text="\n".join(stem),
        kind=SINGLE,
        choices=[
            ParsedChoice(text=option_text, correct=letter == answer[1])
            for _number, letter, option_text in options
        ],
    )
