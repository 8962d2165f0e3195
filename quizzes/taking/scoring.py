"""Marks from chosen choices, and the rules a question's answer key must follow.

Pure functions over plain values: no ORM, no HTTP. Fractions keep the arithmetic exact;
results are rounded once, to the 7 decimal places the database stores (as Moodle does).
"""

from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils import formats
from django.utils.translation import gettext as _

from quizzes.course.true_false import TRUE_FALSE, true_false_place

MARKS_PLACES = Decimal("0.0000001")  # as Moodle stores marks: 7 places
PERCENT_PLACES = Decimal("0.01")

SINGLE = "single"
MULTIPLE = "multiple"

# An answer records its choices as a bit mask (Answer.chosen), so a question has at most this many.
MAX_CHOICES = 26


@dataclass(frozen=True)
class ChoiceKey:
    """One choice of a question as the marker sees it: an id and whether it is correct."""

    id: Hashable
    is_correct: bool


def _to_decimal(value: Fraction, places: Decimal) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        places, rounding=ROUND_HALF_UP
    )


def question_fraction(
    kind: str, choices: Sequence[ChoiceKey], selected: Collection[Hashable]
) -> Fraction:
    """Share of a question's marks (0 to 1) earned by the selected choices.

    One-answer and true/false questions: all or nothing. Several-answer questions are marked
    as Moodle marks them: the correct choices share +100 %, the wrong ones share -100 %, and the sum
    is clamped to 0…100 %.
    """
    chosen = set(selected)
    if kind != MULTIPLE:
        return Fraction(
            1 if len(chosen) == 1 and any(c.is_correct and c.id in chosen for c in choices) else 0
        )
    correct = [c for c in choices if c.is_correct]
    wrong = [c for c in choices if not c.is_correct]
    total = Fraction(0)
    for choice in choices:
        if choice.id in chosen:
            total += Fraction(1, len(correct)) if choice.is_correct else -Fraction(1, len(wrong))
    return min(max(total, Fraction(0)), Fraction(1))


def question_marks(
    kind: str, choices: Sequence[ChoiceKey], selected: Collection[Hashable], marks: Decimal
) -> Decimal:
    """Marks earned on one question worth `marks`, rounded to 7 decimal places."""
    return _to_decimal(question_fraction(kind, choices, selected) * Fraction(marks), MARKS_PLACES)


def answer_marks(snapshot: dict, selected: Collection[Hashable] | None) -> Decimal:
    """The marks an answer earns under the key frozen in its snapshot (a question as dealt)."""
    keys = [ChoiceKey(c["id"], c["is_correct"]) for c in snapshot["choices"]]
    return question_marks(snapshot["kind"], keys, selected or [], Decimal(snapshot["marks"]))


def percentage(marks: Decimal, max_marks: Decimal) -> Decimal:
    """Marks as a percentage of the maximum, rounded to 2 decimal places (0 when max is 0)."""
    if not max_marks:
        return Decimal("0.00")
    return _to_decimal(Fraction(marks) / Fraction(max_marks) * 100, PERCENT_PLACES)


def is_passed(marks: Decimal, max_marks: Decimal, pass_mark: int, *, answers: int) -> bool:
    """Whether marks reach the pass mark (a percentage), compared before rounding to a
    percentage: 59.996 % does not pass 60 %.

    `marks` is the sum of `answers` answers' marks, each stored rounded to 7 places (as Moodle
    stores them, so an export's question columns add up to the total), which puts the sum up
    to half a unit of the 7th place per answer away from the exact score: three answers
    worth 1/3, 4/3 and 4/3 and six worth 1 sum to 8.9999999, an exact 9 out of 15 (60 %). The
    comparison allows for that much, and no more: a score that truly falls short of the pass
    mark does so by far more (1/3 of a mark in 15 is 0.0222 of the percentage).
    """
    if not max_marks:
        return pass_mark == 0
    rounding = Fraction(answers, 2 * 10**7)
    return (Fraction(marks) + rounding) * 100 >= Fraction(max_marks) * pass_mark


def answer_key_errors(
    kind: str, correct_flags: Sequence[bool], texts: Sequence[str] | None = None
) -> list[str]:
    """What is wrong with a question's answer key, as messages for the author; [] when valid.

    `texts` (the choices' texts) are checked for a true/false question when given.
    """
    errors = []
    if kind == TRUE_FALSE:
        places = [0, 1]
        if texts is not None:
            places = sorted(p for text in texts if (p := true_false_place(text)) is not None)
        if len(correct_flags) != 2 or sum(correct_flags) != 1 or places != [0, 1]:
            errors.append(
                _(
                    "A true/false question has two choices, “True” and “False”, and exactly "
                    "one of them is correct."
                )
            )
        return errors
    if len(correct_flags) < 2:
        errors.append(_("A question needs at least two choices."))
    if len(correct_flags) > MAX_CHOICES:
        errors.append(
            _("A question can have at most %(most)d choices; this one has %(count)d.")
            % {"most": MAX_CHOICES, "count": len(correct_flags)}
        )
    correct = sum(1 for flag in correct_flags if flag)
    if kind == SINGLE and correct != 1:
        errors.append(
            _("A one-answer question needs exactly one correct choice; this one has %(count)d.")
            % {"count": correct}
        )
    if kind == MULTIPLE and correct == 0:
        errors.append(_("A several-answer question needs at least one correct choice."))
    return errors


HIGHEST, AVERAGE, FIRST, LAST = "highest", "average", "first", "last"


def overall_grade(method: str, percentages: Sequence[Decimal]) -> Decimal | None:
    """The grade that counts from a learner's finished attempts, given oldest first.

    None when there is no finished attempt. Averages round half up to 2 decimal places.
    """
    if not percentages:
        return None
    if method == HIGHEST:
        return max(percentages)
    if method == FIRST:
        return percentages[0]
    if method == LAST:
        return percentages[-1]
    if method == AVERAGE:
        return mean_grade(sum(percentages, Decimal(0)), len(percentages))
    raise ValueError(f"unknown grading method {method!r}")


def mean_grade(total: Decimal, count: int) -> Decimal:
    """The average of `count` percentages that add up to `total`, rounded half up to 2 places."""
    return _to_decimal(Fraction(total) / count, PERCENT_PLACES)


def band_feedback(bands: Sequence[tuple[int, str]], percent: Decimal) -> str:
    """The overall feedback for a grade: the band with the highest start not above it."""
    text = ""
    for start, feedback in sorted(bands):
        if percent >= start:
            text = feedback
    return text


def _shown(value: Decimal | float | int | str) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()


def shown_marks(value: Decimal | float | int | str) -> str:
    """Marks or a percentage (kept to 7 places) to at most two decimals without trailing
    zeros ("3.5", "11"), in the reader's number format."""
    rounded = _shown(value)
    exponent = rounded.as_tuple().exponent  # an int for a finite number, as marks are
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return formats.number_format(rounded, decimal_pos=places)


def marks_count(value: Decimal | float | int | str) -> int:
    """The whole number that picks the plural form ("1 mark", "2 marks") for `value` marks
    as `shown_marks` shows them: the number itself when it is whole, else 0.

    gettext chooses plural forms by whole numbers only. A fraction of a mark takes the plural
    in English ("0.5 marks", as 0 does); Polish gives fractions a form of their own, which
    gettext cannot reach, so the Polish messages write the unit as "pkt" in every form.
    """
    rounded = _shown(value)
    return int(rounded) if rounded == rounded.to_integral_value() else 0
