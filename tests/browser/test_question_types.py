"""A student answers a true/false question and a question with bold text in a real browser."""

import re

import pytest

from quizzes.models import Attempt, Question

from ..factories import ChoiceFactory, QuestionFactory, QuizFactory, UserFactory
from .conftest import assert_accessible, sign_in, tab_to

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quiz(db):
    quiz = QuizFactory(title="Article 4 in brief", pass_mark=50, shuffle_choices=True)
    true_false = QuestionFactory(
        quiz=quiz,
        kind=Question.Kind.TRUE_FALSE,
        order=1,
        text="Article 4 obliges allies to go to war.",
    )
    ChoiceFactory(question=true_false, text="True", feedback="No: Article 4 means talks.")
    ChoiceFactory(
        question=true_false, text="False", is_correct=True, feedback="Right: **talks** only."
    )
    bold = QuestionFactory(
        quiz=quiz, order=2, text="Who may ask for **consultations**?", explanation=""
    )
    ChoiceFactory(question=bold, text="*Any* ally", is_correct=True, feedback="")
    ChoiceFactory(question=bold, text="Only the `Secretary General`", feedback="")
    return quiz


def test_a_true_false_and_a_bold_question_by_keyboard(live_server, page, quiz):
    learner = UserFactory(username="tf-learner")
    sign_in(page, live_server.url, learner.username)
    page.goto(f"{live_server.url}/en/quizzes/{quiz.slug}/")
    page.get_by_role("button", name="Start").click()
    assert page.locator("legend strong", has_text="consultations").is_visible()
    assert "**" not in page.inner_text("main")
    labels = page.locator("fieldset").first.locator("label").all_inner_texts()
    assert [label.strip() for label in labels] == ["True", "False"]
    assert_accessible(page, "quiz with a true/false question")

    tab_to(page, "True")  # Tab enters the radio group; the arrow key picks "False"
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("False").is_checked()
    page.get_by_label("Any ally").focus()
    page.keyboard.press("Space")
    tab_to(page, "Finish")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/attempts/"))
    assert Attempt.objects.get().marks == 2
    main = page.inner_text("main")
    assert "talks only." in main and "**" not in main
    assert page.locator(".review strong", has_text="talks").is_visible()
    assert page.locator(".review .feedback").count() == 2  # the bold question's choices have none
    assert_accessible(page, "result with a true/false question")
