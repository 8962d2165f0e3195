"""One question per page: Previous and Next save as they go, Finish checks every page."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from quizzes.models import Attempt

from .conftest import answers_for, attempt_shown, started, take_url, values_shown
from .factories import question_with_choices

pytestmark = pytest.mark.django_db


@pytest.fixture
def paged(quiz):
    quiz.one_question_per_page = True
    quiz.save()
    question_with_choices(quiz, correct=1, wrong=1, order=3, text="A third question?")
    return quiz


def answer_at(attempt, position):
    return attempt.answers.get(position=position)


def field(answer):
    return f"q{answer.question_key}"


def right_ids(answer):
    return [c["id"] for c in answer.snapshot["choices"] if c["is_correct"]][:1]


def right(answer):
    """The value the page gives the answer's first right choice."""
    return values_shown(answer.question_id, right_ids(answer), attempt=answer.attempt_id)


def test_each_page_shows_one_question_with_navigation(learner_client, paged):
    response = started(learner_client, paged)
    page = response.content.decode()
    assert page.count('<fieldset class="question') == 1
    assert "Question 1 of 3" in page
    assert 'name="goto" value="2"' in page  # Next
    assert "Previous" not in page
    second = learner_client.get(take_url(paged), {"page": 2}).content.decode()
    assert "Question 2 of 3" in second and "Previous" in second
    last = learner_client.get(take_url(paged), {"page": 3}).content.decode()
    assert "Finish and see my result" in last and "Next →" not in last


def test_next_saves_the_page_and_moves_on(learner_client, paged):
    started(learner_client, paged)
    attempt = Attempt.objects.get()
    first = answer_at(attempt, 1)
    response = learner_client.post(
        take_url(paged),
        {"attempt": attempt.pk, "page": 1, "goto": 2, field(first): right(first)},
    )
    assert response.status_code == 302
    assert response.url == f"{take_url(paged)}?page=2"
    assert answer_at(attempt, 1).selected == right_ids(first)
    assert not Attempt.objects.get().is_submitted
    # Coming back shows the saved answer, and the navigation marks it answered.
    page = learner_client.get(take_url(paged), {"page": 1}).content.decode()
    radio = f'name="{field(first)}" value="{right(first)[0]}"'
    assert "checked" in page.split(radio)[1][:40]
    assert "page-button answered" in page


def test_finishing_with_unanswered_pages_names_them_and_saves_this_page(learner_client, paged):
    started(learner_client, paged)
    attempt = Attempt.objects.get()
    last = answer_at(attempt, 3)
    response = learner_client.post(
        take_url(paged),
        {"attempt": attempt.pk, "page": 3, "action": "finish", field(last): right(last)},
    )
    assert response.url == reverse("quizzes:quiz-summary", args=[paged.slug])
    summary = learner_client.get(response.url).content.decode()
    assert "Questions 1, 2 have no answer yet." in summary
    # Each question links back to its own page.
    for number in (1, 2, 3):
        page = f"?page={number}" if number > 1 else ""
        assert f'href="{take_url(paged)}{page}"' in summary
    assert not Attempt.objects.get().is_submitted
    assert answer_at(attempt, 3).selected == right_ids(last)


def test_finishing_when_every_page_is_answered_marks_all_of_them(learner_client, paged):
    started(learner_client, paged)
    attempt = Attempt.objects.get()
    for position in (1, 2):
        answer = answer_at(attempt, position)
        chosen = [c["id"] for c in answer.snapshot["choices"] if c["is_correct"]]
        if answer.snapshot["kind"] == "single":
            chosen = chosen[:1]
        chosen = values_shown(answer.question_id, chosen, attempt=attempt)
        learner_client.post(
            take_url(paged),
            {"attempt": attempt.pk, "page": position, "goto": position + 1, field(answer): chosen},
        )
    last = answer_at(attempt, 3)
    response = learner_client.post(
        take_url(paged),
        {"attempt": attempt.pk, "page": 3, "action": "finish", field(last): right(last)},
    )
    attempt.refresh_from_db()
    assert response.url == attempt.get_absolute_url()
    assert (attempt.marks, attempt.max_marks, attempt.percentage) == (3, 3, 100)


def test_a_page_that_does_not_exist_is_404_and_a_forged_goto_is_400(learner_client, paged):
    started(learner_client, paged)
    assert learner_client.get(take_url(paged), {"page": 4}).status_code == 404
    assert learner_client.get(take_url(paged), {"page": "x"}).status_code == 404
    attempt = Attempt.objects.get()
    for data in ({"page": 1, "goto": 9}, {"page": 0}, {"page": "1; drop"}):
        response = learner_client.post(take_url(paged), {"attempt": attempt.pk, **data})
        assert response.status_code == 400


def test_answering_another_pages_question_from_this_page_is_refused(learner_client, paged):
    started(learner_client, paged)
    attempt = Attempt.objects.get()
    other = answer_at(attempt, 2)
    response = learner_client.post(
        take_url(paged),
        {"attempt": attempt.pk, "page": 1, "action": "save", field(other): right(other)},
    )
    assert response.status_code == 400
    assert answer_at(attempt, 2).selected is None


def test_all_on_one_page_is_the_default(learner_client, quiz):
    response = started(learner_client, quiz)
    assert response.content.decode().count('<fieldset class="question') == 2
    assert 'name="goto"' not in response.content.decode()
    attempt = Attempt.objects.get()
    response = learner_client.post(take_url(quiz), {"attempt": attempt.pk, **answers_for(quiz)})
    assert Attempt.objects.get().is_submitted


def test_finish_with_gaps_after_another_tab_finished_goes_to_the_result(
    learner_client, paged, monkeypatch
):
    """The save inside "Finish" finds the attempt closed by a racing request: no 500."""
    from quizzes.taking.attempts import attempt_finish
    from quizzes.views import taking

    started(learner_client, paged)
    attempt = Attempt.objects.get()
    real_save = taking.answer_save

    def finished_meanwhile(*, attempt, selections):
        attempt_finish(attempt=Attempt.objects.get(pk=attempt.pk))
        return real_save(attempt=attempt, selections=selections)

    monkeypatch.setattr(taking, "answer_save", finished_meanwhile)
    first = answer_at(attempt, 1)
    response = learner_client.post(
        take_url(paged),
        {"attempt": attempt.pk, "page": 1, "action": "finish", field(first): right(first)},
    )
    assert response.status_code == 302
    assert response.url == attempt.get_absolute_url()
    assert answer_at(attempt, 1).selected is None  # the finished attempt was not changed


def test_the_summary_shows_the_page_just_saved_as_answered(learner_client, paged):
    started(learner_client, paged)
    attempt = Attempt.objects.get()
    first = answer_at(attempt, 1)
    response = learner_client.post(
        take_url(paged),
        {"attempt": attempt.pk, "page": 1, "action": "finish", field(first): right(first)},
    )
    summary = learner_client.get(response.url).content.decode()
    statuses = re.findall(r"<td>(Answer saved|<strong>Not answered</strong>)</td>", summary)
    assert statuses == [
        "Answer saved",
        "<strong>Not answered</strong>",
        "<strong>Not answered</strong>",
    ]


def test_the_page_saves_itself_in_the_background(learner_client, paged):
    """autosave.js posts each change with a header; the server answers 204, no message."""
    page = started(learner_client, paged).content.decode()
    assert "js/autosave.js" in page
    attempt = Attempt.objects.get()
    first = answer_at(attempt, 1)
    response = learner_client.post(
        take_url(paged),
        {"attempt": attempt.pk, "page": 1, "action": "save", field(first): right(first)},
        headers={"X-Quizsite-Autosave": "1"},
    )
    assert response.status_code == 204
    assert answer_at(attempt, 1).selected == right_ids(first)
    assert "Your answers are saved" not in started(learner_client, paged).content.decode()
    # When it was saved, as the site writes times: its zone (Warsaw), 24 hours.
    local = datetime.now(ZoneInfo("Europe/Warsaw"))
    assert response["X-Quizsite-Saved-At"] in {
        f"{local:%H:%M}",
        f"{local - timedelta(minutes=1):%H:%M}",
    }


def test_a_background_save_after_another_tab_finished_sends_to_the_result_which_says_so(
    learner_client, paged
):
    started(learner_client, paged)
    attempt = Attempt.objects.get()
    first = answer_at(attempt, 1)
    form = {"attempt": attempt.pk, "page": 1, "action": "save", field(first): right(first)}
    learner_client.post(take_url(paged), {"attempt": attempt.pk, "action": "submit"})  # tab 1
    response = learner_client.post(take_url(paged), form, headers={"X-Quizsite-Autosave": "1"})
    assert response.status_code == 409
    assert response["X-Quizsite-Location"] == attempt.get_absolute_url()
    result = learner_client.get(response["X-Quizsite-Location"]).content.decode()
    assert "This attempt had already been submitted (in another tab, say)" in result
    assert "the answers you chose since were not saved" in result


@pytest.mark.parametrize("page", ["", "1", "junk", "0", "-1", "２", "4"])
def test_opening_the_attempt_page_without_starting_deals_nothing(learner_client, paged, page):
    """Only Start deals and starts a clock: the questions' address sends to the start page."""
    paged.time_limit = 10
    paged.save()
    response = learner_client.get(take_url(paged), {"page": page})
    assert response.url == paged.get_absolute_url()
    assert not Attempt.objects.exists()


@pytest.mark.parametrize("page", ["junk", "0", "00", "-1", "1.5", "２", "4", "999999999"])
def test_an_address_that_is_no_page_of_the_attempt_is_404(learner_client, paged, page):
    started(learner_client, paged)
    assert learner_client.get(take_url(paged), {"page": page}).status_code == 404
    assert "Question 3 of 3" in learner_client.get(take_url(paged), {"page": 3}).content.decode()


def test_a_second_page_of_a_quiz_on_one_page_is_404(learner_client, quiz):
    started(learner_client, quiz)
    assert learner_client.get(take_url(quiz), {"page": 2}).status_code == 404
    assert learner_client.get(take_url(quiz), {"page": 1}).status_code == 200


def test_the_last_page_is_the_last_question_drawn(learner_client, paged):
    paged.questions_per_attempt = 2
    paged.save()
    started(learner_client, paged)
    assert learner_client.get(take_url(paged), {"page": 3}).status_code == 404
    last = learner_client.get(take_url(paged), {"page": 2}).content.decode()
    assert "Question 2 of 2" in last


def test_a_page_past_the_last_of_an_attempt_changes_nothing(learner_client, paged):
    started(learner_client, paged)
    attempt = Attempt.objects.get()
    assert learner_client.get(take_url(paged), {"page": 99}).status_code == 404
    assert list(Attempt.objects.values_list("pk", "submitted_at")) == [(attempt.pk, None)]


def test_an_attempt_keeps_its_layout_when_the_teacher_turns_paging_on(learner_client, quiz):
    """Started on one page: the whole form still finishes, and the page stays whole."""
    attempt = Attempt.objects.get(pk=attempt_shown(started(learner_client, quiz)))
    quiz.one_question_per_page = True
    quiz.save()
    page = learner_client.get(take_url(quiz)).content.decode()
    assert page.count("<fieldset") == quiz.questions.count()
    response = learner_client.post(take_url(quiz), {"attempt": attempt.pk, **answers_for(quiz)})
    assert response.url == attempt.get_absolute_url()
    attempt.refresh_from_db()
    assert attempt.is_submitted and attempt.percentage == 100
    started(learner_client, quiz)  # the next attempt has the quiz's new layout
    assert Attempt.objects.in_progress().get().paged


def test_an_attempt_keeps_its_layout_when_the_teacher_turns_paging_off(learner_client, paged):
    attempt = Attempt.objects.get(pk=attempt_shown(started(learner_client, paged)))
    paged.one_question_per_page = False
    paged.save()
    second = answer_at(attempt, 2)
    data = {"attempt": attempt.pk, "page": "2", "goto": "3", field(second): right(second)}
    response = learner_client.post(take_url(paged), data)
    assert response.url == f"{take_url(paged)}?page=3"
    assert answer_at(attempt, 2).selected == right_ids(second)
    assert learner_client.get(response.url).content.decode().count("<fieldset") == 1


def test_signed_out_on_a_later_page_signs_in_back_to_that_page(learner_client, paged):
    attempt = Attempt.objects.get(pk=attempt_shown(started(learner_client, paged)))
    learner_client.post(reverse("logout"))
    response = learner_client.post(
        take_url(paged), {"attempt": attempt.pk, "page": "2", "goto": "3"}
    )
    assert response.url == f"{reverse('login')}?next={take_url(paged)}%3Fpage%3D2"


def test_a_double_finish_of_a_paged_quiz_says_the_answers_were_submitted(learner_client, paged):
    """Each page carries one question: the others, not sent, were not "lost"."""
    attempt = Attempt.objects.get(pk=attempt_shown(started(learner_client, paged)))
    for position in (1, 2, 3):
        answer = answer_at(attempt, position)
        learner_client.post(
            take_url(paged),
            {
                "attempt": attempt.pk,
                "page": str(position),
                "action": "save",
                field(answer): right(answer),
            },
        )
    last = answer_at(attempt, 3)
    finish = {
        "attempt": attempt.pk,
        "page": "3",
        field(last): right(last),
        f"seen-{field(last)}": right(last),
    }
    learner_client.post(take_url(paged), finish)
    again = learner_client.post(take_url(paged), finish, follow=True).content.decode()
    assert "You had already submitted these answers; here is the result." in again
    submit = learner_client.post(
        take_url(paged), {"attempt": attempt.pk, "action": "submit"}, follow=True
    )
    assert "You had already submitted these answers; here is the result." in submit.content.decode()
