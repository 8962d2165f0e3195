"""Quiz settings, each enforced on the server: dealing, attempts, dates, feedback, saving."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, GradeBand, Question
from quizzes.taking.dealing import deal
from quizzes.taking.scoring import band_feedback, overall_grade

from .conftest import (
    answers_for,
    attempt_shown,
    choice_ids,
    nothing_saved,
    started,
    take_url,
    values_shown,
)
from .factories import QuizFactory, UserFactory, question_with_choices

pytestmark = pytest.mark.django_db

QUESTIONS = [11, 12, 13, 14, 15, 16]
CHOICES = {q: [q * 10 + n for n in range(1, 5)] for q in QUESTIONS}


def test_without_settings_the_deal_keeps_the_authors_order():
    assert deal(QUESTIONS, CHOICES, seed=5) == [(q, CHOICES[q]) for q in QUESTIONS]


def test_the_same_seed_always_deals_the_same_hand():
    kwargs = {"draw": 4, "shuffle_questions": True, "shuffle_choices": True}
    assert deal(QUESTIONS, CHOICES, seed=42, **kwargs) == deal(
        QUESTIONS, CHOICES, seed=42, **kwargs
    )


def test_shuffling_reorders_but_keeps_every_question_and_choice():
    hands = [
        deal(QUESTIONS, CHOICES, seed=s, shuffle_questions=True, shuffle_choices=True)
        for s in range(5)
    ]
    for hand in hands:
        assert sorted(q for q, _ in hand) == QUESTIONS
        assert all(sorted(choices) == CHOICES[q] for q, choices in hand)
    assert len({tuple(q for q, _ in hand) for hand in hands}) > 1
    assert len({tuple(hand[0][1]) for hand in hands}) > 1


def test_a_draw_picks_that_many_questions_in_the_authors_order():
    hands = [deal(QUESTIONS, CHOICES, seed=s, draw=3) for s in range(8)]
    for hand in hands:
        picked = [q for q, _ in hand]
        assert len(picked) == 3
        assert picked == sorted(picked)
    assert len({tuple(q for q, _ in hand) for hand in hands}) > 1
    assert deal(QUESTIONS, CHOICES, seed=1, draw=10) == deal(QUESTIONS, CHOICES, seed=1)


@pytest.mark.parametrize(
    ("method", "expected"),
    [("highest", "90.00"), ("first", "40.00"), ("last", "65.50"), ("average", "65.17")],
)
def test_grading_methods(method, expected):
    percentages = [Decimal("40.00"), Decimal("90.00"), Decimal("65.50")]
    assert overall_grade(method, percentages) == Decimal(expected)


def test_no_finished_attempt_means_no_grade():
    assert overall_grade("highest", []) is None


@pytest.mark.parametrize(
    ("percent", "expected"),
    [
        ("0", "Read the lesson again."),
        ("49.99", "Read the lesson again."),
        ("50", "Nearly there."),
        ("80", "Excellent."),
        ("100", "Excellent."),
    ],
)
def test_band_feedback_picks_the_band_the_grade_falls_in(percent, expected):
    bands = [(80, "Excellent."), (0, "Read the lesson again."), (50, "Nearly there.")]
    assert band_feedback(bands, Decimal(percent)) == expected


def test_no_band_below_the_grade_gives_no_feedback():
    assert band_feedback([(50, "Half.")], Decimal("10")) == ""


# Through the site.


def page_question_order(client, quiz):
    page = started(client, quiz).content.decode()
    return sorted(
        (page.index(f'name="q{question.id}"'), question.id)
        for question in quiz.questions.all()
        if f'name="q{question.id}"' in page
    )


@pytest.fixture
def six_question_quiz(db):
    quiz = QuizFactory()
    for n in range(6):
        question_with_choices(quiz, correct=1, wrong=3, order=n)
    return quiz


def test_shuffled_questions_differ_between_learners_and_stay_put_on_reload(
    six_question_quiz, monkeypatch
):
    quiz = six_question_quiz
    quiz.shuffle_questions = True
    quiz.save()
    seeds = iter(range(1, 100))
    monkeypatch.setattr("quizzes.taking.attempts.secrets.randbelow", lambda _: next(seeds))
    orders = []
    for _ in range(4):
        client = Client()
        client.force_login(UserFactory())
        first = page_question_order(client, quiz)
        assert page_question_order(client, quiz) == first
        orders.append(tuple(qid for _, qid in first))
    assert len(set(orders)) > 1
    attempt = Attempt.objects.order_by("id").first()
    assert [a.question_id for a in attempt.answers.order_by("position")] == list(orders[0])


def test_shuffled_choices_are_kept_for_the_attempt(learner_client, six_question_quiz, monkeypatch):
    quiz = six_question_quiz
    quiz.shuffle_choices = True
    quiz.save()
    monkeypatch.setattr("quizzes.taking.attempts.secrets.randbelow", lambda _: 3)
    page = started(learner_client, quiz).content.decode()
    attempt = Attempt.objects.get()
    dealt = {a.question_id: [c["id"] for c in a.snapshot["choices"]] for a in attempt.answers.all()}
    authored = [list(q.choices.values_list("id", flat=True)) for q in quiz.questions.all()]
    assert list(dealt.values()) != authored
    for answer in attempt.answers.all():
        fieldset = page.split(f'id="id_q{answer.question_key}_fieldset"')[1]
        shown = re.findall(
            r'value="([^"]*)"[^>]*> <span>([^<]*)</span>', fieldset.split("</fieldset>")[0]
        )
        assert shown == [(str(n), c["text"]) for n, c in enumerate(answer.snapshot["choices"], 1)]
    assert started(learner_client, quiz).content.decode().count('type="radio"') == 24


def test_a_draw_deals_n_questions_and_refuses_answers_to_the_others(
    learner_client, six_question_quiz
):
    quiz = six_question_quiz
    quiz.questions_per_attempt = 2
    quiz.save()
    response = started(learner_client, quiz)
    assert response.content.decode().count("<fieldset") == 2
    attempt = Attempt.objects.get(pk=attempt_shown(response))
    dealt = set(attempt.answers.values_list("question_id", flat=True))
    assert len(dealt) == 2
    only_dealt = {
        f"q{q.id}": values_shown(q, choice_ids(q, correct=True))
        for q in quiz.questions.filter(pk__in=dealt)
    }
    others = {f"q{q.id}": "1" for q in quiz.questions.exclude(pk__in=dealt)}
    data = {"attempt": attempt.pk, **only_dealt, **others}
    rejected = learner_client.post(take_url(quiz), data)
    assert rejected.status_code == 400
    assert nothing_saved()
    done = learner_client.post(take_url(quiz), {"attempt": attempt.pk, **only_dealt})
    assert done.status_code == 302
    attempt.refresh_from_db()
    assert (attempt.marks, attempt.max_marks) == (2, 2)


def finish(client, quiz, *, all_right=True):
    attempt_id = attempt_shown(started(client, quiz))
    data = {"attempt": attempt_id, **answers_for(quiz, all_right=all_right)}
    return client.post(take_url(quiz), data)


def test_the_attempt_limit_is_enforced(learner_client, quiz):
    quiz.attempts_allowed = 2
    quiz.save()
    finish(learner_client, quiz)
    finish(learner_client, quiz)
    response = started(learner_client, quiz)
    assert response.status_code == 403
    assert "You have used all 2 attempts this quiz allows." in response.content.decode()
    assert Attempt.objects.count() == 2


def test_a_quiz_not_yet_open_cannot_be_started(learner_client, quiz):
    quiz.opens_at = timezone.now() + timedelta(days=1)
    quiz.save()
    response = started(learner_client, quiz)
    assert response.status_code == 403
    assert "This quiz opens on" in response.content.decode()
    assert not Attempt.objects.exists()


def test_a_closed_quiz_cannot_be_started(learner_client, quiz):
    quiz.opens_at = timezone.now() - timedelta(days=2)
    quiz.closes_at = timezone.now() - timedelta(days=1)
    quiz.save()
    response = started(learner_client, quiz)
    assert response.status_code == 403
    assert "This quiz closed on" in response.content.decode()
    assert not Attempt.objects.exists()


def test_an_attempt_open_when_the_quiz_closes_is_finished_with_its_saved_answers(
    learner_client, quiz
):
    attempt_id = attempt_shown(started(learner_client, quiz))
    single = quiz.questions.get(kind=Question.Kind.SINGLE)
    right = values_shown(single, choice_ids(single, correct=True))
    learner_client.post(
        take_url(quiz), {"attempt": attempt_id, "action": "save", f"q{single.id}": right}
    )
    Attempt.objects.update(started_at=timezone.now() - timedelta(minutes=5))
    quiz.closes_at = timezone.now() - timedelta(minutes=1)  # and its grace period is over
    quiz.save()
    late = learner_client.post(
        take_url(quiz), {"attempt": attempt_id, **answers_for(quiz, all_right=True)}
    )
    assert late.status_code == 302
    attempt = Attempt.objects.get()
    assert attempt.is_submitted
    assert (attempt.marks, attempt.max_marks) == (1, 2)  # only the saved answer counts


def test_save_keeps_answers_without_finishing_and_the_page_shows_them_again(learner_client, quiz):
    attempt_id = attempt_shown(started(learner_client, quiz))
    single = quiz.questions.get(kind=Question.Kind.SINGLE)
    wrong = choice_ids(single, correct=False)[0]
    [shown] = values_shown(single, [wrong])
    response = learner_client.post(
        take_url(quiz),
        {"attempt": attempt_id, "action": "save", f"q{single.id}": [shown]},
    )
    assert response.status_code == 302
    assert response.url == take_url(quiz)
    attempt = Attempt.objects.get()
    assert not attempt.is_submitted
    assert attempt.answers.get(question=single).selected == [wrong]
    page = started(learner_client, quiz).content.decode()
    assert "checked" in page.split(f'name="q{single.id}" value="{shown}"')[1][:40]
    assert "Your answers are saved" in page


def test_saving_into_a_finished_attempt_changes_nothing(learner_client, quiz):
    attempt_id = attempt_shown(started(learner_client, quiz))
    learner_client.post(take_url(quiz), {"attempt": attempt_id, **answers_for(quiz)})
    before = list(Attempt.objects.get().answers.values_list("chosen", "marks"))
    response = learner_client.post(
        take_url(quiz),
        {"attempt": attempt_id, "action": "save", **answers_for(quiz, all_right=False)},
    )
    assert response.status_code == 302
    assert response.url == reverse("quizzes:attempt-result", args=[attempt_id])
    assert list(Attempt.objects.get().answers.values_list("chosen", "marks")) == before


def test_the_result_shows_the_overall_feedback_for_the_grade_band(learner_client, quiz):
    GradeBand.objects.create(quiz=quiz, min_percentage=0, feedback="Read the lesson again.")
    GradeBand.objects.create(quiz=quiz, min_percentage=80, feedback="Excellent work.")
    response = finish(learner_client, quiz, all_right=True)
    page = learner_client.get(response.url).content.decode()
    assert "Excellent work." in page
    assert "Read the lesson again." not in page


def test_teachers_edit_every_setting_in_the_admin(teacher_client, quiz):
    page = teacher_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content
    for field in (
        "shuffle_questions",
        "shuffle_choices",
        "questions_per_attempt",
        "attempts_allowed",
        "grading_method",
        "opens_at",
        "closes_at",
        "grade_bands-0-min_percentage",
    ):
        assert f'name="{field}' in page.decode()


@pytest.mark.parametrize(
    ("method", "grade"), [("highest", 100), ("average", 50), ("first", 0), ("last", 50)]
)
def test_my_results_shows_the_grade_the_quiz_counts(learner_client, quiz, method, grade):
    quiz.grading_method = method
    quiz.save()
    single, multiple = quiz.questions.all()
    finish(learner_client, quiz, all_right=False)  # 0 %
    finish(learner_client, quiz, all_right=True)  # 100 %
    attempt_id = attempt_shown(started(learner_client, quiz))
    half = {
        f"q{single.id}": values_shown(single, choice_ids(single, correct=True)),
        f"q{multiple.id}": values_shown(multiple, choice_ids(multiple, correct=False)[:1]),
    }
    learner_client.post(take_url(quiz), {"attempt": attempt_id, **half})  # 50 %
    row = learner_client.get(reverse("quizzes:my-results")).context["best"][0]
    assert (row["grade"], row["best"], row["count"]) == (grade, 100, 3)


def test_moving_the_open_date_later_does_not_finish_an_attempt_under_way(learner_client, quiz):
    """Only the close date ends attempts in progress; a later opening does not."""
    attempt_id = attempt_shown(started(learner_client, quiz))
    quiz.opens_at = timezone.now() + timedelta(days=1)
    quiz.save()
    response = started(learner_client, quiz)
    assert response.status_code == 200
    assert attempt_shown(response) == attempt_id
    assert not Attempt.objects.get().is_submitted
