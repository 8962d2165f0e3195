"""Time limits: the server is the clock, late answers are refused, overdue attempts finish."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, Question
from quizzes.taking import timing

from .conftest import answers_for, attempt_shown, choice_ids, started, take_url, values_shown

pytestmark = pytest.mark.django_db

NOON = datetime(2025, 9, 10, 12, 0, tzinfo=UTC)


def test_the_deadline_is_the_start_plus_the_limit():
    assert timing.deadline_for(NOON, 20) == datetime(2025, 9, 10, 12, 20, tzinfo=UTC)
    assert timing.deadline_for(NOON, None) is None


def test_the_attempt_ends_at_the_earlier_of_its_limit_and_the_close():
    limit = NOON + timedelta(minutes=20)
    close = NOON + timedelta(minutes=5)
    assert timing.ends_at(limit, close) == close
    assert timing.ends_at(limit, None) == limit
    assert timing.ends_at(None, close) == close
    assert timing.ends_at(None, None) is None


def test_answers_are_accepted_up_to_thirty_seconds_after_the_end():
    assert not timing.time_is_up(NOON, NOON - timedelta(seconds=1))
    assert timing.time_is_up(NOON, NOON)
    assert not timing.too_late(NOON, NOON + timedelta(seconds=30))
    assert timing.too_late(NOON, NOON + timedelta(seconds=31))
    assert not timing.too_late(None, NOON)


def test_seconds_left_counts_down_to_zero_and_no_further():
    assert timing.seconds_left(NOON, NOON - timedelta(minutes=2, seconds=5)) == 125
    assert timing.seconds_left(NOON, NOON + timedelta(minutes=1)) == 0
    assert timing.seconds_left(None, NOON) is None


@pytest.fixture
def timed(quiz):
    quiz.time_limit = 10
    quiz.save()
    return quiz


def right_choice(question):
    return choice_ids(question, correct=True)


def start(client, quiz):
    return attempt_shown(started(client, quiz))


def rewind(minutes):
    """Move every attempt's start and deadline `minutes` into the past."""
    for attempt in Attempt.objects.all():
        attempt.started_at -= timedelta(minutes=minutes)
        attempt.deadline -= timedelta(minutes=minutes)
        attempt.save()


def test_starting_a_timed_quiz_sets_the_deadline_and_the_page_shows_the_time_left(
    learner_client, timed
):
    before = timezone.now()
    response = started(learner_client, timed)
    attempt = Attempt.objects.get()
    assert before + timedelta(minutes=10) <= attempt.deadline
    assert attempt.deadline <= timezone.now() + timedelta(minutes=10)
    page = response.content.decode()
    assert "Time left:" in page
    assert "about 10 minutes" in page  # readable without JavaScript
    assert 'data-seconds-left="' in page
    assert "js/timer.js" in page
    # The box that stays on screen holds the time alone; the hint follows it.
    box, after = page.split('<div class="timer"', 1)[1].split("</div>", 1)
    assert "When time is up" not in box and "When time is up" in after.split("<form", 1)[0]


def test_a_quiz_without_a_limit_shows_no_timer(learner_client, quiz):
    page = started(learner_client, quiz).content.decode()
    assert Attempt.objects.get().deadline is None
    assert "Time left:" not in page
    assert "timer.js" not in page


def test_reloading_keeps_the_deadline(learner_client, timed):
    started(learner_client, timed)
    deadline = Attempt.objects.get().deadline
    rewind(3)
    page = started(learner_client, timed).content.decode()
    assert Attempt.objects.get().deadline == deadline - timedelta(minutes=3)
    assert "about 7 minutes" in page


def test_answers_sent_after_the_grace_are_refused_and_saved_answers_submitted(
    learner_client, timed
):
    attempt_id = start(learner_client, timed)
    single = timed.questions.get(kind=Question.Kind.SINGLE)
    learner_client.post(
        take_url(timed),
        {
            "attempt": attempt_id,
            "action": "save",
            f"q{single.id}": values_shown(single, choice_ids(single, correct=True)),
        },
    )
    rewind(11)
    response = learner_client.post(
        take_url(timed), {"attempt": attempt_id, **answers_for(timed, all_right=True)}
    )
    attempt = Attempt.objects.get()
    assert response.status_code == 302
    assert response.url == attempt.get_absolute_url()
    assert attempt.is_submitted
    assert attempt.submitted_at == attempt.deadline
    assert (attempt.marks, attempt.max_marks) == (1, 2)  # the late answer did not count
    multiple = attempt.answers.get(question__kind=Question.Kind.MULTIPLE)
    assert multiple.selected is None
    result = learner_client.get(response.url).content.decode()
    assert "Time ran out before these answers arrived" in result


def test_a_save_after_the_grace_is_refused_too(learner_client, timed):
    attempt_id = start(learner_client, timed)
    rewind(11)
    response = learner_client.post(
        take_url(timed),
        {"attempt": attempt_id, "action": "save", **answers_for(timed, all_right=True)},
    )
    attempt = Attempt.objects.get()
    assert response.url == attempt.get_absolute_url()
    assert attempt.is_submitted and attempt.marks == 0
    assert not attempt.answers.filter(chosen__isnull=False).exists()


def test_answers_sent_as_time_runs_out_are_accepted_and_the_attempt_finished(learner_client, timed):
    """The page's countdown submits at zero; unanswered questions do not block it."""
    attempt_id = start(learner_client, timed)
    single = timed.questions.get(kind=Question.Kind.SINGLE)
    for attempt in Attempt.objects.all():
        attempt.started_at -= timedelta(minutes=10, seconds=10)
        attempt.deadline -= timedelta(minutes=10, seconds=10)
        attempt.save()
    response = learner_client.post(
        take_url(timed),
        {
            "attempt": attempt_id,
            "action": "finish",
            f"q{single.id}": values_shown(single, choice_ids(single, correct=True)),
        },
    )
    attempt = Attempt.objects.get()
    assert response.url == attempt.get_absolute_url()
    assert attempt.is_submitted
    assert (attempt.marks, attempt.max_marks) == (1, 2)
    assert "Time is up" in learner_client.get(response.url).content.decode()


def test_opening_the_quiz_after_the_deadline_finishes_the_attempt(learner_client, timed):
    start(learner_client, timed)
    rewind(10)
    response = started(learner_client, timed)
    attempt = Attempt.objects.get()
    assert attempt.is_submitted
    assert response.url == attempt.get_absolute_url()


def test_an_overdue_attempt_is_finished_when_the_learner_opens_my_results(
    learner, learner_client, timed
):
    start(learner_client, timed)
    rewind(11)
    page = learner_client.get(reverse("quizzes:my-results")).content.decode()
    attempt = Attempt.objects.get()
    assert attempt.is_submitted
    assert attempt.get_absolute_url() in page


def test_the_teacher_sees_which_attempts_the_time_ran_out_on(
    learner, learner_client, teacher_client, timed
):
    """A tab left open (or closed) is finished at the deadline; a Finish, when it was sent."""
    start(learner_client, timed)
    rewind(11)
    learner_client.get(reverse("quizzes:my-results"))
    timed.attempts_allowed = 2
    timed.save()
    attempt_id = start(learner_client, timed)
    learner_client.post(
        take_url(timed), {"attempt": attempt_id, "action": "finish", **answers_for(timed)}
    )
    ran_out, finished = Attempt.objects.order_by("id")
    assert ran_out.submitted_at == ran_out.deadline and finished.submitted_at < finished.deadline
    note = "automatically, when the time ran out"
    for attempt, shown in ((ran_out, True), (finished, False)):
        url = reverse("quizzes:teacher-attempt", args=[attempt.pk])
        assert (note in teacher_client.get(url).content.decode()) is shown


def test_an_overdue_attempt_is_finished_when_a_teacher_opens_the_results(
    learner_client, teacher_client, timed
):
    start(learner_client, timed)
    rewind(11)
    response = teacher_client.get(reverse("quizzes:results"), {"quiz": timed.slug})
    assert response.context["summary"]["count"] == 1
    assert Attempt.objects.get().is_submitted


def test_an_overdue_attempt_is_finished_when_the_admin_lists_attempts(
    learner_client, teacher_client, timed
):
    start(learner_client, timed)
    rewind(11)
    assert teacher_client.get(reverse("admin:quizzes_attempt_changelist")).status_code == 200
    assert Attempt.objects.get().is_submitted


def test_an_attempt_inside_its_grace_is_left_for_its_last_answers(
    learner_client, teacher_client, timed
):
    start(learner_client, timed)
    for attempt in Attempt.objects.all():
        attempt.deadline = timezone.now() - timedelta(seconds=5)
        attempt.save()
    teacher_client.get(reverse("quizzes:results"))
    assert not Attempt.objects.get().is_submitted


def test_the_cron_command_finishes_overdue_attempts(learner_client, timed, capsys):
    start(learner_client, timed)
    rewind(11)
    call_command("finish_overdue_attempts")
    assert Attempt.objects.get().is_submitted
    assert "Finished 1 attempt" in capsys.readouterr().out


def test_a_close_date_before_the_limit_ends_the_attempt_early(learner_client, timed):
    timed.closes_at = timezone.now() + timedelta(minutes=2)
    timed.save()
    page = started(learner_client, timed).content.decode()
    assert "about 2 minutes" in page


@pytest.mark.parametrize("minutes", [0, 24 * 60 + 1])
def test_a_time_limit_of_zero_minutes_or_past_a_day_is_refused_by_the_database(timed, minutes):
    from django.db import IntegrityError, transaction

    timed.time_limit = minutes
    with pytest.raises(IntegrityError), transaction.atomic():
        timed.save()


def test_a_close_date_days_away_is_shown_as_a_date_without_a_countdown(learner_client, quiz):
    quiz.closes_at = timezone.now() + timedelta(days=3)
    quiz.save()
    page = started(learner_client, quiz).content.decode()
    assert "This quiz closes on" in page
    assert "Time left:" not in page and "timer.js" not in page


def test_a_finish_waits_for_the_lock_and_a_finished_attempt_is_not_finished_again(
    learner_client, quiz
):
    from quizzes.taking.attempts import attempt_finish

    start(learner_client, quiz)
    attempt = Attempt.objects.get()
    stale = Attempt.objects.get()
    assert attempt_finish(attempt=attempt)
    assert not attempt_finish(attempt=stale)  # the lock sees it closed: nothing rewritten


def test_the_summarys_countdown_at_zero_does_not_finish_when_time_was_added(learner_client, quiz):
    """The summary page's timer sends Submit with "time-up"; a teacher gave more time since."""
    quiz.time_limit = 10
    quiz.save()
    attempt_id = attempt_shown(started(learner_client, quiz))
    data = {"attempt": attempt_id, "action": ["submit", "time-up"]}
    response = learner_client.post(take_url(quiz), data)
    attempt = Attempt.objects.get(pk=attempt_id)
    assert response.url == attempt.summary_url and not attempt.is_submitted
    assert "You have more time" in learner_client.get(response.url).content.decode()
    Attempt.objects.filter(pk=attempt_id).update(deadline=timezone.now() - timedelta(seconds=1))
    learner_client.post(take_url(quiz), data)
    assert Attempt.objects.get(pk=attempt_id).is_submitted
