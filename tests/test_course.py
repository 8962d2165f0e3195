"""The shipped course content, and the commands `make run` uses to set a machine up."""

import io
import json
import re
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from quizzes.models import Attempt, Choice, GradeBand, Lesson, Question, Quiz
from quizzes.taking.scoring import answer_key_errors

from .conftest import started

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "course.yaml"
SEEDS = sorted((ROOT.parent / "shared" / "seeds").glob("*.txt"))
FACTS = (ROOT.parent / "shared" / "FACTS.md").read_text()
CONTENT = (ROOT / "docs" / "CONTENT.md").read_text()
# Pages checked where FACTS.md lists no primary or first-hand one: the table in their section.
CHECKED_SOURCES = set(
    re.findall(
        r"^\| (https?://\S+) \|",
        CONTENT.split("\n## Sources checked beyond FACTS.md\n", 1)[1].split("\n## ", 1)[0],
        re.M,
    )
)


@pytest.fixture
def course(db):
    call_command("loaddata", str(FIXTURE), verbosity=0)


LESSON_SLUGS = [
    "north-atlantic-treaty-and-council",
    "article-4-consultation",
    "article-4-versus-article-5",
    "article-4-through-history",
    "september-2025-drone-incident",
    "reading-the-news-critically",
    "final-review",
]


def lesson_words(lesson):
    return len(re.findall(r"[\w’'-]+", lesson.body))


def test_the_course_has_six_lessons_and_a_final_review_in_order(course):
    lessons = Lesson.objects.published()
    assert list(lessons.values_list("slug", flat=True)) == LESSON_SLUGS
    for lesson in lessons:
        assert lesson.quizzes.filter(is_published=True).count() == 1, lesson
        assert lesson.sources.count() >= 3, lesson
        assert all(
            s.url.startswith("https://") or s.url.startswith("http://")
            for s in lesson.sources.all()
        )


@pytest.mark.parametrize("slug", LESSON_SLUGS[:6])
def test_each_lesson_is_600_to_1200_words_with_headings(course, slug):
    lesson = Lesson.objects.get(slug=slug)
    assert 600 <= lesson_words(lesson) <= 1200, (slug, lesson_words(lesson))
    assert lesson.body.count("\n## ") >= 3
    assert "## Sources" not in lesson.body  # sources are rows, listed under the lesson


def test_the_final_review_is_a_real_lesson_too(course):
    assert 600 <= lesson_words(Lesson.objects.get(slug="final-review")) <= 1200


def test_every_lesson_quiz_has_ten_or_more_questions_of_both_kinds(course):
    total = 0
    for quiz in Quiz.objects.exclude(slug="final-quiz"):
        questions = quiz.questions.all()
        assert questions.count() >= 10, quiz
        assert questions.filter(kind=Question.Kind.MULTIPLE).count() >= 2, quiz
        assert questions.filter(kind=Question.Kind.SINGLE).count() >= 2, quiz
        assert questions.values("marks").distinct().count() >= 2, (
            quiz
        )  # easy and hard weigh differently
        total += questions.count()
    assert total >= 60


def test_the_final_quiz_draws_twenty_at_random_from_every_lesson_quiz(course, learner_client):
    final = Quiz.objects.get(slug="final-quiz")
    assert final.questions.count() == 0
    assert set(final.draws_from.values_list("slug", flat=True)) == set(LESSON_SLUGS[:6])
    assert final.questions_per_attempt == 20 and final.shuffle_questions
    assert final.pool().count() >= 60
    response = started(learner_client, final)
    assert response.status_code == 200
    attempt = Attempt.objects.get(quiz=final)
    dealt = list(attempt.answers.values_list("question__quiz__slug", flat=True))
    assert len(dealt) == 20 and len(set(dealt)) >= 3


def test_every_question_in_the_fixture_is_valid_sourced_and_tagged(course):
    for question in Question.objects.prefetch_related("choices__misconception"):
        choices = list(question.choices.all())
        assert answer_key_errors(question.kind, [c.is_correct for c in choices]) == [], question
        assert 2 <= len(choices) <= 5, question
        assert question.explanation.strip(), question
        assert question.source_url.startswith("https://") or question.source_url.startswith(
            "http://"
        ), question
        # every source comes from the fact sheet, or is a primary page checked for it
        assert question.source_url in FACTS or question.source_url in CHECKED_SOURCES, question
        assert question.source_title.strip(), question
        for choice in choices:
            assert choice.feedback.strip(), choice
            if choice.is_correct:
                assert choice.misconception is None, choice
            else:
                assert choice.misconception is not None, choice
            choice.full_clean()
        question.full_clean()


def test_every_misconception_is_tested_and_listed_for_teachers(course, teacher_client):
    from django.urls import reverse

    from quizzes.models import Misconception

    assert Misconception.objects.count() >= 5
    for misconception in Misconception.objects.all():
        assert misconception.choices.exists(), misconception
    page = teacher_client.get(reverse("admin:quizzes_misconception_changelist"))
    assert page.status_code == 200
    assert "Confuses Article 4 with Article 5" in page.content.decode()


def test_no_misconception_is_a_catch_all_for_the_wrong_choices(course):
    """A tag says what a class confuses only if it is not on a large share of the wrong choices."""
    from quizzes.models import Misconception

    wrong = Choice.objects.filter(is_correct=False).count()
    for misconception in Misconception.objects.all():
        assert misconception.choices.count() <= wrong / 7, misconception


def test_question_texts_are_not_duplicated(course):
    texts = list(Question.objects.values_list("text", flat=True))
    assert len(texts) == len(set(texts))


def test_no_grade_band_promises_another_attempt(course):
    """A teacher may allow one attempt: the result page then says every attempt is used, and
    its feedback must not send the learner to try again."""
    texts = GradeBand.objects.values_list("feedback_en", "feedback_pl")
    assert len(texts) == 21
    for english, polish in texts:
        assert not re.search(r"try again|another attempt", english, re.I), english
        assert not re.search(r"spróbuj|podejści", polish, re.I), polish


def test_content_md_maps_every_question(course):
    content = (ROOT / "docs" / "CONTENT.md").read_text()
    for pk, source in Question.objects.values_list("pk", "source_url"):
        row = next((line for line in content.splitlines() if line.startswith(f"| {pk} |")), None)
        assert row is not None, pk
        assert "§" in row and source in row, pk


def test_the_history_lesson_draws_its_timeline(course, client):
    lesson = Lesson.objects.get(slug="article-4-through-history")
    page = client.get(lesson.get_absolute_url()).content.decode()
    figure = page.split('<figure class="timeline">')[1].split("</figure>")[0]
    assert '<svg class="timeline-drawing"' in figure and 'aria-hidden="true"' in figure
    assert figure.count("<circle") == 9
    assert figure.count("<li>") == 9
    assert '<time datetime="2025-09-10">' in figure


def words(text):
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))


def test_no_twelve_word_run_of_the_seed_articles_appears_in_the_content():
    assert len(SEEDS) == 2, "the seed articles are expected in ../shared/seeds"
    runs = set()
    for seed in SEEDS:
        seed_words = words(seed.read_text())
        runs |= {" ".join(seed_words[i : i + 12]) for i in range(len(seed_words) - 11)}
    content = yaml.safe_load(FIXTURE.read_text())
    texts = [value for row in content for value in row["fields"].values() if isinstance(value, str)]
    content_words = words(" ".join(texts))
    copied = {" ".join(content_words[i : i + 12]) for i in range(len(content_words) - 11)} & runs
    assert not copied


def test_every_page_of_the_course_renders(course, learner_client):
    for lesson in Lesson.objects.published():
        assert learner_client.get(lesson.get_absolute_url()).status_code == 200
    for quiz in Quiz.objects.published():
        assert started(learner_client, quiz).status_code == 200


def test_load_course_fills_an_empty_database_and_is_safe_to_run_again():
    call_command("load_course", stdout=io.StringIO())
    counts = (Lesson.objects.count(), Question.objects.count(), Choice.objects.count())
    assert counts[0] == 7
    lesson = Lesson.objects.first()
    lesson.title = "Edited by a teacher"
    lesson.save()
    call_command("load_course", stdout=io.StringIO())
    assert (Lesson.objects.count(), Question.objects.count(), Choice.objects.count()) == counts
    assert Lesson.objects.filter(title="Edited by a teacher").exists()
    call_command("load_course", "--reload", stdout=io.StringIO())
    assert (Lesson.objects.count(), Question.objects.count(), Choice.objects.count()) == counts
    assert not Lesson.objects.filter(title="Edited by a teacher").exists()


def signs_in(username, password):
    """Whether the sign-in page accepts these credentials (through the login throttle too)."""
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def test_demo_users_get_generated_passwords_that_work_and_are_kept(settings, tmp_path, capsys):
    settings.VAR_DIR, settings.DEBUG = tmp_path, True
    call_command("ensure_demo_users")
    first = capsys.readouterr().out
    stored = json.loads((tmp_path / "demo-credentials.json").read_text())
    assert set(stored) == {"teacher", "student"}
    assert stored["teacher"] != stored["student"]
    for username, password in stored.items():
        assert password in first
        assert signs_in(username, password)
    teacher = User.objects.get(username="teacher")
    assert teacher.is_staff and not teacher.is_superuser
    assert teacher.groups.filter(name="Teachers").exists()
    assert not User.objects.get(username="student").is_staff

    call_command("ensure_demo_users")
    assert json.loads((tmp_path / "demo-credentials.json").read_text()) == stored
    assert User.objects.count() == 2


def test_the_sign_in_line_names_the_address_the_site_is_served_on(settings, tmp_path, capsys):
    settings.VAR_DIR, settings.DEBUG = tmp_path, True
    call_command("ensure_demo_users", site="http://127.0.0.1:8101/")
    out = capsys.readouterr().out
    assert "Sign in at http://127.0.0.1:8101/en/accounts/login/" in out
    assert "http://127.0.0.1:8101/pl/accounts/login/" in out
    assert ":8000" not in out


def test_demo_passwords_can_come_from_the_environment(settings, tmp_path, monkeypatch):
    settings.VAR_DIR, settings.DEBUG = tmp_path, True
    monkeypatch.setenv("DEMO_STUDENT_PASSWORD", "from-the-environment-123")
    call_command("ensure_demo_users", stdout=io.StringIO())
    assert signs_in("student", "from-the-environment-123")


def test_a_password_changed_by_its_owner_is_not_overwritten(settings, tmp_path, capsys):
    settings.VAR_DIR, settings.DEBUG = tmp_path, True
    call_command("ensure_demo_users")
    student = User.objects.get(username="student")
    student.set_password("my-own-new-password")
    student.save()
    capsys.readouterr()
    call_command("ensure_demo_users")
    assert "changed by its owner" in capsys.readouterr().out
    assert signs_in("student", "my-own-new-password")


def test_an_existing_account_named_like_a_demo_one_keeps_its_rights(settings, tmp_path):
    settings.VAR_DIR, settings.DEBUG = tmp_path, True
    learner = User.objects.create_user("teacher", password="a-learners-own-password")
    call_command("ensure_demo_users", stdout=io.StringIO())
    learner.refresh_from_db()
    assert not learner.is_staff
    assert not learner.groups.exists()
    assert signs_in("teacher", "a-learners-own-password")


def test_the_environment_password_does_not_override_one_the_owner_changed(
    settings, tmp_path, monkeypatch
):
    settings.VAR_DIR, settings.DEBUG = tmp_path, True
    monkeypatch.setenv("DEMO_STUDENT_PASSWORD", "from-the-environment-123")
    call_command("ensure_demo_users", stdout=io.StringIO())
    student = User.objects.get(username="student")
    student.set_password("my-own-new-password")
    student.save()
    call_command("ensure_demo_users", stdout=io.StringIO())
    assert signs_in("student", "my-own-new-password")


def test_production_creates_no_demo_account_unless_asked(settings, tmp_path):
    settings.VAR_DIR, settings.DEBUG, settings.DEMO_ACCOUNTS = tmp_path, False, False
    out = io.StringIO()
    call_command("ensure_demo_users", stdout=out)
    assert not User.objects.exists()
    assert not (tmp_path / "demo-credentials.json").exists()
    assert "DEMO_ACCOUNTS=1" in out.getvalue()
    assert "password:" not in out.getvalue()


def test_demo_accounts_asked_for_in_production_never_print_their_passwords(settings, tmp_path):
    settings.VAR_DIR, settings.DEBUG, settings.DEMO_ACCOUNTS = tmp_path, False, True
    out = io.StringIO()
    call_command("ensure_demo_users", stdout=out)
    call_command("ensure_demo_users", "--reset", stdout=out)
    stored = json.loads((tmp_path / "demo-credentials.json").read_text())
    assert set(stored) == {"teacher", "student"}
    for username, password in stored.items():
        assert password not in out.getvalue()
        assert signs_in(username, password)
    assert str(tmp_path / "demo-credentials.json") in out.getvalue()


def test_reload_refuses_to_leave_an_invalid_answer_key_and_changes_nothing():
    call_command("load_course", stdout=io.StringIO())
    question = Question.objects.filter(kind=Question.Kind.SINGLE).first()
    right = question.choices.get(is_correct=True)
    question.choices.filter(pk=right.pk).update(is_correct=False)
    Choice.objects.create(
        question=question,
        text="A teacher's new answer",
        is_correct=True,
        feedback="Added in the admin.",
    )
    with pytest.raises(CommandError, match="invalid questions"):
        call_command("load_course", "--reload", stdout=io.StringIO())
    assert not Choice.objects.get(pk=right.pk).is_correct


def test_answering_only_the_first_choice_fails_every_shipped_quiz(course):
    """The right answers are spread over the positions, so 'always the first' cannot pass."""
    for quiz in Quiz.objects.exclude(slug="final-quiz").prefetch_related("questions__choices"):
        earned = 0
        for question in quiz.questions.all():
            first = question.choices.all()[0]
            correct = sum(c.is_correct for c in question.choices.all())
            earned += (1 / correct if question.kind == "multiple" else 1) if first.is_correct else 0
        assert earned / quiz.questions.count() * 100 < quiz.pass_mark, quiz
