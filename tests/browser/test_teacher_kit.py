"""axe-core on the teacher's kit with the shipped course: the three maps in both languages, the
glossary, a teacher's notes and the admin screens where the kit is written."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from quizzes.models import Course, GlossaryTerm, Lesson

from ..factories import TeacherFactory, UserFactory
from .conftest import DESKTOP, assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
MAP_LESSONS = {
    "article-4-versus-article-5": "article-6",
    "article-4-through-history": "eastern-flank",
    "september-2025-drone-incident": "poland-2025",
}


@pytest.fixture
def kit(db):
    call_command("loaddata", str(ROOT / "fixtures" / "course.yaml"), verbosity=0)
    TeacherFactory(username="teach")
    UserFactory(username="pupil")


@pytest.mark.parametrize("language", ["en", "pl"])
def test_the_maps_and_the_glossary_pass_axe(live_server, page, viewport, kit, language):
    base = live_server.url
    sign_in(page, base, "pupil")
    for slug, name in MAP_LESSONS.items():
        page.goto(f"{base}/{language}/lessons/{slug}/")
        figure = page.locator(f"#map-{name}")
        figure.scroll_into_view_if_needed()
        assert figure.locator("svg.map-drawing").is_visible()
        box = figure.locator("svg.map-drawing").bounding_box()
        assert box["width"] > 250 and box["height"] > 100  # drawn, not collapsed
        assert figure.locator(".map-key li").count() >= 5
        assert page.locator(".teacher-notes").count() == 0
        assert_accessible(page, f"{language} {slug}")
    page.goto(f"{base}/{language}/glossary/")
    assert page.locator(".glossary dt").count() == GlossaryTerm.objects.count()
    assert_accessible(page, f"{language} glossary")
    page.goto(f"{base}/{language}/lessons/north-atlantic-treaty-and-council/")
    page.locator("a.term").first.click()
    page.wait_for_url(f"{base}/{language}/glossary/#term-*")
    assert page.locator("dt:target").count() == 1


@pytest.mark.parametrize("viewport", [DESKTOP], ids=["desktop"])
def test_a_teachers_notes_and_the_kits_admin_pass_axe(live_server, page, kit):
    base = live_server.url
    sign_in(page, base, "teach")
    for language in ("en", "pl"):
        page.goto(f"{base}/{language}/lessons/article-4-versus-article-5/")
        notes = page.locator(".teacher-notes")
        notes.scroll_into_view_if_needed()
        assert notes.is_visible() and notes.locator("blockquote").count() == 1
        assert_accessible(page, f"{language} lesson with teachers' notes")
    lesson = Lesson.objects.get(slug="article-4-versus-article-5")
    for url in (
        reverse("admin:quizzes_lesson_change", args=[lesson.pk]),
        reverse("admin:quizzes_glossaryterm_changelist"),
        reverse("admin:quizzes_glossaryterm_change", args=[GlossaryTerm.objects.first().pk]),
        reverse("admin:quizzes_course_change", args=[Course.objects.get().pk]),
    ):
        page.goto(f"{base}{url}")
        assert_accessible(page, url)
