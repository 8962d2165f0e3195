"""Review options: what a learner sees of a finished attempt, before and after the quiz closes."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, Override, Quiz
from quizzes.taking.review import FULL, Review, review_for

from .conftest import answers_for, choice_ids, started, take_url, values_shown
from .factories import QuizFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2025, 9, 10, 12, 0, tzinfo=UTC)
HIDE_ALL = {
    "review_marks": False,
    "review_correctness": False,
    "review_feedback": False,
    "review_explanations": False,
}


def test_by_default_the_learner_sees_everything():
    assert review_for(Quiz(), NOON) == FULL
    assert review_for(None, NOON) == FULL  # practice rounds


def test_the_after_close_options_apply_once_the_quiz_has_closed():
    quiz = Quiz(closes_at=NOON, **HIDE_ALL, review_feedback_after_close=False)
    assert review_for(quiz, NOON - timedelta(seconds=1)) == Review(False, False, False, False)
    assert review_for(quiz, NOON) == Review(True, True, False, True)


def test_a_close_moved_for_the_learner_is_the_close_their_review_follows():
    quiz = Quiz(pk=7, closes_at=NOON, **HIDE_ALL)
    later, earlier = NOON + timedelta(days=1), NOON - timedelta(days=1)
    assert review_for(quiz, NOON, {7: later}) == Review(False, False, False, False)
    assert review_for(quiz, later, {7: later}) == FULL
    assert review_for(quiz, NOON - timedelta(hours=1), {7: earlier}) == FULL
    assert review_for(quiz, NOON, {8: later}) == FULL  # another quiz's override


@pytest.mark.parametrize("who", ["learner", "class"])
def test_a_learner_whose_close_was_moved_sees_the_after_close_review_only_after_theirs(
    learner, learner_client, classroom, quiz, who
):
    """The quiz closed for the class a minute ago, so its after-close review (everything)
    applies to them; this learner may still answer it, so theirs stays hidden till their own."""
    set_review(
        quiz, closes_at=timezone.now() - timedelta(minutes=1), attempts_allowed=2, **HIDE_ALL
    )
    target = {"learner": learner} if who == "learner" else {"classroom": classroom}
    override = Override.objects.create(
        quiz=quiz, closes_at=timezone.now() + timedelta(days=1), **target
    )
    attempt = finished_attempt(learner_client, quiz)
    page = result_page(learner_client, attempt)
    for secret in ("Correct answer", "Why this choice", "Why the right answer", "100%"):
        assert secret not in page
    assert "100%" not in learner_client.get(reverse("quizzes:my-results")).content.decode()
    assert "Your best" not in learner_client.get(reverse("quizzes:home")).content.decode()
    assert "100%" not in learner_client.get(reverse("quizzes:progress")).content.decode()
    override.closes_at = timezone.now() - timedelta(seconds=1)
    override.save()
    page = result_page(learner_client, attempt)
    assert "Correct answer" in page and "2 out of 2 marks (100%)" in page
    assert "100%" in learner_client.get(reverse("quizzes:my-results")).content.decode()
    assert "100%" in learner_client.get(reverse("quizzes:progress")).content.decode()


def test_practice_waits_for_the_learners_own_close_too(learner, learner_client, quiz):
    set_review(quiz, closes_at=timezone.now() - timedelta(minutes=1), **HIDE_ALL)
    override = Override.objects.create(
        quiz=quiz, learner=learner, closes_at=timezone.now() + timedelta(days=1)
    )
    started(learner_client, quiz)
    attempt = Attempt.objects.get()
    wrong = answers_for(quiz, all_right=False, attempt=attempt)
    learner_client.post(take_url(quiz), {"attempt": attempt.pk, **wrong})
    learner_client.post(reverse("quizzes:practice-new"), {"lesson": ""})
    assert not Attempt.objects.filter(practice=True).exists()
    override.closes_at = timezone.now() - timedelta(seconds=1)
    override.save()
    learner_client.post(reverse("quizzes:practice-new"), {"lesson": ""})
    assert Attempt.objects.filter(practice=True).count() == 1


def finished_attempt(client, quiz):
    started(client, quiz)
    attempt = Attempt.objects.get()
    client.post(take_url(quiz), {"attempt": attempt.pk, **answers_for(quiz)})
    attempt.refresh_from_db()
    assert attempt.is_submitted
    return attempt


def set_review(quiz, **options):
    """Change the quiz's settings as a teacher does, by saving it: pages that keep the quiz in
    memory (content_cache.py) learn of a change from its save."""
    quiz.refresh_from_db()
    for name, value in options.items():
        setattr(quiz, name, value)
    quiz.save()


def result_page(client, attempt):
    response = client.get(attempt.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_hidden_marks_are_not_on_the_result_my_results_or_home(learner_client, quiz):
    attempt = finished_attempt(learner_client, quiz)
    set_review(quiz, review_marks=False)
    page = result_page(learner_client, attempt)
    assert "out of" not in page and "marks" not in page.split("<ol")[1]
    assert "Passed" not in page and "Not passed" not in page
    assert "Your answers are in" in page
    assert "chosen not to show marks" in page
    mine = learner_client.get(reverse("quizzes:my-results")).content.decode()
    assert "100%" not in mine
    assert "Not shown yet" in mine
    home = learner_client.get(reverse("quizzes:home")).content.decode()
    assert "Your best" not in home


def test_marks_hidden_until_close_say_when_they_will_show(learner_client, quiz):
    attempt = finished_attempt(learner_client, quiz)
    set_review(quiz, review_marks=False, closes_at=timezone.now() + timedelta(days=2))
    page = result_page(learner_client, attempt)
    assert "will show the marks after the quiz closes" in page
    set_review(quiz, closes_at=timezone.now() - timedelta(minutes=1))
    page = result_page(learner_client, attempt)
    assert "2 out of 2 marks (100%)" in page


def test_hidden_correctness_shows_neither_outcome_nor_right_answer(learner_client, quiz):
    attempt = finished_attempt(learner_client, quiz)
    set_review(quiz, review_correctness=False)
    page = result_page(learner_client, attempt)
    assert "Correct answer" not in page
    assert "✓ Correct" not in page and "Incorrect" not in page
    assert "outcome-correct" not in page
    assert 'class="chosen correct"' not in page
    assert "Your answer" in page  # the learner still sees what they chose


@pytest.mark.parametrize("correctness", [True, False])
def test_a_question_left_blank_says_not_answered_not_incorrect(learner_client, quiz, correctness):
    started(learner_client, quiz)
    attempt = Attempt.objects.get()
    answered, _blank = quiz.questions.order_by("order")
    form = {k: v for k, v in answers_for(quiz).items() if k == f"q{answered.pk}"}
    learner_client.post(take_url(quiz), {"attempt": attempt.pk, "action": "save", **form})
    learner_client.post(take_url(quiz), {"attempt": attempt.pk, "action": "submit"})  # anyway
    attempt.refresh_from_db()
    assert attempt.is_submitted
    set_review(quiz, review_correctness=correctness)
    items = result_page(learner_client, attempt).split('<li class="review-item')[1:]
    answered_item, blank = items
    assert "Your answer" in answered_item and "Your answer" not in blank
    assert '<p class="outcome">Not answered — 0 of 1 mark</p>' in blank
    assert "Incorrect" not in blank


def test_hidden_feedback_and_explanations_are_left_out(learner_client, quiz):
    attempt = finished_attempt(learner_client, quiz)
    set_review(quiz, review_feedback=False, review_explanations=False)
    page = result_page(learner_client, attempt)
    assert "Why this choice is right or wrong." not in page
    assert "Why the right answer is right." not in page
    assert "Source:" not in page
    assert "Some of the review is hidden" in page


def test_with_everything_hidden_the_page_reveals_nothing_to_a_forged_request(learner_client, quiz):
    attempt = finished_attempt(learner_client, quiz)
    set_review(quiz, **HIDE_ALL)
    for params in ({}, {"review": "all"}, {"show": "marks"}):
        page = learner_client.get(attempt.get_absolute_url(), params).content.decode()
        for secret in ("Correct answer", "Why this choice", "Why the right answer", "100%"):
            assert secret not in page


def test_practice_does_not_reveal_correctness_the_quiz_hides(learner, learner_client):
    quiz = QuizFactory()
    from .factories import question_with_choices

    question = question_with_choices(quiz, correct=1, wrong=2)
    started(learner_client, quiz)
    attempt = Attempt.objects.get()
    wrong = values_shown(question, choice_ids(question, correct=False)[:1])
    learner_client.post(take_url(quiz), {"attempt": attempt.pk, f"q{question.id}": wrong})
    set_review(quiz, review_correctness=False)
    response = learner_client.post(reverse("quizzes:practice-new"), {"lesson": ""})
    assert response.status_code == 302
    assert not Attempt.objects.filter(practice=True).exists()


@pytest.mark.parametrize("hidden", ["review_marks", "review_feedback", "review_explanations"])
def test_practice_draws_only_from_attempts_whose_whole_review_shows(learner_client, hidden):
    """A practice round shows everything, so an attempt hiding any part stays out of it."""
    from .factories import question_with_choices

    quiz = QuizFactory()
    question = question_with_choices(quiz, correct=1, wrong=2)
    started(learner_client, quiz)
    attempt = Attempt.objects.get()
    wrong = values_shown(question, choice_ids(question, correct=False)[:1])
    learner_client.post(take_url(quiz), {"attempt": attempt.pk, f"q{question.id}": wrong})
    set_review(quiz, **{hidden: False})
    learner_client.post(reverse("quizzes:practice-new"), {"lesson": ""})
    assert not Attempt.objects.filter(practice=True).exists()
    set_review(quiz, **{hidden: True})
    learner_client.post(reverse("quizzes:practice-new"), {"lesson": ""})
    assert Attempt.objects.filter(practice=True).count() == 1
