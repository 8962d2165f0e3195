"""Questions from GIFT or Aiken files into a quiz: read and check everything, then create it all."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from quizzes.core.spreadsheet import shows_nothing
from quizzes.course.true_false import TRUE_FALSE, choice_label
from quizzes.models import Choice, Question, Quiz
from quizzes.question_files.aiken import parse_aiken
from quizzes.question_files.gift import parse_gift
from quizzes.question_files.parsed import FormatError, ParsedQuestion
from quizzes.taking.scoring import MAX_CHOICES

GIFT, AIKEN = "gift", "aiken"
READERS = {GIFT: parse_gift, AIKEN: parse_aiken}


def guess_format(filename: str, text: str) -> str:
    """GIFT unless the file looks like Aiken (an `ANSWER:` line and no braces)."""
    if filename.lower().endswith(".gift") or "{" in text:
        return GIFT
    if any(line.startswith("ANSWER:") for line in text.splitlines()):
        return AIKEN
    return GIFT


def read_questions(
    text: str,
    file_format: str,
    *,
    source_title: str = "",
    source_url: str = "",
    language: str = "en",
) -> list[ParsedQuestion]:
    """The questions in the file, each with a source; FormatError lists every problem by line.

    A question without its own `// source:` comment takes the default source; without one
    either, it is an error, since every quizsite question cites its source.
    """
    questions = READERS[file_format](text)
    errors = []
    for question in questions:
        question.source_title = question.source_title or source_title
        question.source_url = question.source_url or source_url
        if question.kind == TRUE_FALSE:  # the file's {T}/{F}: "Prawda"/"Fałsz" in Polish
            with translation.override(language):
                for choice in question.choices:
                    choice.text = choice_label(TRUE_FALSE, choice.text)
        if len(question.choices) > MAX_CHOICES:
            errors.append(
                (
                    question.line,
                    _("A question can have at most %(most)d choices; this one has %(count)d.")
                    % {"most": MAX_CHOICES, "count": len(question.choices)},
                )
            )
        if any(len(choice.text) > 500 for choice in question.choices):
            errors.append((question.line, _("A choice is longer than 500 characters.")))
        # Zero-width characters only: a blank question on the learner's page, as the admin
        # refuses (EitherLanguageForm). The parsers refuse such answers, and a GIFT question
        # text, themselves, so that every problem is listed at once; an Aiken stem is here.
        if shows_nothing(question.text):
            errors.append((question.line, _("This question or one of its choices shows nothing.")))
        if not question.explanation:
            question.warnings.append(_("No general feedback: learners see no explanation."))
        if not all(choice.feedback for choice in question.choices):
            question.warnings.append(
                _("Some choices have no feedback: learners see none for those choices.")
            )
        if not (question.source_title and question.source_url):
            errors.append(
                (
                    question.line,
                    _("This question names no source: give a default source title and URL."),
                )
            )
    if not questions:
        errors.append((1, _("The file has no questions.")))
    if errors:
        raise FormatError(errors)
    return questions


@transaction.atomic
def already_in(quiz: Quiz, questions: list[ParsedQuestion], language: str) -> set[int]:
    """The ids (`id()`) of the questions whose text, in `language`, one of the quiz's has: a
    file imported twice would otherwise give every question twice."""
    field = build_localized_fieldname("text", language)
    existing = {text.strip() for text in quiz.questions.values_list(field, flat=True) if text}
    return {id(question) for question in questions if question.text.strip() in existing}


def create_questions(quiz: Quiz, questions: list[ParsedQuestion], language: str) -> list[Question]:
    """Add the questions, with their choices, after the quiz's last question; all or nothing.

    The file's texts are written in `language` (its fields `text_pl` and so on), whatever the
    admin's own language; the other language falls back to them until it is written.
    """

    def written(**texts):
        return {build_localized_fieldname(field, language): text for field, text in texts.items()}

    last = quiz.questions.aggregate(last=Max("order"))["last"] or 0
    created = []
    for n, parsed in enumerate(questions, start=1):
        question = Question.objects.create(
            quiz=quiz,
            **written(text=parsed.text, explanation=parsed.explanation),
            kind=parsed.kind,
            marks=parsed.marks or Decimal(1),
            source_title=parsed.source_title[:300],
            source_url=parsed.source_url[:500],
            order=last + n,
        )
        Choice.objects.bulk_create(
            Choice(
                question=question,
                **written(text=choice.text, feedback=choice.feedback),
                is_correct=choice.correct,
                order=position,
            )
            for position, choice in enumerate(parsed.choices, start=1)
        )
        created.append(question)
    return created
