"""A teacher in a real browser: from the dashboard to one learner's attempt, a mark changed
by hand, the gradebook and the per-question charts, on a phone and a desktop, with axe at 0."""

from decimal import Decimal

import pytest

from quizzes.models import Classroom, Membership
from quizzes.taking.attempts import attempt_finish, attempt_start
from quizzes.teaching.overrides import answer_override

from ..factories import QuizFactory, TeacherFactory, UserFactory, question_with_choices
from .conftest import PHONE, assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def class_with_results(db):
    teacher = TeacherFactory(username="teach")
    quiz = QuizFactory(title="Consultation quiz", slug="consultation", pass_mark=60)
    for n in range(3):
        question_with_choices(quiz, correct=1, wrong=2, order=n, text=f"Question {n + 1} text?")
    classroom = Classroom.objects.create(name="3B", teacher=teacher)
    learners = []
    for n, right in enumerate([3, 2, 1, 0]):
        learner = UserFactory(username=f"pupil{n}", first_name=f"Pupil{n}", last_name="Nowak")
        Membership.objects.create(classroom=classroom, learner=learner)
        attempt = attempt_start(learner=learner, quiz=quiz)
        selections = {}
        for position, answer in enumerate(attempt.answers.order_by("position")):
            choices = answer.snapshot["choices"]
            correct = position < right
            pick = next(c["id"] for c in choices if c["is_correct"] == correct)
            selections[answer.question_key] = [pick]
        attempt_finish(attempt=attempt, selections=selections)
        learners.append(learner)
    return quiz, classroom, learners


def no_page_overflow(page):
    """The page itself never scrolls sideways: wide tables scroll inside their frame."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_teacher_opens_a_learner_changes_a_mark_and_sees_the_gradebook(
    live_server, page, viewport, class_with_results
):
    quiz, classroom, learners = class_with_results
    base = live_server.url
    sign_in(page, base, "teach")
    page.goto(f"{base}/en/results/quiz/{quiz.slug}/")
    assert page.locator("svg.choice-chart").count() == 3
    assert page.locator(".choice-bar-key").count() == 3  # every question had a right answer
    assert no_page_overflow(page)
    assert_accessible(page, "dashboard with charts")
    if viewport != PHONE:
        # The item table fits the wide column on a desktop: no scrolling needed.
        fits = page.evaluate(
            "(() => { const w = document.querySelector('.item-table').parentElement;"
            " return w.scrollWidth <= w.clientWidth + 1; })()"
        )
        assert fits

    page.get_by_role("link", name="Pupil2 Nowak").click()
    page.get_by_role("heading", name="Pupil2 Nowak: Consultation quiz").wait_for()
    assert "1 out of 3 marks" in page.locator(".score-card").inner_text()
    assert_accessible(page, "one learner's attempt")
    page.get_by_text("Change the marks or comment of question 2").click()
    page.get_by_label("Marks (0 to 1)").nth(1).fill("1")
    page.locator("#id_a2-reason").fill("The wording was ambiguous")
    page.locator("#id_a2-comment").fill("Fair point in class.")
    page.locator("#question-2").get_by_role("button", name="Save").click()
    page.locator(".message").first.wait_for()
    assert "now has 2 of 3 marks" in page.locator(".message").first.inner_text()
    assert "Marked by hand" in page.locator("#question-2").inner_text()
    assert_accessible(page, "attempt after a change by hand")

    page.goto(f"{base}/en/classes/{classroom.pk}/gradebook/")
    table = page.locator("table.gradebook")
    assert table.locator("tbody tr").count() == 4
    assert "66.67% ✎" in table.inner_text()  # a grade to two places, as its marks
    assert no_page_overflow(page)
    assert_accessible(page, "gradebook")
    if viewport == PHONE:
        page.set_viewport_size({"width": 360, "height": 740})
        sticky = page.evaluate(
            "getComputedStyle(document.querySelector('.gradebook tbody th')).position"
        )
        assert sticky == "sticky"
    page.goto(f"{base}/en/classes/{classroom.pk}/")
    assert no_page_overflow(page)
    assert_accessible(page, "class page")


def test_the_learner_sees_the_comment_and_the_changed_mark(
    live_server, page, viewport, class_with_results
):
    quiz, classroom, learners = class_with_results
    attempt = learners[3].attempts.get()
    answer = attempt.answers.get(position=1)
    teacher = classroom.teacher
    answer_override(
        answer=answer, by=teacher, marks=Decimal(1), reason="Typo", comment="Well reasoned."
    )
    sign_in(page, live_server.url, learners[3].username)
    page.goto(f"{live_server.url}{attempt.get_absolute_url()}")
    text = page.locator("main").inner_text()
    assert "Mark changed by your teacher" in text and "Well reasoned." in text
    assert_accessible(page, "learner's result with a comment")
