"""A learner takes a quiz through the site, and every way the submission can go wrong."""

import importlib
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, Question
from quizzes.teaching.regrading import regrade_apply

from .conftest import (
    answers_for,
    attempt_shown,
    choice_ids,
    nothing_saved,
    signed_in,
    started,
    take_url,
    values_shown,
)
from .factories import ChoiceFactory, QuizFactory, UserFactory, question_with_choices

pytestmark = pytest.mark.django_db


def start(client, quiz):
    """Open the quiz page as a learner would; return the attempt id the form carries."""
    response = started(client, quiz)
    assert response.status_code == 200
    return attempt_shown(response)


def submit(client, quiz, data, attempt_id=None):
    attempt_id = attempt_id or start(client, quiz)
    return client.post(take_url(quiz), {"attempt": attempt_id, **data})


def test_a_new_learner_signs_up_reads_a_lesson_takes_the_quiz_and_sees_the_result(quiz):
    """The whole journey: sign up, lesson, quiz, result, My results."""
    client = Client(enforce_csrf_checks=False)
    response = client.post(
        reverse("signup"),
        {"username": "ola", "password1": "Baltic-sentry-2025", "password2": "Baltic-sentry-2025"},
    )
    assert response.status_code == 302
    assert response.wsgi_request.user.is_authenticated

    lesson_page = client.get(quiz.lesson.get_absolute_url())
    assert lesson_page.status_code == 200
    assert quiz.get_absolute_url() in lesson_page.content.decode()

    attempt_id = start(client, quiz)
    response = submit(client, quiz, answers_for(quiz, all_right=True), attempt_id)
    attempt = Attempt.objects.get(learner__username="ola")
    assert response.status_code == 302
    assert response.url == reverse("quizzes:attempt-result", args=[attempt.pk])

    result = client.get(response.url)
    page = result.content.decode()
    assert result.status_code == 200
    assert "2 out of 2 marks (100%)" in page
    assert "Passed" in page
    for question in quiz.questions.all():
        assert question.explanation in page
        assert question.source_url in page
        for choice in question.choices.all():
            assert choice.feedback in page

    mine = client.get(reverse("quizzes:my-results")).content.decode()
    assert quiz.title in mine
    assert attempt.get_absolute_url() in mine


def test_submission_is_scored_with_partial_credit(learner_client, quiz):
    """One question right (1) and half of the other's right choices (0.5): 1.5 of 2, 75 %."""
    single, multiple = quiz.questions.all()
    attempt_id = start(learner_client, quiz)
    data = {
        f"q{single.id}": values_shown(single, choice_ids(single, correct=True)),
        f"q{multiple.id}": values_shown(multiple, choice_ids(multiple, correct=True)[:1]),
    }
    submit(learner_client, quiz, data, attempt_id)
    attempt = Attempt.objects.get()
    assert (attempt.marks, attempt.max_marks, attempt.percentage, attempt.passed) == (
        Decimal("1.5"),
        Decimal(2),
        Decimal("75.00"),
        True,
    )
    assert [a.marks for a in attempt.answers.order_by("position")] == [Decimal(1), Decimal("0.5")]


def test_all_wrong_answers_fail(learner_client, quiz):
    attempt_id = start(learner_client, quiz)
    submit(learner_client, quiz, answers_for(quiz, all_right=False), attempt_id)
    attempt = Attempt.objects.get()
    assert (attempt.marks, attempt.percentage, attempt.passed) == (0, 0, False)
    page = learner_client.get(attempt.get_absolute_url()).content.decode()
    assert "Not passed yet" in page


def test_finishing_with_a_blank_saves_the_answers_and_shows_the_summary(learner_client, quiz):
    """A blank no longer blocks Finish: the answers given are saved, nothing is marked yet,
    and the summary lists the question left out with a link back to it."""
    single, multiple = quiz.questions.all()
    attempt_id = start(learner_client, quiz)
    [kept] = values_shown(single, choice_ids(single, correct=False)[:1])
    response = submit(learner_client, quiz, {f"q{single.id}": [kept]}, attempt_id)
    assert response.status_code == 302
    assert response.url == reverse("quizzes:quiz-summary", args=[quiz.slug])
    attempt = Attempt.objects.get()
    assert not attempt.is_submitted
    assert [a.selected for a in attempt.answers.order_by("position")] == [
        choice_ids(single, correct=False)[:1],
        None,
    ]
    page = learner_client.get(response.url).content.decode()
    assert "Question 2 has no answer yet." in page
    assert f'href="{take_url(quiz)}#id_q{multiple.id}_fieldset"' in page
    assert "Submit anyway" in page


def test_a_second_post_of_the_same_form_does_not_create_a_second_result(learner_client, quiz):
    attempt_id = start(learner_client, quiz)
    first = submit(learner_client, quiz, answers_for(quiz, all_right=True), attempt_id)
    again = submit(learner_client, quiz, answers_for(quiz, all_right=False), attempt_id)
    assert again.status_code == 302
    assert again.url == first.url
    attempt = Attempt.objects.get()
    assert attempt.percentage == 100
    assert attempt.answers.count() == 2


def test_opening_the_quiz_twice_resumes_the_same_attempt(learner_client, quiz):
    assert start(learner_client, quiz) == start(learner_client, quiz)
    assert Attempt.objects.count() == 1


def test_after_submitting_the_quiz_page_starts_a_fresh_attempt(learner_client, quiz):
    first = start(learner_client, quiz)
    submit(learner_client, quiz, answers_for(quiz), first)
    assert start(learner_client, quiz) != first


def test_the_quiz_page_reveals_nothing_about_which_choice_is_correct(learner_client, quiz):
    """Right and wrong choices render identically but for their value and text."""
    page = started(learner_client, quiz).content.decode()
    for question in quiz.questions.all():
        for choice in question.choices.all():
            assert choice.feedback not in page
        assert question.explanation not in page
    lowered = page.lower()
    for marker in ("correct", "is_correct", "data-answer", "right answer"):
        assert marker not in lowered
    # Markup of a right and a wrong choice differs only in id/value/text.
    single = quiz.questions.get(kind=Question.Kind.SINGLE)
    right, wrong = values_shown(
        single, [choice_ids(single, correct=True)[0], choice_ids(single, correct=False)[0]]
    )

    def markup_of(value):
        line = next(
            line for line in page.splitlines() if f'name="q{single.id}" value="{value}"' in line
        )
        line = re.sub(r"id_q\d+_\d+", "ID", line).replace(f'value="{value}"', 'value=""')
        return re.sub(r"<span>.*?</span>", "<span></span>", line)

    assert "<label" in markup_of(right)
    assert markup_of(right) == markup_of(wrong)


def test_choices_are_not_ordered_by_correctness(learner_client):
    """Choices show in the author's order, so the right one can be anywhere."""
    quiz = QuizFactory()
    question = question_with_choices(quiz, correct=0, wrong=0)
    ChoiceFactory(question=question, text="Zebra", is_correct=False, order=1)
    ChoiceFactory(question=question, text="Alpha", is_correct=True, order=2)
    page = started(learner_client, quiz).content.decode()
    assert page.index("Zebra") < page.index("Alpha")


def test_choice_values_are_places_on_the_page_not_the_order_choices_were_written_in(
    learner_client,
):
    """Authors often write the right answer first; its id would tell, so no value is an id."""
    for _ in range(3):  # choices written earlier, so this question's ids are not 1, 2, 3, 4
        question_with_choices(QuizFactory(), correct=1, wrong=3)
    quiz = QuizFactory(shuffle_choices=True)
    question = question_with_choices(quiz, correct=1, wrong=3)
    response = started(learner_client, quiz)
    page = response.content.decode()
    shown = re.findall(
        rf'<input type="radio" name="q{question.id}" value="([^"]*)"[^>]*> <span>([^<]*)</span>',
        page,
    )
    assert [value for value, _text in shown] == ["1", "2", "3", "4"]
    ids = {str(choice.id) for choice in question.choices.all()}
    assert not ids & set(re.findall(r'value="([^"]*)"', page))
    right = next(value for value, text in shown if text == "Right 1")
    submit(learner_client, quiz, {f"q{question.id}": right}, attempt_shown(response))
    assert Attempt.objects.get().marks == 1


def test_a_place_only_another_question_has_is_refused_with_400(learner_client, quiz):
    single, multiple = quiz.questions.all()
    attempt_id = start(learner_client, quiz)
    data = answers_for(quiz)
    data[f"q{single.id}"] = ["4"]  # the one-answer question has three choices, the other four
    response = submit(learner_client, quiz, data, attempt_id)
    assert response.status_code == 400
    assert "not one of this question" in response.content.decode()
    assert not Attempt.objects.submitted().exists()


@pytest.mark.parametrize("value", ["abc", "0", "99", "999999", "", "1.5", "-1", " 1", "01"])
def test_forged_or_junk_choice_values_are_refused(learner_client, quiz, value):
    single = quiz.questions.get(kind=Question.Kind.SINGLE)
    attempt_id = start(learner_client, quiz)
    data = answers_for(quiz)
    data[f"q{single.id}"] = [value]
    response = submit(learner_client, quiz, data, attempt_id)
    if value == "":  # left empty, as the page can send it: a blank, shown on the summary
        assert response.url == reverse("quizzes:quiz-summary", args=[quiz.slug])
        assert not Attempt.objects.submitted().exists()
    else:
        assert response.status_code == 400
        assert nothing_saved()


def test_a_choice_id_is_not_accepted_as_a_value(learner_client):
    """Values from before they were places, or guessed from ids, are forged: 400."""
    question_with_choices(QuizFactory(), correct=1, wrong=3)
    quiz = QuizFactory()
    question = question_with_choices(quiz, correct=1, wrong=1)
    right = question.choices.get(is_correct=True)
    response = submit(learner_client, quiz, {f"q{question.id}": str(right.id)})
    assert response.status_code == 400
    assert nothing_saved()


def test_two_answers_to_a_one_answer_question_are_refused(learner_client, quiz):
    single = quiz.questions.get(kind=Question.Kind.SINGLE)
    attempt_id = start(learner_client, quiz)
    data = answers_for(quiz)
    data[f"q{single.id}"] = ["1", "2"]
    response = submit(learner_client, quiz, data, attempt_id)
    assert response.status_code == 400
    assert "one answer only" in response.content.decode()
    assert nothing_saved()


def test_an_answer_to_a_question_outside_the_quiz_is_refused(learner_client, quiz):
    other = question_with_choices(QuizFactory(), correct=1, wrong=1)
    attempt_id = start(learner_client, quiz)
    data = answers_for(quiz)
    data[f"q{other.id}"] = ["1"]
    response = submit(learner_client, quiz, data, attempt_id)
    assert response.status_code == 400
    assert nothing_saved()


@pytest.mark.parametrize("attempt_value", ["", "x", "12abc", "²", "１２", "9" * 30])
def test_a_missing_or_junk_attempt_id_is_a_400(learner_client, quiz, attempt_value):
    start(learner_client, quiz)
    response = learner_client.post(take_url(quiz), {"attempt": attempt_value, **answers_for(quiz)})
    assert response.status_code == 400
    assert nothing_saved()


def test_submitting_into_another_learners_attempt_is_a_404(learner_client, quiz):
    other_client = Client()
    other_client.force_login(UserFactory())
    others_attempt = start(other_client, quiz)
    response = submit(learner_client, quiz, answers_for(quiz), others_attempt)
    assert response.status_code == 404
    assert not Attempt.objects.submitted().exists()


def test_an_attempt_id_from_another_quiz_is_a_404(learner_client, quiz):
    other_quiz = QuizFactory()
    question_with_choices(other_quiz, correct=1, wrong=1)
    other_attempt = start(learner_client, other_quiz)
    start(learner_client, quiz)
    response = submit(learner_client, quiz, answers_for(quiz), other_attempt)
    assert response.status_code == 404


def test_a_huge_payload_is_refused_with_400(learner_client, quiz):
    attempt_id = start(learner_client, quiz)
    response = learner_client.post(
        take_url(quiz),
        {"attempt": attempt_id, **answers_for(quiz), "padding": "x" * 400_000},
    )
    assert response.status_code == 400
    assert nothing_saved()


def test_a_post_without_csrf_token_is_refused(learner, quiz):
    attempt_id = start(signed_in(learner), quiz)
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.post(quiz.get_absolute_url()).status_code == 403  # Start needs it too
    response = client.post(take_url(quiz), {"attempt": attempt_id, **answers_for(quiz)})
    assert response.status_code == 403
    assert nothing_saved()


def test_anonymous_visitors_are_sent_to_sign_in_before_a_quiz(client, quiz):
    response = started(client, quiz)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_answers_sent_after_being_signed_out_are_said_to_be_lost(learner_client, quiz):
    """Signed out in another tab: a background save answers 401 for the page to say so, and
    a form sent without JavaScript is told on the sign-in page, then comes back to the quiz."""
    attempt_id = attempt_shown(started(learner_client, quiz))
    learner_client.post(reverse("logout"))
    data = {"attempt": attempt_id, **answers_for(quiz)}
    background = learner_client.post(
        take_url(quiz), {**data, "action": "save"}, headers={"X-Quizsite-Autosave": "1"}
    )
    assert background.status_code == 401
    assert background.content.decode() == "You were signed out, so these answers were not saved."
    sent = learner_client.post(take_url(quiz), data)
    assert sent.status_code == 302
    assert sent.url == f"{reverse('login')}?next={take_url(quiz)}"
    page = learner_client.get(sent.url).content.decode()
    assert "You were signed out before your answers were sent" in page
    assert nothing_saved()


def test_a_quiz_unpublished_during_an_attempt_can_still_be_finished(learner_client, quiz):
    attempt_id = attempt_shown(started(learner_client, quiz))
    quiz.is_published = False
    quiz.save()
    data = {"attempt": attempt_id, **answers_for(quiz)}
    background = {**data, "action": "save"}
    saved = learner_client.post(take_url(quiz), background, headers={"X-Quizsite-Autosave": "1"})
    assert saved.status_code == 204
    assert learner_client.get(quiz.get_absolute_url()).status_code == 200  # "Continue"
    finished = learner_client.post(take_url(quiz), data)
    assert finished.url == reverse("quizzes:attempt-result", args=[attempt_id])
    assert Attempt.objects.get(pk=attempt_id).percentage == 100
    # Finished: the quiz is hidden from the learner again, as from everyone else.
    assert learner_client.get(quiz.get_absolute_url()).status_code == 404
    assert learner_client.get(take_url(quiz)).status_code == 404
    result = learner_client.get(finished.url).content.decode()
    assert "Try this quiz again" not in result  # it would lead to that 404
    assert "This quiz is not open any more." in result and "every attempt" not in result


def test_an_unpublished_quizs_start_page_finishing_a_run_out_attempt_offers_no_new_one(
    learner_client, quiz
):
    attempt_id = attempt_shown(started(learner_client, quiz))
    quiz.is_published = False
    quiz.save()
    Attempt.objects.filter(pk=attempt_id).update(deadline=timezone.now() - timedelta(minutes=1))
    start_page = learner_client.get(quiz.get_absolute_url()).content.decode()
    assert Attempt.objects.get(pk=attempt_id).is_submitted  # finished there, time having run out
    assert "This quiz is not open any more." in start_page and ">Start" not in start_page
    assert learner_client.post(quiz.get_absolute_url()).status_code == 404
    assert Attempt.objects.count() == 1


def test_unpublished_quizzes_are_not_found(learner_client):
    quiz = QuizFactory(is_published=False)
    question_with_choices(quiz, correct=1, wrong=1)
    assert started(learner_client, quiz).status_code == 404
    hidden_lesson_quiz = QuizFactory(lesson__is_published=False)
    assert learner_client.get(hidden_lesson_quiz.get_absolute_url()).status_code == 404


def test_a_quiz_without_questions_says_so_and_starts_nothing(learner_client):
    quiz = QuizFactory()
    response = started(learner_client, quiz)
    assert "no questions yet" in response.content.decode()
    assert not Attempt.objects.exists()


def test_the_quiz_page_uses_a_constant_number_of_queries(
    learner_client, django_assert_max_num_queries
):
    """Questions and choices are fetched in bulk, however many there are."""
    small, large = QuizFactory(), QuizFactory()
    for _ in range(2):
        question_with_choices(small, correct=1, wrong=2)
    for _ in range(20):
        question_with_choices(large, correct=2, wrong=3, kind=Question.Kind.MULTIPLE)
    started(learner_client, small)
    started(learner_client, large)
    for quiz in (small, large):
        with django_assert_max_num_queries(8):
            assert learner_client.get(take_url(quiz)).status_code == 200


def test_the_result_page_costs_four_queries_however_many_questions(
    learner_client, django_assert_num_queries
):
    """User, the attempt, the content version and the answers: the session (from the sessions
    cache), the quiz with its lesson and grade bands, and the question versions once read, come
    from memory."""
    small, large = QuizFactory(), QuizFactory()
    question_with_choices(small, correct=1, wrong=2)
    for _ in range(20):
        question_with_choices(large, correct=2, wrong=3, kind=Question.Kind.MULTIPLE)
    for quiz in (small, large):
        attempt_id = start(learner_client, quiz)
        response = submit(learner_client, quiz, answers_for(quiz, attempt=attempt_id), attempt_id)
        learner_client.get(response.url)
        with django_assert_num_queries(4):
            assert "out of" in learner_client.get(response.url).content.decode()


def test_a_past_result_keeps_the_title_and_pass_mark_it_was_taken_with(learner_client, quiz):
    """Renaming the quiz or changing its pass mark later does not rewrite a result."""
    attempt_id = start(learner_client, quiz)
    response = submit(learner_client, quiz, answers_for(quiz, all_right=False), attempt_id)
    quiz.title, quiz.pass_mark = "Renamed quiz", 0
    quiz.save()
    page = learner_client.get(response.url).content.decode()
    assert "Pass mark: 60%" in page
    assert "Not passed yet" in page
    assert "Renamed quiz" not in page
    mine = learner_client.get(reverse("quizzes:my-results")).content.decode()
    assert "(passed)" not in mine


def test_a_signed_in_user_on_the_login_page_gets_the_form_not_an_error(learner_client):
    response = learner_client.get(reverse("login"), {"next": reverse("login")})
    assert response.status_code == 200


def finished_in_thirds(client, right_singles):
    """An attempt at a 15-mark quiz (pass mark 60 %) scoring 1/3 + 4/3 + 4/3 on three
    several-answer questions and 1 on each of the first `right_singles` of ten one-mark ones:
    the quiz, the attempt and the result page."""
    quiz = QuizFactory(pass_mark=60)
    thirds = [
        question_with_choices(quiz, correct=3, wrong=1, kind="multiple", marks=m, order=n)
        for n, m in enumerate((1, 2, 2))
    ]
    singles = [question_with_choices(quiz, correct=1, wrong=1, order=10 + n) for n in range(10)]
    started(client, quiz)
    attempt = Attempt.objects.get()
    data = {"attempt": attempt.pk}
    for question, right in zip(thirds, (1, 2, 2), strict=True):
        ids = choice_ids(question, correct=True)[:right]
        data[f"q{question.id}"] = values_shown(question, ids, attempt=attempt)
    for n, question in enumerate(singles):
        ids = choice_ids(question, correct=n < right_singles)[:1]
        data[f"q{question.id}"] = values_shown(question, ids, attempt=attempt)
    result = client.post(take_url(quiz), data, follow=True).content.decode()
    attempt.refresh_from_db()
    return quiz, attempt, result


def test_an_exact_pass_mark_in_thirds_of_a_mark_passes(learner_client):
    """1/3 + 4/3 + 4/3 + 6 of 15 is exactly 60 %: stored to 7 places the total is 8.9999999,
    and the learner still passes."""
    quiz, attempt, result = finished_in_thirds(learner_client, 6)
    assert (attempt.marks, attempt.max_marks) == (Decimal("8.9999999"), Decimal(15))
    assert attempt.passed and attempt.percentage == Decimal("60.00")
    assert "✓ Passed" in result and "9 out of 15 marks" in result
    # Recorded as not passed before the fix: migration 0026 passes it, and nothing short.
    short = Attempt.objects.create(
        learner=attempt.learner, quiz=quiz, quiz_title="", seed=1, started_at=attempt.started_at,
        submitted_at=attempt.submitted_at, marks=Decimal("8.9999"), max_marks=15,
        percentage=Decimal("60.00"), pass_mark=60, passed=False,
    )  # fmt: skip
    Attempt.objects.filter(pk=attempt.pk).update(passed=False)
    migration = importlib.import_module("quizzes.migrations.0026_pass_exact_pass_marks_in_thirds")
    migration.pass_them(apps, None)
    assert Attempt.objects.get(pk=attempt.pk).passed
    assert not Attempt.objects.get(pk=short.pk).passed


def test_a_finish_from_an_older_tab_keeps_the_newer_answers_of_questions_it_left_alone(
    learner_client, quiz
):
    """Tab A opened the page; tab B changed the first question since; A's Finish sends that
    question as A showed it, so B's newer answer stands; what A changed itself wins."""
    attempt_id = attempt_shown(started(learner_client, quiz))
    first, second = quiz.questions.order_by("order")
    tab_a = learner_client.get(take_url(quiz)).content.decode()
    seen = dict(re.findall(r'name="(seen-q\d+)" value="([^"]*)"', tab_a))
    assert seen == {f"seen-q{first.id}": "", f"seen-q{second.id}": ""}
    wrong = values_shown(first, choice_ids(first, correct=False)[:1])
    learner_client.post(
        take_url(quiz), {"attempt": attempt_id, "action": "save", f"q{first.id}": wrong}
    )  # tab B
    right = answers_for(quiz)
    finish = {"attempt": attempt_id, **seen, **right, f"q{first.id}": []}
    finish[f"seen-q{second.id}"] = "changed"  # as autosave.js marks a question chosen in A
    response = learner_client.post(take_url(quiz), finish)
    assert response.url == reverse("quizzes:attempt-result", args=[attempt_id])
    attempt = Attempt.objects.get(pk=attempt_id)
    kept = {a.question_id: a.selected for a in attempt.answers.all()}
    assert kept[first.id] == choice_ids(first, correct=False)[:1]  # B's, A left it alone
    assert kept[second.id] == choice_ids(second, correct=True)  # A's own change
    result = learner_client.get(response.url).content.decode()
    assert "Question 1 keeps the answer chosen in another tab since this page opened." in result
    again = learner_client.post(take_url(quiz), finish, follow=True).content.decode()
    assert "You had already submitted these answers; here is the result." in again


def test_a_mark_by_hand_or_a_regrade_reaching_the_pass_mark_in_thirds_passes(
    learner_client, teacher, teacher_client
):
    """The same exact 9 of 15, reached by a teacher's mark, then kept by a regrade."""
    quiz, attempt, _result = finished_in_thirds(learner_client, 5)
    assert attempt.marks == Decimal("7.9999999") and not attempt.passed
    wrong = attempt.answers.filter(marks=0).order_by("position").first()
    url = reverse("quizzes:attempt-override", args=[attempt.pk, wrong.position])
    prefix = f"a{wrong.position}"
    data = {f"{prefix}-marks": "1", f"{prefix}-reason": "Right after all", f"{prefix}-comment": ""}
    assert teacher_client.post(url, data).status_code == 302
    attempt.refresh_from_db()
    assert attempt.marks == Decimal("8.9999999") and attempt.passed
    # A regrade that re-marks the others (a key fixed and put back) keeps the pass.
    question = quiz.questions.get(order=10)
    question.choices.update(is_correct=~F("is_correct"))
    regrade_apply(quiz, among=Attempt.objects.all(), by=teacher)
    question.choices.update(is_correct=~F("is_correct"))
    regrade_apply(quiz, among=Attempt.objects.all(), by=teacher)
    attempt.refresh_from_db()
    assert attempt.marks == Decimal("8.9999999") and attempt.passed
