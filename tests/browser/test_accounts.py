"""Day one of a class in a real browser: a join link through sign-up, a class list printed as
sign-in slips, and the header and pages fitting a phone and a desktop."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from quizzes.models import Classroom, Lesson, Membership, Quiz
from quizzes.taking.attempts import attempt_finish, attempt_start

from ..factories import TeacherFactory, UserFactory
from .conftest import DESKTOP, PHONE, assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def school(db):
    """The shipped course, a teacher with a class, and a learner with a finished attempt."""
    call_command("loaddata", str(ROOT / "fixtures" / "course.yaml"), verbosity=0)
    teacher = TeacherFactory(username="teacher")
    classroom = Classroom.objects.create(name="Class 3B", teacher=teacher)
    learner = UserFactory(username="amy")
    Membership.objects.create(classroom=classroom, learner=learner)
    attempt_finish(
        attempt=attempt_start(learner=learner, quiz=Quiz.objects.get(slug="article-4-consultation"))
    )
    return classroom


def test_a_join_link_through_sign_up_puts_the_new_learner_in_the_class(live_server, page, school):
    base = live_server.url
    page.goto(f"{base}/join/{school.join_code}/")  # as shared: no language in it
    page.wait_for_url(re.compile(r"/en/accounts/login/\?next="))
    assert page.get_by_text("Sign in to join your class.").is_visible()
    assert_accessible(page, "sign-in from a join link")
    page.get_by_role("main").get_by_role("link", name="Create an account").click()
    page.wait_for_url(re.compile(r"/en/accounts/signup/\?next="))
    assert_accessible(page, "sign-up from a join link")
    page.get_by_label("Username").fill("newbie")
    page.get_by_label("Password", exact=True).fill("a-long-and-good-password-7")
    page.get_by_label("Password confirmation").fill("a-long-and-good-password-7")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(f"{base}/en/join/{school.join_code}/")
    assert "You are joining “Class 3B”" in page.content()
    assert_accessible(page, "join page after sign-up")
    page.get_by_role("button", name="Join the class").click()
    page.wait_for_url(f"{base}/en/me/classes/")
    assert "You joined “Class 3B”." in page.content()
    assert school.learners.filter(username="newbie").exists()


def test_a_class_list_becomes_printable_slips_that_sign_in(live_server, page, school):
    base = live_server.url
    sign_in(page, base, "teacher")
    page.goto(f"{base}{school.get_absolute_url()}")
    assert_accessible(page, "class page")
    page.get_by_role("link", name="Add learners from a list").click()
    assert_accessible(page, "roster form")
    page.get_by_label("Names, one a line").fill("Anna Kowalska\nNowak, Piotr\n\nAnna Kowalska\n")
    page.get_by_role("button", name="Make the accounts").click()
    page.wait_for_selector(".slip")
    assert_accessible(page, "slips")
    slips = page.locator(".slip")
    assert slips.count() == 2
    username = slips.nth(0).locator("dd code").nth(0).inner_text()
    password = slips.nth(0).locator("dd code").nth(1).inner_text()
    assert username == "annak" and re.fullmatch(r"[a-z]+-[a-z]+-[2-9]{3}", password)
    # The password on one line inside its slip (on a desktop it broke at its hyphens once).
    boxes = [slips.nth(0).locator("dd code").nth(i).bounding_box() for i in (0, 1)]
    slip = slips.nth(0).bounding_box()
    assert boxes[1]["height"] < boxes[0]["height"] * 1.3
    assert boxes[1]["x"] + boxes[1]["width"] <= slip["x"] + slip["width"]
    # The dialog itself cannot be seen headless: count the calls instead.
    page.evaluate("() => { window.print = () => { window.printed = (window.printed || 0) + 1; }; }")
    page.get_by_role("button", name="Print the slips").click()
    assert page.evaluate("window.printed") == 1
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Print the slips").is_visible()
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".slips-intro").is_visible()
    assert slips.nth(1).is_visible()
    page.emulate_media(media="screen")
    # The slip works: sign out, sign in with it.
    page.get_by_role("button", name=re.compile("Sign out")).click()
    page.goto(f"{base}/en/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/en/")
    assert "annak" in page.locator(".site-header").inner_text()


@pytest.mark.parametrize("viewport", [DESKTOP], ids=["desktop"])
def test_new_code_and_remove_ask_first(live_server, page, school):
    base = live_server.url
    code = school.join_code
    sign_in(page, base, "teacher")
    page.goto(f"{base}{school.get_absolute_url()}")
    page.get_by_role("link", name="Make a new code").click()
    assert_accessible(page, "confirm a new code")
    page.get_by_role("link", name="Cancel").click()
    assert Classroom.objects.get().join_code == code
    page.get_by_role("link", name="Make a new code").click()
    page.get_by_role("button", name="Make a new code").click()
    assert Classroom.objects.get().join_code != code
    page.get_by_role("link", name="Remove amy").click()
    assert_accessible(page, "confirm removing")
    page.get_by_role("button", name="Remove from the class").click()
    page.wait_for_url(f"{base}{school.get_absolute_url()}")
    assert not Membership.objects.exists()


# Layout --------------------------------------------------------------------------------------

HEADER_BOXES = """() => {
  const box = e => e.getBoundingClientRect();
  const items = [...document.querySelectorAll(
    '.site-header .brand, .site-header .nav > li, .site-header .language-switcher button')];
  return {header: box(document.querySelector('.site-header')).height,
          tops: items.map(e => Math.round(box(e).top)),
          bottoms: items.map(e => Math.round(box(e).bottom)),
          rights: items.map(e => Math.round(box(e).right)),
          scroll: document.documentElement.scrollWidth, width: innerWidth};
}"""


@pytest.mark.parametrize("viewport", [DESKTOP], ids=["desktop"])
@pytest.mark.parametrize("language", ["en", "pl"])
def test_the_teachers_header_is_one_line_at_1280_pixels(live_server, page, school, language):
    sign_in(page, live_server.url, "teacher")
    page.goto(f"{live_server.url}/{language}/results/")
    boxes = page.evaluate(HEADER_BOXES)
    # One line: every item overlaps every other vertically, and the header is one row high.
    assert max(boxes["tops"]) < min(boxes["bottoms"]), boxes
    assert boxes["header"] <= 64, boxes
    assert len(boxes["tops"]) == 1 + 8 + 2  # brand, eight menu items, two languages


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
@pytest.mark.parametrize("who", ["amy", "teacher", None])
def test_on_a_phone_the_whole_menu_is_in_sight_in_a_short_header(live_server, page, school, who):
    """The menu wraps onto at most three lines: every item, "Sign out" too, is on the screen
    (a menu that scrolled sideways hid the last ones)."""
    if who:
        sign_in(page, live_server.url, who)
    for language in ("en", "pl"):
        page.goto(f"{live_server.url}/{language}/")
        boxes = page.evaluate(HEADER_BOXES)
        assert boxes["header"] <= 160, (language, boxes)
        assert boxes["scroll"] <= boxes["width"], (language, boxes)
        assert max(boxes["rights"]) <= boxes["width"], (language, boxes)
        if who:
            assert page.get_by_role("button", name=re.compile("Sign out|Wyloguj")).is_visible()
    assert_accessible(page, "home on a phone")


WIDTHS = """() => [document.documentElement.scrollWidth, innerWidth,
  [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth
    && !(e.parentElement.closest('.table-wrap')))
    .slice(0, 3).map(e => e.outerHTML.slice(0, 120))]"""


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_no_page_of_a_learner_scrolls_sideways_at_360_pixels(live_server, page, school):
    sign_in(page, live_server.url, "amy")
    urls = [reverse("quizzes:my-results"), reverse("quizzes:progress")]
    urls += [
        reverse("quizzes:lesson-detail", args=[slug])
        for slug in Lesson.objects.values_list("slug", flat=True)
    ]
    for language in ("en", "pl"):
        for url in urls:
            page.goto(f"{live_server.url}/{language}{url[3:]}")
            scroll, width, wide = page.evaluate(WIDTHS)
            assert scroll <= width, (language, url, scroll, wide)
    page.goto(f"{live_server.url}/en/lessons/article-4-through-history/")
    assert_accessible(page, "lesson 4 on a phone")
