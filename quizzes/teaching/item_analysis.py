"""Item analysis of a quiz: the numbers of Moodle's quiz statistics report.

Pure functions over plain numbers: no ORM, no HTTP. `marks[attempt][question]` is the mark an
attempt earned on a question and `max_marks[question]` what the question is worth; an attempt's
total is the sum of its row.

Notation in the docstrings: n attempts, P questions; for one question x is its marks, T the
totals and X = T - x the rest of the test. Var and Cov are sample statistics with the n - 1
denominator, as Moodle computes them (`question/classes/statistics/questions/calculator.php`,
`mod/quiz/report/statistics/classes/calculator.php`).

Arithmetic is exact up to the square roots: each mark (int, float, Decimal or Fraction) becomes
the Fraction of its exact value, the marks are scaled to integers by their common denominator,
and every mean, variance, covariance and moment is an exact ratio of integers. So a question
everyone got the same mark on has a variance of exactly 0 (its indices are None, not the
quotient of two rounding residues), and the CIC never exceeds 100 % by a rounding error.

A statistic that is undefined for the data (too few attempts or questions, a zero variance or a
zero maximum mark) is None; nothing here raises for degenerate data. A row whose length is not
the number of questions is a programming error and raises ValueError.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

# A mark as callers hold it: exact (int, Decimal, Fraction) or a float Moodle's data gives.
Mark = int | float | Decimal | Fraction


@dataclass(frozen=True)
class QuestionStats:
    """One question's row of Moodle's "Quiz structure analysis" table, in percent."""

    facility_index: float | None
    standard_deviation: float | None
    effective_weight: float | None
    negative_covariance: bool
    discrimination_index: float | None
    discriminative_efficiency: float | None


@dataclass(frozen=True)
class QuizStats:
    """Moodle's "Quiz overall statistics": totals in marks, CIC and error ratio in percent."""

    attempts: int
    mean: float | None
    median: float | None
    standard_deviation: float | None
    skewness: float | None
    kurtosis: float | None
    coefficient_of_internal_consistency: float | None
    error_ratio: float | None
    standard_error: float | None


@dataclass(frozen=True)
class _Table:
    """The marks as integers: every mark is `value / scale` exactly."""

    columns: list[list[int]]  # columns[question][attempt]
    totals: list[int]  # totals[attempt]
    scale: int
    attempts: int


def _table(marks: Sequence[Sequence[Mark]], questions: int) -> _Table:
    # A quiz's marks take few distinct values (0, 1, 0.5, …) over many attempts: each is
    # made exact and scaled once, not once per cell (1.2 million cells for 100,000 attempts).
    exact: dict = {}
    rows = []
    for number, row in enumerate(marks, start=1):
        if len(row) != questions:
            raise ValueError(f"attempt {number} has {len(row)} marks for {questions} questions")
        for value in row:
            if value not in exact:
                exact[value] = Fraction(value)
        rows.append(row)
    scale = math.lcm(*(value.denominator for value in exact.values()))
    scaled_value = {key: f.numerator * (scale // f.denominator) for key, f in exact.items()}
    scaled = [[scaled_value[value] for value in row] for row in rows]
    columns = [[row[q] for row in scaled] for q in range(questions)]
    return _Table(columns, [sum(row) for row in scaled], scale, len(rows))


def _covariance(a: Sequence[int], b: Sequence[int], scale: int) -> Fraction | None:
    """Sample covariance Σ(a - ā)(b - b̄) / (n - 1) of two scaled columns; None when n < 2.

    Computed as (n Σab - Σa Σb) / (n (n - 1)), which is exact on integers.
    """
    n = len(a)
    if n < 2:
        return None
    comoment = n * sum(x * y for x, y in zip(a, b, strict=True)) - sum(a) * sum(b)
    return Fraction(comoment, n * (n - 1) * scale * scale)


def question_stats(
    marks: Sequence[Sequence[Mark]], max_marks: Sequence[Mark]
) -> list[QuestionStats]:
    """Moodle's statistics of each question, in the order of `max_marks`.

    - Facility index = 100 × mean(x) / max mark. None without attempts or with a 0 max mark.
    - Standard deviation = 100 × √Var(x) / max mark: the sample SD (n - 1) of the marks, shown
      as a percentage of the question's max mark (Moodle stores `sd` in marks and the report
      divides by `maxmark`). None for fewer than 2 attempts or a 0 max mark.
    - Effective weight = 100 × √Cov(x, T) / Σ √Cov(x_q, T), the sum over the questions whose
      covariance with the total is not negative. A question whose Cov(x, T) < 0 has
      `negative_covariance` set and no weight (Moodle prints "Negative covariance"); every
      weight is None when the sum is 0 (fewer than 2 attempts, or no covariance at all).
    - Discrimination index = 100 × Cov(x, X) / √(Var(x) Var(X)), the correlation of the
      question with the rest of the test. None when Var(x) or Var(X) is 0 (or n < 2).
    - Discriminative efficiency = 100 × Cov(x, X) / Cov_max, where Cov_max is the covariance
      of x sorted ascending paired with X sorted ascending: the largest covariance the two
      columns' values could have. None when Cov_max is 0, which is exactly when Var(x) or
      Var(X) is 0 (or n < 2).
    """
    table = _table(marks, len(max_marks))
    with_total = [_covariance(column, table.totals, table.scale) for column in table.columns]
    roots = [math.sqrt(cov) if cov is not None and cov >= 0 else 0.0 for cov in with_total]
    sum_of_roots = math.fsum(roots)
    return [
        _question(
            table, column, max_mark, covariance, 100 * root / sum_of_roots if sum_of_roots else None
        )
        for column, max_mark, covariance, root in zip(
            table.columns, max_marks, with_total, roots, strict=True
        )
    ]


def _question(
    table: _Table,
    column: list[int],
    max_mark: Mark,
    covariance_with_total: Fraction | None,
    weight: float | None,
) -> QuestionStats:
    scale = table.scale
    maximum = Fraction(max_mark)
    rest = [total - mark for total, mark in zip(table.totals, column, strict=True)]
    variance = _covariance(column, column, scale)
    variance_of_rest = _covariance(rest, rest, scale)
    covariance_with_rest = _covariance(column, rest, scale)
    covariance_max = _covariance(sorted(column), sorted(rest), scale)
    negative = covariance_with_total is not None and covariance_with_total < 0

    facility = sd = discrimination = efficiency = None
    if table.attempts and maximum:
        facility = float(100 * Fraction(sum(column), table.attempts * scale) / maximum)
    if variance is not None and maximum:
        sd = 100 * math.sqrt(variance) / float(maximum)
    if variance and variance_of_rest and covariance_with_rest is not None:
        # The correlation's square is an exact ratio: ±100 % comes out exactly.
        squared = covariance_with_rest**2 / (variance * variance_of_rest)
        discrimination = math.copysign(100 * math.sqrt(squared), covariance_with_rest)
    if covariance_max and covariance_with_rest is not None:
        efficiency = float(100 * covariance_with_rest / covariance_max)
    return QuestionStats(
        facility_index=facility,
        standard_deviation=sd,
        effective_weight=None if negative else weight,
        negative_covariance=negative,
        discrimination_index=discrimination,
        discriminative_efficiency=efficiency,
    )


def quiz_stats(marks: Sequence[Sequence[Mark]], max_marks: Sequence[Mark]) -> QuizStats:
    """Moodle's statistics of the attempt totals T (mean, median and SD in marks).

    - Mean of T and median of T (the mean of the two middle totals for an even count); None
      without attempts.
    - Standard deviation = √k2, k2 = Σ(T - mean)² / (n - 1). None for n < 2.
    - Skewness = k3 / k2^(3/2) and kurtosis = k4 / k2², Fisher's k-statistics with
      m_r = Σ(T - mean)^r / n: k3 = n² m3 / ((n - 1)(n - 2)) and
      k4 = n² ((n + 1) m4 - 3 (n - 1) m2²) / ((n - 1)(n - 2)(n - 3)). Kurtosis is the excess
      kurtosis (0 for a normal distribution). None for n < 3 (skewness), n < 4 (kurtosis) or
      k2 = 0.
    - Coefficient of internal consistency (Cronbach's alpha)
      = 100 × P / (P - 1) × (1 - Σ Var(x_q) / k2). None for P < 2, n < 2 or k2 = 0. (Moodle
      computes it only from n = 3, inside its skewness branch; it is defined from n = 2.)
    - Error ratio = 100 × √(1 - CIC / 100), and standard error = error ratio / 100 × SD, in
      marks. None when the CIC is.
    """
    questions = len(max_marks)
    table = _table(marks, questions)
    n, scale, totals = table.attempts, table.scale, table.totals
    if n == 0:
        return QuizStats(0, None, None, None, None, None, None, None, None)

    total_sum = sum(totals)
    ordered = sorted(totals)
    middle = n // 2
    if n % 2:
        median = Fraction(ordered[middle], scale)
    else:
        median = Fraction(ordered[middle - 1] + ordered[middle], 2 * scale)

    sd = skewness = kurtosis = cic = error_ratio = standard_error = None
    k2 = _covariance(totals, totals, scale)
    if k2 is not None:
        sd = math.sqrt(k2)
    if k2:
        # n·T - ΣT is T's distance from the mean times n·scale, an exact integer.
        deviations = [n * total - total_sum for total in totals]

        def moment(power: int) -> Fraction:
            return Fraction(sum(d**power for d in deviations), n * (n * scale) ** power)

        if n >= 3:
            k3 = n * n * moment(3) / ((n - 1) * (n - 2))
            skewness = float(k3) / float(k2) ** 1.5
        if n >= 4:
            m2 = moment(2)
            k4 = n * n * ((n + 1) * moment(4) - 3 * (n - 1) * m2 * m2)
            kurtosis = float(k4 / ((n - 1) * (n - 2) * (n - 3) * k2 * k2))
        # Moodle computes these inside its n >= 3 branch; so do we, to match it exactly.
        if n >= 3 and questions >= 2:
            sum_of_variances = sum(
                _covariance(column, column, scale) or Fraction(0) for column in table.columns
            )
            alpha = Fraction(questions, questions - 1) * (1 - sum_of_variances / k2)
            cic = float(100 * alpha)
            error_ratio = 100 * math.sqrt(1 - alpha)
            if sd is not None:
                standard_error = error_ratio / 100 * sd
    return QuizStats(
        attempts=n,
        mean=float(Fraction(total_sum, n * scale)),
        median=float(median),
        standard_deviation=sd,
        skewness=skewness,
        kurtosis=kurtosis,
        coefficient_of_internal_consistency=cic,
        error_ratio=error_ratio,
        standard_error=standard_error,
    )
