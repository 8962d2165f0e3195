"""Who may see what: attempts belong to their learner; results belong to teachers."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from quizzes.models import Attempt

from .conftest import answers_for, attempt_shown, signed_in, started, take_url
from .factories import LessonFactory, SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished_attempt(learner_client, quiz):
    attempt_id = attempt_shown(started(learner_client, quiz))
    learner_client.post(take_url(quiz), {"attempt": attempt_id, **answers_for(quiz)})
    return Attempt.objects.get(pk=attempt_id)


def test_another_learner_gets_404_for_an_attempt(finished_attempt):
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(finished_attempt.get_absolute_url()).status_code == 404


def test_a_teacher_gets_404_for_a_learners_attempt_page(teacher_client, finished_attempt):
    """The review page is the learner's own; teachers read attempts in the results area."""
    assert teacher_client.get(finished_attempt.get_absolute_url()).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in_for_an_attempt(client, finished_attempt):
    response = client.get(finished_attempt.get_absolute_url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("pk", [999999, 2**63 - 1, 2**63, 10**30])
def test_a_nonexistent_attempt_is_404(learner_client, pk):
    assert learner_client.get(reverse("quizzes:attempt-result", args=[pk])).status_code == 404


def addresses_with_ids():
    """Every address of the app that takes a row's id, with each id set to `{}`."""
    from quizzes.urls import urlpatterns

    for pattern in urlpatterns:
        route = str(pattern.pattern)
        if "<id:" in route:
            yield pattern.name, re.sub(r"<id:[a-z_]+>", "{}", route)


@pytest.mark.parametrize("pk", [2**63, 10**30])
@pytest.mark.parametrize("name, route", list(addresses_with_ids()))
def test_an_id_past_any_rows_is_404_at_every_address(name, route, pk):
    """Huge ids in a class's, a learner's or an attempt's place never reach the database."""
    client = signed_in(SuperuserFactory())
    url = "/en/" + route.format(*[pk] * route.count("{}"))
    assert client.get(url).status_code == 404, name
    assert client.post(url).status_code == 404, name


def test_an_attempt_still_in_progress_sends_its_learner_to_its_questions(learner_client, quiz):
    """No result yet: its own learner is taken to the questions, with why; anyone else
    (a fellow learner) gets the same 404 as for an attempt that does not exist."""
    attempt_id = attempt_shown(started(learner_client, quiz))
    result = reverse("quizzes:attempt-result", args=[attempt_id])
    response = learner_client.get(result, follow=True)
    assert response.redirect_chain == [(take_url(quiz), 302)]
    page = response.content.decode()
    assert "This attempt is still in progress: press Finish to see its result." in page
    assert f'name="attempt" value="{attempt_id}"' in page
    assert Attempt.objects.get(pk=attempt_id).submitted_at is None
    other = Client()
    other.force_login(UserFactory())
    assert other.get(result).status_code == 404


@pytest.mark.parametrize("name", ["quizzes:results", "quizzes:results-export"])
def test_students_are_refused_the_results_and_the_export(learner_client, finished_attempt, name):
    response = learner_client.get(reverse(name))
    assert response.status_code == 403
    assert finished_attempt.learner.email not in response.content.decode()


@pytest.mark.parametrize("name", ["quizzes:results", "quizzes:results-export"])
def test_anonymous_visitors_are_sent_to_sign_in_for_results(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_my_results_lists_only_my_own_attempts(learner_client, finished_attempt, quiz):
    other = Client()
    other.force_login(UserFactory(username="someone-else"))
    other_attempt = attempt_shown(started(other, quiz))
    other.post(take_url(quiz), {"attempt": other_attempt, **answers_for(quiz)})
    page = learner_client.get(reverse("quizzes:my-results")).content.decode()
    assert finished_attempt.get_absolute_url() in page
    assert reverse("quizzes:attempt-result", args=[other_attempt]) not in page


def test_teachers_see_every_learners_attempts(teacher_client, finished_attempt):
    page = teacher_client.get(reverse("quizzes:results")).content.decode()
    assert finished_attempt.learner.username in page


def test_logout_is_post_only_and_signs_out(learner_client):
    refused = learner_client.get(reverse("logout"))
    assert refused.status_code == 405
    assert refused["Allow"] == "POST, OPTIONS"
    page = refused.content.decode()
    assert "<h1>Not available this way</h1>" in page
    assert "for a button on one of the site's pages, not a page to open" in page
    assert learner_client.get(reverse("quizzes:my-results")).status_code == 200  # still in
    response = learner_client.post(reverse("logout"))
    assert response.status_code == 302
    assert "You are signed out." in learner_client.get(response.url).content.decode()
    assert learner_client.get(reverse("quizzes:my-results")).status_code == 302


def test_a_staff_account_outside_the_teachers_group_is_told_what_it_lacks(db):
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    refused = staff.get(reverse("quizzes:results"))
    assert refused.status_code == 403
    assert "add it to the Teachers group" in refused.content.decode()


def test_the_refusal_says_whom_to_ask_by_who_is_refused(teacher_client, learner_client):
    staff = teacher_client.get(reverse("admin:auth_user_changelist"))
    assert staff.status_code == 403
    assert "ask whoever runs this site." in staff.content.decode()
    student = learner_client.get(reverse("quizzes:results"))
    assert student.status_code == 403
    assert "If you think it should, ask your teacher." in student.content.decode()


def test_a_form_sent_to_a_page_that_takes_none_gets_the_sites_405_page(
    learner_client, finished_attempt
):
    refused = learner_client.post(finished_attempt.get_absolute_url(), {"action": "finish"})
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, HEAD"
    page = refused.content.decode()
    assert "This page takes no form, so nothing was saved." in page
    assert "Back to the lessons" in page


@pytest.mark.parametrize("method", ["put", "delete", "patch", "options"])
def test_another_method_sent_to_a_page_that_takes_forms_says_only_its_own_forms(
    learner_client, quiz, method
):
    """The questions' page takes a POST: its 405 said "This page takes no form"."""
    refused = getattr(learner_client, method)(take_url(quiz))
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, HEAD, POST"
    assert "takes only the forms on the page itself" in refused.content.decode()


@pytest.mark.parametrize(
    "path",
    ["/en/", "/en/glossary/", "/healthz", "/en/accounts/signup/", "/en/accounts/login/"],
)
def test_a_head_request_gets_the_pages_headers_not_a_405(client, db, path):
    """Link checkers and uptime monitors send HEAD: pages that only show answered 405."""
    response = client.head(path)
    assert response.status_code == 200, path
    assert response.content == b""
    lesson = client.head(LessonFactory(is_published=True).get_absolute_url())
    assert lesson.status_code == 200


def test_the_405_page_is_in_the_readers_language(learner_client):
    with translation.override("pl"):
        refused = learner_client.get(reverse("quizzes:practice-new"))
    assert refused.status_code == 405
    assert refused["Allow"] == "POST"
    assert '<html lang="pl">' in refused.content.decode()
    assert "Nie można tego otworzyć w ten sposób" in refused.content.decode()
