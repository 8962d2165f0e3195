"""Reading and writing GIFT: each feature of its multiple-choice subset, and errors by line."""

import re
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest

from quizzes.question_files.gift import parse_gift
from quizzes.question_files.gift_export import to_gift
from quizzes.question_files.parsed import FormatError, ParsedChoice, ParsedQuestion

WEIGHTS_MULTIPLE = (
    "The weights were replaced by quizsite's rule: correct choices share +100 %, wrong ones −100 %."
)
WEIGHTS_SINGLE = (
    "The weights were replaced by quizsite's rule: the correct choice earns 100 %, the others 0 %."
)
SEVERAL_EQUALS = (
    "Several = answers: Moodle gives full marks for any one of them, quizsite makes a "
    "several-answer question in which each right choice earns its share."
)
HTML = (
    "Written in HTML: quizsite shows Markdown, where HTML tags show as typed; check this "
    "question's texts."
)
UNCLOSED = (
    "This { opens an answers block that is not closed with } before the next blank line (a "
    "blank line ends a question; write \\n for one in a text)."
)
NO_BLOCK = "This question has no answers block: add { =right answer ~wrong answer } after its text."
STRAY_CLOSE = "This } closes no answers block: write \\} for a brace in the text."
NO_CORRECT = (
    "No answer is correct: mark the right one with =, or give the right ones positive weights "
    "such as ~%50%."
)


def errors_of(text):
    """The (line, message) pairs parse_gift refuses `text` with."""
    with pytest.raises(FormatError) as caught:
        parse_gift(text)
    return caught.value.errors


def weights(question):
    return [choice.weight for choice in question.choices]


# Reading


def test_title_and_right_and_wrong_answers_make_a_one_answer_question():
    """::title::, = and ~ give a one-answer question with no weights, warnings or extras."""
    [question] = parse_gift("::Grant:: Who is buried in Grant's tomb? {~Grant ~Jefferson =no one}")
    assert question == ParsedQuestion(
        line=1,
        title="Grant",
        text="Who is buried in Grant's tomb?",
        kind="single",
        choices=[
            ParsedChoice("Grant", False),
            ParsedChoice("Jefferson", False),
            ParsedChoice("no one", True),
        ],
    )
    assert (question.line, question.category, question.marks) == (1, "", None)
    assert (question.explanation, question.source_title, question.source_url) == ("", "", "")
    assert weights(question) == [None, None, None]
    assert question.warnings == []


def test_a_question_without_title_has_an_empty_title():
    """Moodle names an untitled question itself; here the title stays empty."""
    [question] = parse_gift("Which treaty article covers consultations? {=4 ~5 ~6}")
    assert (question.title, question.text) == ("", "Which treaty article covers consultations?")


def test_weights_with_a_negative_one_make_a_several_answer_question():
    """Positive weights mark the correct choices; ~%-100% marks a wrong one."""
    [question] = parse_gift(
        "::Conditions:: When may an ally ask for consultations? {\n"
        "  ~%50%Its territorial integrity is threatened\n"
        "  ~%50%Its political independence is threatened\n"
        "  ~%-100%Only after an armed attack\n"
        "}\n"
    )
    assert question.kind == "multiple"
    assert [(c.text, c.correct) for c in question.choices] == [
        ("Its territorial integrity is threatened", True),
        ("Its political independence is threatened", True),
        ("Only after an armed attack", False),
    ]
    assert weights(question) == [Fraction(1, 2), Fraction(1, 2), Fraction(-1)]
    assert question.warnings == []


@pytest.mark.parametrize(
    ("written", "weight"),
    [
        ("50", Fraction(1, 2)),
        ("-100", Fraction(-1)),
        ("0", Fraction(0)),
        ("12.5", Fraction(1, 8)),
        ("33.33333", Fraction(1, 3)),
        ("-33.33333", Fraction(-1, 3)),
        ("66.66667", Fraction(2, 3)),
        ("83.33333", Fraction(5, 6)),
        ("16.66667", Fraction(1, 6)),
        ("-14.28571", Fraction(-1, 7)),
        ("11.11111", Fraction(1, 9)),
        ("33.33", Fraction(3333, 10000)),  # fewer than 5 decimals: exactly as written
        ("33.333334", Fraction(16666667, 50000000)),  # not 1/3 rounded: exactly as written
    ],
)
def test_weights_read_moodles_rounded_percentages_as_exact_fractions(written, weight):
    """A weight rounded to 5 decimals, as Moodle writes them, is the fraction it came from."""
    [question] = parse_gift(f"Q {{~%{written}%a ~%100%b}}")
    assert question.choices[0].weight == weight


def test_answer_feedback_and_general_feedback():
    """# gives an answer's feedback; #### inside the braces gives the general feedback."""
    [question] = parse_gift(
        "::Spectrum:: What is between orange and green in the spectrum? {\n"
        "  =yellow # right; good!\n"
        "  ~red # wrong, it's yellow\n"
        "  ~blue\n"
        "  ####Yellow lies between them.\n"
        "}\n"
    )
    assert [(c.text, c.feedback) for c in question.choices] == [
        ("yellow", "right; good!"),
        ("red", "wrong, it's yellow"),
        ("blue", ""),
    ]
    assert question.explanation == "Yellow lies between them."


def test_comments_are_ignored_and_quizsites_comments_give_marks_and_source():
    """// lines are skipped; // marks: and // source: before a question describe it."""
    [first, second] = parse_gift(
        "// A comment of the author's\n"
        "// source: The North Atlantic Treaty <https://www.nato.int/cps/en/natolive/"
        "official_texts_17120.htm>\n"
        "// marks: 2.5\n"
        "::Article:: Which article provides for consultations? {\n"
        "// a comment inside the answers\n"
        "  =Article 4\n"
        "  ~Article 5\n"
        "}\n"
        "\n"
        "// marks: 3\n"
        "\n"
        "::Next:: A question after a blank line {=a ~b}\n"
    )
    assert first.line == 4
    assert first.marks == Decimal("2.5")
    assert first.source_title == "The North Atlantic Treaty"
    assert first.source_url == "https://www.nato.int/cps/en/natolive/official_texts_17120.htm"
    assert [c.text for c in first.choices] == ["Article 4", "Article 5"]
    # A blank line separates the marks comment from the question: it is not the question's.
    assert (second.line, second.marks, second.source_title) == (12, None, "")


def test_a_source_may_give_only_a_title_or_only_an_address():
    """Either part of // source: may be left out."""
    first, second = parse_gift(
        "// source: Article 4 commentary\nA {=a ~b}\n\n"
        "// source: <https://example.org/4>\nB {=a ~b}"
    )
    assert (first.source_title, first.source_url) == ("Article 4 commentary", "")
    assert (second.source_title, second.source_url) == ("", "https://example.org/4")


def test_category_applies_to_the_questions_after_it():
    """$CATEGORY: sets the category of every following question, until the next one."""
    questions = parse_gift(
        "::A:: First {=a ~b}\n"
        "\n"
        "// question: 0  name: Switch category to $course$/top/Article 4\n"
        "$CATEGORY: $course$/top/Article 4\n"
        "\n"
        "::B:: Second {=a ~b}\n"
        "\n"
        "::C:: Third {=a ~b}\n"
        "\n"
        "$CATEGORY: Article 5\n"
        "::D:: Fourth {=a ~b}\n"
    )
    assert [(q.title, q.category, q.line) for q in questions] == [
        ("A", "", 1),
        ("B", "$course$/top/Article 4", 6),
        ("C", "$course$/top/Article 4", 8),
        ("D", "Article 5", 11),
    ]


def test_every_backslash_escape():
    """\\~ \\= \\# \\{ \\} \\: are the characters, \\n a line break, \\\\ a backslash."""
    [question] = parse_gift(
        "::Escapes\\: all:: 1 + 2 \\= 3 \\{really\\} \\~ \\# \\\\ \\x a\\nb? {\n"
        "  =a \\= b #c \\# d\n"
        "  ~\\{x\\} \\~ y\\: z\n"
        "  ####one\\ntwo\n"
        "}\n"
    )
    assert question.title == "Escapes: all"
    assert question.text == "1 + 2 = 3 {really} ~ # \\ \\x a\nb?"
    assert [(c.text, c.feedback) for c in question.choices] == [
        ("a = b", "c # d"),
        ("{x} ~ y: z", ""),
    ]
    assert question.explanation == "one\ntwo"


def test_a_question_over_several_lines():
    """A text may run over lines, and answers may sit on their own, indented lines."""
    [question] = parse_gift(
        "::Multi::\n"
        "Article 4 says the allies\n"
        "will consult together\n"
        "{\n"
        "    ~when the UN asks\n"
        "    =whenever one of them\n"
        "     asks #Any ally\n"
        "     may ask.\n"
        "}\n"
    )
    assert question.line == 1
    assert question.text == "Article 4 says the allies\nwill consult together"
    assert [(c.text, c.feedback) for c in question.choices] == [
        ("when the UN asks", ""),
        ("whenever one of them\n     asks", "Any ally\n     may ask."),
    ]


def test_text_after_the_answers_block_leaves_a_blank_in_its_place():
    """Moodle's missing-word form: the answers block becomes _____."""
    [question] = parse_gift("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert question.text == "Grant is _____ in Grant's tomb."
    assert [c.text for c in question.choices] == ["buried", "entombed", "living"]


def test_format_markers_are_dropped_and_html_is_flagged():
    """[markdown] is dropped quietly; [html], as Moodle exports it, adds a warning."""
    markdown, html = parse_gift(
        "::M::[markdown]**Which** ally?{=Any ~None}\n"
        "\n"
        "::H::[html]<p>Which ally?</p>{\n\t=<p>Any</p>#<p>Yes.</p>\n\t~None\n}\n"
    )
    assert (markdown.text, markdown.warnings) == ("**Which** ally?", [])
    assert html.text == "<p>Which ally?</p>"
    assert [(c.text, c.feedback) for c in html.choices] == [
        ("<p>Any</p>", "<p>Yes.</p>"),
        ("None", ""),
    ]
    assert html.warnings == [HTML]


@pytest.mark.parametrize(
    ("answers", "kind", "correct", "warnings"),
    [
        ("~%100%a ~b ~c", "single", [True, False, False], []),
        ("~%100%a ~%0%b", "single", [True, False], []),
        ("~%50%a ~b", "single", [True, False], [WEIGHTS_SINGLE]),
        ("~%100%a ~%-100%b", "multiple", [True, False], []),
        ("~%100%a ~%-50%b ~c", "multiple", [True, False, False], [WEIGHTS_MULTIPLE]),
        ("~%50%a ~%50%b ~c", "multiple", [True, True, False], [WEIGHTS_MULTIPLE]),
        ("~%50%a ~%25%b ~%-100%c", "multiple", [True, True, False], [WEIGHTS_MULTIPLE]),
        ("=%50%a =%50%b ~%-100%c", "multiple", [True, True, False], []),
        ("=a =b ~c", "multiple", [True, True, False], [SEVERAL_EQUALS]),
    ],
)
def test_kind_and_weight_warnings(answers, kind, correct, warnings):
    """One correct choice is one answer unless penalties say several may be ticked."""
    [question] = parse_gift(f"Q {{{answers}}}")
    assert question.kind == kind
    assert [c.correct for c in question.choices] == correct
    assert question.warnings == warnings


def test_windows_line_endings_and_a_byte_order_mark():
    """\\r\\n files and a leading BOM read as plain \\n files, with the same line numbers."""
    questions = parse_gift(
        "\ufeff// c\r\n::A:: One {=a ~b}\r\n\r\n::B:: Two {\r\n=a\r\n~b\r\n}\r\n"
    )
    assert [(q.title, q.line, q.text) for q in questions] == [("A", 2, "One"), ("B", 4, "Two")]
    assert [c.text for c in questions[1].choices] == ["a", "b"]


def test_an_empty_file_has_no_questions():
    """Only comments, categories and blank lines: nothing to import, nothing wrong."""
    assert parse_gift("") == []
    assert parse_gift("// nothing here\n\n$CATEGORY: x\n\n") == []


# Refusing


def test_an_unclosed_brace_is_reported_where_it_opens():
    """A blank line inside the braces ends the question: the { and the stray } are reported."""
    assert errors_of("::A:: Fine {=a ~b}\n\n::B:: Who?\n{\n=a\n\n~b\n}\n") == [
        (4, UNCLOSED),
        (8, STRAY_CLOSE),
    ]


def test_a_question_without_an_answers_block_is_refused():
    """Moodle's description (text only) has nothing to answer."""
    assert errors_of("// c\nJust a description\nover two lines.\n") == [(2, NO_BLOCK)]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (
            "{=two =2}",
            "without ~ answers this is a short-answer question; mark the wrong choices with ~.",
        ),
        (
            "{=%50%two}",
            "without ~ answers this is a short-answer question; mark the wrong choices with ~.",
        ),
        ("{=cat -> cat food =dog -> dog food}", "= … -> … makes a matching question."),
        ("{#1949:0}", "{#…} makes a numerical question."),
        ("{}", "{} makes an essay question."),
        ("{####Write freely.}", "{} makes an essay question."),
    ],
)
def test_other_question_types_are_refused(answers, message):
    """Only multiple choice is supported; the message names the type found."""
    assert errors_of(f"::A:: Fine {{=a ~b}}\n\n// c\n::T:: Question {answers}\n") == [
        (4, "Only multiple-choice questions can be imported: " + message)
    ]


def test_fewer_than_two_choices():
    """One answer is no choice."""
    assert errors_of("Q {~%100%only}") == [
        (1, "A multiple-choice question needs at least two answers; this one has 1.")
    ]


def test_no_correct_choice():
    """Without = or a positive weight, no choice is right."""
    assert errors_of("\nQ {\n~a\n~%-50%b\n~%0%c\n}") == [(2, NO_CORRECT)]


@pytest.mark.parametrize(
    ("answer", "written"),
    [("~%fifty%a", "%fifty%"), ("~%150%a", "%150%"), ("~%-100.5%a", "%-100.5%"), ("~%50 a", "%50")],
)
def test_an_unreadable_weight_is_reported_on_its_line(answer, written):
    """A weight must be a percentage from -100 to 100 between two % signs."""
    assert errors_of(f"Q {{\n=b\n{answer}\n}}") == [
        (
            3,
            f"Cannot read the weight {written}: write a percentage from -100 to 100, such as "
            "%50% or %-25%.",
        )
    ]


def test_weights_on_a_question_with_one_equals_answer():
    """= already means 100 % and ~ 0 %: partial credit beside it cannot be marked."""
    assert errors_of("Q {\n=a\n~%50%b\n~%-50%c\n}") == [
        (
            3,
            "A question with one = answer cannot also have weights: use = and ~ alone, or ~%…% "
            "weights on every answer.",
        )
    ]


def test_an_empty_choice_is_reported_on_its_line():
    """= or ~ with nothing after it (or only feedback) is no choice."""
    assert errors_of("Q {\n=a\n~\n~ #feedback only\n}") == [
        (3, "This answer has no text."),
        (4, "This answer has no text."),
    ]


def test_duplicate_choices_are_reported_on_the_second():
    """Two choices of a question cannot share a text."""
    assert errors_of("Capital of Canada? {\n=Ottawa\n~Toronto\n~Toronto\n}") == [
        (4, "The answer “Toronto” appears twice in this question.")
    ]


def test_an_unclosed_title():
    """:: opens a title that must close."""
    assert errors_of("::Oops Which? {=a ~b}") == [
        (1, "The title is not closed: write ::title:: before the question text.")
    ]


def test_a_second_answers_block():
    """A question has one answers block."""
    assert errors_of("Q {=a ~b}\nand {=c ~d}") == [
        (2, "A question has one answers block: write \\{ and \\} for braces in the text.")
    ]


def test_text_before_the_first_answer():
    """Every answer starts with = or ~; Moodle would make stray text a wrong answer."""
    assert errors_of("Q {\nsome text\n=a\n~b\n}") == [
        (2, "Text before the first answer: start every answer with = (right) or ~ (wrong).")
    ]


def test_a_question_without_text():
    """A title alone is not a question."""
    assert errors_of("::Title only:: {=a ~b}") == [(1, "The question has no text.")]


@pytest.mark.parametrize("marks", ["two", "0", "-1", "1.234", "10000", "NaN"])
def test_unreadable_marks(marks):
    """Marks are a number above 0 with at most 2 decimals, as a question stores them."""
    assert errors_of(f"// marks: {marks}\nQ {{=a ~b}}") == [
        (
            1,
            f"Cannot read the marks {marks}: write a number above 0 with at most 2 decimals, "
            "such as // marks: 1.5",
        )
    ]


@pytest.mark.parametrize(
    "source", ["", "Title <ftp://example.org>", "Title <https://example.org", "<not a url>"]
)
def test_unreadable_source(source):
    """A source is a title, an http(s) address in <>, or both."""
    assert errors_of(f"Q {{=a ~b}}\n\n// source: {source}\nQ {{=a ~b}}") == [
        (3, "Write the source as // source: Title <https://address>")
    ]


def test_every_problem_in_a_file_is_reported_in_line_order():
    """All errors are collected, none stops the reading, and nothing is returned."""
    text = (
        "::Good:: A fine question {=a ~b}\n"  # 1
        "\n"
        "// marks: lots\n"  # 3
        "::Bad weight:: Q {\n"  # 4
        "~%x%a\n"  # 5
        "=b\n"
        "=b\n"  # 7: duplicate
        "}\n"
        "\n"
        "::TF:: Q {T#a#b#c}\n"  # 10: three feedbacks
        "\n"
        "::Open:: Q {\n"  # 12
        "~a\n"
        "\n"
        "::None:: Q {~a ~b}\n"  # 15
    )
    with pytest.raises(FormatError) as caught:
        parse_gift(text)
    assert [line for line, _message in caught.value.errors] == [3, 5, 7, 10, 12, 15]
    assert str(caught.value).splitlines() == [
        "line 3: Cannot read the marks lots: write a number above 0 with at most 2 decimals, "
        "such as // marks: 1.5",
        "line 5: Cannot read the weight %x%: write a percentage from -100 to 100, such as %50% "
        "or %-25%.",
        "line 7: The answer “b” appears twice in this question.",
        "line 10: A true/false answer takes two feedbacks at most: {T#shown when wrong#shown "
        "when right}; write \\# for a # in a feedback.",
        f"line 12: {UNCLOSED}",
        f"line 15: {NO_CORRECT}",
    ]


# Writing and reading back

RICH_SAMPLE = """\
// Exported by hand for the round trip.
$CATEGORY: $course$/top/Article 4

// source: The North Atlantic Treaty <https://www.nato.int/cps/en/natolive/official_texts_17120.htm>
// marks: 2
::Who asks:: Who may ask for consultations under **Article 4**? {
  =Any ally #Yes: "any of them".
  ~Only the Secretary General #No \\= not him.
  ~The UN Security Council
  ####Article 4\\: "The Parties will consult together whenever, in the opinion of any of them…"
}

::Conditions:: When may an ally ask?
Pick every condition. {
  ~%50%Its territorial integrity is threatened #Right.
  ~%50%Its political independence is threatened
  ~%-100%Only after an armed attack #That is Article 5.
}

$CATEGORY: $course$/top/Braces

// marks: 0.5
::Escapes \\{ \\}:: Which set is empty\\: \\{\\} or \\{0\\}?\\nThink \\~ twice. {
  =\\{\\} #The set \\= nothing
  ~\\{0\\} #Holds 0 \\# one element
}

::Blank:: Article {~4 =5 ~6} is the collective defence clause.

::Penalty:: Which are treaty articles? {
  ~%100%Article 4
  ~%-50%Article 99
  ~%-50%Article 0
}

::Thirds:: Which are Baltic states? {
  ~%33.33333%Estonia
  ~%33.33333%Latvia
  ~%33.33333%Lithuania
  ~%-100%Finland
}

::Alternatives:: Name an ally {=Poland =Norway ~Sweden before 2024}

::Markup::[html]<p>Which is bold?</p>{=<b>this</b> ~that}
"""


def test_a_rich_file_reads_back_equal_after_writing():
    """parse(to_gift(parse(sample))) == parse(sample), and writing again changes nothing."""
    first = parse_gift(RICH_SAMPLE)
    assert [q.title for q in first] == [
        "Who asks",
        "Conditions",
        "Escapes { }",
        "Blank",
        "Penalty",
        "Thirds",
        "Alternatives",
        "Markup",
    ]
    assert [q.kind for q in first] == [
        "single",
        "multiple",
        "single",
        "single",
        "multiple",
        "multiple",
        "multiple",
        "single",
    ]
    assert first[2].text == "Which set is empty: {} or {0}?\nThink ~ twice."
    assert first[2].category == "$course$/top/Braces"
    assert first[3].text == "Article _____ is the collective defence clause."
    written = to_gift(first)
    second = parse_gift(written)
    assert second == first
    assert to_gift(second) == written


def test_written_gift_for_a_one_answer_question():
    """The exact text: comments, title, [markdown], escaped text, = and ~, feedback, ####."""
    question = ParsedQuestion(
        line=1,
        title="Who asks",
        text="Who may ask: any ally?",
        kind="single",
        choices=[
            ParsedChoice("Any ally", True, feedback="Yes = right."),
            ParsedChoice("Only the UN", False),
        ],
        explanation="See Article 4.",
        marks=Decimal("2.00"),
        source_title="The  North Atlantic\nTreaty",
        source_url="https://www.nato.int/",
    )
    assert to_gift([question]) == (
        "// source: The North Atlantic Treaty <https://www.nato.int/>\n"
        "// marks: 2\n"
        "::Who asks::[markdown]Who may ask\\: any ally?{\n"
        "\t=Any ally#Yes \\= right.\n"
        "\t~Only the UN\n"
        "\t####See Article 4.\n"
        "}\n"
    )


def test_written_weights_share_plus_and_minus_100_percent():
    """3 correct and 7 wrong choices: +33.33333 % and -14.28571 %, read back as 1/3 and -1/7."""
    question = ParsedQuestion(
        line=1,
        title="Many",
        text="Pick the right ones",
        kind="multiple",
        choices=[ParsedChoice(f"right {n}", True) for n in range(3)]
        + [ParsedChoice(f"wrong {n}", False) for n in range(7)],
    )
    written = to_gift([question])
    assert written.splitlines()[1:3] == ["\t~%33.33333%right 0", "\t~%33.33333%right 1"]
    assert written.splitlines()[4] == "\t~%-14.28571%wrong 0"
    [read] = parse_gift(written)
    assert read == question
    assert weights(read) == [Fraction(1, 3)] * 3 + [Fraction(-1, 7)] * 7
    assert read.warnings == []


def test_a_several_answer_question_with_one_correct_choice_stays_several_answer():
    """+100 % beside penalties reads back as a several-answer question."""
    question = ParsedQuestion(
        line=1,
        title="One of three",
        text="Tick the right ones",
        kind="multiple",
        choices=[ParsedChoice("a", True), ParsedChoice("b", False), ParsedChoice("c", False)],
    )
    written = to_gift([question])
    assert "\t~%100%a\n\t~%-50%b\n\t~%-50%c\n" in written
    assert parse_gift(written) == [question]


def test_special_characters_and_line_breaks_read_back_identically():
    """{ } = ~ # : \\, line breaks, a leading % or [html], // and #### survive writing."""
    questions = [
        ParsedQuestion(
            line=1,
            title="Braces {} = ~ # : \\n",
            text="Line one {x} = ~ # : \\ \\n\n// not a comment\n$CATEGORY: not one\n\nlast",
            kind="single",
            choices=[
                ParsedChoice("%50% of {them}", True, feedback="[html] stays #### as text"),
                ParsedChoice("[markdown] =~#:", False, feedback="%1%"),
                ParsedChoice("a\nb", False, feedback="two\nlines"),
            ],
            explanation="####\n::not a title::",
            category="a {b} : c",
            marks=Decimal("1.25"),
            source_title="Source: with {braces}",
            source_url="https://example.org/a?b=c#d",
        ),
        ParsedQuestion(
            line=1,
            title="::",
            text="%Starts with a percent",
            kind="multiple",
            choices=[
                ParsedChoice("%d", True),
                ParsedChoice("[plain]x", True),
                ParsedChoice("\\", False),
            ],
        ),
    ]
    assert parse_gift(to_gift(questions)) == questions


def test_model_like_objects_are_written_with_a_title_made_from_the_text():
    """Any object with the attributes will do; choices may be a manager with .all()."""
    choices = [
        SimpleNamespace(text="Any ally", is_correct=True, feedback=""),
        SimpleNamespace(text="Only Poland", is_correct=False, feedback="No."),
    ]
    question = SimpleNamespace(
        text="Under Article 4 of the North Atlantic Treaty, which members may request "
        "consultations?",
        kind="single",
        choices=SimpleNamespace(all=lambda: choices),
        explanation="",
        marks=Decimal("1.50"),
        source_title="",
        source_url="",
    )
    written = to_gift([question])
    assert written == (
        "// marks: 1.5\n"
        "::Under Article 4 of the North Atlantic Treaty, which members…::[markdown]Under "
        "Article 4 of the North Atlantic Treaty, which members may request consultations?{\n"
        "\t=Any ally\n"
        "\t~Only Poland#No.\n"
        "}\n"
    )
    [read] = parse_gift(written)
    assert (read.title, read.text, read.marks) == (
        "Under Article 4 of the North Atlantic Treaty, which members…",
        question.text,
        Decimal("1.5"),
    )
    assert [(c.text, c.correct, c.feedback) for c in read.choices] == [
        ("Any ally", True, ""),
        ("Only Poland", False, "No."),
    ]


def test_questions_are_separated_by_a_blank_line_and_categories_written_when_they_change():
    """$CATEGORY: lines appear where the category changes, and read back."""
    questions = [
        ParsedQuestion(
            1, "A", "One", "single", [ParsedChoice("a", True), ParsedChoice("b", False)]
        ),
        ParsedQuestion(
            1,
            "B",
            "Two",
            "single",
            [ParsedChoice("a", True), ParsedChoice("b", False)],
            category="X",
        ),
        ParsedQuestion(
            1,
            "C",
            "Three",
            "single",
            [ParsedChoice("a", True), ParsedChoice("b", False)],
            category="X",
        ),
    ]
    written = to_gift(questions)
    assert written == (
        "::A::[markdown]One{\n\t=a\n\t~b\n}\n"
        "\n"
        "$CATEGORY: X\n"
        "\n"
        "::B::[markdown]Two{\n\t=a\n\t~b\n}\n"
        "\n"
        "::C::[markdown]Three{\n\t=a\n\t~b\n}\n"
    )
    assert parse_gift(written) == questions


@pytest.mark.parametrize(
    ("kind", "correct", "message"),
    [
        (
            "single",
            [True, True],
            "question 1: A one-answer question needs exactly one correct choice; this one has 2.",
        ),
        ("multiple", [False, False], "question 1: A several-answer question needs at least one"),
        ("single", [True], "question 1: A question needs at least two choices."),
        ("essay", [True, False], "question 1: unknown kind 'essay'"),
    ],
)
def test_an_answer_key_that_cannot_be_read_back_is_refused(kind, correct, message):
    """to_gift raises rather than write a question parse_gift would refuse."""
    question = SimpleNamespace(
        text="Q",
        kind=kind,
        choices=[SimpleNamespace(text=f"c{n}", correct=c) for n, c in enumerate(correct)],
    )
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        to_gift([question])
