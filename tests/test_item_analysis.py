"""Item analysis: Moodle's own test data, a hand-worked example, and the degenerate cases."""

import csv
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from quizzes.teaching.item_analysis import QuestionStats, QuizStats, question_stats, quiz_stats

GOLDEN = Path(__file__).resolve().parents[2] / "shared" / "golden" / "moodle_quiz_stats"


def _read(name):
    with (GOLDEN / name).open(newline="") as file:
        return list(csv.DictReader(file))


MARK_ROWS = _read("marks.csv")
QUESTIONS = 7
EXPECTED_QUESTIONS = _read("expected_questions.csv")
EXPECTED_QUIZ = {row["statistic"]: row["value"] for row in _read("expected_quiz.csv")}
QUESTION_FIELDS = [
    "facility_index",
    "standard_deviation",
    "effective_weight",
    "discrimination_index",
    "discriminative_efficiency",
]
QUIZ_FIELDS = [
    "mean",
    "median",
    "standard_deviation",
    "skewness",
    "kurtosis",
    "coefficient_of_internal_consistency",
    "error_ratio",
    "standard_error",
]


def golden_marks(number_type):
    return [
        [number_type(row[f"slots.{q}.mark"]) for q in range(1, QUESTIONS + 1)] for row in MARK_ROWS
    ]


def assert_4dp(got, expected):
    """Equal as printed to 4 decimal places, and within half a unit of the 4th place."""
    assert got is not None
    assert round(got, 4) == round(expected, 4), (got, expected)
    assert abs(got - expected) < 5e-5, (got, expected)


def test_golden_data_is_the_whole_fixture():
    """25 attempts at 7 questions, 7 expected rows, and every expected statistic present."""
    assert len(MARK_ROWS) == 25
    assert [row["question"] for row in EXPECTED_QUESTIONS] == [str(q) for q in range(1, 8)]
    assert set(EXPECTED_QUIZ) == {"attempts", *QUIZ_FIELDS}


def test_golden_totals_are_the_row_sums():
    """Moodle's `summarks` column is the sum of the question marks (to its 5 printed places)."""
    for row, marks in zip(MARK_ROWS, golden_marks(Decimal), strict=True):
        assert abs(sum(marks) - Decimal(row["summarks"])) < Decimal("0.00001")


@pytest.mark.parametrize("number_type", [float, Decimal])
@pytest.mark.parametrize("field", QUESTION_FIELDS)
@pytest.mark.parametrize("question", range(QUESTIONS))
def test_question_statistics_match_moodle(question, field, number_type):
    stats = question_stats(golden_marks(number_type), [1] * QUESTIONS)
    assert len(stats) == QUESTIONS
    assert stats[question].negative_covariance is False
    assert_4dp(getattr(stats[question], field), float(EXPECTED_QUESTIONS[question][field]))


@pytest.mark.parametrize("number_type", [float, Decimal])
@pytest.mark.parametrize("field", QUIZ_FIELDS)
def test_quiz_statistics_match_moodle(field, number_type):
    stats = quiz_stats(golden_marks(number_type), [1] * QUESTIONS)
    assert stats.attempts == int(EXPECTED_QUIZ["attempts"])
    assert_4dp(getattr(stats, field), float(EXPECTED_QUIZ[field]))


# A hand-worked example: 4 attempts, question 1 worth 1 mark, question 2 worth 2.
#
#   attempt   x1   x2   T
#      1       1    2   3
#      2       0    2   2
#      3       1    0   1
#      4       0    1   1
#
# Means: x1 1/2, x2 5/4, T 7/4. Deviations: x1 (1/2, -1/2, 1/2, -1/2),
# x2 (3/4, 3/4, -5/4, -1/4), T (5/4, 1/4, -3/4, -3/4). Sums of products, / (n - 1) = 3:
#   Var(x1) = 1/3, Var(x2) = (9+9+25+1)/16/3 = 11/12, Var(T) = (25+1+9+9)/16/3 = 11/12,
#   Cov(x1, T) = (5-1-3+3)/8/3 = 1/6, Cov(x2, T) = (15+3+15+3)/16/3 = 3/4,
#   Cov(x1, x2) = (3-3-5+1)/8/3 = -1/6.
# With two questions the rest of the test for x1 is x2 and vice versa, so:
#   facility: 100 × (1/2) / 1 = 50 %, 100 × (5/4) / 2 = 62.5 %.
#   SD: 100 × √(1/3) / 1, 100 × √(11/12) / 2 (a percentage of each question's max mark).
#   effective weight: √(1/6) / (√(1/6) + √(3/4)) = √2 / (√2 + 3) = (3√2 - 2) / 7; the other
#     (9 - 3√2) / 7.
#   discrimination: Cov(x1, x2) / √(Var(x1) Var(x2)) = (-1/6) / √(11/36) = -1/√11, both.
#   Cov_max: sorted x1 (0, 0, 1, 1) against sorted x2 (0, 1, 2, 2): deviations
#     (-1/2, -1/2, 1/2, 1/2) · (-5/4, -1/4, 3/4, 3/4) = 3/2, / 3 = 1/2; efficiency
#     (-1/6) / (1/2) = -1/3, both.
# Totals: mean 7/4, median (1 + 2) / 2 = 3/2, SD √(11/12). Sums of powers of the deviations:
#   Σd² = 11/4, Σd³ = (125 + 1 - 27 - 27)/64 = 9/8, Σd⁴ = (625 + 1 + 81 + 81)/256 = 197/64.
#   m2 = 11/16, m3 = 9/32, m4 = 197/256; k2 = 11/12; k3 = 16 m3 / 6 = 3/4;
#   k4 = 16 (5 m4 - 9 m2²) / 6 = 16 (985/256 - 1089/256) / 6 = -13/12.
#   skewness = (3/4) / (11/12)^(3/2); kurtosis = (-13/12) / (121/144) = -156/121.
#   CIC = 100 × 2 × (1 - (1/3 + 11/12) / (11/12)) = 100 × 2 × (-4/11) = -800/11;
#   error ratio = 100 √(1 + 8/11) = 100 √(19/11); standard error = √(19/11) √(11/12) = √(19/12).
SMALL = [[1, 2], [0, 2], [1, 0], [0, 1]]
SMALL_MAX = [1, 2]


def close(got, expected):
    return got is not None and math.isclose(got, expected, rel_tol=1e-12)


def test_small_example_question_statistics():
    first, second = question_stats(SMALL, SMALL_MAX)
    assert first.facility_index == 50
    assert second.facility_index == 62.5
    assert close(first.standard_deviation, 100 * math.sqrt(1 / 3))
    assert close(second.standard_deviation, 100 * math.sqrt(11 / 12) / 2)
    assert close(first.effective_weight, 100 * (3 * math.sqrt(2) - 2) / 7)
    assert close(second.effective_weight, 100 * (9 - 3 * math.sqrt(2)) / 7)
    for stats in (first, second):
        assert stats.negative_covariance is False
        assert close(stats.discrimination_index, -100 / math.sqrt(11))
        assert close(stats.discriminative_efficiency, -100 / 3)


def test_small_example_quiz_statistics():
    stats = quiz_stats(SMALL, SMALL_MAX)
    assert stats.attempts == 4
    assert stats.mean == 1.75
    assert stats.median == 1.5
    assert close(stats.standard_deviation, math.sqrt(11 / 12))
    assert close(stats.skewness, 0.75 / (11 / 12) ** 1.5)
    assert close(stats.kurtosis, -156 / 121)
    assert close(stats.coefficient_of_internal_consistency, -800 / 11)
    assert close(stats.error_ratio, 100 * math.sqrt(19 / 11))
    assert close(stats.standard_error, math.sqrt(19 / 12))


def test_marks_may_be_decimals_or_fractions():
    """The same marks as Decimal, Fraction or float give the same statistics."""
    as_decimal = [[Decimal(mark) for mark in row] for row in SMALL]
    as_fraction = [[Fraction(mark) for mark in row] for row in SMALL]
    as_float = [[float(mark) for mark in row] for row in SMALL]
    expected = question_stats(SMALL, SMALL_MAX)
    assert question_stats(as_decimal, [Decimal(1), Decimal(2)]) == expected
    assert question_stats(as_fraction, SMALL_MAX) == expected
    assert question_stats(as_float, [1.0, 2.0]) == expected
    assert quiz_stats(as_decimal, SMALL_MAX) == quiz_stats(SMALL, SMALL_MAX)


def test_negative_covariance_has_no_effective_weight():
    """x1 = (1, 0), T = (1, 3): Cov(x1, T) = (1/2)(-1) + (-1/2)(1) = -1 < 0.

    x2 = (0, 3) has Cov(x2, T) = 3, so it carries the whole weight.
    """
    first, second = question_stats([[1, 0], [0, 3]], [1, 3])
    assert first.negative_covariance is True
    assert first.effective_weight is None
    assert second.negative_covariance is False
    assert second.effective_weight == 100


def test_negative_covariance_is_left_out_of_the_other_weights():
    """x1 = x2 = (1, 1/2, 0), x3 = (0, 1/2, 1), so T = (2, 3/2, 1).

    Deviations from the means: x1, x2 and T (1/2, 0, -1/2), x3 (-1/2, 0, 1/2), so
    Cov(x1, T) = Cov(x2, T) = (1/4 + 1/4) / 2 = 1/4 and Cov(x3, T) = -1/4: x1 and x2 share
    100 % equally, x3 has none.
    """
    stats = question_stats([[1, 1, 0], [0.5, 0.5, 0.5], [0, 0, 1]], [1, 1, 1])
    assert [s.negative_covariance for s in stats] == [False, False, True]
    assert [s.effective_weight for s in stats] == [50, 50, None]


def test_zero_covariance_has_zero_effective_weight():
    """As above but x3 = (1, 1, 1): Cov(x3, T) = 0, so its weight is 0, not "negative"."""
    stats = question_stats([[1, 1, 1], [0.5, 0.5, 1], [0, 0, 1]], [1, 1, 2])
    assert [s.negative_covariance for s in stats] == [False, False, False]
    assert [s.effective_weight for s in stats] == [50, 50, 0]


def test_no_attempts():
    assert question_stats([], [1, 1]) == [
        QuestionStats(None, None, None, False, None, None),
        QuestionStats(None, None, None, False, None, None),
    ]
    assert quiz_stats([], [1, 1]) == QuizStats(0, None, None, None, None, None, None, None, None)


def test_one_attempt_has_means_only():
    assert question_stats([[1, 0.5]], [1, 2]) == [
        QuestionStats(100, None, None, False, None, None),
        QuestionStats(25, None, None, False, None, None),
    ]
    assert quiz_stats([[1, 0.5]], [1, 2]) == QuizStats(
        1, 1.5, 1.5, None, None, None, None, None, None
    )


def test_question_everyone_got_the_same_mark_on():
    """x1 = 0.1 for all: SD 0 and no discrimination, even though 0.1 is not exact in binary."""
    marks = [[0.1, 1], [0.1, 0], [0.1, 1], [0.1, 0], [0.1, 0.7]]
    constant, varying = question_stats(marks, [1, 1])
    assert constant.facility_index == pytest.approx(10, abs=1e-12)
    assert constant.standard_deviation == 0
    assert constant.discrimination_index is None
    assert constant.discriminative_efficiency is None
    assert constant.effective_weight == 0
    assert constant.negative_covariance is False
    # The other question's rest of the test (x1) is constant too: no index for it either.
    assert varying.discrimination_index is None
    assert varying.discriminative_efficiency is None
    assert varying.effective_weight == 100


def test_totals_without_variance():
    """Everyone scores 1 in total (one question or the other): nothing beyond mean and median.

    Each question's covariance with the total is 0, so there are no effective weights, but each
    moves exactly against the other: discrimination -100 %, efficiency -100 %.
    """
    marks = [[1, 0], [0, 1], [1, 0], [0, 1]]
    assert quiz_stats(marks, [1, 1]) == QuizStats(4, 1, 1, 0, None, None, None, None, None)
    for stats in question_stats(marks, [1, 1]):
        assert stats.facility_index == 50
        assert stats.effective_weight is None
        assert stats.negative_covariance is False
        assert stats.discrimination_index == -100
        assert stats.discriminative_efficiency == -100


def test_one_question_has_no_internal_consistency():
    """Totals (0, 1, 1): mean 2/3, median 1, SD √(1/3), skewness defined, CIC undefined."""
    stats = quiz_stats([[0], [1], [1]], [1])
    assert stats.median == 1
    assert close(stats.mean, 2 / 3)
    assert close(stats.standard_deviation, math.sqrt(1 / 3))
    # d = (-2/3, 1/3, 1/3): m3 = (-8 + 1 + 1)/27/3 = -2/27, k3 = 9 m3 / 2 = -1/3,
    # skewness = (-1/3) / (1/3)^(3/2) = -√3.
    assert close(stats.skewness, -math.sqrt(3))
    assert stats.kurtosis is None
    assert stats.coefficient_of_internal_consistency is None
    assert stats.error_ratio is None
    assert stats.standard_error is None


def test_two_attempts_have_no_skewness_and_like_moodle_no_consistency_figures():
    """Totals (1, 2) over two questions: Var = 1/2. Moodle needs 3 attempts for CIC."""
    stats = quiz_stats([[0, 1], [1, 1]], [1, 1])
    assert stats.median == 1.5
    assert close(stats.standard_deviation, math.sqrt(1 / 2))
    assert stats.skewness is None
    assert stats.kurtosis is None
    assert stats.coefficient_of_internal_consistency is None
    assert stats.error_ratio is None
    assert stats.standard_error is None


def test_perfectly_consistent_questions_have_no_error():
    """Two identical questions: Var(T) = 4 Var(x), CIC = 2 (1 - 2/4) = 100 % exactly, ER 0."""
    stats = quiz_stats([[0.1, 0.1], [0.7, 0.7], [0.3, 0.3]], [1, 1])
    assert stats.coefficient_of_internal_consistency == 100
    assert stats.error_ratio == 0
    assert stats.standard_error == 0


def test_zero_max_mark_has_no_percentages():
    first, second = question_stats([[0, 1], [0, 0], [0, 1]], [0, 1])
    assert first.facility_index is None
    assert first.standard_deviation is None
    assert close(second.facility_index, 200 / 3)


def test_median_of_an_odd_count_is_the_middle_total():
    assert quiz_stats([[3], [1], [2], [10], [0]], [10]).median == 2


def test_a_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="attempt 2 has 1 marks for 2 questions"):
        question_stats([[1, 0], [1]], [1, 1])
    with pytest.raises(ValueError, match="attempt 1 has 3 marks for 2 questions"):
        quiz_stats([[1, 0, 1]], [1, 1])
