"""Simple guessing strategies score no better (and no worse) than chance on the shipped course.

A test-wise student who knows nothing about NATO can still pick "the longest choice" or "the one
that echoes the question". If the keys follow such a pattern, the quizzes measure test-wiseness,
not knowledge. Each strategy below is scored over every question of the course, separately for
the English and the Polish texts, and must stay within 5 percentage points of chance.

How a score is computed, exactly (fractions, no rounding):

- A strategy looks only at the question's stem and the texts of its choices. It prefers some
  choices and picks one of those at random. Its score on a question is the probability that the
  choice it picks is a right one: (right choices among those it prefers) / (choices it prefers).
- Chance is the same for a blind pick among all the choices: right choices / number of choices.
  For a one-answer question with four choices that is 1/4; for a several-answer question with
  three right choices out of five, 3/5.
- The course figure of a strategy, and of chance, is the plain mean of the per-question figures
  over all the questions of the lesson quizzes (every question counts once, whatever its marks).

The strategies:

- longest: the choice with the most characters (whitespace collapsed), ties picked at random.
- second-longest: the choice in second place when the choices are sorted longest first, ties in
  random order (so when two choices share the greatest length, it is one of those two).
- stem words: the choice sharing the most distinct words with the stem (lower-cased runs of
  letters and digits), ties picked at random.
- no absolutes: choices without "always", "never", "only" or "must" (in Polish: "zawsze",
  "nigdy", "tylko", "jedynie", "wyłącznie" and the forms of "musieć"), picked at random; when
  every choice or none has such a word, a blind pick.
"""

import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "course.yaml"
TOLERANCE = Fraction(5, 100)

ABSOLUTE_WORDS = {
    "en": re.compile(r"\b(?:always|never|only|must)\b", re.IGNORECASE),
    "pl": re.compile(
        r"\b(?:zawsze|nigdy|tylko|jedynie|wyłącznie|musi\w*|muszą|musia\w*|musie\w*)\b",
        re.IGNORECASE,
    ),
}


def collapsed(text: str) -> str:
    return " ".join(text.split())


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def share_right(picked: list[int], right: list[bool]) -> Fraction:
    """The chance that one choice picked at random from `picked` is a right one."""
    return Fraction(sum(right[i] for i in picked), len(picked))


def most(values: list[int]) -> list[int]:
    """Indices of the greatest value."""
    return [i for i, value in enumerate(values) if value == max(values)]


def longest(stem: str, texts: list[str], language: str) -> list[int]:
    return most([len(text) for text in texts])


def second_longest(stem: str, texts: list[str], language: str) -> list[int]:
    lengths = [len(text) for text in texts]
    first = most(lengths)
    if len(first) > 1:
        return first
    rest = [length if i not in first else -1 for i, length in enumerate(lengths)]
    return most(rest)


def stem_words(stem: str, texts: list[str], language: str) -> list[int]:
    asked = words(stem)
    return most([len(words(text) & asked) for text in texts])


def no_absolutes(stem: str, texts: list[str], language: str) -> list[int]:
    plain = [i for i, text in enumerate(texts) if not ABSOLUTE_WORDS[language].search(text)]
    return plain if 0 < len(plain) < len(texts) else list(range(len(texts)))


STRATEGIES: dict[str, Callable[[str, list[str], str], list[int]]] = {
    "longest": longest,
    "second-longest": second_longest,
    "stem words": stem_words,
    "no absolutes": no_absolutes,
}


def course_questions(language: str) -> list[tuple[int, str, list[str], list[bool]]]:
    """(pk, stem, choice texts, which are right) for every question, in one language."""
    rows = yaml.safe_load(FIXTURE.read_text())
    choices: dict[int, list[dict]] = {}
    for row in rows:
        if row["model"] == "quizzes.choice":
            choices.setdefault(row["fields"]["question"], []).append(row["fields"])
    return [
        (
            row["pk"],
            collapsed(row["fields"][f"text_{language}"]),
            [collapsed(choice[f"text_{language}"]) for choice in choices[row["pk"]]],
            [choice["is_correct"] for choice in choices[row["pk"]]],
        )
        for row in rows
        if row["model"] == "quizzes.question"
    ]


def course_scores(questions, language: str) -> dict[str, Fraction]:
    """Each strategy's mean score over `questions`, and chance's, as exact fractions."""
    totals = {name: Fraction(0) for name in [*STRATEGIES, "chance"]}
    for _pk, stem, texts, right in questions:
        totals["chance"] += share_right(list(range(len(texts))), right)
        for name, strategy in STRATEGIES.items():
            totals[name] += share_right(strategy(stem, texts, language), right)
    return {name: total / len(questions) for name, total in totals.items()}


def test_each_strategy_scores_exactly_as_defined_on_a_small_example():
    questions = [
        (1, "Who can ask for talks?", ["Any one ally can ask", "Only the UN", "No one"], [1, 0, 0]),
        (2, "Pick two", ["a long right one", "short", "right too", "never this one"], [1, 0, 1, 0]),
    ]
    questions = [
        (pk, stem, texts, [bool(r) for r in right]) for pk, stem, texts, right in questions
    ]
    scores = course_scores(questions, "en")
    assert scores["chance"] == (Fraction(1, 3) + Fraction(2, 4)) / 2
    assert scores["longest"] == (1 + 1) / Fraction(2)
    assert scores["second-longest"] == (0 + 0) / Fraction(2)  # "Only the UN"; "never this one"
    assert scores["stem words"] == (1 + Fraction(1, 2)) / 2  # "can ask"; a tie of none shared
    assert scores["no absolutes"] == (Fraction(1, 2) + Fraction(2, 3)) / 2


def test_a_tie_for_the_greatest_length_makes_second_longest_pick_among_the_tied():
    assert second_longest("", ["abc", "xyz", "a"], "en") == [0, 1]
    assert second_longest("", ["abcd", "xyz", "ab", "xy"], "en") == [1]


@pytest.mark.parametrize("language", ["en", "pl"])
@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_guessing_by_the_look_of_the_choices_stays_within_five_points_of_chance(language, strategy):
    questions = course_questions(language)
    assert len(questions) == 72
    scores = course_scores(questions, language)
    gap = scores[strategy] - scores["chance"]
    assert abs(gap) <= TOLERANCE, (
        f"{strategy} ({language}) scores {float(scores[strategy]):.1%} against chance "
        f"{float(scores['chance']):.1%}: change the keys or distractors it picks out"
    )
