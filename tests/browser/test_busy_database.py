"""The quiz page's autosave in a real browser while another process holds the write lock."""

import pytest

from quizzes.models import Answer

from ..factories import QuizFactory, UserFactory, question_with_choices
from .conftest import DESKTOP, assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def viewport():
    return DESKTOP  # the script under test does not depend on the layout


def started(live_server, page):
    """A learner signed in, on the questions of a quiz they have just started; the learner."""
    learner = UserFactory()
    quiz = QuizFactory(title="Article 4 basics")
    question_with_choices(quiz, correct=1, wrong=2, order=1, text="Who may ask for talks?")
    sign_in(page, live_server.url, learner.username)
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/attempt/")
    return learner


def test_autosave_tries_again_while_the_site_is_busy_and_says_so(live_server, page, write_lock):
    started(live_server, page)
    status = page.locator("#autosave-status")

    write_lock.hold()
    page.locator("input[type=radio]").first.check()
    page.wait_for_function(
        "() => document.getElementById('autosave-status').textContent.includes('not saved yet')",
        timeout=10_000,
    )
    assert status.inner_text().startswith("Your latest answers are not saved yet")
    assert_accessible(page, "quiz page while saving fails")
    assert not Answer.objects.filter(chosen__isnull=False).exists()

    write_lock.release()
    page.wait_for_function(
        "() => document.getElementById('autosave-status').textContent.includes('works again')",
        timeout=10_000,
    )
    assert Answer.objects.filter(chosen__isnull=False).count() == 1


def test_autosave_after_signing_in_again_in_another_tab_says_to_reload(live_server, page):
    learner = started(live_server, page)
    # Another tab of the same browser: signing in there renews the CSRF secret of every tab.
    other_tab = page.context.new_page()
    sign_in(other_tab, live_server.url, learner.username)
    other_tab.close()
    page.locator("input[type=radio]").first.check()
    page.wait_for_function(
        "() => document.getElementById('autosave-status').textContent.includes('another tab')",
        timeout=10_000,
    )
    assert (
        page.locator("#autosave-status")
        .inner_text()
        .endswith("Reload the page, then choose them again.")
    )
    assert not Answer.objects.filter(chosen__isnull=False).exists()
    page.reload()
    page.locator("input[type=radio]").first.check()
    page.wait_for_function("() => document.querySelector('input[type=radio]:checked')")
    page.get_by_role("button", name="Save and continue later").click()
    page.wait_for_url("**/attempt/")
    assert Answer.objects.filter(chosen__isnull=False).count() == 1


def test_autosave_after_being_signed_out_in_another_tab_says_so_and_stays(live_server, page):
    started(live_server, page)
    quiz_page = page.url
    other_tab = page.context.new_page()
    other_tab.goto(f"{live_server.url}/en/")
    other_tab.get_by_role("button", name="Sign out").click()
    other_tab.wait_for_url("**/")
    other_tab.close()
    page.locator("input[type=radio]").first.check()
    page.wait_for_function(
        "() => document.getElementById('autosave-status').textContent.includes('signed out')",
        timeout=10_000,
    )
    assert page.url == quiz_page  # not taken to the sign-in page mid-question
    assert page.locator("#autosave-status").inner_text().startswith("You were signed out")
    assert not Answer.objects.filter(chosen__isnull=False).exists()


def test_an_answer_ticked_just_before_switching_language_is_saved(live_server, page):
    started(live_server, page)
    page.locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Polski").click()  # at once, before the 0.8 s save
    page.wait_for_url("**/pl/**")
    page.wait_for_selector("input[type=radio]:checked")
    assert Answer.objects.filter(chosen__isnull=False).count() == 1


def test_each_background_save_that_works_says_so_under_the_buttons(live_server, page):
    started(live_server, page)
    saved = page.locator("#autosave-saved")
    assert saved.is_hidden()
    page.locator("input[type=radio]").first.check()
    saved.wait_for(state="visible", timeout=10_000)
    assert saved.inner_text().startswith("Every answer you chose is saved (last saved at ")
    assert Answer.objects.filter(chosen__isnull=False).count() == 1
    assert page.locator("#autosave-status").inner_text() == ""  # nothing read out
