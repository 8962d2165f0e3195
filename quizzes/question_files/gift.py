"""GIFT, Moodle's text format for questions: read its multiple-choice subset.

Reading follows Moodle's importer (question/format/gift/format.php) and its documentation
(docs.moodle.org, "GIFT format"). Where GIFT leaves room, or quizsite differs, this module decides:

- **Multiple choice and true/false.** `{T}`, `{TRUE}`, `{F}`, `{FALSE}` make a true/false
  question, with Moodle's feedback `{T#shown when wrong#shown when right}`. Short answer
  (`{=a =b}`: `=` answers and no `~`), matching (`->`), numerical (`{#…}`), essay (`{}`) and
  description (no braces) questions are refused with their line, as Moodle tells the types
  apart (a `~` makes multiple choice).
- **Kind.** A choice is correct when its weight is above 0, or, without a weight, when it is an
  `=` answer. One correct choice makes a one-answer question, several a several-answer question;
  one correct choice beside negative weights also makes a several-answer question, because
  penalties only mean something when several choices may be ticked (and quizsite's own export of
  such a question reads back as it was). Several unweighted `=` answers are imported as a
  several-answer question with a warning: Moodle would accept any one of them for full marks.
- **Weights.** An answer that starts with `%` starts with a weight, `%number%` from -100 to 100;
  anything else there is an error (start a text that begins with `%` with `[markdown]`). A value
  written with 5 or more decimals, as Moodle writes them (`33.33333`), is read as the fraction
  with a denominator up to 100 that rounds to it (1/3); shorter values are exact (`33.33` is
  3333/10000). A question with one `=` answer may carry no weights. Weights never change marking:
  quizsite's rule does (`scoring.question_fraction`), and a warning says so when they differ.
- **Lines.** Questions are separated by blank lines. A question's line is its first line of
  text, after its comment and `$CATEGORY:` lines; errors about a whole question cite that line,
  errors about one answer cite the answer's line. Every error in the file is collected, and
  nothing is returned when there is one.
- **Text after the answers block** (Moodle's "missing word"): as in Moodle, the block is
  replaced by `_____` when text follows it, and simply removed when it ends the question.
- **Texts.** Whitespace around each text is stripped; the lines of a multi-line text keep their
  line breaks; comment lines inside a question are dropped. `\\~ \\= \\# \\{ \\} \\:` give the
  character, `\\n` a line break, `\\\\` a backslash; any other backslash stays as written.
  A leading `[moodle]`, `[plain]`, `[markdown]` or `[html]` format marker is dropped as Moodle
  drops it; `[html]` adds a warning, since quizsite shows Markdown and HTML tags show as typed.
- **Quizsite's comments.** `// marks: 2` (above 0, at most 2 decimals, below 10 000, as
  `Question.marks` stores) and `// source: Title <https://url>` (either part may be left out)
  count when they are among the comment lines of the question's own block, before its text.
  `$CATEGORY: path` is kept as written, Moodle's `$course$/top/…` prefix included.

Writing is `gift_export.to_gift`.
"""

import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from fractions import Fraction

from django.utils.translation import gettext as _

from quizzes.core.spreadsheet import shows_nothing
from quizzes.question_files.parsed import (
    FormatError,
    ParsedChoice,
    ParsedQuestion,
    text_blocks,
)
from quizzes.taking.scoring import MULTIPLE, SINGLE, TRUE_FALSE

ESCAPABLE = "~=#{}:"
CATEGORY = "$CATEGORY:"
MISSING_WORD = "_____"
# Weights up to this denominator are recognised behind Moodle's 5-decimal rounding.
MAX_DENOMINATOR = 100
MAX_MARKS = Decimal(10000)

_FORMAT_MARKER = re.compile(r"\[(moodle|plain|markdown|html)\]")
_WEIGHT = re.compile(r"%([^%\n]*)%")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_MARKS = re.compile(r"//\s*marks:(.*)", re.IGNORECASE)
_SOURCE = re.compile(r"//\s*source:(.*)", re.IGNORECASE)
_SOURCE_PARTS = re.compile(r"(?P<title>.*?)\s*(?:<(?P<url>[^<>]*)>)?\s*")


def parse_gift(text: str) -> list[ParsedQuestion]:
    """The multiple-choice questions of a GIFT file; FormatError lists every problem in it."""
    errors: list[tuple[int, str]] = []
    questions = []
    category = ""
    for block in text_blocks(text):
        meta = _Meta()
        body: list[tuple[int, str]] = []
        for number, line in block:
            stripped = line.strip()
            if stripped.startswith("//"):
                if not body:
                    meta.read(number, stripped, errors)
            elif body:
                body.append((number, line))
            elif stripped.startswith(CATEGORY):
                category = stripped.removeprefix(CATEGORY).strip()
            else:
                body.append((number, line))
        if body:
            question = _question(_Body(body), category, meta, errors)
            if question is not None:
                questions.append(question)
    if errors:
        raise FormatError(sorted(errors, key=lambda error: error[0]))
    return questions


class _Meta:
    """What quizsite's comment lines before a question say about it."""

    def __init__(self) -> None:
        self.marks: Decimal | None = None
        self.source_title = ""
        self.source_url = ""

    def read(self, number: int, comment: str, errors: list[tuple[int, str]]) -> None:
        if match := _MARKS.fullmatch(comment):
            self.marks = _marks(match.group(1).strip())
            if self.marks is None:
                errors.append(
                    (
                        number,
                        _(
                            "Cannot read the marks %(marks)s: write a number above 0 with at "
                            "most 2 decimals, such as // marks: 1.5"
                        )
                        % {"marks": match.group(1).strip()},
                    )
                )
        elif match := _SOURCE.fullmatch(comment):
            parts = _SOURCE_PARTS.fullmatch(match.group(1).strip())
            assert parts is not None  # the pattern matches any text
            title, url = parts.group("title"), (parts.group("url") or "").strip()
            if (
                (not title and not url)
                or "<" in title
                or ">" in title
                or (url and not re.fullmatch(r"https?://\S+", url))
            ):
                errors.append(
                    (
                        number,
                        _("Write the source as // source: Title <https://address>"),
                    )
                )
            else:
                self.source_title, self.source_url = title, url


def _marks(written: str) -> Decimal | None:
    try:
        marks = Decimal(written)
    except InvalidOperation:
        return None
    if (
        not marks.is_finite()
        or not 0 < marks < MAX_MARKS
        or marks != marks.quantize(Decimal("0.01"))
    ):
        return None
    return marks


class _Body:
    """A question's lines joined by line breaks, knowing which characters a backslash escapes."""

    def __init__(self, lines: list[tuple[int, str]]):
        self.text = "\n".join(line for _number, line in lines)
        self.first_line = lines[0][0]
        self._numbers = [number for number, _line in lines]
        self._starts = []
        offset = 0
        for _number, line in lines:
            self._starts.append(offset)
            offset += len(line) + 1
        self.escaped = [False] * len(self.text)
        index = 0
        while index < len(self.text) - 1:
            if self.text[index] == "\\":
                self.escaped[index] = self.escaped[index + 1] = True
                index += 2
            else:
                index += 1

    def line(self, offset: int) -> int:
        """The file's line number of the character at `offset`."""
        return self._numbers[bisect_right(self._starts, offset) - 1]

    def special(self, index: int, chars: str) -> bool:
        """Whether the character at `index` is one of `chars`, not escaped."""
        return self.text[index] in chars and not self.escaped[index]

    def find(self, chars: str, start: int, end: int | None = None) -> int:
        """The first unescaped character of `chars` in [start, end), or -1."""
        end = len(self.text) if end is None else end
        return next((i for i in range(start, end) if self.special(i, chars)), -1)

    def find_run(self, char: str, length: int, start: int, end: int, *, last: bool) -> int:
        """Where `length` unescaped `char`s in a row start in [start, end), or -1."""
        starts = range(start, end - length + 1)
        for i in reversed(starts) if last else starts:
            if all(self.special(j, char) for j in range(i, i + length)):
                return i
        return -1


@dataclass
class _Answer:
    line: int
    marker: str
    weight: Fraction | None
    weight_ok: bool
    text: str
    feedback: str
    formats: tuple[str, str]

    @property
    def correct(self) -> bool:
        return self.weight > 0 if self.weight is not None else self.marker == "="

    @property
    def written_weight(self) -> Fraction:
        """The weight Moodle gives it: as written, else 100 % for `=` and 0 % for `~`."""
        if self.weight is not None:
            return self.weight
        return Fraction(1) if self.marker == "=" else Fraction(0)


def _question(
    body: _Body, category: str, meta: _Meta, errors: list[tuple[int, str]]
) -> ParsedQuestion | None:
    """The question in `body`, or None after adding its problems to `errors`."""
    text = body.text
    first = body.first_line
    found = len(errors)
    start = len(text) - len(text.lstrip())
    title = ""
    if text.startswith("::", start):
        close = body.find_run(":", 2, start + 2, len(text), last=False)
        if close < 0:
            errors.append(
                (first, _("The title is not closed: write ::title:: before the question text."))
            )
            return None
        title = _unescape(text[start + 2 : close]).strip()
        start = close + 2

    braces = _answers_block(body, start, errors)
    if braces is None:
        return None
    opening, closing = braces
    after = text[closing + 1 :]
    question_text, text_format = _read_text(
        text[start:opening] + (MISSING_WORD + after if after.strip() else "")
    )
    answers_end = closing
    explanation, explanation_format = "", ""
    general = body.find_run("#", 4, opening + 1, closing, last=True)
    if general >= 0:
        explanation, explanation_format = _read_text(text[general + 4 : closing])
        answers_end = general

    truth = _truth(body, opening + 1, answers_end)
    if truth is not None:
        if shows_nothing(question_text):  # empty, or zero-width characters only
            errors.append((first, _("The question has no text.")))
        choices, formats = _true_false_choices(body, opening + 1, answers_end, truth, errors)
        if len(errors) > found:
            return None
        return ParsedQuestion(
            line=first,
            title=title,
            text=question_text,
            kind=TRUE_FALSE,
            choices=choices,
            explanation=explanation,
            category=category,
            marks=meta.marks,
            source_title=meta.source_title,
            source_url=meta.source_url,
            warnings=_warnings(TRUE_FALSE, [], [text_format, explanation_format, *formats]),
        )

    other = _other_type(body, opening + 1, answers_end)
    if other:
        errors.append((first, other))
        return None
    if shows_nothing(question_text):  # empty, or zero-width characters only
        errors.append((first, _("The question has no text.")))

    markers = [i for i in range(opening + 1, answers_end) if body.special(i, "~=")]
    leading = text[opening + 1 : markers[0]]
    if leading.strip():
        errors.append(
            (
                body.line(opening + 1 + len(leading) - len(leading.lstrip())),
                _("Text before the first answer: start every answer with = (right) or ~ (wrong)."),
            )
        )
    answers = [
        _answer(body, marker, end, errors)
        for marker, end in zip(markers, markers[1:] + [answers_end], strict=True)
    ]
    _check_answers(first, answers, errors)
    if len(errors) > found:
        return None

    kind = _kind(answers)
    return ParsedQuestion(
        line=first,
        title=title,
        text=question_text,
        kind=kind,
        choices=[ParsedChoice(a.text, a.correct, a.weight, a.feedback) for a in answers],
        explanation=explanation,
        category=category,
        marks=meta.marks,
        source_title=meta.source_title,
        source_url=meta.source_url,
        warnings=_warnings(
            kind,
            answers,
            [text_format, explanation_format, *(f for a in answers for f in a.formats)],
        ),
    )


def _answers_block(
    body: _Body, start: int, errors: list[tuple[int, str]]
) -> tuple[int, int] | None:
    """Where the question's one { … } block opens and closes, or None after adding why not."""
    opening = body.find("{", start)
    closing = body.find("}", start)
    if opening < 0 or 0 <= closing < opening:
        if closing >= 0:
            errors.append(
                (
                    body.line(closing),
                    _("This } closes no answers block: write \\} for a brace in the text."),
                )
            )
        else:
            errors.append(
                (
                    body.first_line,
                    _(
                        "This question has no answers block: add { =right answer ~wrong "
                        "answer } after its text."
                    ),
                )
            )
        return None
    if closing < 0:
        errors.append(
            (
                body.line(opening),
                _(
                    "This { opens an answers block that is not closed with } before the next "
                    "blank line (a blank line ends a question; write \\n for one in a text)."
                ),
            )
        )
        return None
    for stray in (body.find("{", opening + 1, closing), body.find("{}", closing + 1)):
        if stray >= 0:
            errors.append(
                (
                    body.line(stray),
                    _(
                        "A question has one answers block: write \\{ and \\} for braces in "
                        "the text."
                    ),
                )
            )
            return None
    return opening, closing


TRUE_WORDS, FALSE_WORDS = ("T", "TRUE"), ("F", "FALSE")


def _truth(body: _Body, start: int, end: int) -> bool | None:
    """The answer of a true/false block ({T}, {FALSE#…}) in [start, end), or None for another."""
    hash_ = body.find("#", start, end)
    word = body.text[start : hash_ if hash_ >= 0 else end].strip()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


def _true_false_choices(
    body: _Body, start: int, end: int, truth: bool, errors: list[tuple[int, str]]
) -> tuple[list[ParsedChoice], list[str]]:
    """A true/false block's two choices, "True" then "False", with their feedback.

    As in Moodle, `{T#one#two}` shows the first feedback for the wrong answer and the second
    for the right one.
    """
    hashes = [i for i in range(start, end) if body.special(i, "#")]
    bounds = [*hashes, end]
    feedbacks = [_read_text(body.text[a + 1 : b]) for a, b in zip(bounds, bounds[1:], strict=False)]
    if len(feedbacks) > 2:
        errors.append(
            (
                body.line(hashes[2]),
                _(
                    "A true/false answer takes two feedbacks at most: {T#shown when wrong#shown "
                    "when right}; write \\# for a # in a feedback."
                ),
            )
        )
    wrong, right = [*(text for text, _format in feedbacks), "", ""][:2]
    choices = [
        ParsedChoice("True", truth, feedback=right if truth else wrong),
        ParsedChoice("False", not truth, feedback=wrong if truth else right),
    ]
    return choices, [text_format for _text, text_format in feedbacks]


def _other_type(body: _Body, start: int, end: int) -> str:
    """Why the answers block in [start, end) is not multiple choice, or "" when it is."""
    raw = body.text[start:end].strip()
    if not raw:
        return _("Only multiple-choice questions can be imported: {} makes an essay question.")
    if raw.startswith("#"):
        return _("Only multiple-choice questions can be imported: {#…} makes a numerical question.")
    if body.find("~", start, end) >= 0:
        return ""
    if body.find("=", start, end) >= 0 and "->" in raw:
        return _(
            "Only multiple-choice questions can be imported: = … -> … makes a matching question."
        )
    return _(
        "Only multiple-choice questions can be imported: without ~ answers this is a "
        "short-answer question; mark the wrong choices with ~."
    )


def _answer(body: _Body, marker: int, end: int, errors: list[tuple[int, str]]) -> _Answer:
    """The answer whose = or ~ is at `marker`, running to `end`."""
    line = body.line(marker)
    hash_ = body.find("#", marker + 1, end)
    raw = body.text[marker + 1 : hash_ if hash_ >= 0 else end].lstrip()
    weight, weight_ok = None, True
    if raw.startswith("%"):
        match = _WEIGHT.match(raw)
        weight = _weight(match.group(1)) if match else None
        if weight is None:
            weight_ok = False
            written = match.group(0) if match else raw.split()[0]
            errors.append(
                (
                    line,
                    _(
                        "Cannot read the weight %(weight)s: write a percentage from -100 to "
                        "100, such as %%50%% or %%-25%%."
                    )
                    % {"weight": written},
                )
            )
        if match:
            raw = raw[match.end() :]
    text, text_format = _read_text(raw)
    feedback, feedback_format = _read_text(body.text[hash_ + 1 : end]) if hash_ >= 0 else ("", "")
    return _Answer(
        line,
        body.text[marker],
        weight,
        weight_ok,
        text,
        feedback,
        (text_format, feedback_format),
    )


def _weight(written: str) -> Fraction | None:
    """A written percentage as a fraction of 1, or None when it is not one from -100 to 100."""
    written = written.strip()
    if not _NUMBER.fullmatch(written):
        return None
    percent = Decimal(written)
    if not -100 <= percent <= 100:
        return None
    exact = Fraction(percent) / 100
    exponent = percent.as_tuple().exponent
    assert isinstance(exponent, int)  # a finite number: _NUMBER matched
    decimals = -exponent
    if exact.denominator <= MAX_DENOMINATOR or decimals < 5:
        return exact
    nearest = exact.limit_denominator(MAX_DENOMINATOR)
    # As many digits as the weight was written with: Moodle writes 1/3 as 33.33333, and a
    # hand-written 33.333… with 30 decimals is still a third (the default 28 digits would fail).
    with localcontext() as context:
        context.prec = len(percent.as_tuple().digits) + 3
        rounded = (Decimal(nearest.numerator) * 100 / Decimal(nearest.denominator)).quantize(
            Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP
        )
    return nearest if rounded == percent else exact


def _check_answers(first: int, answers: list[_Answer], errors: list[tuple[int, str]]) -> None:
    """Add what is wrong with a multiple-choice question's answers to `errors`."""
    if len(answers) < 2:
        errors.append(
            (
                first,
                _("A multiple-choice question needs at least two answers; this one has %(count)d.")
                % {"count": len(answers)},
            )
        )
    seen = set()
    for answer in answers:
        if shows_nothing(answer.text):
            errors.append((answer.line, _("This answer has no text.")))
        elif answer.text in seen:
            errors.append(
                (
                    answer.line,
                    _("The answer “%(text)s” appears twice in this question.")
                    % {"text": answer.text},
                )
            )
        seen.add(answer.text)
    if not all(answer.weight_ok for answer in answers):
        return
    weighted = [answer for answer in answers if answer.weight is not None]
    if weighted and sum(1 for answer in answers if answer.marker == "=") == 1:
        errors.append(
            (
                weighted[0].line,
                _(
                    "A question with one = answer cannot also have weights: use = and ~ "
                    "alone, or ~%…% weights on every answer."
                ),
            )
        )
    elif answers and not any(answer.correct for answer in answers):
        errors.append(
            (
                first,
                _(
                    "No answer is correct: mark the right one with =, or give the right ones "
                    "positive weights such as ~%50%."
                ),
            )
        )


def _kind(answers: list[_Answer]) -> str:
    correct = sum(1 for answer in answers if answer.correct)
    penalties = any(answer.weight is not None and answer.weight < 0 for answer in answers)
    return MULTIPLE if correct > 1 or penalties else SINGLE


def quizsite_weight(kind: str, correct: bool, n_correct: int, n_wrong: int) -> Fraction:
    """The GIFT weight matching quizsite's marking of a choice (`scoring.question_fraction`)."""
    if kind == SINGLE:
        return Fraction(1 if correct else 0)
    return Fraction(1, n_correct) if correct else Fraction(-1, n_wrong)


def _warnings(kind: str, answers: list[_Answer], formats: list[str]) -> list[str]:
    warnings = []
    if "html" in formats:
        warnings.append(
            _(
                "Written in HTML: quizsite shows Markdown, where HTML tags show as typed; "
                "check this question's texts."
            )
        )
    if sum(1 for a in answers if a.marker == "=" and a.weight is None) > 1:
        warnings.append(
            _(
                "Several = answers: Moodle gives full marks for any one of them, quizsite makes "
                "a several-answer question in which each right choice earns its share."
            )
        )
    n_correct = sum(1 for a in answers if a.correct)
    n_wrong = len(answers) - n_correct
    if any(a.weight is not None for a in answers) and any(
        a.written_weight != quizsite_weight(kind, a.correct, n_correct, n_wrong) for a in answers
    ):
        warnings.append(
            _(
                "The weights were replaced by quizsite's rule: correct choices share +100 %, "
                "wrong ones −100 %."
            )
            if kind == MULTIPLE
            else _(
                "The weights were replaced by quizsite's rule: the correct choice earns 100 %, "
                "the others 0 %."
            )
        )
    return warnings


def _read_text(raw: str) -> tuple[str, str]:
    """A written text unescaped and stripped, and its format marker's name ("" without one)."""
    raw = raw.strip()
    text_format = ""
    if match := _FORMAT_MARKER.match(raw):
        text_format = match.group(1)
        raw = raw[match.end() :]
    return _unescape(raw).strip(), text_format


def _unescape(raw: str) -> str:
    out = []
    index = 0
    while index < len(raw):
        char = raw[index]
        if char == "\\" and index + 1 < len(raw):
            following = raw[index + 1]
            if following in ESCAPABLE or following == "\\":
                out.append(following)
            elif following == "n":
                out.append("\n")
            else:
                out.append(char + following)
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)
