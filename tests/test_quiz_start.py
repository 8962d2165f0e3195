"""The quiz flow of issue 19: the start page, Start, the summary before Finish, teachers'
previews and overrides, through the client."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from quizzes.models import Attempt, Classroom, Override
from quizzes.taking.overrides import Rules, most_generous

from .conftest import answers_for, attempt_shown, enrol, signed_in, started, take_url
from .factories import (
    QuizFactory,
    SuperuserFactory,
    TeacherFactory,
    UserFactory,
    question_with_choices,
)

pytestmark = pytest.mark.django_db

MOVED_ONE = (
    "It also reaches 1 attempt in progress: its time left is updated (one whose new time has "
    "already run out ends now, with the answers it saved)."
)


def summary_url(quiz):
    return reverse("quizzes:quiz-summary", args=[quiz.slug])


def finish(client, quiz, data=None):
    attempt = Attempt.objects.in_progress().get(quiz=quiz)
    return client.post(take_url(quiz), {"attempt": attempt.pk, **(data or {})})


# The start page and Start


def test_opening_the_start_page_deals_nothing_and_describes_the_quiz(learner_client, quiz):
    quiz.time_limit = 15
    quiz.attempts_allowed = 2
    quiz.grading_method = "average"
    quiz.closes_at = timezone.now() + timedelta(days=3)
    quiz.save()
    response = learner_client.get(quiz.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert not Attempt.objects.exists()
    assert "<dt>Questions</dt>\n  <dd>2</dd>" in page
    assert "15 minutes, from the moment you press Start" in page
    assert "0 of 2 used, 2 left" in page
    assert "Average grade" in page
    assert "Open now" in page and "Never" not in page
    assert f'<form method="post" action="{quiz.get_absolute_url()}">' in page
    assert ">Start<" in page
    assert 'name="attempt"' not in page  # no questions, no attempt yet


def test_start_deals_the_attempt_starts_the_clock_and_leads_to_the_questions(learner_client, quiz):
    quiz.time_limit = 10
    quiz.save()
    before = timezone.now()
    response = learner_client.post(quiz.get_absolute_url())
    assert response.status_code == 302 and response.url == take_url(quiz)
    attempt = Attempt.objects.get()
    assert attempt.started_at >= before
    assert attempt.deadline == attempt.started_at + timedelta(minutes=10)
    assert attempt_shown(learner_client.get(response.url)) == attempt.pk


def test_a_second_start_resumes_and_the_start_page_offers_continue(learner_client, quiz):
    learner_client.post(quiz.get_absolute_url())
    learner_client.post(quiz.get_absolute_url())  # a double click
    assert Attempt.objects.count() == 1
    page = learner_client.get(quiz.get_absolute_url()).content.decode()
    assert f'href="{take_url(quiz)}">Continue</a>' in page
    assert ">Start<" not in page


def test_the_start_page_counts_attempts_used_and_refuses_when_none_are_left(learner_client, quiz):
    quiz.attempts_allowed = 1
    quiz.save()
    attempt_id = attempt_shown(started(learner_client, quiz))
    learner_client.post(take_url(quiz), {"attempt": attempt_id, **answers_for(quiz)})
    page = learner_client.get(quiz.get_absolute_url()).content.decode()
    assert "1 of 1 used, 0 left" in page
    assert "You have used the one attempt this quiz allows." in page
    assert ">Start<" not in page
    response = learner_client.post(quiz.get_absolute_url())
    assert response.status_code == 403
    assert Attempt.objects.count() == 1


def test_the_start_page_says_when_the_teacher_has_since_allowed_fewer_attempts(
    learner_client, quiz
):
    for _ in range(2):
        attempt_id = attempt_shown(started(learner_client, quiz))
        learner_client.post(take_url(quiz), {"attempt": attempt_id, **answers_for(quiz)})
    quiz.attempts_allowed = 1
    quiz.save()
    page = learner_client.get(quiz.get_absolute_url()).content.decode()
    assert "2 used; the quiz now allows 1, so none is left" in page
    assert "2 of 1 used" not in page


def test_a_closed_quiz_refuses_start_with_its_date(learner_client, quiz):
    quiz.closes_at = timezone.now() - timedelta(hours=1)
    quiz.save()
    assert "This quiz closed on" in learner_client.get(quiz.get_absolute_url()).content.decode()
    assert learner_client.post(quiz.get_absolute_url()).status_code == 403
    assert not Attempt.objects.exists()


def test_start_is_refused_without_csrf_and_for_anonymous_visitors(client, learner, quiz):
    response = client.post(quiz.get_absolute_url())
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    assert strict.post(quiz.get_absolute_url()).status_code == 403
    assert not Attempt.objects.exists()


def test_the_attempt_page_of_an_expired_attempt_finishes_it_on_the_start_page(learner_client, quiz):
    quiz.time_limit = 5
    quiz.save()
    started(learner_client, quiz)
    Attempt.objects.update(
        started_at=timezone.now() - timedelta(minutes=10),
        deadline=timezone.now() - timedelta(minutes=5),
    )
    page = learner_client.get(quiz.get_absolute_url()).content.decode()
    assert Attempt.objects.get().is_submitted
    assert ">Start a new attempt<" in page


# The summary before Finish


def test_submit_anyway_finishes_with_the_blank_scoring_zero(learner_client, quiz):
    single, multiple = quiz.questions.all()
    started(learner_client, quiz)
    data = answers_for(quiz)
    del data[f"q{multiple.id}"]
    assert finish(learner_client, quiz, data).url == summary_url(quiz)
    attempt = Attempt.objects.get()
    response = learner_client.post(take_url(quiz), {"attempt": attempt.pk, "action": "submit"})
    attempt.refresh_from_db()
    assert response.url == attempt.get_absolute_url()
    assert (attempt.marks, attempt.max_marks, attempt.percentage) == (1, 2, 50)
    assert [a.marks for a in attempt.answers.order_by("position")] == [1, 0]
    # Pressed again (back button, double click): the same result, nothing changes.
    again = learner_client.post(take_url(quiz), {"attempt": attempt.pk, "action": "submit"})
    assert again.url == attempt.get_absolute_url()
    assert Attempt.objects.get().marks == 1


def test_finishing_with_every_answer_skips_the_summary(learner_client, quiz):
    started(learner_client, quiz)
    response = finish(learner_client, quiz, answers_for(quiz))
    assert response.url == Attempt.objects.get().get_absolute_url()


def test_the_summary_links_back_to_each_question_and_shows_no_correct_answer(learner_client, quiz):
    started(learner_client, quiz)
    finish(learner_client, quiz, {"action": "finish"})
    page = learner_client.get(summary_url(quiz)).content.decode()
    for question in quiz.questions.all():
        assert f'href="{take_url(quiz)}#id_q{question.id}_fieldset"' in page
    assert "Questions 1, 2 have no answer yet." in page
    assert "correct" not in page.lower().replace("incorrect", "")
    assert 'value="submit"' in page


def test_submit_anyway_for_another_learners_attempt_is_404(learner_client, quiz):
    other = signed_in(UserFactory())
    started(other, quiz)
    theirs = Attempt.objects.get()
    response = learner_client.post(take_url(quiz), {"attempt": theirs.pk, "action": "submit"})
    assert response.status_code == 404
    assert not Attempt.objects.get().is_submitted


def test_the_summary_without_an_attempt_goes_to_the_start_page(learner_client, quiz):
    response = learner_client.get(summary_url(quiz))
    assert response.url == quiz.get_absolute_url()
    assert not Attempt.objects.exists()


def test_the_summary_after_time_is_up_submits_what_was_saved(learner_client, quiz):
    quiz.time_limit = 5
    quiz.save()
    started(learner_client, quiz)
    Attempt.objects.update(deadline=timezone.now() - timedelta(seconds=1))
    response = learner_client.get(summary_url(quiz))
    attempt = Attempt.objects.get()
    assert attempt.is_submitted and response.url == attempt.get_absolute_url()


def test_a_practice_round_has_a_summary_too(learner_client, quiz):
    attempt_id = attempt_shown(started(learner_client, quiz))
    learner_client.post(
        take_url(quiz), {"attempt": attempt_id, **answers_for(quiz, all_right=False)}
    )
    learner_client.post(reverse("quizzes:practice-new"), {"lesson": quiz.lesson.slug})
    practice = Attempt.objects.in_progress().get(practice=True)
    response = learner_client.post(practice.take_url, {"attempt": practice.pk, "action": "finish"})
    assert response.url == practice.summary_url
    assert "Submit anyway" in learner_client.get(response.url).content.decode()


# Teachers' previews


@pytest.fixture
def unpublished(db):
    quiz = QuizFactory(is_published=False, attempts_allowed=1)
    question_with_choices(quiz, correct=1, wrong=2)
    return quiz


def test_a_teacher_previews_an_unpublished_quiz_as_often_as_they_like(unpublished):
    teacher = signed_in(TeacherFactory())
    page = teacher.get(unpublished.get_absolute_url()).content.decode()
    assert "Preview" in page and "not published" in page and "Unlimited (preview)" in page
    for _ in range(3):  # the quiz allows one attempt; previews have no limit
        attempt_id = attempt_shown(started(teacher, unpublished))
        assert "This attempt counts nowhere." in teacher.get(take_url(unpublished)).content.decode()
        teacher.post(take_url(unpublished), {"attempt": attempt_id, **answers_for(unpublished)})
    assert Attempt.objects.filter(preview=True).submitted().count() == 3
    result = teacher.get(Attempt.objects.first().get_absolute_url()).content.decode()
    assert "This attempt counts nowhere." in result and "Preview this quiz again" in result


def test_the_preview_label_is_a_noun_in_polish(unpublished):
    teacher = signed_in(TeacherFactory())
    with translation.override("pl"):
        page = teacher.get(unpublished.get_absolute_url()).content.decode()
    assert '<p class="callout preview-note"><strong>Podgląd</strong>' in page
    assert "Pokaż podgląd" not in page  # the import form's button, a verb


def test_the_start_page_of_an_untimed_quiz_says_there_is_no_time_limit(learner_client, quiz):
    page = learner_client.get(quiz.get_absolute_url()).content.decode()
    assert "<dd>None: take as long as you need</dd>" in page


def test_a_preview_ignores_the_dates(quiz):
    quiz.opens_at = timezone.now() + timedelta(days=1)
    quiz.save()
    teacher = signed_in(TeacherFactory())
    assert teacher.post(quiz.get_absolute_url()).status_code == 302
    assert Attempt.objects.get().preview


def test_a_preview_of_a_quiz_that_has_closed_can_be_answered(quiz):
    """Its close is in the past: a learner's attempt would end at once, a preview does not."""
    quiz.closes_at = timezone.now() - timedelta(hours=1)
    quiz.save()
    teacher = signed_in(TeacherFactory())
    page = started(teacher, quiz).content.decode()
    attempt = Attempt.objects.get()
    assert attempt.preview and not attempt.is_submitted and attempt.ends_at is None
    assert "This attempt counts nowhere." in page and 'name="attempt"' in page
    teacher.get(reverse("quizzes:my-results"))  # where overdue attempts are finished
    assert not Attempt.objects.get().is_submitted
    response = teacher.post(take_url(quiz), {"attempt": attempt.pk, **answers_for(quiz)})
    assert response.url == attempt.get_absolute_url()
    attempt.refresh_from_db()
    assert attempt.is_submitted and attempt.percentage == 100


def test_learners_cannot_open_an_unpublished_quiz(learner_client, unpublished):
    assert learner_client.get(unpublished.get_absolute_url()).status_code == 404
    assert learner_client.post(unpublished.get_absolute_url()).status_code == 404


def test_a_teachers_results_page_after_a_preview_says_it_gives_no_grade(unpublished):
    teacher = signed_in(TeacherFactory())
    attempt_id = attempt_shown(started(teacher, unpublished))
    teacher.post(take_url(unpublished), {"attempt": attempt_id, **answers_for(unpublished)})
    page = teacher.get(reverse("quizzes:my-results")).content.decode()
    assert "No quiz has given you a grade yet" in page
    assert '<th scope="col">Best</th>' not in page  # no empty table of grades
    assert Attempt.objects.get().get_absolute_url() in page  # the preview, in every attempt
    polish = teacher.get("/pl/me/").content.decode()
    assert "Żaden quiz nie dał Ci jeszcze wyniku" in polish


def test_previews_count_in_no_teachers_figure(learner_client, quiz):
    boss = SuperuserFactory()
    admin = signed_in(boss)
    attempt_id = attempt_shown(started(admin, quiz))
    admin.post(take_url(quiz), {"attempt": attempt_id, **answers_for(quiz)})
    attempt_id = attempt_shown(started(learner_client, quiz))
    learner_client.post(
        take_url(quiz), {"attempt": attempt_id, **answers_for(quiz, all_right=False)}
    )
    dashboard = admin.get(reverse("quizzes:quiz-results", args=[quiz.slug])).content.decode()
    assert dashboard.count("<dd>1</dd>") >= 2  # one attempt, one learner
    grades = admin.get(reverse("quizzes:quiz-export", args=[quiz.slug, "grades"]))
    rows = b"".join(grades.streaming_content).decode().strip().splitlines()
    assert len(rows) == 2 and boss.username not in rows[1]
    assert Attempt.objects.graded().count() == 1


# Overrides


def rules(limit=None, attempts=0, opens=None, closes=None):
    return Rules(limit, attempts, opens, closes)


def test_the_most_generous_override_wins_setting_by_setting():
    day = timezone.now()
    quiz = rules(limit=20, attempts=2, opens=day, closes=day + timedelta(days=1))
    one = Override(time_limit=30, attempts_allowed=3)
    two = Override(time_limit=45, closes_at=day + timedelta(days=3))
    three = Override(attempts_allowed=0, opens_at=day - timedelta(days=1))
    assert most_generous(quiz, [one, two, three]) == Rules(
        45, 0, day - timedelta(days=1), day + timedelta(days=3), overridden=True
    )
    assert most_generous(quiz, [one]) == Rules(30, 3, day, day + timedelta(days=1), True)
    assert most_generous(quiz, []) == quiz


@pytest.fixture
def timed(quiz):
    quiz.time_limit = 10
    quiz.attempts_allowed = 1
    quiz.save()
    return quiz


def test_a_learner_override_gives_extra_time_from_start_to_the_finisher(
    learner, learner_client, timed
):
    Override.objects.create(quiz=timed, learner=learner, time_limit=25)
    assert "25 minutes" in learner_client.get(timed.get_absolute_url()).content.decode()
    started(learner_client, timed)
    attempt = Attempt.objects.get()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=25)
    # At 20 minutes the quiz's own limit is past, the learner's is not.
    Attempt.objects.update(started_at=timezone.now() - timedelta(minutes=20))
    Attempt.objects.update(deadline=timezone.now() + timedelta(minutes=5))
    call_command("finish_overdue_attempts", verbosity=0)
    assert not Attempt.objects.get().is_submitted


def test_an_override_counts_at_the_next_start_and_its_removal_too(
    learner, learner_client, timed, django_assert_num_queries
):
    # Which quizzes have overrides is kept with the content: a learner of a quiz with none
    # costs Start no query for them, and one set or removed meanwhile counts at once.
    learner_client.get(timed.get_absolute_url())
    # The user, the content version, an open attempt, attempts used; then the deal's writes.
    with django_assert_num_queries(8) as start:
        assert learner_client.post(timed.get_absolute_url()).status_code == 302
    assert not any("override" in query["sql"] for query in start.captured_queries)
    Attempt.objects.all().delete()
    override = Override.objects.create(quiz=timed, learner=learner, time_limit=25)
    started(learner_client, timed)
    attempt = Attempt.objects.get()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=25)
    Attempt.objects.all().delete()
    override.delete()
    started(learner_client, timed)
    attempt = Attempt.objects.get()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=timed.time_limit)


def test_a_class_override_gives_an_extra_attempt(learner, learner_client, classroom, timed):
    Override.objects.create(quiz=timed, classroom=classroom, attempts_allowed=2)
    for _ in range(2):
        attempt_id = attempt_shown(started(learner_client, timed))
        learner_client.post(take_url(timed), {"attempt": attempt_id, **answers_for(timed)})
    assert Attempt.objects.submitted().count() == 2
    assert learner_client.post(timed.get_absolute_url()).status_code == 403
    # Another learner, in no class, keeps the quiz's one attempt.
    other = signed_in(UserFactory())
    attempt_id = attempt_shown(started(other, timed))
    other.post(take_url(timed), {"attempt": attempt_id, **answers_for(timed)})
    assert other.post(timed.get_absolute_url()).status_code == 403


def test_a_later_close_lets_the_learner_start_and_the_finisher_honours_it(
    learner, learner_client, quiz
):
    now = timezone.now()
    quiz.closes_at = now - timedelta(hours=1)
    quiz.save()
    Override.objects.create(quiz=quiz, learner=learner, closes_at=now + timedelta(hours=2))
    assert "This quiz closes on" not in learner_client.get(quiz.get_absolute_url()).content.decode()
    started(learner_client, quiz)
    attempt = Attempt.objects.get()
    assert attempt.closes_at == now + timedelta(hours=2)
    call_command("finish_overdue_attempts", verbosity=0)
    assert not Attempt.objects.get().is_submitted
    Attempt.objects.update(closes_at=now - timedelta(minutes=5))
    call_command("finish_overdue_attempts", verbosity=0)
    assert Attempt.objects.get().is_submitted


def test_the_teacher_sets_an_override_on_the_class_page(teacher_client, classroom, learner, quiz):
    url = reverse("quizzes:class-override", args=[classroom.pk])
    learner.first_name, learner.last_name = "Anna", "Kowalska"
    learner.save()
    response = teacher_client.post(url, {"quiz": quiz.pk, "who": learner.pk, "time_limit": 40})
    assert response.status_code == 302
    page = teacher_client.get(response["Location"]).content.decode()
    assert f"The override for Anna Kowalska ({learner.username}) on" in page
    override = Override.objects.get()
    assert (override.learner, override.classroom, override.time_limit) == (learner, None, 40)
    assert "It replaces the earlier one" not in page
    hint = "Attempts already in progress take the new time limit and dates at once."
    assert hint in teacher_client.get(classroom.get_absolute_url()).content.decode()
    # Saving again for the same learner replaces it rather than adding a second, and says so.
    response = teacher_client.post(
        url, {"quiz": quiz.pk, "who": learner.pk, "attempts_allowed": 3}, follow=True
    )
    assert (
        "is saved. It replaces the earlier one: a setting left empty is the quiz's own again."
    ) in response.content.decode().replace("&#x27;", "'")
    override = Override.objects.get()
    assert (override.time_limit, override.attempts_allowed) == (None, 3)
    teacher_client.post(url, {"quiz": quiz.pk, "who": "class", "time_limit": 30})
    page = teacher_client.get(classroom.get_absolute_url()).content.decode()
    assert "The whole class" in page and "30 minutes" in page
    assert Override.objects.count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {"who": "class"},  # changes nothing
        {"who": "999999", "time_limit": 30},  # not a learner of the class
        {"who": "class", "time_limit": 0},
        {"who": "class", "time_limit": "abc"},
        {"who": "class", "opens_at": "2026-12-10T10:00", "closes_at": "2026-12-09T10:00"},
        {"who": "class\x00", "time_limit": 30},
        {"who": "class", "time_limit": 1441},  # past a day
        {"who": "class", "time_limit": 5000000000},
        {"who": "class", "time_limit": 2**63},
        {"who": "class", "attempts_allowed": 1001},
        {"who": "class", "attempts_allowed": 100000},
    ],
)
def test_a_bad_override_is_400_with_a_message_and_saves_nothing(
    teacher_client, classroom, quiz, data
):
    url = reverse("quizzes:class-override", args=[classroom.pk])
    response = teacher_client.post(url, {"quiz": quiz.pk, **data})
    assert response.status_code == 400
    assert not Override.objects.exists()


def test_a_time_limit_past_a_day_is_refused_with_a_message_a_day_is_not(
    teacher_client, classroom, learner, learner_client, quiz
):
    url = reverse("quizzes:class-override", args=[classroom.pk])
    response = teacher_client.post(url, {"quiz": quiz.pk, "who": "class", "time_limit": 1441})
    assert response.status_code == 400
    assert "A time limit can be at most 1440 minutes (a day)." in response.content.decode()
    response = teacher_client.post(url, {"quiz": quiz.pk, "who": "class", "time_limit": 1440})
    assert response.status_code == 302
    started(learner_client, quiz)
    attempt = Attempt.objects.get()
    assert attempt.deadline == attempt.started_at + timedelta(days=1)


@pytest.mark.parametrize("minutes", [0, -5])
def test_a_time_limit_under_a_minute_is_refused_with_the_same_message(
    teacher_client, classroom, quiz, minutes
):
    """Not Django's "greater than or equal to 0" for a negative one and ours for 0."""
    url = reverse("quizzes:class-override", args=[classroom.pk])
    response = teacher_client.post(url, {"quiz": quiz.pk, "who": "class", "time_limit": minutes})
    assert response.status_code == 400
    page = response.content.decode()
    assert "A time limit must be at least one minute and at most a day." in page
    assert "greater than or equal" not in page
    assert not Override.objects.exists()
    admin_page = teacher_client.post(
        reverse("admin:quizzes_quiz_change", args=[quiz.pk]),
        {"title_en": quiz.title, "time_limit": minutes},
    ).content.decode()
    assert "A time limit must be at least one minute and at most a day." in admin_page
    assert "greater than or equal" not in admin_page


@pytest.mark.parametrize(
    "times",
    [
        {"opens_at": "0001-01-01T00:00"},
        {"closes_at": "0001-01-01T00:30"},
        {"closes_at": "1999-12-31T23:00"},
        {"closes_at": "3000-01-01T00:00"},
        {"closes_at": "2999-12-31T23:59-12:00"},  # forged: the year 3000 in UTC
    ],
)
def test_a_time_outside_the_school_calendar_is_refused_not_a_crash(
    teacher_client, classroom, learner, quiz, times
):
    """Before 01:00 on 1 January of the year 1 in Warsaw there is no UTC time to store."""
    message = "Enter a date between the years 2000 and 2999."
    url = reverse("quizzes:class-override", args=[classroom.pk])
    response = teacher_client.post(url, {"quiz": quiz.pk, "who": learner.pk, **times})
    assert response.status_code == 400
    assert message in response.content.decode()
    admin_add = teacher_client.post(
        reverse("admin:quizzes_override_add"), {"quiz": quiz.pk, "learner": learner.pk, **times}
    )
    assert message in admin_add.content.decode()
    assert not Override.objects.exists()
    admin_change = teacher_client.post(
        reverse("admin:quizzes_quiz_change", args=[quiz.pk]), {"title_en": quiz.title, **times}
    )
    assert message in admin_change.content.decode()
    quiz.refresh_from_db()
    assert quiz.opens_at is None and quiz.closes_at is None


def test_a_teacher_cannot_set_or_remove_overrides_in_another_teachers_class(
    teacher_client, learner, quiz
):
    theirs = Classroom.objects.create(name="Theirs", teacher=TeacherFactory())
    enrol(theirs, learner)
    url = reverse("quizzes:class-override", args=[theirs.pk])
    assert (
        teacher_client.post(url, {"quiz": quiz.pk, "who": "class", "time_limit": 9}).status_code
        == 404
    )
    override = Override.objects.create(quiz=quiz, classroom=theirs, time_limit=9)
    delete = reverse("quizzes:class-override-delete", args=[theirs.pk, override.pk])
    assert teacher_client.post(delete).status_code == 404
    assert Override.objects.exists()


def test_the_teacher_removes_an_override(teacher_client, classroom, quiz):
    override = Override.objects.create(quiz=quiz, classroom=classroom, time_limit=9)
    delete = reverse("quizzes:class-override-delete", args=[classroom.pk, override.pk])
    assert teacher_client.post(delete).status_code == 302
    assert not Override.objects.exists()


def test_the_admin_lists_only_the_teachers_own_overrides(teacher_client, classroom, learner, quiz):
    mine = Override.objects.create(quiz=quiz, classroom=classroom, time_limit=9)
    stranger = UserFactory(username="stranger")
    Override.objects.create(quiz=quiz, learner=stranger, time_limit=99)
    page = teacher_client.get(reverse("admin:quizzes_override_changelist")).content.decode()
    assert reverse("admin:quizzes_override_change", args=[mine.pk]) in page
    assert "stranger" not in page
    add = teacher_client.get(reverse("admin:quizzes_override_add")).content.decode()
    assert learner.username in add and "stranger" not in add


# Overrides and timing changes reach attempts in progress


def running(client, quiz, minutes_ago):
    """Start `quiz` as `client`'s learner, as if `minutes_ago` minutes ago."""
    started(client, quiz)
    attempt = Attempt.objects.in_progress().get(quiz=quiz, learner=client.user)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=attempt.started_at - timedelta(minutes=minutes_ago),
        deadline=attempt.deadline - timedelta(minutes=minutes_ago),
    )
    attempt.refresh_from_db()
    return attempt


@pytest.fixture
def classmate(classroom):
    other = UserFactory(username="classmate")
    enrol(classroom, other)
    return other


def test_extra_time_set_on_the_class_page_reaches_the_learner_already_answering(
    teacher_client, classroom, learner, learner_client, classmate, timed
):
    learner_client.user = learner
    mine = running(learner_client, timed, minutes_ago=8)
    theirs_client = signed_in(classmate)
    theirs_client.user = classmate
    theirs = running(theirs_client, timed, minutes_ago=8)
    url = reverse("quizzes:class-override", args=[classroom.pk])
    response = teacher_client.post(
        url, {"quiz": timed.pk, "who": learner.pk, "time_limit": 40}, follow=True
    )
    assert MOVED_ONE in response.content.decode()
    mine.refresh_from_db()
    assert mine.deadline == mine.started_at + timedelta(minutes=40)
    theirs.refresh_from_db()
    assert theirs.deadline == theirs.started_at + timedelta(minutes=10)  # not theirs
    page = learner_client.get(take_url(timed)).content.decode()
    assert "about 32 minutes" in page
    # The whole class: the classmate's running attempt follows too; the learner keeps the
    # more generous of the two.
    response = teacher_client.post(
        url, {"quiz": timed.pk, "who": "class", "time_limit": 20}, follow=True
    )
    assert "It also reaches 1 attempt in progress" in response.content.decode()
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.deadline == theirs.started_at + timedelta(minutes=20)
    assert mine.deadline == mine.started_at + timedelta(minutes=40)


def test_finished_attempts_and_other_classes_learners_keep_their_times(
    teacher_client, classroom, learner, learner_client, timed
):
    finished_id = attempt_shown(started(learner_client, timed))
    learner_client.post(take_url(timed), {"attempt": finished_id, **answers_for(timed)})
    finished = Attempt.objects.get(pk=finished_id)
    outsider = signed_in(UserFactory(username="outsider"))
    outsider.user = User.objects.get(username="outsider")
    theirs = running(outsider, timed, minutes_ago=1)
    url = reverse("quizzes:class-override", args=[classroom.pk])
    response = teacher_client.post(
        url, {"quiz": timed.pk, "who": "class", "time_limit": 30}, follow=True
    )
    assert "attempt in progress" not in response.content.decode()
    assert Attempt.objects.get(pk=finished_id).deadline == finished.deadline
    assert Attempt.objects.get(pk=theirs.pk).deadline == theirs.deadline


def test_removing_extra_time_ends_an_overrun_attempt_now_not_in_the_past(
    teacher_client, classroom, learner, learner_client, timed
):
    override = Override.objects.create(quiz=timed, learner=learner, time_limit=25)
    learner_client.user = learner
    attempt = running(learner_client, timed, minutes_ago=15)
    assert attempt.deadline == attempt.started_at + timedelta(minutes=25)
    delete = reverse("quizzes:class-override-delete", args=[classroom.pk, override.pk])
    before = timezone.now()
    response = teacher_client.post(delete, follow=True)
    assert "The override is removed. It also reaches 1 attempt" in response.content.decode()
    attempt.refresh_from_db()
    # The quiz's own 10 minutes ran out 5 minutes ago: the attempt ends now, with the answers
    # it saved until now, and the learner's next page finishes it.
    assert before <= attempt.deadline <= timezone.now()
    assert not attempt.is_submitted
    Attempt.objects.filter(pk=attempt.pk).update(deadline=attempt.deadline - timedelta(minutes=1))
    learner_client.get(reverse("quizzes:my-results"))
    attempt.refresh_from_db()
    assert attempt.is_submitted


def test_overrides_changed_in_the_admin_reach_attempts_in_progress(
    teacher_client, classroom, learner, learner_client, timed
):
    learner_client.user = learner
    attempt = running(learner_client, timed, minutes_ago=5)
    response = teacher_client.post(
        reverse("admin:quizzes_override_add"),
        {"quiz": timed.pk, "learner": learner.pk, "time_limit": "45"},
        follow=True,
    )
    assert "It also reaches 1 attempt in progress" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=45)
    override = Override.objects.get()
    response = teacher_client.post(
        reverse("admin:quizzes_override_changelist"),
        {"action": "delete_selected", "_selected_action": [override.pk], "post": "yes"},
        follow=True,
    )
    assert not Override.objects.exists()
    assert "It also reaches 1 attempt in progress" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=10)


def test_the_admins_delete_action_removes_nothing_if_attempts_cannot_follow(
    teacher_client, classroom, learner, timed, monkeypatch
):
    override = Override.objects.create(quiz=timed, learner=learner, time_limit=45)

    def fails(*args, **kwargs):
        raise RuntimeError("the attempts could not be updated")

    monkeypatch.setattr("quizzes.admin.attempts_follow_rules", fails)
    with pytest.raises(RuntimeError):
        teacher_client.post(
            reverse("admin:quizzes_override_changelist"),
            {"action": "delete_selected", "_selected_action": [override.pk], "post": "yes"},
        )
    assert Override.objects.filter(pk=override.pk).exists()


def test_an_admin_edit_of_an_override_updates_its_learners_attempts_once(
    teacher_client, classroom, learner, timed, monkeypatch
):
    from quizzes import admin as quiz_admin

    override = Override.objects.create(quiz=timed, learner=learner, time_limit=45)
    calls = []

    def counted(quiz, learner_ids=None):
        calls.append((quiz.pk, sorted(learner_ids)))
        return 0

    monkeypatch.setattr(quiz_admin, "attempts_follow_rules", counted)
    change = reverse("admin:quizzes_override_change", args=[override.pk])
    data = {"quiz": timed.pk, "learner": learner.pk, "time_limit": "50"}
    assert teacher_client.post(change, data).status_code == 302
    assert calls == [(timed.pk, [learner.pk])]
    # Moved to the whole class: its learners now, and the learner it was for before.
    calls.clear()
    data = {"quiz": timed.pk, "classroom": classroom.pk, "time_limit": "50"}
    assert teacher_client.post(change, data).status_code == 302
    assert calls == [(timed.pk, [learner.pk]), (timed.pk, [learner.pk])]


def test_a_new_time_limit_for_the_quiz_reaches_every_attempt_in_progress(
    teacher_client, learner, learner_client, timed
):
    from .test_admin import quiz_change_data

    learner_client.user = learner
    attempt = running(learner_client, timed, minutes_ago=5)
    started(teacher_client, timed)  # the teacher's own preview: it follows, uncounted
    preview = Attempt.objects.get(preview=True)
    url = reverse("admin:quizzes_quiz_change", args=[timed.pk])
    response = teacher_client.post(
        url, quiz_change_data(teacher_client, timed, time_limit="30"), follow=True
    )
    assert "It also reaches 1 attempt in progress" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=30)
    preview.refresh_from_db()
    assert preview.deadline == preview.started_at + timedelta(minutes=30)
    # Saving the quiz without touching its timing leaves attempts alone.
    Attempt.objects.filter(pk=attempt.pk).update(deadline=attempt.started_at)
    response = teacher_client.post(url, quiz_change_data(teacher_client, timed), follow=True)
    assert "attempt in progress" not in response.content.decode()
    assert Attempt.objects.get(pk=attempt.pk).deadline == attempt.started_at


def test_the_countdown_at_zero_finishes_only_when_the_servers_time_is_up(
    learner, learner_client, timed
):
    learner_client.user = learner
    attempt = running(learner_client, timed, minutes_ago=2)
    # The page's countdown says zero, but the server gives 8 minutes more: save, stay.
    data = {"attempt": attempt.pk, "action": "time-up", **answers_for(timed, attempt=attempt)}
    response = learner_client.post(take_url(timed), data, follow=True)
    page = response.content.decode()
    assert "You have more time: the time limit was changed. Your answers are saved." in page
    assert "about 8 minutes" in page
    attempt.refresh_from_db()
    assert not attempt.is_submitted
    assert all(answer.selected for answer in attempt.answers.all())
    # Within the countdown's slack, blanks and all, the attempt is finished, not summarised.
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(seconds=3))
    response = learner_client.post(take_url(timed), {"attempt": attempt.pk, "action": "time-up"})
    assert response["Location"] == attempt.get_absolute_url()
    assert Attempt.objects.get(pk=attempt.pk).is_submitted


def test_a_background_save_says_how_many_seconds_are_left(learner, learner_client, timed):
    learner_client.user = learner
    attempt = running(learner_client, timed, minutes_ago=2)
    response = learner_client.post(
        take_url(timed),
        {"attempt": attempt.pk, "action": "save"},
        headers={"X-Quizsite-Autosave": "1"},
    )
    assert response.status_code == 204
    assert 475 <= int(response["X-Quizsite-Seconds-Left"]) <= 480
    Attempt.objects.filter(pk=attempt.pk).update(deadline=None)
    response = learner_client.post(
        take_url(timed),
        {"attempt": attempt.pk, "action": "save"},
        headers={"X-Quizsite-Autosave": "1"},
    )
    assert response.status_code == 204
    assert "X-Quizsite-Seconds-Left" not in response


# Wording


def test_try_this_quiz_again_is_gone_after_the_last_attempt(learner_client, quiz):
    quiz.attempts_allowed = 2
    quiz.save()
    for expected in (True, False):
        attempt_id = attempt_shown(started(learner_client, quiz))
        learner_client.post(take_url(quiz), {"attempt": attempt_id, **answers_for(quiz)})
        page = learner_client.get(Attempt.objects.first().get_absolute_url()).content.decode()
        assert ("Try this quiz again" in page) is expected
    assert "You have used every attempt this quiz allows." in page


def test_an_override_that_limits_an_unlimited_quiz_ends_try_this_quiz_again(
    learner_client, classroom, quiz
):
    assert quiz.attempts_allowed == 0
    Override.objects.create(quiz=quiz, classroom=classroom, attempts_allowed=2)
    for expected in (True, False):
        attempt_id = attempt_shown(started(learner_client, quiz))
        data = {"attempt": attempt_id, **answers_for(quiz, all_right=False)}
        learner_client.post(take_url(quiz), data)
        page = learner_client.get(Attempt.objects.first().get_absolute_url()).content.decode()
        assert ("Try this quiz again" in page) is expected
        heading = "✗ Not passed yet" if expected else "✗ Not passed<"
        assert f'<h2 id="score-heading">{heading}' in page
    assert "You have used every attempt this quiz allows." in page


def test_review_my_mistakes_on_an_unattempted_lesson_does_not_say_all_was_right(
    learner_client, quiz
):
    response = learner_client.post(
        reverse("quizzes:practice-new"), {"lesson": quiz.lesson.slug}, follow=True
    )
    page = response.content.decode()
    assert "Nothing to practise yet" in page
    assert "every question there was right" not in page


def test_an_attempt_begun_in_polish_shows_in_english_after_switching(learner_client, quiz):
    for question in quiz.questions.all():
        question.text_pl = f"Po polsku: {question.text_en}"
        question.explanation_pl = "Wyjaśnienie."
        question.save()
        for choice in question.choices.all():
            choice.text_pl = f"PL {choice.text_en}"
            choice.feedback_pl = "Informacja zwrotna."
            choice.save()
    english_url = take_url(quiz)
    learner_client.post(quiz.get_absolute_url().replace("/en/", "/pl/", 1))
    assert Attempt.objects.get().language == "pl"
    polish = learner_client.get(english_url.replace("/en/", "/pl/", 1)).content.decode()
    english = learner_client.get(english_url).content.decode()
    assert "Po polsku: Who may ask for consultations?" in polish
    assert "Po polsku" not in english and "Who may ask for consultations?" in english


def test_removing_a_learner_takes_away_the_class_and_their_own_extra_time_at_once(
    teacher_client, classroom, learner, learner_client, timed
):
    """Their own override would stay in force unseen: no class would show it to a teacher."""
    Override.objects.create(quiz=timed, learner=learner, time_limit=25)
    started(learner_client, timed)
    attempt = Attempt.objects.get()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=25)
    url = reverse("quizzes:class-remove", args=[classroom.pk, learner.pk])
    page = teacher_client.post(url, follow=True).content.decode()
    assert "Their own override is removed too: no other class of theirs shows it." in page
    assert MOVED_ONE in page
    assert not Override.objects.exists()
    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=10)


def test_a_learner_in_another_class_keeps_their_own_override(
    teacher_client, teacher, classroom, learner, timed
):
    other = Classroom.objects.create(name="Class 3C", teacher=teacher)
    enrol(other, learner)
    Override.objects.create(quiz=timed, learner=learner, time_limit=25)
    url = reverse("quizzes:class-remove", args=[classroom.pk, learner.pk])
    page = teacher_client.post(url, follow=True).content.decode()
    assert "was removed from the class." in page and "removed too" not in page
    assert Override.objects.get().time_limit == 25
    assert "25 minutes" in teacher_client.get(other.get_absolute_url()).content.decode()


def test_joining_a_class_gives_its_extra_time_to_the_attempt_in_progress(teacher, timed):
    classroom = Classroom.objects.create(name="Class 3D", teacher=teacher)
    Override.objects.create(quiz=timed, classroom=classroom, time_limit=30)
    learner = UserFactory()
    client = signed_in(learner)
    started(client, timed)
    attempt = Attempt.objects.get()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=10)
    response = client.post(reverse("quizzes:join-form"), {"code": classroom.join_code})
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=30)


def test_attempts_allowed_past_a_thousand_are_refused_with_the_same_message_everywhere(
    teacher_client, classroom, quiz
):
    """SQLite keeps any number in the column: Django's own limit read 9223372036854775807."""
    url = reverse("quizzes:class-override", args=[classroom.pk])
    data = {"quiz": quiz.pk, "who": "class", "attempts_allowed": 100000}
    page = teacher_client.post(url, data).content.decode()
    assert "At most 1000 attempts can be allowed; 0 means unlimited." in page
    assert "9223372036854775807" not in page and "32767" not in page
    teacher_client.post(url, {**data, "attempts_allowed": 1000})
    assert Override.objects.get().attempts_allowed == 1000
