"""A timed quiz that finishes itself at the deadline, and a teacher's admin-to-CSV journey."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from quizzes.models import Attempt, Classroom, Membership, Override, Question
from quizzes.taking.attempts import attempt_finish, attempt_start, attempts_follow_rules

from ..conftest import values_shown
from ..factories import QuizFactory, TeacherFactory, UserFactory, question_with_choices
from .conftest import DESKTOP, assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_timed_quiz_shows_the_time_left_and_finishes_at_the_deadline(live_server, page):
    quiz = QuizFactory(time_limit=10, title="Timed")
    question = question_with_choices(quiz, correct=1, wrong=1, text="Quick one?")
    UserFactory(username="timed")
    sign_in(page, live_server.url, "timed")
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    assert "10 minutes, from the moment you press Start" in page.content()
    assert not Attempt.objects.exists()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/attempt/")
    # The page says "about 10 minutes"; with JavaScript the countdown replaces it.
    assert re.fullmatch(r"9:5\d|10:00", page.locator(".timer-clock").inner_text())
    assert_accessible(page, "timed quiz")
    # Bring the deadline close, then reload: the server is the clock.
    Attempt.objects.update(deadline=timezone.now() + timedelta(seconds=4))
    page.reload()
    clock = page.locator(".timer-clock")
    assert re.fullmatch(r"0:0[0-4]", clock.inner_text())
    assert page.locator(".timer-announcer").get_attribute("aria-live") == "polite"
    [right] = values_shown(question, [question.choices.get(is_correct=True).id])
    page.locator(f"input[name=q{question.id}][value='{right}']").check()
    page.wait_for_url(re.compile(r"/attempts/\d+/"), timeout=15000)
    assert "Time is up" in page.content()
    attempt = Attempt.objects.get()
    assert attempt.is_submitted and attempt.marks == 1  # the answer ticked in time counted
    assert_accessible(page, "result after time up")


def test_the_summary_of_a_timed_quiz_counts_down_and_submits_at_the_deadline(live_server, page):
    quiz = QuizFactory(time_limit=10, title="Timed summary")
    for order in (1, 2):
        question_with_choices(quiz, correct=1, wrong=1, order=order)
    UserFactory(username="summary")
    sign_in(page, live_server.url, "summary")
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/attempt/")
    page.locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Finish and see my result").click()
    page.wait_for_url("**/attempt/summary/")
    assert re.fullmatch(r"9:5\d|10:00", page.locator(".timer-clock").inner_text())
    assert_accessible(page, "summary of a timed quiz")
    Attempt.objects.update(deadline=timezone.now() + timedelta(seconds=3))
    page.reload()
    assert re.fullmatch(r"0:0[0-3]", page.locator(".timer-clock").inner_text())
    page.wait_for_url(re.compile(r"/attempts/\d+/"), timeout=15000)
    attempt = Attempt.objects.get()
    assert attempt.is_submitted and attempt.answers.exclude(chosen=None).count() == 1


def test_extra_time_given_during_the_quiz_reaches_the_open_page(live_server, page):
    quiz = QuizFactory(time_limit=10, title="Timed")
    question = question_with_choices(quiz, correct=1, wrong=1, text="Quick one?")
    learner = UserFactory(username="timed")
    sign_in(page, live_server.url, "timed")
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/attempt/")
    clock = page.locator(".timer-clock")
    assert re.fullmatch(r"9:5\d|10:00", clock.inner_text())
    # The teacher gives the learner 40 minutes; the next background save brings the new time.
    Override.objects.create(quiz=quiz, learner=learner, time_limit=40)
    assert attempts_follow_rules(quiz) == 1
    [right] = values_shown(question, [question.choices.get(is_correct=True).id])
    page.locator(f"input[name=q{question.id}][value='{right}']").check()
    page.wait_for_function(
        "() => /^(39:[0-5]\\d|40:00)$/.test(document.querySelector('.timer-clock').textContent)"
    )
    # A countdown that reaches zero before it learns of extra time does not end the attempt.
    Attempt.objects.update(deadline=timezone.now() + timedelta(seconds=3))
    page.reload()
    assert re.fullmatch(r"0:0[0-3]", clock.inner_text())
    Attempt.objects.update(deadline=timezone.now() + timedelta(minutes=10))
    page.get_by_text("You have more time").wait_for(timeout=15000)
    assert re.fullmatch(r"9:5\d|10:00", clock.inner_text())
    attempt = Attempt.objects.get()
    assert not attempt.is_submitted
    assert [a.selected for a in attempt.answers.all()] != [[]]  # the ticked answer kept


@pytest.mark.parametrize("viewport", [DESKTOP], ids=["desktop"])
def test_a_teacher_authors_a_question_fixes_its_key_and_downloads_results(
    live_server, page, tmp_path
):
    teacher = TeacherFactory(username="teach")
    quiz = QuizFactory(title="Teacher's quiz", slug="teachers-quiz")
    question_with_choices(quiz, correct=1, wrong=1, text="Existing question?")
    learner = UserFactory(username="pupil", first_name="Ola", last_name="Nowak")
    classroom = Classroom.objects.create(name="3B", teacher=teacher)
    Membership.objects.create(classroom=classroom, learner=learner)

    sign_in(page, live_server.url, "teach")
    page.goto(f"{live_server.url}/en/admin/quizzes/question/add/")
    page.locator("#id_quiz").select_option(label=str(quiz))
    page.locator("#id_text_en").fill("Which article is about consultation?")
    page.locator("#id_explanation_en").fill("Article 4 is the consultation clause.")
    page.locator("#id_source_title").fill("The North Atlantic Treaty")
    page.locator("#id_source_url").fill("https://www.nato.int/archives/1st5years/annexes/a.htm")
    for n, text in enumerate(["Article 4", "Article 5"]):
        page.locator(f"#id_choices-{n}-text_en").fill(text)
        page.locator(f"#id_choices-{n}-feedback_en").fill(f"About {text}.")
        page.locator(f"#id_choices-{n}-is_correct").check()  # both right: a bad key
    page.locator("input[name=_save]").click()
    page.locator(".errorlist").first.wait_for()
    assert "needs exactly one correct choice; this one has 2" in page.locator("body").inner_text()
    assert_accessible(page, "admin question form with an error")
    assert not Question.objects.filter(text__startswith="Which article").exists()
    page.locator("#id_choices-1-is_correct").uncheck()
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/quizzes/question/$"))
    created = Question.objects.get(text="Which article is about consultation?")
    assert created.choices.get(is_correct=True).text == "Article 4"

    # The learner takes the quiz; the teacher studies the results.
    attempt = attempt_start(learner=learner, quiz=quiz)
    right_first = {
        a.question_key: [next(c["id"] for c in a.snapshot["choices"] if c["is_correct"])]
        for a in attempt.answers.all()
        if a.question_key == quiz.questions.get(text="Existing question?").pk
    }
    attempt_finish(attempt=attempt, selections=right_first)
    page.goto(f"{live_server.url}/en/results/quiz/teachers-quiz/")
    assert page.get_by_role("heading", name="Item analysis").is_visible()
    assert_accessible(page, "dashboard")
    with page.expect_download() as info:
        page.get_by_role("link", name="Grades: CSV", exact=True).click()
    download = info.value
    assert re.fullmatch(r"grades-teachers-quiz-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [(r["last name"], r["first name"], r["class"], r["grade (%)"]) for r in rows] == [
        ("Nowak", "Ola", "3B", "50.00")
    ]
    for url in ("/en/results/", "/en/classes/", f"/en/classes/{classroom.pk}/"):
        page.goto(f"{live_server.url}{url}")
        assert_accessible(page, url)
