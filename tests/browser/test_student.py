"""A student in a real browser, using only the keyboard, on a phone and on a desktop."""

import re

import pytest

from quizzes.models import Attempt, Question

from ..conftest import values_shown
from ..factories import QuizFactory, question_with_choices
from .conftest import assert_accessible, tab_to

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def course(db):
    quiz = QuizFactory(
        title="Article 4 basics",
        lesson__title="Article 4: consultation",
        lesson__body="## What it says\n\nAllies **consult** when one of them feels threatened.",
    )
    question_with_choices(quiz, correct=1, wrong=2, order=1, text="Who may ask for talks?")
    multiple = question_with_choices(
        quiz, correct=2, wrong=1, kind=Question.Kind.MULTIPLE, order=2, text="Which are true?"
    )
    for n, choice in enumerate(multiple.choices.all()):
        choice.text = ["It is about threats", "It is about talks", "It obliges war"][n]
        choice.save()
    return quiz


def test_sign_up_read_take_the_quiz_by_keyboard_and_find_the_result(live_server, page, course):
    page.goto(f"{live_server.url}/en/accounts/signup/")
    assert_accessible(page, "sign-up")
    tab_to(page, "Username")
    page.keyboard.type("ola")
    tab_to(page, "Password")
    page.keyboard.type("a-long-and-good-password-7")
    tab_to(page, "Password confirmation")
    page.keyboard.type("a-long-and-good-password-7")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/en/")
    assert "Welcome, ola" in page.content()
    assert_accessible(page, "home, signed in")

    tab_to(page, "Article 4: consultation")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/lessons/"))
    assert page.get_by_role("heading", name="What it says").is_visible()
    assert_accessible(page, "lesson")

    tab_to(page, "Take the quiz")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/quizzes/[^/]+/$"))
    assert_accessible(page, "start page")
    assert not Attempt.objects.exists()  # looking at the quiz starts nothing
    tab_to(page, "Start")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/quizzes/[^/]+/attempt/$"))
    assert_accessible(page, "quiz")
    # Question 1 is left unanswered; question 2: tick both right answers with Space.
    multiple = Question.objects.get(text="Which are true?")
    for choice in multiple.choices.filter(is_correct=True):
        tab_to(page, choice.text)
        page.keyboard.press("Space")
    tab_to(page, "Finish and see my result")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/attempt/summary/$"))
    assert "Question 1 has no answer yet." in page.content()
    assert_accessible(page, "summary with a blank")
    # Back to question 1 by its link: the answers given are kept.
    tab_to(page, "Question 1")
    if page.evaluate("document.activeElement.tagName") != "A":  # the table's scroll region
        tab_to(page, "Question 1")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/attempt/#id_q\d+_fieldset$"))
    assert page.locator("input[type=checkbox]:checked").count() == 2  # kept

    # Answer question 1 with the arrow keys inside its radio group.
    single = Question.objects.get(text="Who may ask for talks?")
    [right] = values_shown(single, [single.choices.get(is_correct=True).id])
    first_radio = page.locator(f"input[name=q{single.id}]").first
    first_radio.focus()
    for _ in range(3):
        if page.evaluate("document.activeElement.value") == right:
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    tab_to(page, "Finish and see my result")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/attempts/\d+/"))
    assert "2 out of 2 marks (100%)" in page.content()
    assert_accessible(page, "result")

    tab_to(page, "My results")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/me/$"))
    attempt = Attempt.objects.get(learner__username="ola")
    assert page.locator(f"a[href='/en/attempts/{attempt.pk}/']").count() == 1
    assert_accessible(page, "my results")
    assert page.problems == []
