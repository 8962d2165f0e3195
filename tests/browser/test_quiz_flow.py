"""The quiz flow of issue 19 in a real browser, on a phone and a desktop: the start page, the
summary with a blank, a teacher's preview, and an override giving a learner extra time."""

import re

import pytest

from quizzes.models import Attempt, Classroom, Membership, Override

from ..factories import QuizFactory, TeacherFactory, UserFactory, question_with_choices
from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quiz(db):
    quiz = QuizFactory(title="Article 4 check", time_limit=10)
    question_with_choices(quiz, correct=1, wrong=2, order=1, text="Who may ask for talks?")
    question_with_choices(quiz, correct=1, wrong=2, order=2, text="Where do allies consult?")
    return quiz


def test_start_a_quiz_leave_a_blank_and_submit_anyway(live_server, page, quiz):
    UserFactory(username="ola")
    sign_in(page, live_server.url, "ola")
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    assert "10 minutes, from the moment you press Start" in page.content()
    assert_accessible(page, "start page")
    assert not Attempt.objects.exists()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/attempt/")
    page.locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Finish and see my result").click()
    page.wait_for_url("**/attempt/summary/")
    assert "Question 2 has no answer yet." in page.content()
    assert page.locator("tr.unanswered").count() == 1
    assert_accessible(page, "summary with a blank")
    # The start page now offers to continue the attempt, not a new one.
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    assert page.get_by_role("link", name="Continue").is_visible()
    assert_accessible(page, "start page with an attempt in progress")
    page.go_back()
    page.get_by_role("button", name="Submit anyway").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/"))
    attempt = Attempt.objects.get()
    assert attempt.is_submitted and attempt.answers.filter(marks=0).count() >= 1
    assert_accessible(page, "result after submitting anyway")
    assert page.problems == []


def test_finishing_in_an_older_tab_keeps_what_a_newer_tab_chose_for_questions_left_alone(
    live_server, page, quiz
):
    UserFactory(username="two-tabs")
    sign_in(page, live_server.url, "two-tabs")
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/attempt/")
    newer = page.context.new_page()  # opened later; tab A stays as it was
    newer.goto(page.url)
    first, second = newer.locator("fieldset"), page.locator("fieldset")
    first.first.locator("input").nth(2).check()  # tab B: the first question
    newer.wait_for_function("() => !document.getElementById('autosave-saved').hidden")
    newer.close()
    second.nth(1).locator("input").nth(0).check()  # tab A: only the second question
    page.wait_for_function("() => !document.getElementById('autosave-saved').hidden")
    page.get_by_role("button", name="Finish and see my result").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/"))
    answers = list(Attempt.objects.get().answers.order_by("position"))
    assert answers[0].chosen == 1 << 2 and answers[1].chosen == 1 << 0  # each tab's own


def test_a_tab_left_open_after_another_finished_goes_to_the_result_and_says_why(
    live_server, page, quiz
):
    UserFactory(username="ola")
    sign_in(page, live_server.url, "ola")
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/attempt/")
    other = page.context.new_page()
    other.goto(page.url)
    other.locator("input[type=radio]").first.check()
    other.get_by_role("button", name="Finish and see my result").click()
    other.get_by_role("button", name="Submit anyway").click()
    other.wait_for_url(re.compile(r"/attempts/\d+/"))
    other.close()
    page.locator("input[type=radio]").nth(3).check()  # the first tab saves in the background
    page.wait_for_url(re.compile(r"/attempts/\d+/"))
    assert "the answers you chose since were not saved" in page.content()
    # The browser logs the save's 409 as a failed load; nothing else went wrong.
    assert [p for p in page.problems if "409 (Conflict)" not in p] == []
    # Said once: the page left sends no second save (as its tab hides) to say it again.
    page.goto(f"{live_server.url}/en/me/")
    assert "not saved" not in page.content() and "already submitted" not in page.content()


def test_finishing_right_after_a_change_leaves_no_stale_message_behind(live_server, page, quiz):
    """The background save a change schedules is dropped when Finish sends the answers: it
    used to run as the page was left, reach the server after Finish, and put "already
    submitted" on the learner's next page."""
    UserFactory(username="ola")
    sign_in(page, live_server.url, "ola")
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/attempt/")
    page.locator("input[type=radio]").first.check()
    page.locator("input[type=radio]").nth(3).check()
    page.get_by_role("button", name="Finish and see my result").click()  # within 800 ms
    page.wait_for_url(re.compile(r"/attempts/\d+/"))
    assert "already submitted" not in page.content()
    page.wait_for_timeout(1500)  # past the save that was waiting
    page.get_by_role("link", name="My results").first.click()
    page.wait_for_url("**/me/")
    assert "already submitted" not in page.content()
    assert Attempt.objects.get().answers.exclude(chosen=None).count() == 2
    assert page.problems == []


def test_without_javascript_the_quiz_pages_switch_keeps_a_just_ticked_answer(
    live_server, browser, quiz
):
    UserFactory(username="ola")
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    sign_in(page, live_server.url, "ola")
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/en/quizzes/**/attempt/")
    page.locator("input[type=radio]").first.check()  # not saved: no script runs
    page.get_by_role("button", name="Zapisz i czytaj po polsku").click()
    page.wait_for_url("**/pl/quizzes/**/attempt/")
    assert "Twoje odpowiedzi zostały zapisane." in page.content()
    assert page.locator("input[type=radio]").first.is_checked()
    assert Attempt.objects.get().answers.exclude(chosen=None).count() == 1
    context.close()


def test_a_teacher_previews_an_unpublished_quiz(live_server, page, quiz):
    quiz.is_published = False
    quiz.save()
    TeacherFactory(username="teach")
    sign_in(page, live_server.url, "teach")
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    assert page.locator(".preview-note").is_visible()
    assert "not published" in page.content()
    assert_accessible(page, "preview start page")
    page.get_by_role("button", name="Start a preview").click()
    page.wait_for_url("**/attempt/")
    assert "This attempt counts nowhere." in page.content()
    assert_accessible(page, "preview questions")
    for group in ("Who may ask for talks?", "Where do allies consult?"):
        page.get_by_role("group", name=re.compile(re.escape(group))).locator("input").first.check()
    page.get_by_role("button", name="Finish and see my result").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/"))
    assert "This attempt counts nowhere." in page.content()
    assert_accessible(page, "preview result")
    assert Attempt.objects.get().preview
    assert not Attempt.objects.graded().exists()


def test_a_teacher_gives_a_learner_extra_time(live_server, page, quiz):
    teacher = TeacherFactory(username="teach")
    learner = UserFactory(username="ola", first_name="Ola", last_name="Nowak")
    classroom = Classroom.objects.create(name="3B", teacher=teacher)
    Membership.objects.create(classroom=classroom, learner=learner)
    sign_in(page, live_server.url, "teach")
    page.goto(f"{live_server.url}{classroom.get_absolute_url()}")
    assert_accessible(page, "class page with the override form")
    page.get_by_label("Quiz").select_option(label=str(quiz))
    page.get_by_label("For").select_option(label="Ola Nowak (ola)")
    page.get_by_label("Time limit (minutes)").fill("25")
    page.get_by_role("button", name="Save the override").click()
    page.wait_for_load_state()
    assert "25 minutes" in page.locator(".overrides table").inner_text()
    assert_accessible(page, "class page with an override")
    assert Override.objects.get().time_limit == 25

    page.context.clear_cookies()
    sign_in(page, live_server.url, "ola")
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    assert "25 minutes, from the moment you press Start" in page.content()
    assert "changed some of these settings for you" in page.content()
    assert_accessible(page, "start page with extra time")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/attempt/")
    assert re.fullmatch(r"2[45]:\d\d", page.locator(".timer-clock").inner_text())
    assert_accessible(page, "quiz with extra time")
