"""Practice rounds of the learner's latest mistakes, and the progress page."""

import re

import pytest
from django.urls import reverse

from quizzes.models import Attempt, Question

from .conftest import choice_ids, started, take_url, values_shown
from .factories import QuizFactory, question_with_choices

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(db):
    """Two lessons, each with a quiz of two one-answer questions."""
    quizzes = []
    for n in (1, 2):
        quiz = QuizFactory(lesson__order=n, attempts_allowed=1)
        for order in (1, 2):
            question_with_choices(quiz, correct=1, wrong=2, order=order, text=f"L{n} Q{order}?")
        quizzes.append(quiz)
    return quizzes


def finish(client, quiz, right):
    """Finish an attempt at `quiz`, answering right the questions whose text is in `right`."""
    started(client, quiz)
    attempt = Attempt.objects.in_progress().get(quiz=quiz)
    data = {}
    for question in quiz.pool():
        ids = choice_ids(question, correct=question.text in right)[:1]
        data[f"q{question.id}"] = values_shown(question, ids, attempt=attempt)
    client.post(take_url(quiz), {"attempt": attempt.pk, **data})
    return Attempt.objects.get(pk=attempt.pk)


def start_practice(client, lesson=""):
    return client.post(reverse("quizzes:practice-new"), {"lesson": lesson})


def test_a_practice_round_holds_the_questions_last_answered_wrong(learner_client, course):
    finish(learner_client, course[0], right={"L1 Q1?"})
    finish(learner_client, course[1], right={"L2 Q2?"})
    response = start_practice(learner_client)
    practice = Attempt.objects.get(practice=True)
    assert response.url == reverse("quizzes:practice-take", args=[practice.pk])
    assert [a.snapshot["text"] for a in practice.answers.all()] == ["L1 Q2?", "L2 Q1?"]
    assert practice.quiz is None
    page = learner_client.get(response.url).content.decode()
    assert "do not count toward your grades" in page
    assert "L1 Q2?" in page and "L1 Q1?" not in page


def test_a_practice_round_can_keep_to_one_lesson(learner_client, course):
    finish(learner_client, course[0], right=set())
    finish(learner_client, course[1], right=set())
    start_practice(learner_client, course[1].lesson.slug)
    practice = Attempt.objects.get(practice=True)
    assert [a.snapshot["text"] for a in practice.answers.all()] == ["L2 Q1?", "L2 Q2?"]
    assert practice.lesson == course[1].lesson


def test_a_final_review_lessons_practice_holds_the_mistakes_of_the_quiz_drawing_from_others(
    learner_client, course
):
    """A final review's quiz has no questions of its own: it draws them from the lessons."""
    final = QuizFactory(lesson__order=3, attempts_allowed=0)
    final.draws_from.set(course)
    finish(learner_client, final, right={"L1 Q1?", "L2 Q2?"})
    response = start_practice(learner_client, final.lesson.slug)
    practice = Attempt.objects.get(practice=True)
    assert response.url == reverse("quizzes:practice-take", args=[practice.pk])
    assert [a.snapshot["text"] for a in practice.answers.all()] == ["L1 Q2?", "L2 Q1?"]


def test_practice_is_marked_but_counts_toward_no_grade_or_limit(learner_client, course):
    graded = finish(learner_client, course[0], right=set())
    start_practice(learner_client)
    practice = Attempt.objects.get(practice=True)
    data = {
        f"q{a.question_key}": values_shown(
            a.question_id,
            [c["id"] for c in a.snapshot["choices"] if c["is_correct"]],
            attempt=practice,
        )
        for a in practice.answers.all()
    }
    response = learner_client.post(practice.take_url, {"attempt": practice.pk, **data})
    practice.refresh_from_db()
    assert response.url == practice.get_absolute_url()
    assert (practice.marks, practice.max_marks) == (2, 2)
    result = learner_client.get(practice.get_absolute_url()).content.decode()
    assert "Practice rounds do not count" in result
    mine = learner_client.get(reverse("quizzes:my-results"))
    assert [row["grade"] for row in mine.context["best"]] == [graded.percentage]
    # The quiz allowed one attempt: practice did not use it up, the graded one did.
    assert learner_client.post(course[0].get_absolute_url()).status_code == 403


def test_teachers_results_and_exports_leave_practice_out(learner_client, teacher_client, course):
    finish(learner_client, course[0], right=set())
    start_practice(learner_client)
    practice = Attempt.objects.get(practice=True)
    learner_client.post(practice.take_url, {"attempt": practice.pk, "action": "finish"})
    results = teacher_client.get(reverse("quizzes:results"))
    assert results.context["summary"]["count"] == 1
    csv = b"".join(teacher_client.get(reverse("quizzes:results-export")).streaming_content)
    assert b"Practice" not in csv
    assert csv.count(b"\n") == 2  # header and the one graded attempt


def test_once_put_right_a_question_leaves_the_next_practice_round(learner_client, course):
    finish(learner_client, course[0], right={"L1 Q1?"})
    start_practice(learner_client)
    practice = Attempt.objects.get(practice=True)
    (answer,) = practice.answers.all()
    right = [c["id"] for c in answer.snapshot["choices"] if c["is_correct"]]
    right = values_shown(answer.question_id, right, attempt=practice)
    learner_client.post(
        practice.take_url, {"attempt": practice.pk, f"q{answer.question_key}": right}
    )
    response = start_practice(learner_client)
    assert response.url == reverse("quizzes:my-results")
    page = learner_client.get(response.url).content.decode()
    assert "Nothing to practise" in page


def test_a_new_practice_round_replaces_an_unfinished_one(learner_client, course):
    finish(learner_client, course[0], right=set())
    start_practice(learner_client)
    first = Attempt.objects.get(practice=True)
    start_practice(learner_client, course[0].lesson.slug)
    assert not Attempt.objects.filter(pk=first.pk).exists()
    assert Attempt.objects.filter(practice=True).count() == 1


def test_another_learners_practice_round_is_404(learner_client, client, course):
    from .factories import UserFactory

    finish(learner_client, course[0], right=set())
    start_practice(learner_client)
    practice = Attempt.objects.get(practice=True)
    client.force_login(UserFactory())
    assert client.get(practice.take_url).status_code == 404
    response = client.post(practice.take_url, {"attempt": practice.pk, "action": "save"})
    assert response.status_code == 404


def test_a_quiz_attempt_sent_to_a_practice_address_is_404(learner_client, course):
    finish(learner_client, course[0], right=set())
    start_practice(learner_client)
    practice = Attempt.objects.get(practice=True)
    graded = Attempt.objects.get(practice=False)
    response = learner_client.post(practice.take_url, {"attempt": graded.pk, "action": "save"})
    assert response.status_code == 404
    url = reverse("quizzes:practice-take", args=[graded.pk])
    response = learner_client.post(url, {"attempt": graded.pk, "action": "save"})
    assert response.status_code == 404
    response = learner_client.post(url, {"attempt": practice.pk, "action": "save"})
    assert response.status_code == 404


def test_a_practice_address_beyond_any_id_is_404(learner_client, course):
    url = reverse("quizzes:practice-take", args=[10**20])
    assert learner_client.get(url).status_code == 404
    assert learner_client.post(url, {"attempt": "1", "action": "save"}).status_code == 404


def test_practice_for_an_unknown_lesson_is_400(learner_client, course):
    assert start_practice(learner_client, "no-such-lesson").status_code == 400
    assert learner_client.get(reverse("quizzes:practice-new")).status_code == 405


def test_progress_shows_best_grade_and_questions_right_at_least_once(learner_client, course):
    finish(learner_client, course[0], right={"L1 Q1?"})
    page = learner_client.get(reverse("quizzes:progress")).content.decode()
    # Mistakes to review are offered where the learner has answered, not in the other lesson.
    assert f'name="lesson" value="{course[0].lesson.slug}"' in page
    assert f'name="lesson" value="{course[1].lesson.slug}"' not in page
    start_practice(learner_client, course[0].lesson.slug)
    practice = Attempt.objects.get(practice=True)
    (answer,) = practice.answers.all()
    right = [c["id"] for c in answer.snapshot["choices"] if c["is_correct"]]
    right = values_shown(answer.question_id, right, attempt=practice)
    learner_client.post(
        practice.take_url, {"attempt": practice.pk, f"q{answer.question_key}": right}
    )
    response = learner_client.get(reverse("quizzes:progress"))
    rows = {row.lesson: row for row in response.context["rows"]}
    first, second = rows[course[0].lesson], rows[course[1].lesson]
    assert (first.best, first.mastered, first.questions) == (50, 2, 2)  # practice counts here
    assert (second.best, second.mastered, second.questions) == (None, 0, 2)
    page = response.content.decode()
    assert "2 of 2" in page and "Not attempted yet" in page
    # The practice round put the one mistake right: nothing left to review there.
    assert first.mistakes == 0
    assert f'name="lesson" value="{course[0].lesson.slug}"' not in page
    assert page.count("No mistakes to review") == 1
    assert page.count("Nothing to review yet") == 1


def test_progress_hides_what_review_options_hide(learner_client, course):
    finish(learner_client, course[0], right={"L1 Q1?", "L1 Q2?"})
    type(course[0]).objects.filter(pk=course[0].pk).update(
        review_marks=False, review_correctness=False
    )
    response = learner_client.get(reverse("quizzes:progress"))
    first = next(row for row in response.context["rows"] if row.lesson == course[0].lesson)
    assert (first.best, first.mastered, first.hidden) == (None, 0, True)
    # Said so, rather than "0 right" and "no mistakes" (the learner did answer).
    page = response.content.decode()
    assert "Not counted yet: your teacher shows the right answers later." in page
    assert "Shown later by your teacher" in page and "No mistakes to review" not in page
    refused = start_practice(learner_client, course[0].lesson.slug)
    message = learner_client.get(refused.url).content.decode()
    assert "your teacher shows which of your answers were right later" in message
    # Where the practice form would be, on My results and under the progress table, too.
    for name in ("quizzes:my-results", "quizzes:progress"):
        page = learner_client.get(reverse(name)).content.decode()
        assert page.count("your teacher shows which of your answers were right later") == 1
        assert "the questions you get wrong in a quiz are gathered here" not in page


def test_a_deleted_question_drops_out_of_progress_and_practice(learner_client, course):
    finish(learner_client, course[0], right=set())
    Question.objects.get(text="L1 Q1?").delete()
    start_practice(learner_client)
    practice = Attempt.objects.get(practice=True)
    assert [a.snapshot["text"] for a in practice.answers.all()] == ["L1 Q2?"]


def test_practising_a_lesson_never_attempted_says_to_take_its_quiz_first(learner_client, course):
    finish(learner_client, course[0], right={"L1 Q1?", "L1 Q2?"})
    response = start_practice(learner_client, course[1].lesson.slug)
    assert response.url == reverse("quizzes:my-results")
    page = learner_client.get(response.url).content.decode()
    assert "Nothing to practise yet: take the quiz first" in page
    assert "your latest answer to every question there was right" not in page
    assert not Attempt.objects.filter(practice=True).exists()


def practice_options(client, name):
    """The practice form's lesson choices on a page, as (value, label), or None without one."""
    page = client.get(reverse(name)).content.decode()
    form = re.search(r'<form[^>]*class="practice-form".*?</form>', page, flags=re.S)
    if form is None:
        return None
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', form.group())


@pytest.mark.parametrize("name", ["quizzes:my-results", "quizzes:progress"])
def test_the_practice_form_offers_only_lessons_with_mistakes_and_counts_them(
    learner_client, course, name
):
    assert practice_options(learner_client, name) is None
    finish(learner_client, course[0], right={"L1 Q1?", "L1 Q2?"})  # no mistakes yet
    assert practice_options(learner_client, name) is None
    assert "Nothing to practise" in learner_client.get(reverse(name)).content.decode()
    finish(learner_client, course[1], right={"L2 Q2?"})
    lesson = course[1].lesson
    assert practice_options(learner_client, name) == [
        ("", "All lessons (1 question)"),
        (lesson.slug, f"{lesson.title} (1 question)"),
    ]


def test_a_round_replaced_from_another_tab_leads_to_the_new_one(learner_client, course):
    finish(learner_client, course[0], right=set())
    start_practice(learner_client)
    old = Attempt.objects.get(practice=True)
    start_practice(learner_client)  # another tab: the unfinished round is replaced
    new = Attempt.objects.get(practice=True)
    assert new.pk != old.pk
    background = learner_client.post(
        old.take_url, {"attempt": old.pk, "action": "save"}, headers={"X-Quizsite-Autosave": "1"}
    )
    assert background.status_code == 409
    assert background["X-Quizsite-Location"] == new.take_url
    page = learner_client.get(new.take_url).content.decode()
    assert "That practice round was replaced by the one you started since" in page
    opened = learner_client.get(old.take_url)
    assert opened.status_code == 302 and opened.url == new.take_url
    learner_client.post(new.take_url, {"attempt": new.pk, "action": "submit"})
    assert learner_client.get(old.take_url).status_code == 404  # nothing newer in progress


def test_progress_says_a_lesson_has_no_quiz_open_rather_than_every_lessons_questions(
    learner_client, course
):
    final = QuizFactory(lesson__order=3)
    final.draws_from.set(course)
    type(course[1]).objects.filter(pk=course[1].pk).update(is_published=False)
    response = learner_client.get(reverse("quizzes:progress"))
    rows = {row.lesson: row for row in response.context["rows"]}
    assert (rows[final.lesson].gathers, rows[course[1].lesson].gathers) == (True, False)
    page = response.content.decode()
    assert page.count("Questions from every lesson") == 1
    assert page.count("No quiz open in this lesson now") == 1
