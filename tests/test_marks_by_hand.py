"""A teacher opens one learner's attempt, changes a question's marks by hand with a reason,
and comments; totals, exports, statistics and the learner's page follow, and regrades keep it."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from quizzes.models import Attempt, Classroom, MarkOverride, Question
from quizzes.teaching.classes import attempts_visible_to
from quizzes.teaching.regrading import regrade_apply

from .conftest import enrol, signed_in
from .factories import (
    QuizFactory,
    SuperuserFactory,
    TeacherFactory,
    UserFactory,
    question_with_choices,
)
from .test_dashboard import finished

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(quiz, learner, classroom):
    """The learner's finished attempt: question 1 right (1 of 1), question 2 wrong (0 of 1)."""
    return finished(learner, quiz, [1, 0])


def page(attempt):
    return reverse("quizzes:teacher-attempt", args=[attempt.pk])


def override(client, attempt, position, **fields):
    data = {f"a{position}-{name}": value for name, value in fields.items()}
    url = reverse("quizzes:attempt-override", args=[attempt.pk, position])
    return client.post(url, data)


def test_the_teacher_sees_every_question_the_answer_the_key_and_the_time(teacher_client, attempt):
    response = teacher_client.get(page(attempt))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Who may ask for consultations?" in text
    assert "Which statements about Article 5 are true?" in text
    assert text.count("Learner's answer</span>") == 2
    assert "Correct answer" in text
    assert "1 of 1 mark" in text and "0 of 1 mark" in text and "1 marks" not in text
    assert "10\xa0minutes" in text  # time taken
    assert "The change was not saved" not in text


def test_in_polish_the_teacher_reads_the_questions_in_polish_and_the_attempts_language(
    teacher_client, attempt, quiz
):
    question = quiz.questions.order_by("order").first()
    question.text_pl = "Kto może poprosić o konsultacje?"
    question.explanation_pl = "Każdy sojusznik."
    question.save()
    for choice in question.choices.all():
        choice.text_pl, choice.feedback_pl = f"Polski {choice.pk}", "Opis"
        choice.save()
    attempt = finished(attempt.learner, quiz, [1, 0])  # its versions hold the Polish texts
    english = teacher_client.get(page(attempt)).content.decode()
    assert "Who may ask for consultations?" in english
    assert "<dt>Taken in</dt><dd>English</dd>" in english
    polish = teacher_client.get(page(attempt).replace("/en/", "/pl/")).content.decode()
    assert "Kto może poprosić o konsultacje?" in polish
    assert "<dt>Język podejścia</dt><dd>angielski</dd>" in polish


def test_an_attempt_under_a_minute_took_less_than_a_minute(teacher_client, attempt):
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=attempt.submitted_at - timedelta(seconds=2)
    )
    text = teacher_client.get(page(attempt)).content.decode()
    assert "<dd>less than a minute</dd>" in text


def test_in_polish_the_teacher_and_the_learner_see_the_quizs_polish_title(
    teacher_client, learner, attempt, quiz
):
    """The attempt was taken in English; a reader in Polish gets the quiz's Polish title."""
    quiz.title_pl = "Quiz po polsku"
    quiz.save()
    results_in_english = reverse("quizzes:results")
    polish = page(attempt).replace("/en/", "/pl/")
    heading = teacher_client.get(polish).content.decode()
    assert f"{learner.get_full_name() or learner.get_username()}: Quiz po polsku</h1>" in heading
    results = teacher_client.get(reverse("quizzes:results").replace("/en/", "/pl/"))
    assert "<td>Quiz po polsku</td>" in results.content.decode()
    mine = signed_in(learner).get(reverse("quizzes:my-results").replace("/en/", "/pl/"))
    assert "<td>Quiz po polsku</td>" in mine.content.decode()
    result = signed_in(learner).get(attempt.get_absolute_url().replace("/en/", "/pl/"))
    assert "<h1>Wynik: Quiz po polsku</h1>" in result.content.decode()
    english = teacher_client.get(results_in_english).content.decode()
    assert f"<td>{quiz.title_en}</td>" in english


def test_another_teacher_cannot_open_or_change_the_attempt(attempt):
    someone = TeacherFactory()
    Classroom.objects.create(name="Their class", teacher=someone)
    other = signed_in(someone)
    assert other.get(page(attempt)).status_code == 404
    response = override(other, attempt, 2, marks="1", reason="Generous", comment="")
    assert response.status_code == 404
    attempt.refresh_from_db()
    assert attempt.marks == 1 and not MarkOverride.objects.exists()


def test_a_learner_cannot_open_the_teachers_view_of_their_own_attempt(learner_client, attempt):
    assert learner_client.get(page(attempt)).status_code == 403
    assert (
        override(learner_client, attempt, 2, marks="1", reason="Me", comment="").status_code == 403
    )


def test_a_superuser_sees_any_attempt(attempt):
    assert signed_in(SuperuserFactory()).get(page(attempt)).status_code == 200


def test_an_unfinished_attempt_has_no_teachers_view(teacher_client, quiz, learner, classroom):
    attempt = Attempt.objects.create(learner=learner, quiz=quiz, quiz_title=quiz.title)
    assert teacher_client.get(page(attempt)).status_code == 404


def test_changing_marks_retotals_the_attempt_and_keeps_the_history(
    teacher_client, teacher, attempt
):
    assert attempt.percentage == Decimal("50.00") and not attempt.passed  # pass mark 60 %
    response = override(teacher_client, attempt, 2, marks="0.5", reason="Half right", comment="")
    assert response.status_code == 302
    assert response["Location"].endswith(f"{page(attempt)}#question-2")
    attempt.refresh_from_db()
    assert attempt.marks == Decimal("1.5")
    assert attempt.percentage == Decimal("75.00") and attempt.passed
    assert attempt.overridden_at is not None
    answer = attempt.answers.get(position=2)
    assert answer.marks == Decimal("0.5") and answer.overridden
    change = MarkOverride.objects.get()
    assert (change.by, change.marks_before, change.marks_after, change.reason) == (
        teacher,
        Decimal("0"),
        Decimal("0.5"),
        "Half right",
    )
    text = teacher_client.get(page(attempt)).content.decode()
    assert "Marked by hand" in text and "Half right" in text
    # Marks to two places at most, without trailing zeros, in the reader's number format.
    result = signed_in(attempt.learner).get(attempt.get_absolute_url()).content.decode()
    assert "1.5 out of 2 marks (75%)" in result
    polish = signed_in(attempt.learner).get(attempt.get_absolute_url().replace("/en/", "/pl/"))
    assert "1,5" in polish.content.decode() and "1,50" not in polish.content.decode()


def test_the_saved_message_gives_the_new_total_in_the_readers_words(
    teacher_client, attempt, classroom
):
    response = override(teacher_client, attempt, 2, marks="0.5", reason="Half right", comment="")
    text = teacher_client.get(response["Location"]).content.decode()
    assert "Question 2 saved. The attempt now has 1.5 of 2 marks." in text
    one_question = QuizFactory(pass_mark=60)
    question_with_choices(one_question, correct=1, wrong=2, order=1)
    single = finished(attempt.learner, one_question, [0])
    in_english = page(single)
    url = reverse("quizzes:attempt-override", args=[single.pk, 1]).replace("/en/", "/pl/")
    data = {"a1-marks": "1", "a1-reason": "Jednak dobrze", "a1-comment": ""}
    polish = teacher_client.post(url, data, follow=True)
    assert "Zapisano pytanie 1. Podejście ma teraz 1 z 1 pkt." in polish.content.decode()
    english = teacher_client.get(in_english).content.decode()
    assert "1 out of 1 mark (100%)" in english and "1 marks" not in english


def test_a_polish_teacher_writes_half_a_mark_with_a_comma(teacher_client, attempt):
    """The marks box is a text box read in the page's language: "0,5" in Polish (a number box
    in a browser of another locale dropped the comma), and "0.5" still works."""
    url = reverse("quizzes:attempt-override", args=[attempt.pk, 2]).replace("/en/", "/pl/")
    form = teacher_client.get(page(attempt).replace("/en/", "/pl/")).content.decode()
    assert 'inputmode="decimal"' in form and 'type="number"' not in form
    data = {"a2-marks": "0,5", "a2-reason": "Połowa", "a2-comment": ""}
    assert teacher_client.post(url, data).status_code == 302
    answer = attempt.answers.get(position=2)
    assert answer.marks == Decimal("0.5")
    again = teacher_client.get(page(attempt).replace("/en/", "/pl/")).content.decode()
    assert 'name="a2-marks" value="0,5"' in again
    data = {"a2-marks": "0.25", "a2-reason": "Ćwierć", "a2-comment": ""}
    assert teacher_client.post(url, data).status_code == 302
    answer.refresh_from_db()
    assert answer.marks == Decimal("0.25")
    with translation.override("en"):
        english = teacher_client.get(page(attempt)).content.decode()
    assert 'name="a2-marks" value="0.25"' in english


def test_one_mark_is_a_mark_on_the_learners_result(learner):
    quiz = QuizFactory(pass_mark=60)
    question_with_choices(quiz, correct=1, wrong=2, order=1)
    attempt = finished(learner, quiz, [1])
    client = signed_in(learner)
    english = client.get(attempt.get_absolute_url()).content.decode()
    assert "1 out of 1 mark (100%)" in english and "1 of 1 mark" in english
    assert "1 marks" not in english
    polish = client.get(attempt.get_absolute_url().replace("/en/", "/pl/")).content.decode()
    assert "1 z 1 pkt (100%)" in polish and "1 z 1 pkt" in polish


def test_marks_in_thirds_add_up_to_a_total_the_attempt_can_keep(teacher_client, learner, quiz):
    attempt = finished(learner, quiz, ["0.3333333", "0.3333333"])
    response = override(teacher_client, attempt, 1, marks="1", reason="Right after all", comment="")
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.marks == Decimal("1.3333333")
    assert attempt.percentage == Decimal("66.67") and attempt.passed


def test_lowering_marks_can_make_an_attempt_fail(teacher_client, quiz, learner, classroom):
    attempt = finished(learner, quiz, [1, 1])
    override(teacher_client, attempt, 1, marks="0.25", reason="Guessed", comment="")
    attempt.refresh_from_db()
    assert (attempt.marks, attempt.percentage, attempt.passed) == (
        Decimal("1.25"),
        Decimal("62.50"),
        True,
    )
    override(teacher_client, attempt, 2, marks="0", reason="Copied", comment="")
    attempt.refresh_from_db()
    assert (attempt.marks, attempt.percentage, attempt.passed) == (
        Decimal("0.25"),
        Decimal("12.50"),
        False,
    )
    assert MarkOverride.objects.count() == 2


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"marks": "0.5", "reason": "", "comment": ""}, "Say why the marks change"),
        ({"marks": "0.5", "reason": "   ", "comment": ""}, "Say why the marks change"),
        ({"marks": "1.5", "reason": "Extra", "comment": ""}, "Give marks from 0 to 1"),
        ({"marks": "-1", "reason": "Less", "comment": ""}, "greater than or equal to 0"),
        ({"marks": "lots", "reason": "Less", "comment": ""}, "Enter a number"),
        ({"marks": "", "reason": "Less", "comment": ""}, "Give the marks"),
        ({"marks": "NaN", "reason": "Less", "comment": ""}, "Enter a number"),
        ({"marks": "1e400", "reason": "More", "comment": ""}, "Give marks from 0 to 1"),
        ({"marks": "0.00000001", "reason": "Less", "comment": ""}, "7 decimal places"),
        ({"marks": "1", "reason": "x" * 501, "comment": ""}, "at most 500 characters"),
        ({"marks": "0", "reason": "", "comment": "x" * 5001}, "at most 5000 characters"),
    ],
)
def test_bad_marks_or_a_missing_reason_are_refused_and_nothing_is_saved(
    teacher_client, attempt, fields, error
):
    response = override(teacher_client, attempt, 2, **fields)
    assert response.status_code == 400
    assert error in response.content.decode()
    # Said at the top, and the page opens at the question's form, which stays open.
    text = response.content.decode()
    assert "<h2>The change was not saved</h2>" in text
    assert '<a href="#question-2">Question 2: see what needs correcting.</a>' in text
    assert (
        f'action="{reverse("quizzes:attempt-override", args=[attempt.pk, 2])}#question-2"' in text
    )
    attempt.refresh_from_db()
    assert attempt.marks == 1 and not MarkOverride.objects.exists()
    assert not attempt.answers.filter(overridden=True).exists()


def test_a_question_the_attempt_does_not_have_is_a_404(teacher_client, attempt):
    assert (
        override(teacher_client, attempt, 9, marks="1", reason="x", comment="").status_code == 404
    )


def test_the_same_change_sent_twice_is_recorded_once(teacher_client, attempt):
    override(teacher_client, attempt, 2, marks="1", reason="Fair", comment="Well argued")
    again = override(teacher_client, attempt, 2, marks="1", reason="Fair", comment="Well argued")
    assert again.status_code == 302
    assert MarkOverride.objects.count() == 1
    attempt.refresh_from_db()
    assert attempt.marks == 2


def test_a_comment_alone_needs_no_reason_and_keeps_the_marks(teacher_client, attempt, learner):
    response = override(teacher_client, attempt, 2, marks="0", reason="", comment="Read §2 again.")
    assert response.status_code == 302
    answer = attempt.answers.get(position=2)
    assert answer.comment == "Read §2 again." and not answer.overridden
    attempt.refresh_from_db()
    assert attempt.overridden_at is None and attempt.marks == 1
    learner_page = signed_in(learner).get(attempt.get_absolute_url()).content.decode()
    assert "Your teacher's comment" in learner_page and "Read §2 again." in learner_page
    assert "Mark changed by your teacher" not in learner_page


def test_the_learner_sees_that_the_teacher_changed_the_mark(teacher_client, attempt, learner):
    override(teacher_client, attempt, 2, marks="1", reason="Fair", comment="Good point.")
    text = signed_in(learner).get(attempt.get_absolute_url()).content.decode()
    assert "Mark changed by your teacher" in text
    assert "Marks changed by your teacher" in text
    assert "Good point." in text
    assert "2 out of 2 marks (100%)" in text


def test_the_learner_sees_no_comment_when_the_quiz_hides_feedback(
    teacher_client, attempt, learner, quiz
):
    quiz.review_feedback = False
    quiz.review_marks = False
    quiz.save()
    override(teacher_client, attempt, 2, marks="1", reason="Fair", comment="Secret note")
    text = signed_in(learner).get(attempt.get_absolute_url()).content.decode()
    assert "Secret note" not in text and "Mark changed by your teacher" not in text
    # The teacher still sees everything.
    assert "Secret note" in teacher_client.get(page(attempt)).content.decode()


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_exports_and_statistics_follow_the_new_marks(teacher_client, attempt, quiz, learner):
    other = UserFactory()
    enrol(Classroom.objects.get(), other)
    finished(other, quiz, [1, 1])
    dashboard = reverse("quizzes:quiz-results", args=[quiz.slug])
    before = teacher_client.get(dashboard).context["dashboard"].questions[1].stats
    assert before.facility_index == 50
    override(teacher_client, attempt, 2, marks="1", reason="Fair", comment="")
    after = teacher_client.get(dashboard).context["dashboard"].questions[1].stats
    assert after.facility_index == 100
    grades = read_csv(
        teacher_client.get(reverse("quizzes:quiz-export", args=[quiz.slug, "grades"]))
    )
    mine = next(row for row in grades if row["username"] == learner.username)
    assert mine["marks"] == "2" and mine["grade (%)"] == "100.00"
    assert next(v for k, v in mine.items() if k.startswith("Q2 ")) == "1"
    responses = read_csv(
        teacher_client.get(reverse("quizzes:quiz-export", args=[quiz.slug, "responses"]))
    )
    row = next(
        r for r in responses if r["username"] == learner.username and r["question number"] == "2"
    )
    assert row["marks"] == "1"


def test_a_regrade_leaves_marks_set_by_hand_alone_and_says_so(
    teacher_client, attempt, quiz, teacher
):
    override(teacher_client, attempt, 1, marks="0.5", reason="Lucky guess", comment="")
    single = quiz.questions.get(kind=Question.Kind.SINGLE)
    single.choices.update(is_correct=False)
    single.choices.filter(text="Wrong 1").update(is_correct=True)
    url = reverse("admin:quizzes_quiz_regrade", args=[quiz.pk])
    dry_run = teacher_client.get(url).content.decode()
    assert "1 answer marked by hand keeps its marks" in dry_run
    regrade_apply(quiz, among=attempts_visible_to(teacher), by=teacher)
    answer = attempt.answers.get(position=1)
    assert answer.marks == Decimal("0.5") and answer.overridden
    attempt.refresh_from_db()
    assert attempt.marks == Decimal("0.5")


def test_forms_on_the_page_need_the_csrf_token(attempt, teacher):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    assert override(client, attempt, 2, marks="1", reason="x", comment="").status_code == 403


def test_ids_out_of_range_are_404s(teacher_client, attempt):
    huge = "99999999999999999999"
    assert teacher_client.get(f"/en/results/attempts/{huge}/").status_code == 404
    url = f"/en/results/attempts/{attempt.pk}/questions/{huge}/"
    assert teacher_client.post(url, {"a1-marks": "1", "a1-reason": "x"}).status_code == 404


def test_a_grade_just_under_the_pass_mark_is_never_shown_as_the_pass_mark(
    learner, quiz, classroom, teacher_client
):
    """49.52 % against a pass mark of 50: rounded to a whole number it read "50% ✗ Not
    passed"; every page gives a learner's grade to two places at most, as their marks."""
    quiz.pass_mark = 50
    quiz.save()
    attempt = finished(learner, quiz, ["0.9904", 0])
    assert (attempt.percentage, attempt.passed) == (Decimal("49.52"), False)
    client = signed_in(learner)
    result = client.get(attempt.get_absolute_url()).content.decode()
    assert "0.99 out of 2 marks (49.52%)" in result and "✗ Not passed yet" in result
    mine = client.get(reverse("quizzes:my-results")).content.decode()
    assert "49.52%" in mine and "50%" not in mine
    home = client.get(reverse("quizzes:home")).content.decode()
    assert "Your best in this lesson: 49.52%" in home
    teacher = teacher_client.get(reverse("quizzes:results")).content.decode()
    assert "49.52%" in teacher and ">50%<" not in teacher
    gradebook = teacher_client.get(reverse("quizzes:class-gradebook", args=[classroom.pk]))
    assert "49.52%</a>" in gradebook.content.decode()
