"""GIFT written from quizsite's questions, for Moodle and for `gift.parse_gift` to read back.

`to_gift` writes what `parse_gift` reads back to an equal question (`question_files` says what
equality compares) and what Moodle imports. Each question is:

- `// source: Title <url>` and `// marks: N` comment lines, when it has them, and a
  `$CATEGORY: path` line before it when its category differs from the previous question's;
- `::title::` (a short one made from the text when the title is empty: an untitled question
  reads back titled), then `[markdown]`, since quizsite's texts are Markdown and Moodle should
  render them so, then the text, `{`, one answer per line, `####explanation`, `}`;
- a true/false question as `TRUE` or `FALSE`, then Moodle's feedback when wrong and when right
  (`TRUE#No: …#Yes: …`);
- a one-answer question with `=right` and `~wrong`; a several-answer question with `~%W%`
  weights, +100/n for each of n correct choices and -100/m for each of m wrong ones, rounded to
  5 decimals as Moodle writes them (33.33333). Moodle accepts 100/n only for n up to 10 and 20;
  it rounds or refuses the others, which `parse_gift` reads back exactly.

Line breaks are written as `\\n` and `~ = # { } : \\` escaped with a backslash. An answer, feedback
or explanation that starts with `%` or `[` gets a `[markdown]` marker, so it is not read as a
weight or a format marker. Whitespace around a text is not kept.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from quizzes.course.true_false import true_false_place
from quizzes.question_files.gift import CATEGORY, ESCAPABLE, quizsite_weight
from quizzes.taking.scoring import MULTIPLE, SINGLE, TRUE_FALSE, answer_key_errors

# A question or choice as the ORM holds it (choices through `.all()`, `is_correct`) or as a file
# read back gives it (`ParsedQuestion`, `ParsedChoice`: a list, `correct`).
QuestionLike = Any
ChoiceLike = Any

WEIGHT_PLACES = Decimal("0.00001")


def to_gift(questions: Iterable) -> str:
    """GIFT text for questions, which `parse_gift` reads back to equal questions.

    Each question needs `text`, `kind` ("single", "multiple" or "truefalse") and `choices`: an
    iterable, or a related manager (its `.all()` is used), of objects with `text`, `correct` or
    `is_correct`, and optionally `feedback`. Optional on the question: `title`, `explanation`,
    `category`, `marks` (a Decimal; None leaves it out), `source_title`, `source_url`. So
    ParsedQuestion and the Question model both fit. Raises ValueError for an answer key
    quizsite refuses (`scoring.answer_key_errors`), since it could not be read back.
    """
    blocks = []
    category = ""
    for number, question in enumerate(questions, start=1):
        question_category = getattr(question, "category", "") or ""
        if question_category != category:
            blocks.append(f"{CATEGORY} {question_category}\n")
            category = question_category
        blocks.append(_write_question(question, number))
    return "\n".join(blocks)


def _write_question(question: QuestionLike, number: int) -> str:
    choices = question.choices
    choices = list(choices.all() if hasattr(choices, "all") else choices)
    flags = [_is_correct(choice) for choice in choices]
    kind = str(question.kind)
    if kind not in (SINGLE, MULTIPLE, TRUE_FALSE):
        raise ValueError(f"question {number}: unknown kind {kind!r}")
    if problems := answer_key_errors(kind, flags, [choice.text for choice in choices]):
        raise ValueError(f"question {number}: {' '.join(problems)}")

    lines = []
    source_title = " ".join((getattr(question, "source_title", "") or "").split())
    source_url = (getattr(question, "source_url", "") or "").strip()
    if source_title or source_url:
        url = f"<{source_url}>" if source_url else ""
        lines.append("// source: " + " ".join(part for part in (source_title, url) if part))
    marks = getattr(question, "marks", None)
    if marks is not None:
        lines.append(f"// marks: {_number_text(Decimal(marks))}")
    title = getattr(question, "title", "") or _short_title(question.text)
    lines.append(f"::{_escape(title)}::[markdown]{_escape(question.text)}{{")
    if kind == TRUE_FALSE:
        lines.append(f"\t{_true_false_answer(choices, flags)}")
        choices = flags = []
    n_correct = sum(flags)
    n_wrong = len(flags) - n_correct
    for choice, correct in zip(choices, flags, strict=True):
        if kind == SINGLE:
            prefix = "=" if correct else "~"
        else:
            weight = quizsite_weight(kind, correct, n_correct, n_wrong)
            prefix = f"~%{_percent_text(weight)}%"
        line = f"\t{prefix}{_protect(_escape(choice.text))}"
        feedback = getattr(choice, "feedback", "") or ""
        if feedback:
            line += f"#{_protect(_escape(feedback))}"
        lines.append(line)
    explanation = getattr(question, "explanation", "") or ""
    if explanation:
        lines.append(f"\t####{_protect(_escape(explanation))}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _true_false_answer(choices: list[ChoiceLike], flags: list[bool]) -> str:
    """`TRUE` or `FALSE` with Moodle's feedback: first for the wrong answer, then the right."""
    right = next(choice for choice, correct in zip(choices, flags, strict=True) if correct)
    wrong = next(choice for choice, correct in zip(choices, flags, strict=True) if not correct)
    feedbacks = [getattr(choice, "feedback", "") or "" for choice in (wrong, right)]
    answer = "FALSE" if true_false_place(right.text) else "TRUE"
    while feedbacks and not feedbacks[-1]:
        feedbacks.pop()
    return answer + "".join(f"#{_escape(feedback)}" for feedback in feedbacks)


def _is_correct(choice: ChoiceLike) -> bool:
    correct = getattr(choice, "correct", None)
    return bool(choice.is_correct if correct is None else correct)


def _escape(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\\", "\\\\")
    for char in ESCAPABLE:
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _protect(escaped: str) -> str:
    """Keep a leading % (a weight) or [word] (a format marker) as text, as Moodle does."""
    return "[markdown]" + escaped if escaped.startswith(("%", "[")) else escaped


def _short_title(text: str) -> str:
    words = " ".join(text.split())
    if len(words) <= 60:
        return words
    return (words[:60].rsplit(" ", 1)[0] or words[:60]) + "…"


def _percent_text(weight: Fraction) -> str:
    percent = Decimal(weight.numerator) * 100 / Decimal(weight.denominator)
    return _number_text(percent.quantize(WEIGHT_PLACES, rounding=ROUND_HALF_UP))


def _number_text(value: Decimal) -> str:
    return format(value.normalize(), "f")
