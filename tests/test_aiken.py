"""Reading Aiken: both option styles, text over several lines, and errors by line."""

import pytest

from quizzes.question_files.aiken import parse_aiken
from quizzes.question_files.parsed import FormatError, ParsedChoice, ParsedQuestion

NO_ANSWER = "This question has no ANSWER line after its options."
AFTER_ANSWER = "Text after the ANSWER line: leave a blank line before the next question."
BEFORE_TEXT = "This line comes before any question text: start with the question."
NOT_AN_OPTION = (
    "Expected the next option or the ANSWER line: an option is a capital letter, ) or . and a "
    "space, then its text."
)


def errors_of(text):
    """The (line, message) pairs parse_aiken refuses `text` with."""
    with pytest.raises(FormatError) as caught:
        parse_aiken(text)
    return caught.value.errors


def test_options_with_a_bracket_or_a_full_stop():
    """Moodle's two examples: A. and A) options, then ANSWER: with the right letter."""
    questions = parse_aiken(
        "What is the correct answer to this question?\n"
        "A. Is it this one?\n"
        "B. Maybe this answer?\n"
        "C. Possibly this one?\n"
        "D. Must be this one!\n"
        "ANSWER: D\n"
        "\n"
        "Which LMS has the most quiz import formats?\n"
        "A) Moodle\n"
        "B) ATutor\n"
        "C) Claroline\n"
        "ANSWER: A\n"
    )
    assert questions == [
        ParsedQuestion(
            line=1,
            title="",
            text="What is the correct answer to this question?",
            kind="single",
            choices=[
                ParsedChoice("Is it this one?", False),
                ParsedChoice("Maybe this answer?", False),
                ParsedChoice("Possibly this one?", False),
                ParsedChoice("Must be this one!", True),
            ],
        ),
        ParsedQuestion(
            line=8,
            title="",
            text="Which LMS has the most quiz import formats?",
            kind="single",
            choices=[
                ParsedChoice("Moodle", True),
                ParsedChoice("ATutor", False),
                ParsedChoice("Claroline", False),
            ],
        ),
    ]
    assert [q.line for q in questions] == [1, 8]
    assert all(
        (q.explanation, q.category, q.marks, q.source_title, q.source_url, q.warnings)
        == ("", "", None, "", "", [])
        for q in questions
    )
    assert [c.weight for q in questions for c in q.choices] == [None] * 7


def test_the_text_may_run_over_several_lines():
    """Lines before the first option are the question's text, stripped, joined by line breaks."""
    [question] = parse_aiken(
        "  Article 4 of the North Atlantic Treaty\n"
        "says the allies will consult together.\n"
        "Who may ask for consultations?\n"
        "A)\tAny ally\n"
        "B) Only the Secretary General  \n"
        "ANSWER:A\n"
    )
    assert question.text == (
        "Article 4 of the North Atlantic Treaty\n"
        "says the allies will consult together.\n"
        "Who may ask for consultations?"
    )
    assert [(c.text, c.correct) for c in question.choices] == [
        ("Any ally", True),
        ("Only the Secretary General", False),
    ]


def test_several_blank_lines_windows_line_endings_and_a_byte_order_mark():
    """Blank lines separate questions; \\r\\n and a BOM keep line numbers as an editor shows."""
    questions = parse_aiken(
        "\ufeffOne?\r\nA) a\r\nB) b\r\nANSWER: B\r\n\r\n\r\n   \r\n"
        "Two?\r\nA. x\r\nB. y\r\nANSWER: A"
    )
    assert [(q.line, q.text, [c.correct for c in q.choices]) for q in questions] == [
        (1, "One?", [False, True]),
        (8, "Two?", [True, False]),
    ]


def test_an_empty_file_has_no_questions():
    """Nothing to import, nothing wrong."""
    assert parse_aiken("\n  \n") == []


def test_a_missing_answer_line():
    """A blank line before ANSWER: ends the question without one."""
    assert errors_of("Question?\nA) a\nB) b\n") == [(1, NO_ANSWER)]


def test_an_answer_that_is_not_an_option():
    """ANSWER: names one of the question's letters."""
    assert errors_of("Question?\nA) a\nB) b\nANSWER: C\n") == [
        (4, "ANSWER C is not one of this question's options.")
    ]


@pytest.mark.parametrize("answer", ["ANSWER: b", "ANSWER: AB", "ANSWER:", "ANSWER: A)"])
def test_an_unreadable_answer_line(answer):
    """ANSWER: is followed by one capital letter."""
    assert errors_of(f"Question?\nA) a\nB) b\n{answer}\n") == [
        (4, "Write the answer as ANSWER: and one option letter, such as ANSWER: B.")
    ]


def test_fewer_than_two_options():
    """One option is no choice."""
    assert errors_of("\nQuestion?\nA) only\nANSWER: A\n") == [
        (2, "A question needs at least two options; this one has 1.")
    ]


def test_options_out_of_sequence():
    """Options run A, B, C… without gaps or repeats; each break is reported once."""
    assert errors_of("Question?\nA) a\nC) c\nD) d\nD) e\nANSWER: A\n") == [
        (3, "Option C is out of sequence: expected B."),
        (5, "Option D is out of sequence: expected E."),
    ]


def test_the_first_option_must_be_a():
    """A question's options start at A."""
    assert errors_of("Question?\nB) b\nC) c\nANSWER: B\n") == [
        (2, "Option B is out of sequence: expected A.")
    ]


def test_an_option_without_a_question():
    """An option first in a block has no question text before it."""
    assert errors_of("A) Question not started\nB) b\nANSWER: A\n") == [(1, BEFORE_TEXT)]


def test_an_answer_line_without_a_question():
    """So has an ANSWER line first in a block."""
    assert errors_of("Question?\nA) a\nB) b\n\nANSWER: A\n") == [(1, NO_ANSWER), (5, BEFORE_TEXT)]


def test_text_after_the_answer_line():
    """A question ends with its ANSWER line; the next one needs a blank line first."""
    assert errors_of("One?\nA) a\nB) b\nANSWER: A\nTwo?\nA) c\nB) d\nANSWER: B\n") == [
        (5, AFTER_ANSWER)
    ]


def test_duplicate_options():
    """Two options of a question cannot share a text; the second is reported."""
    assert errors_of("Question?\nA) same\nB) other\nC) same\nANSWER: A\n") == [
        (4, "The option “same” appears twice in this question.")
    ]


def test_an_empty_option():
    """A letter with nothing after it is no option."""
    assert errors_of("Question?\nA) a\nB)\nANSWER: A\n") == [(3, "This option has no text.")]


@pytest.mark.parametrize("line", ["a) lower case", "A)no space", "Another line of text"])
def test_a_line_among_the_options_that_is_no_option(line):
    """After the first option only options and ANSWER may follow."""
    assert errors_of(f"Question?\nA) a\n{line}\nB) b\nANSWER: A\n") == [(3, NOT_AN_OPTION)]


def test_every_problem_in_a_file_is_reported_in_line_order():
    """All errors are collected, none stops the reading, and nothing is returned."""
    text = (
        "A question with too few answers\n"  # 1
        "A) Only answer\n"
        "ANSWER: A\n"
        "\n"
        "A) Question not started\n"  # 5
        "\n"
        "A good question\n"  # 7
        "A) Correct\n"
        "B) Incorrect\n"
        "ANSWER: A\n"
        "\n"
        "A question started but not finished\n"  # 12
        "A) Correct-ish\n"
        "B) Incorrect-ish\n"
        "\n"
        "Out of order\n"  # 16
        "A) one\n"
        "C) three\n"  # 18
        "ANSWER: D\n"  # 19
        "trailing text\n"  # 20
    )
    with pytest.raises(FormatError) as caught:
        parse_aiken(text)
    assert caught.value.errors == [
        (1, "A question needs at least two options; this one has 1."),
        (5, BEFORE_TEXT),
        (12, NO_ANSWER),
        (18, "Option C is out of sequence: expected B."),
        (19, "ANSWER D is not one of this question's options."),
        (20, AFTER_ANSWER),
    ]
    assert str(caught.value).splitlines()[:2] == [
        "line 1: A question needs at least two options; this one has 1.",
        f"line 5: {BEFORE_TEXT}",
    ]
