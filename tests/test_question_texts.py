"""Question types and texts: true/false questions, inline Markdown, optional feedback and
explanations, and marks shown without trailing zeros in the admin."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from quizzes.models import Attempt, Question
from quizzes.question_files.gift import parse_gift
from quizzes.question_files.gift_export import to_gift

from .conftest import attempt_shown, started, take_url
from .factories import ChoiceFactory, QuestionFactory, QuizFactory

pytestmark = pytest.mark.django_db

ADD_QUESTION = reverse("admin:quizzes_question_add")


def true_false_quiz(*, answer=True, text="Article 4 obliges allies only to **consult**."):
    """A quiz of one true/false question whose "False" choice was written first."""
    quiz = QuizFactory(pass_mark=50)
    question = QuestionFactory(quiz=quiz, kind=Question.Kind.TRUE_FALSE, text=text)
    ChoiceFactory(question=question, text="False", is_correct=not answer, feedback="Not false.")
    ChoiceFactory(question=question, text="True", is_correct=answer, feedback="It is **true**.")
    return quiz, question


def choices_shown(page: str) -> list[tuple[str, str]]:
    """(value, label) of every input on a quiz page, in the order shown."""
    return re.findall(r'<input type="radio" name="q\d+" value="(\d+)"[^>]*> <span>([^<]+)', page)


def admin_post(quiz, kind, choices, **fields):
    data = {
        "quiz": quiz.pk,
        "text_en": "Article 4 is about consultation.",
        "kind": kind,
        "marks": "1",
        "order": "1",
        "explanation_en": "It says the allies consult.",
        "source_title": "The North Atlantic Treaty",
        "source_url": "https://www.nato.int/archives/1st5years/annexes/a.htm",
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for n, (text, correct, feedback) in enumerate(choices):
        data[f"choices-{n}-text_en"] = text
        data[f"choices-{n}-feedback_en"] = feedback
        data[f"choices-{n}-order"] = str(n)
        if correct:
            data[f"choices-{n}-is_correct"] = "on"
    return data


# True/false questions


def test_a_teacher_adds_a_true_false_question_in_the_admin(teacher_client):
    quiz = QuizFactory()
    data = admin_post(quiz, "truefalse", [("True", True, "Yes."), ("False", False, "No.")])
    assert teacher_client.post(ADD_QUESTION, data).status_code == 302
    question = Question.objects.get()
    assert question.kind == "truefalse"
    assert [(c.text, c.is_correct) for c in question.choices.all()] == [
        ("True", True),
        ("False", False),
    ]


@pytest.mark.parametrize(
    "choices",
    [
        [("Yes", True, ""), ("No", False, "")],
        [("True", True, ""), ("False", True, "")],
        [("True", True, ""), ("False", False, ""), ("Maybe", False, "")],
        [("True", True, "")],
    ],
)
def test_the_admin_refuses_a_true_false_question_that_is_not_true_and_false(
    teacher_client, choices
):
    response = teacher_client.post(ADD_QUESTION, admin_post(QuizFactory(), "truefalse", choices))
    assert response.status_code == 400
    assert "A true/false question has two choices, “True” and “False”" in response.content.decode()
    assert not Question.objects.exists()


def test_a_true_false_question_shows_true_then_false_and_nothing_of_the_key(learner_client):
    for answer in (True, False):
        quiz, question = true_false_quiz(answer=answer)
        quiz.shuffle_choices = True
        quiz.save()
        page = started(learner_client, quiz).content.decode()
        assert choices_shown(page) == [("1", "True"), ("2", "False")]
        fieldset = page[page.index('<fieldset class="question"') : page.index("</fieldset>")]
        assert "correct" not in fieldset and "Not false" not in fieldset
        assert fieldset.count('type="radio"') == 2 and "Choose one." in fieldset


def test_a_true_false_question_is_marked_as_a_one_answer_question(learner_client):
    quiz, question = true_false_quiz(answer=True)
    attempt = attempt_shown(started(learner_client, quiz))
    response = learner_client.post(take_url(quiz), {"attempt": attempt, f"q{question.pk}": "1"})
    assert response.status_code == 302
    assert Attempt.objects.get().marks == Decimal(1)
    result = learner_client.get(response.url).content.decode()
    assert "It is <strong>true</strong>." in result and "✓ Correct" in result


def test_two_answers_to_a_true_false_question_are_a_forged_request(learner_client):
    quiz, question = true_false_quiz()
    attempt = attempt_shown(started(learner_client, quiz))
    response = learner_client.post(
        take_url(quiz), {"attempt": attempt, f"q{question.pk}": ["1", "2"]}
    )
    assert response.status_code == 400
    assert Attempt.objects.get().submitted_at is None


def test_a_polish_learner_sees_prawda_and_falsz_on_the_quiz_and_result_pages(learner):
    quiz, question = true_false_quiz(answer=False)
    client = Client(headers={"accept-language": "pl"})
    client.force_login(learner)
    with translation.override("pl"):
        start, url = quiz.get_absolute_url(), take_url(quiz)
    client.post(start)
    page = client.get(url).content.decode()
    assert choices_shown(page) == [("1", "Prawda"), ("2", "Fałsz")]
    assert '<span lang="en">Prawda' not in page  # labels are in the reader's language
    response = client.post(url, {"attempt": attempt_shown(client.get(url)), f"q{question.pk}": "1"})
    result = client.get(response.url).content.decode()
    assert "Prawda" in result and "Fałsz" in result and ">True<" not in result
    assert Attempt.objects.get().marks == 0


def test_the_dashboard_counts_true_false_choices_in_the_readers_language(teacher_client, learner):
    quiz, question = true_false_quiz(answer=True)
    learner_client = Client()
    learner_client.force_login(learner)
    attempt = attempt_shown(started(learner_client, quiz))
    learner_client.post(take_url(quiz), {"attempt": attempt, f"q{question.pk}": "2"})
    page = teacher_client.get(f"/pl/results/quiz/{quiz.slug}/").content.decode()
    assert "Prawda" in page and "Fałsz" in page and ">True<" not in page
    assert "only to <strong>consult</strong>." in page and "**" not in page


def test_changing_only_the_kind_makes_a_new_question_version(learner_client):
    from quizzes.course.versions import versions_for

    quiz = QuizFactory()
    question = QuestionFactory(quiz=quiz, kind=Question.Kind.SINGLE)
    ChoiceFactory(question=question, text="True", is_correct=True)
    ChoiceFactory(question=question, text="False")
    first = versions_for([question])[question.pk]
    question.kind = Question.Kind.TRUE_FALSE
    question.save()
    second = versions_for([question])[question.pk]
    assert first.pk != second.pk and second.kind == "truefalse"


# GIFT


TRUE_FALSE_GIFT = """\
// source: The North Atlantic Treaty <https://www.nato.int/cps/en/natolive/official_texts_17120.htm>
::Consult:: Article 4 is about **consultation**. {T#Read it again.#Yes: *consult*.####Article 4.}

::Defence:: Article 4 is about collective defence. {FALSE}

::Short:: Any ally may ask. {TRUE##Right.}

::Wrong only:: Article 5 is consultation. {F#No: Article 5 is defence.}
"""


def test_gift_true_false_questions_are_read_with_moodles_feedback():
    consult, defence, short, wrong_only = parse_gift(TRUE_FALSE_GIFT)
    assert [q.kind for q in (consult, defence, short, wrong_only)] == ["truefalse"] * 4
    assert [(c.text, c.correct, c.feedback) for c in consult.choices] == [
        ("True", True, "Yes: *consult*."),
        ("False", False, "Read it again."),
    ]
    assert consult.explanation == "Article 4." and consult.text.endswith("**consultation**.")
    assert [(c.text, c.correct, c.feedback) for c in defence.choices] == [
        ("True", False, ""),
        ("False", True, ""),
    ]
    assert [c.feedback for c in short.choices] == ["Right.", ""]
    assert [c.feedback for c in wrong_only.choices] == ["No: Article 5 is defence.", ""]


def test_gift_true_false_questions_read_back_equal():
    questions = parse_gift(TRUE_FALSE_GIFT)
    written = to_gift(questions)
    assert "{\n\tTRUE#Read it again.#Yes\\: *consult*.\n\t####Article 4.\n}" in written
    assert "\tFALSE\n" in written and "\tTRUE##Right.\n" in written
    assert parse_gift(written) == questions


def test_an_imported_true_false_question_is_downloaded_and_imported_back(teacher_client):
    quiz = QuizFactory()
    url = reverse("admin:quizzes_quiz_import", args=[quiz.pk])
    file = SimpleUploadedFile("tf.gift", TRUE_FALSE_GIFT.encode())
    preview = teacher_client.post(
        url, {"file": file, "source_title": "S", "source_url": "https://example.org/s"}
    )
    assert preview.status_code == 200
    assert "true or false" in preview.content.decode()
    form = preview.context["confirm_form"]
    data = {n: form[n].value() or "" for n in ("text", "file_format", "source_title", "source_url")}
    assert teacher_client.post(url, {**data, "confirm": "yes"}).status_code == 302
    consult = quiz.questions.get(text__startswith="Article 4 is about **")
    assert [(c.text, c.is_correct, c.feedback) for c in consult.choices.all()] == [
        ("True", True, "Yes: *consult*."),
        ("False", False, "Read it again."),
    ]
    download = teacher_client.get(reverse("admin:quizzes_quiz_gift", args=[quiz.pk]))
    again = parse_gift(download.content.decode())
    assert [(q.text, q.kind, q.choices, q.explanation) for q in again] == [
        (q.text, q.kind, q.choices, q.explanation) for q in parse_gift(TRUE_FALSE_GIFT)
    ]


def test_imported_questions_without_feedback_get_none(teacher_client):
    quiz = QuizFactory()
    url = reverse("admin:quizzes_quiz_import", args=[quiz.pk])
    file = SimpleUploadedFile("q.gift", b"Who may ask? {=Any ally ~Only the Secretary General}\n")
    preview = teacher_client.post(
        url, {"file": file, "source_title": "S", "source_url": "https://example.org/s"}
    )
    page = preview.content.decode()
    assert "learners see no explanation" in page and "learners see none for those choices" in page
    form = preview.context["confirm_form"]
    data = {n: form[n].value() or "" for n in ("text", "file_format", "source_title", "source_url")}
    teacher_client.post(url, {**data, "confirm": "yes"})
    question = quiz.questions.get()
    assert question.explanation == ""
    assert [c.feedback for c in question.choices.all()] == ["", ""]


# Optional feedback and explanations


def test_a_question_without_explanation_or_feedback_is_saved_with_warnings(teacher_client):
    data = admin_post(
        QuizFactory(),
        "single",
        [("Article 4", True, ""), ("Article 5", False, "Article 5 is defence.")],
        explanation_en="",
    )
    response = teacher_client.post(ADD_QUESTION, data, follow=True)
    page = response.content.decode()
    assert Question.objects.get().explanation == ""
    assert "This question has no explanation: learners see none after submitting." in page
    assert "1 choice has no feedback: learners who pick it see none." in page


def test_a_complete_question_is_saved_without_warnings(teacher_client):
    data = admin_post(QuizFactory(), "single", [("A", True, "Yes."), ("B", False, "No.")])
    page = teacher_client.post(ADD_QUESTION, data, follow=True).content.decode()
    assert "no explanation" not in page and "no feedback" not in page


def test_the_result_page_shows_no_empty_feedback_or_explanation(learner_client):
    quiz = QuizFactory()
    question = QuestionFactory(quiz=quiz, explanation="")
    right = ChoiceFactory(question=question, text="Right", is_correct=True, feedback="")
    ChoiceFactory(question=question, text="Wrong", feedback="")
    attempt = attempt_shown(started(learner_client, quiz))
    shown = [c for c in Attempt.objects.get().answers.get().snapshot["choices"]]
    value = str([c["id"] for c in shown].index(right.pk) + 1)
    response = learner_client.post(take_url(quiz), {"attempt": attempt, f"q{question.pk}": value})
    result = learner_client.get(response.url).content.decode()
    assert 'class="feedback"' not in result
    assert "<h3>Explanation</h3>" not in result
    assert "The North Atlantic Treaty</a>" in result  # the source is still named


def test_every_shipped_question_keeps_a_source():
    """Feedback and explanations became optional; a primary source did not."""
    field = Question._meta.get_field("source_url")
    assert not field.blank and not Question._meta.get_field("source_title").blank


# Inline Markdown


def test_markdown_in_questions_and_choices_is_rendered_safely_on_every_learner_page(learner_client):
    quiz = QuizFactory(pass_mark=0)
    question = QuestionFactory(
        quiz=quiz,
        text="Is **Article 4** about `consult`? <script>alert(1)</script> [x](javascript:alert(2))",
        explanation="See [the treaty](https://www.nato.int/) and *Article 5*.",
    )
    ChoiceFactory(question=question, text="*Yes*", is_correct=True, feedback="**Right.**")
    ChoiceFactory(question=question, text="No", feedback="_Wrong._")
    page = started(learner_client, quiz).content.decode()
    assert "<strong>Article 4</strong> about <code>consult</code>?" in page
    assert "<em>Yes</em>" in page and "**" not in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page
    summary = learner_client.get(take_url(quiz).replace("/attempt/", "/attempt/summary/"))
    assert "<strong>Article 4</strong> about <code>consult</code>?" in summary.content.decode()
    assert "**" not in summary.content.decode() and "<script>alert" not in summary.content.decode()
    attempt = attempt_shown(started(learner_client, quiz))
    choices = Attempt.objects.get().answers.get().snapshot["choices"]
    value = str(next(n for n, c in enumerate(choices, 1) if c["is_correct"]))
    response = learner_client.post(take_url(quiz), {"attempt": attempt, f"q{question.pk}": value})
    result = learner_client.get(response.url).content.decode()
    assert "<strong>Article 4</strong>" in result and "<strong>Right.</strong>" in result
    assert '<a href="https://www.nato.int/">the treaty</a> and <em>Article 5</em>' in result
    assert "<em>Wrong.</em>" in result and 'href="javascript:' not in result


def test_exports_keep_the_markdown_source(teacher_client, learner):
    quiz, question = true_false_quiz()
    client = Client()
    client.force_login(learner)
    attempt = attempt_shown(started(client, quiz))
    client.post(take_url(quiz), {"attempt": attempt, f"q{question.pk}": "1"})
    response = teacher_client.get(reverse("quizzes:quiz-export", args=[quiz.slug, "responses"]))
    text = b"".join(response.streaming_content).decode()
    assert "only to **consult**." in text and "<strong>" not in text
    gift = teacher_client.get(reverse("admin:quizzes_quiz_gift", args=[quiz.pk])).content.decode()
    assert "[markdown]Article 4 obliges allies only to **consult**." in gift


# Marks in the admin


def finished_3_5_of_11(learner, quiz) -> Attempt:
    return Attempt.objects.create(
        learner=learner,
        quiz=quiz,
        started_at=timezone.now() - timedelta(minutes=5),
        submitted_at=timezone.now(),
        marks=Decimal("3.5"),
        max_marks=Decimal("11"),
        percentage=Decimal("31.82"),
    )


def test_the_admin_shows_marks_without_trailing_zeros(teacher_client, learner, quiz):
    attempt = finished_3_5_of_11(learner, quiz)
    listing = teacher_client.get(reverse("admin:quizzes_attempt_changelist")).content.decode()
    assert "3.5 / 11" in listing and "31.82%" in listing
    change = teacher_client.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk]))
    page = change.content.decode()
    assert "3.5 / 11" in page
    assert not re.search(r"\d\.\d{7}", listing + page)
    questions = teacher_client.get(reverse("admin:quizzes_question_changelist")).content.decode()
    assert not re.search(r"\d\.00<", questions)


def test_polish_admin_marks_use_a_decimal_comma(teacher_client, learner, quiz):
    finished_3_5_of_11(learner, quiz)
    with translation.override("pl"):
        url = reverse("admin:quizzes_attempt_changelist")
    assert "3,5 / 11" in teacher_client.get(url).content.decode()
