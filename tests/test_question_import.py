"""Importing GIFT and Aiken files into a quiz from the admin, and downloading a quiz as GIFT."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from quizzes.models import Choice, Question

from .conftest import signed_in, started, take_url
from .factories import QuizFactory, UserFactory, question_with_choices

pytestmark = pytest.mark.django_db

GIFT = """// source: NATO: The consultation process <https://www.nato.int/cps/en/natohq/topics_49187.htm>
// marks: 2
::Who asks:: Who may ask for consultations under Article 4? {
=Any single ally #Right: "in the opinion of any of them".
~Only the Secretary General #No: allies ask.
~Only a majority of allies #No: one is enough.
####The treaty says any ally may ask.
}

// source: NATO: Article 5 <https://www.nato.int/terrorism/five.htm>
::Which are true:: Which statements about Article 5 are true? {
~%50%It covers an armed attack #Yes.
~%50%Each ally decides its action #Yes.
~%-100%It obliges every ally to send troops #No.
}
"""

AIKEN = """Where do Article 4 consultations take place?
A) The North Atlantic Council
B) The UN Security Council
C) The European Parliament
ANSWER: A
"""


def upload(client, quiz, content, name="questions.gift", **extra):
    url = reverse("admin:quizzes_quiz_import", args=[quiz.pk])
    data = {"file": SimpleUploadedFile(name, content.encode()), **extra}
    return client.post(url, data)


def confirm(client, quiz, preview_response):
    form = preview_response.context["confirm_form"]
    data = {
        name: form[name].value() or ""
        for name in ("text", "file_format", "source_title", "source_url", "language")
    }
    url = reverse("admin:quizzes_quiz_import", args=[quiz.pk])
    return client.post(url, {**data, "confirm": "yes"})


def test_a_file_of_polish_questions_fills_the_polish_texts(teacher_client):
    quiz = QuizFactory()
    preview = upload(teacher_client, quiz, GIFT, language="pl")
    assert "Their texts become the questions' Polish texts." in preview.content.decode()
    assert confirm(teacher_client, quiz, preview).status_code == 302
    first = quiz.questions.order_by("order").first()
    assert first.text_pl == "Who may ask for consultations under Article 4?"
    assert not first.text_en and not first.explanation_en
    assert first.explanation_pl == "The treaty says any ally may ask."
    choice = first.choices.get(is_correct=True)
    assert not choice.text_en and choice.text_pl == "Any single ally"
    assert choice.feedback_pl == 'Right: "in the opinion of any of them".'
    # An English reader gets them, marked as not yet translated.
    learner = signed_in(UserFactory())
    started(learner, quiz)
    page = learner.get(take_url(quiz)).content.decode()
    assert "Who may ask for consultations under Article 4?" in page
    assert "Not yet translated: shown in Polish." in page


def test_the_language_of_the_questions_is_the_pages_unless_chosen(teacher_client):
    quiz = QuizFactory()
    with translation.override("pl"):
        url = reverse("admin:quizzes_quiz_import", args=[quiz.pk])
    page = teacher_client.get(url).content.decode()
    assert '<option value="pl" selected>' in page
    preview = teacher_client.post(url, {"file": SimpleUploadedFile("q.gift", GIFT.encode())})
    assert confirm(teacher_client, quiz, preview).status_code == 302
    assert quiz.questions.order_by("order").first().text_pl.startswith("Who may ask")


def test_a_gift_file_is_previewed_then_created(teacher_client):
    quiz = QuizFactory()
    preview = upload(teacher_client, quiz, GIFT)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Preview: 2 questions from the GIFT file" in page
    assert "Who may ask for consultations under Article 4?" in page
    assert not Question.objects.exists()  # nothing until confirmed

    response = confirm(teacher_client, quiz, preview)
    assert response.status_code == 302
    first, second = quiz.questions.order_by("order")
    assert (first.kind, first.marks, first.explanation) == (
        "single",
        2,
        "The treaty says any ally may ask.",
    )
    assert first.source_url == "https://www.nato.int/cps/en/natohq/topics_49187.htm"
    assert [(c.text, c.is_correct) for c in first.choices.all()] == [
        ("Any single ally", True),
        ("Only the Secretary General", False),
        ("Only a majority of allies", False),
    ]
    assert first.choices.get(is_correct=True).feedback == 'Right: "in the opinion of any of them".'
    assert second.kind == "multiple"
    assert second.choices.filter(is_correct=True).count() == 2
    assert second.source_url == "https://www.nato.int/terrorism/five.htm"


def test_an_aiken_file_needs_a_default_source_and_uses_it(teacher_client):
    quiz = QuizFactory()
    refused = upload(teacher_client, quiz, AIKEN, name="questions.txt")
    assert refused.status_code == 400
    assert "Line 1: This question names no source" in refused.content.decode()
    preview = upload(
        teacher_client,
        quiz,
        AIKEN,
        name="questions.txt",
        source_title="NATO: Article 4",
        source_url="www.nato.int/cps/en/natohq/topics_49187.htm",
    )
    assert "from the Aiken file" in preview.content.decode()
    confirm(teacher_client, quiz, preview)
    question = quiz.questions.get()
    assert question.source_url == "https://www.nato.int/cps/en/natohq/topics_49187.htm"
    assert question.choices.get(is_correct=True).text == "The North Atlantic Council"


BROKEN = [
    ("Q? {\n=a\n~b\n", "Line 1"),
    ("Q? {=a ~b}\n\nNo braces here\n", "Line 3"),
    ("Q? {T#a#b#c}\n", "Line 1"),
    ("Q? {~a ~b}\n", "Line 1"),
    ("Q? {=a}\n", "Line 1"),
    ("Q? {=a ~%x%b}\n", "Line 1"),
    ("Q? {\n=a\n~a\n}\n", "Line 3"),
]


@pytest.mark.parametrize(("content", "line"), BROKEN)
def test_a_broken_gift_file_names_the_line_and_creates_nothing(teacher_client, content, line):
    quiz = QuizFactory()
    response = upload(
        teacher_client, quiz, content, source_title="S", source_url="https://example.org/s"
    )
    assert response.status_code == 400
    assert f"{line}:" in response.content.decode()
    assert "nothing was imported" in response.content.decode()
    assert not Question.objects.exists() and not Choice.objects.exists()


def test_a_forged_confirmation_is_checked_again(teacher_client):
    quiz = QuizFactory()
    url = reverse("admin:quizzes_quiz_import", args=[quiz.pk])
    response = teacher_client.post(
        url, {"text": "Q? {=a}", "file_format": "gift", "confirm": "yes"}
    )
    assert response.status_code == 400
    assert not Question.objects.exists()


def test_a_file_that_is_not_utf8_or_too_big_is_refused(teacher_client):
    quiz = QuizFactory()
    url = reverse("admin:quizzes_quiz_import", args=[quiz.pk])
    latin = SimpleUploadedFile("q.gift", "Pytanie? {=tak ~nie}".encode("utf-16"))
    response = teacher_client.post(url, {"file": latin})
    assert response.status_code == 400
    assert "not UTF-8" in response.content.decode()
    big = SimpleUploadedFile("q.gift", b"x" * (200 * 1024 + 1))
    assert "larger than 200 KB" in teacher_client.post(url, {"file": big}).content.decode()


def test_a_quiz_downloaded_as_gift_imports_back_to_the_same_questions(teacher_client):
    source = QuizFactory(slug="source-quiz")
    question_with_choices(source, correct=1, wrong=2, order=1, text="Which {article} = talks?")
    question_with_choices(
        source, correct=2, wrong=2, kind="multiple", marks=2, order=2, text="Pick #two: ~ok"
    )
    response = teacher_client.get(reverse("admin:quizzes_quiz_gift", args=[source.pk]))
    assert response["Content-Disposition"].startswith('attachment; filename="source-quiz-')
    gift = response.content.decode()

    target = QuizFactory()
    confirm(teacher_client, target, upload(teacher_client, target, gift))

    def shape(quiz):
        return [
            (
                q.text,
                q.kind,
                q.marks,
                q.explanation,
                q.source_title,
                q.source_url,
                [(c.text, c.is_correct, c.feedback) for c in q.choices.all()],
            )
            for q in quiz.questions.order_by("order")
        ]

    assert shape(target) == shape(source)


def test_students_and_anonymous_visitors_cannot_import(learner_client, client):
    quiz = QuizFactory()
    for c in (learner_client, client):
        response = upload(c, quiz, GIFT)
        assert response.status_code == 302 and "/en/admin/login/" in response.url
    assert not Question.objects.exists()


def test_a_weight_with_more_decimals_than_a_decimal_holds_is_read_as_a_third(teacher_client):
    quiz = QuizFactory()
    content = (
        "Which are true? {\n~%33.333333333333333333333333333333%a\n"
        "~%33.333333333333333333333333333333%b\n~%33.333333333333333333333333333334%c\n"
        "~%-100%d\n}\n"
    )
    preview = upload(
        teacher_client, quiz, content, source_title="S", source_url="https://example.org/s"
    )
    assert preview.status_code == 200
    assert "Preview: 1 question from the GIFT file" in preview.content.decode()
    assert confirm(teacher_client, quiz, preview).status_code == 302
    question = Question.objects.get()
    assert question.kind == Question.Kind.MULTIPLE
    assert list(question.choices.values_list("is_correct", flat=True)) == [True, True, True, False]


@pytest.mark.parametrize("content", ["Q? {=a ~b\x00}\n", "Q? {=a ~b}\n\n\x00\n"])
def test_a_file_with_a_nul_character_is_refused_on_every_database(teacher_client, content):
    quiz = QuizFactory()
    response = upload(
        teacher_client, quiz, content, source_title="S", source_url="https://example.org/s"
    )
    assert response.status_code == 400
    line = content.count("\n", 0, content.index("\x00")) + 1
    assert f"Line {line} contains a NUL character" in response.content.decode()
    forged = teacher_client.post(  # the confirmation step, posted by hand with the NUL
        reverse("admin:quizzes_quiz_import", args=[quiz.pk]),
        {"text": content, "file_format": "gift", "source_title": "S", "confirm": "yes"},
    )
    assert forged.status_code == 400
    assert not Question.objects.exists() and not Choice.objects.exists()


def test_the_import_page_shows_how_to_write_a_source_with_its_address(admin_client, quiz):
    page = admin_client.get(reverse("admin:quizzes_quiz_import", args=[quiz.pk]))
    assert "“// source: Title &lt;URL&gt;” comment line" in page.content.decode()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        # With another problem in the file: both listed at once.
        ("\u200b\u200b {=a ~b}\n\nQ2? {~a ~b}\n", "q.gift", "Line 1: The question has no text."),
        ("Q? {=a ~\u2060\u3164}\n", "q.gift", "Line 1: This answer has no text."),
        ("\u200b\nA. Tak\nB. Nie\nANSWER: A\n", "q.txt", "Line 1: This question or one of"),
    ],
)
def test_a_question_or_choice_that_shows_nothing_is_refused(teacher_client, content, name, message):
    quiz = QuizFactory()
    response = upload(
        teacher_client, quiz, content, name, source_title="S", source_url="https://example.org/s"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    if "Q2?" in content:
        assert "Line 3:" in page  # the other question's own problem, in the same list
    assert not Question.objects.exists()


def test_a_polish_true_or_false_import_writes_prawda_and_falsz_and_counts_its_marks(teacher_client):
    quiz = QuizFactory()
    content = (
        "// marks: 1\n::q1:: Rada podejmuje decyzje w drodze konsensusu. {T}\n\n"
        "// marks: 5\n::q2:: Każdy sojusznik może poprosić o konsultacje. {=Tak ~Nie}\n"
    )
    source = {"source_title": "NATO", "source_url": "https://www.nato.int/cps/en/natohq/"}
    preview = upload(teacher_client, quiz, content, language="pl", **source)
    page = preview.content.decode()
    assert "✓ Prawda" in page and "✗ Fałsz" in page and "True" not in page
    assert "1 mark;" in page and "5 marks;" in page and "1 marks" not in page
    assert confirm(teacher_client, quiz, preview).status_code == 302
    question = quiz.questions.get(kind="truefalse")
    assert list(question.choices.order_by("order").values_list("text_pl", "is_correct")) == [
        ("Prawda", True),
        ("Fałsz", False),
    ]
    change = reverse("admin:quizzes_question_change", args=[question.pk])
    assert teacher_client.get(change).status_code == 200


def test_saving_an_imported_question_counts_every_choice_without_feedback(teacher_client):
    """The file's language is written, the other left empty (NULL): none has feedback."""
    quiz = QuizFactory()
    source = {"source_title": "NATO", "source_url": "https://www.nato.int/cps/en/natohq/"}
    preview = upload(teacher_client, quiz, "Pytanie? {=Tak ~Nie ~Może}\n", language="pl", **source)
    confirm(teacher_client, quiz, preview)
    question = quiz.questions.get()
    change = reverse("admin:quizzes_question_change", args=[question.pk])
    form = teacher_client.get(change).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    inline = teacher_client.get(change).context["inline_admin_formsets"][0].formset
    data.update({f"{inline.prefix}-{k}": v for k, v in inline.management_form.initial.items()})
    for n, choice_form in enumerate(inline.forms):
        for name in choice_form.fields:
            value = choice_form[name].value()
            data[f"{inline.prefix}-{n}-{name}"] = "" if value is None else value
        if not choice_form["is_correct"].value():
            data.pop(f"{inline.prefix}-{n}-is_correct")
    versions = teacher_client.get(change).context["inline_admin_formsets"][1].formset
    data.update({f"{versions.prefix}-{k}": v for k, v in versions.management_form.initial.items()})
    response = teacher_client.post(change, data, follow=True)
    assert (
        "3 choices have no feedback: learners who pick them see none." in response.content.decode()
    )


def test_a_file_imported_twice_gives_its_questions_once(teacher_client):
    """A second upload of the same file: the preview marks the questions already in the quiz
    and creates only the new ones; all of them repeated, there is nothing to create."""
    quiz = QuizFactory()
    assert confirm(teacher_client, quiz, upload(teacher_client, quiz, GIFT)).status_code == 302
    assert quiz.questions.count() == 2
    again = upload(teacher_client, quiz, GIFT)
    page = again.content.decode()
    assert page.count("The quiz already has a question with this text") == 2
    assert "Create these questions" not in page
    one_new = GIFT + (
        "\n// source: NATO: Article 4 <https://www.nato.int/cps/en/natohq/topics_49187.htm>\n"
        "Where do Article 4 consultations take place? {=The North Atlantic Council "
        "~The UN Security Council}\n"
    )
    preview = upload(teacher_client, quiz, one_new)
    page = preview.content.decode()
    assert page.count("The quiz already has a question with this text") == 2
    assert "1 question will be created; the others are already in the quiz." in page
    done = confirm(teacher_client, quiz, preview)
    assert done.status_code == 302
    assert quiz.questions.count() == 3
    message = teacher_client.get(done.url).content.decode()
    assert "Imported 1 question. 2 were already in the quiz and were left out." in message
    # Polish texts are compared with Polish texts: the English ones do not count.
    polish = upload(teacher_client, quiz, GIFT, language="pl").content.decode()
    assert "The quiz already has a question with this text" not in polish
