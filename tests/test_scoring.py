"""Marking rules, with exact numbers."""

from decimal import Decimal
from fractions import Fraction

import pytest

from quizzes.taking.scoring import (
    ChoiceKey,
    answer_key_errors,
    is_passed,
    marks_count,
    percentage,
    question_marks,
)

ONE_RIGHT = [ChoiceKey(1, True), ChoiceKey(2, False), ChoiceKey(3, False)]
# Several answers: 2 right (each +1/2), 3 wrong (each -1/3).
TWO_OF_FIVE = [
    ChoiceKey(1, True),
    ChoiceKey(2, True),
    ChoiceKey(3, False),
    ChoiceKey(4, False),
    ChoiceKey(5, False),
]


@pytest.mark.parametrize(
    ("selected", "expected"),
    [({1}, "1.0000"), ({2}, "0.0000"), ({1, 2}, "0.0000"), (set(), "0.0000")],
)
def test_one_answer_question_is_all_or_nothing(selected, expected):
    """The right choice alone earns full marks; anything else earns none."""
    assert question_marks("single", ONE_RIGHT, selected, Decimal(1)) == Decimal(expected)


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        ({1, 2}, "1.0000"),  # all right
        ({1}, "0.5000"),  # half the right ones
        ({1, 2, 3}, "0.6666667"),  # 1 - 1/3
        ({1, 3}, "0.1666667"),  # 1/2 - 1/3
        ({1, 3, 4}, "0.0000"),  # 1/2 - 2/3 clamps to 0
        ({3, 4, 5}, "0.0000"),  # all wrong clamps to 0
        ({1, 2, 3, 4, 5}, "0.0000"),  # everything: 1 - 1 = 0
    ],
)
def test_several_answers_earn_partial_credit_as_moodle_does(selected, expected):
    """Right choices share +100 %, wrong ones share -100 %, clamped to 0..100 %."""
    assert question_marks("multiple", TWO_OF_FIVE, selected, Decimal(1)) == Decimal(expected)


def test_partial_credit_scales_with_the_questions_marks():
    """A question worth 3 marks gives 3 x the fraction: 1/2 - 1/3 = 1/6 of 3 = 0.5."""
    assert question_marks("multiple", TWO_OF_FIVE, {1, 3}, Decimal(3)) == Decimal("0.5000")
    assert question_marks("multiple", TWO_OF_FIVE, {1, 2}, Decimal("2.5")) == Decimal("2.5000")


def test_several_answers_with_every_choice_right():
    """With no wrong choices, each right one is worth its share."""
    all_right = [ChoiceKey(1, True), ChoiceKey(2, True), ChoiceKey(3, True)]
    assert question_marks("multiple", all_right, {1}, Decimal(1)) == Decimal("0.3333333")
    assert question_marks("multiple", all_right, {1, 2, 3}, Decimal(1)) == Decimal("1.0000")


@pytest.mark.parametrize(
    ("marks", "maximum", "expected"),
    [
        ("1", "3", "33.33"),
        ("2", "3", "66.67"),
        ("0", "5", "0.00"),
        ("5", "5", "100.00"),
        ("0", "0", "0.00"),
    ],
)
def test_percentage_rounds_half_up_to_two_places(marks, maximum, expected):
    assert percentage(Decimal(marks), Decimal(maximum)) == Decimal(expected)


def test_the_pass_mark_itself_passes():
    assert is_passed(Decimal("3"), Decimal("5"), 60, answers=5)
    assert not is_passed(Decimal("2.9999"), Decimal("5"), 60, answers=5)


def test_passing_is_decided_before_rounding():
    """59.996 % shows as 60.00 % but does not reach a 60 % pass mark."""
    assert percentage(Decimal("5.9996"), Decimal("10")) == Decimal("60.00")
    assert not is_passed(Decimal("5.9996"), Decimal("10"), 60, answers=10)


def test_an_exact_pass_summed_from_marks_in_thirds_passes():
    """1/3 + 4/3 + 4/3 + 6 × 1 is exactly 9 of 15 (60 %); stored to 7 places, 8.9999999."""
    thirds = [Fraction(1, 3), Fraction(4, 3), Fraction(4, 3)] + [Fraction(1)] * 6
    stored = [Decimal(f.numerator) / Decimal(f.denominator) for f in thirds]
    total = sum((m.quantize(Decimal("0.0000001")) for m in stored), Decimal(0))
    assert total == Decimal("8.9999999")
    assert is_passed(total, Decimal(15), 60, answers=len(stored))  # the 9 answers summed
    # Half a unit of the 7th place per answer, and no more.
    assert is_passed(Decimal("8.9999996"), Decimal(15), 60, answers=9)
    assert not is_passed(Decimal("8.9999995"), Decimal(15), 60, answers=9)
    assert not is_passed(Decimal("8.9999999"), Decimal(15), 60, answers=1)


@pytest.mark.parametrize(
    ("kind", "flags", "problems"),
    [
        ("single", [True, False], 0),
        ("single", [True], 1),  # too few choices
        ("single", [True, True, False], 1),  # two right for one answer
        ("single", [False, False], 1),  # no right choice
        ("multiple", [True, True, False], 0),
        ("multiple", [True, True], 0),
        ("multiple", [False, False, False], 1),
        ("multiple", [], 2),
    ],
)
def test_answer_key_rules(kind, flags, problems):
    """At least two choices; one right for one-answer questions, one or more for several."""
    assert len(answer_key_errors(kind, flags)) == problems


def test_a_question_has_at_most_26_choices_since_answers_keep_them_as_a_bit_mask():
    assert answer_key_errors("single", [True] + [False] * 25) == []
    assert answer_key_errors("single", [True] + [False] * 26) == [
        "A question can have at most 26 choices; this one has 27."
    ]


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        (Decimal("1"), 1),
        (Decimal("1.0000000"), 1),
        (Decimal("0.999"), 1),  # shown as "1"
        (Decimal("20"), 20),
        (Decimal("0"), 0),
        (Decimal("0.5"), 0),  # "0.5 marks": a fraction takes the plural
        (Decimal("1.5"), 0),
        (Decimal("2.004"), 2),  # shown as "2"
    ],
)
def test_the_count_that_picks_mark_or_marks_is_the_shown_number_when_whole(marks, expected):
    assert marks_count(marks) == expected
