"""English and Polish: the catalogue, the language of each address, the switcher, attempts taken
in either language, statistics across both, fallbacks, and dates and numbers per language."""

import csv
import gettext
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import polib
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from quizzes.models import Attempt, Choice, Classroom, Membership, Question, Quiz

from .conftest import answers_for, attempt_shown, enrol, started, take_url, values_shown
from .factories import LessonFactory, QuizFactory, TeacherFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "pl" / "LC_MESSAGES" / "django.po"
FIXTURE = ROOT / "fixtures" / "course.yaml"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}")
# Words that give away an English string on a Polish page (course texts are Polish too).
ENGLISH = {
    "the", "your", "you", "and", "with", "this", "that", "have", "from", "are", "not", "yet",
    "question", "questions", "answer", "answers", "lesson", "lessons", "results", "score",
    "attempt", "attempts", "sign", "class", "classes", "join", "save", "finish", "left", "marks",
    "correct", "wrong", "source", "sources", "passed", "learners", "teacher", "time", "page",
}  # fmt: skip


def visible_text(page: str) -> str:
    """The words a reader sees, without links out to sources (titles in their own language)
    and elements marked as another language (the switcher's "English")."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<a [^>]*href="https?://[^"]*"[^>]*>.*?</a>', " ", page, flags=re.S)
    page = re.sub(r'<(\w+)[^>]*\blang="en"[^>]*>.*?</\1>', " ", page, flags=re.S)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def english_words(page: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]+", visible_text(page).lower())) & ENGLISH


# The catalogue -------------------------------------------------------------------------------


def test_the_polish_catalogue_is_complete_and_compiles(tmp_path):
    catalogue = polib.pofile(str(CATALOGUE))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert len(catalogue.translated_entries()) > 400
    for entry in catalogue.translated_entries():
        forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for form in forms:
            assert form.strip(), entry.msgid
            # Every placeholder of the English survives (a plural's "one" form may name it).
            assert set(PLACEHOLDER.findall(form)) <= set(
                PLACEHOLDER.findall(entry.msgid + entry.msgid_plural)
            ), entry.msgid
    compiled = tmp_path / "django.mo"
    catalogue.save_as_mofile(str(compiled))
    with compiled.open("rb") as f:
        assert gettext.GNUTranslations(f).gettext("Lessons") == "Lekcje"


def test_every_string_marked_in_the_code_is_in_the_catalogue(tmp_path):
    """makemessages over a copy of the project finds no msgid the catalogue lacks."""
    assert shutil.which("xgettext"), "install Debian's gettext package (apt install gettext)"
    copy = tmp_path / "project"
    for name in ("quizsite", "quizzes", "templates", "locale"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("*.mo"))
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "makemessages", "-l", "pl", "--add-location=file"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"DEBUG": "1", "PATH": os.environ["PATH"]},
    )
    fresh = polib.pofile(str(copy / "locale" / "pl" / "LC_MESSAGES" / "django.po"))
    assert [
        (e.msgctxt, e.msgid) for e in fresh.untranslated_entries() + fresh.fuzzy_entries()
    ] == []


ADMIN_OVERRIDES = ROOT / "locale" / "admin-overrides" / "pl" / "LC_MESSAGES" / "django.po"


def test_the_admin_overrides_replace_only_djangos_own_messages():
    """Each is a msgid of Django's admin or auth catalogue: an upgrade that renames one shows
    here, not as a gendered message come back."""
    import django

    contrib = Path(django.__file__).parent / "contrib"
    django_ids = set()
    for app in ("admin", "auth"):
        django_ids |= {
            e.msgid for e in polib.pofile(str(contrib / app / "locale/pl/LC_MESSAGES/django.po"))
        }
    overrides = polib.pofile(str(ADMIN_OVERRIDES))
    assert len(overrides) == 25 and overrides.untranslated_entries() == []
    assert {e.msgid for e in overrides} <= django_ids
    for entry in overrides:
        for form in entry.msgstr_plural.values() or [entry.msgstr]:
            assert not re.search(r"\((a|go|e|-\w+)\)", form), form  # no "został(a)(-ło)"


def test_the_polish_admin_says_what_it_did_without_every_gender_at_once(teacher_client):
    quiz = QuizFactory()
    data = {
        "quiz": quiz.pk, "text_pl": "Kto może zwołać konsultacje?", "kind": "single",
        "marks": "1", "order": "1", "explanation_pl": "Każdy sojusznik.",
        "source_title": "Traktat", "source_url": "https://www.nato.int/cps/en/natohq/official_texts_17120.htm",
        "choices-TOTAL_FORMS": "2", "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0", "choices-MAX_NUM_FORMS": "1000",
        "choices-0-text_pl": "Każdy sojusznik", "choices-0-is_correct": "on",
        "choices-0-order": "0",
        "choices-1-text_pl": "Tylko USA", "choices-1-order": "1",
    }  # fmt: skip
    with translation.override("pl"):
        add = reverse("admin:quizzes_question_add")
    response = teacher_client.post(add, data, follow=True)
    page = html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))  # the link's text
    assert "Dodano: pytanie „Kto może zwołać konsultacje?”." in page
    question = Question.objects.get()
    with translation.override("pl"):
        change = reverse("admin:quizzes_question_change", args=[question.pk])
    page = teacher_client.get(change).content.decode()
    found = re.findall(r'data-inline-formset="([^"]*)"', page)
    inlines = [json.loads(html.unescape(data)) for data in found]
    page = html.unescape(page)
    assert "Dodaj kolejną pozycję: Odpowiedź do wyboru" in [
        i["options"]["addText"] for i in inlines
    ]
    assert "(-" not in page and "(a)" not in page


# Addresses, the switcher and the browser's language ----------------------------------------------


@pytest.fixture
def lesson():
    lesson = LessonFactory(title="Consultation", title_pl="Konsultacje", is_published=True)
    lesson.body_pl = "## Nagłówek\n\nAkapit o art. 4."
    lesson.summary_pl = "O czym jest ta lekcja."
    lesson.save()
    return lesson


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("pl", "/pl/"), ("pl-PL,pl;q=0.9,en;q=0.5", "/pl/"), ("de, pl;q=0.5", "/pl/"), ("fr", "/en/")],
)
def test_an_address_without_a_language_follows_the_browser(client, accept, expected):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == expected


def test_the_foundation_addresses_redirect_into_a_language(client, lesson):
    response = client.get(f"/lessons/{lesson.slug}/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response["Location"] == f"/pl/lessons/{lesson.slug}/"
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/me/")["Location"] == "/en/me/"


def test_the_switcher_takes_the_reader_to_the_same_page_and_is_remembered(client, lesson):
    page = client.get(f"/en/lessons/{lesson.slug}/").content.decode()
    assert 'name="language" value="pl"' in page and 'name="language" value="en"' in page
    response = client.post(
        reverse("set_language"), {"language": "pl", "next": f"/en/lessons/{lesson.slug}/"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/pl/lessons/{lesson.slug}/"
    assert client.cookies["django_language"].value == "pl"
    # Remembered: an address without a language now means Polish, whatever the browser says.
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Location"] == "/pl/"
    page = client.get("/pl/").content.decode()
    assert '<html lang="pl">' in page and "Konsultacje" in page
    assert 'value="pl" lang="pl" class="link-button" aria-current="true"' in page


@pytest.mark.parametrize(
    "remembered, page, chosen",
    [("en", "/pl/accounts/login/", "en"), ("pl", "/en/lessons/{}/", "pl"), ("pl", "/pl/", "en")],
)
def test_the_switcher_works_whatever_language_the_reader_had_before(
    client, lesson, remembered, page, chosen
):
    """The page to return to is read in its own language, not the cookie's or the browser's."""
    client.cookies["django_language"] = remembered
    page = page.format(lesson.slug)
    response = client.post(
        reverse("set_language"),
        {"language": chosen, "next": page},
        HTTP_ACCEPT_LANGUAGE=remembered,
    )
    assert response.status_code == 302
    assert response["Location"] == f"/{chosen}/" + page.split("/", 2)[2]
    assert client.cookies["django_language"].value == chosen


@pytest.mark.parametrize("next_url", ["http://[", "//[x]/", "https://evil.example/pl/", "\\\\x"])
def test_a_junk_or_foreign_return_page_changes_the_language_and_goes_home(client, next_url):
    response = client.post(reverse("set_language"), {"language": "pl", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.cookies["django_language"].value == "pl"


@pytest.mark.parametrize("language", ["de", "", "EN", "x" * 5000])
def test_a_language_the_site_does_not_offer_is_refused_and_not_remembered(client, language):
    response = client.post(reverse("set_language"), {"language": language, "next": "/en/"})
    assert response.status_code == 400
    assert "The site has no such language" in response.content.decode()
    assert "django_language" not in response.cookies
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Location"] == "/en/"


def test_the_quiz_pages_own_switch_saves_the_answers_and_opens_the_page_in_polish(
    learner_client, quiz
):
    """Without JavaScript the header's switch would drop answers not yet saved; the quiz
    form's own button (shown in <noscript>) sends them with the switch."""
    page = started(learner_client, quiz)
    attempt_id = attempt_shown(page)
    html_page = page.content.decode()
    assert 'name="language" value="pl" lang="pl"' in html_page
    assert "Zapisz i czytaj po polsku</button>" in html_page
    assert 'name="language" value="en"' not in html_page.split("<noscript>")[1]
    in_english = take_url(quiz)
    data = {"attempt": attempt_id, "page": "1", "language": "pl", **answers_for(quiz)}
    response = learner_client.post(in_english, data)
    assert response.status_code == 302
    assert response["Location"] == "/pl/" + in_english.split("/", 2)[2]
    assert response.cookies["django_language"].value == "pl"
    attempt = Attempt.objects.get(pk=attempt_id)
    assert attempt.submitted_at is None  # saved, not finished, though no "action" was sent
    assert attempt.answers.exclude(chosen=None).count() == 2
    polish = learner_client.get(response["Location"]).content.decode()
    assert "Twoje odpowiedzi zostały zapisane. Możesz do nich wrócić później." in polish
    assert polish.count(" checked") == 3  # one choice, and two of the several-answer one
    back = learner_client.post(response["Location"], {**data, "language": "en"})
    assert back["Location"] == in_english and back.cookies["django_language"].value == "en"
    # Pressed as time ran out (within the grace): finished, and the result in Polish.
    attempt.deadline = timezone.now() - timedelta(seconds=5)
    attempt.save(update_fields=["deadline"])
    late = learner_client.post(in_english, data)
    result = reverse("quizzes:attempt-result", args=[attempt_id])
    assert late["Location"] == "/pl/" + result.split("/", 2)[2]
    assert late.cookies["django_language"].value == "pl"
    assert Attempt.objects.get(pk=attempt_id).is_submitted
    assert "Czas minął" in learner_client.get(late["Location"]).content.decode()


@pytest.mark.parametrize("language", ["de", "", "x" * 5000])
def test_the_quiz_pages_switch_refuses_a_language_the_site_does_not_offer(
    learner_client, quiz, language
):
    attempt_id = attempt_shown(started(learner_client, quiz))
    data = {"attempt": attempt_id, "page": "1", "language": language, **answers_for(quiz)}
    response = learner_client.post(take_url(quiz), data)
    assert response.status_code == 400
    assert "The site has no such language" in response.content.decode()
    assert not Attempt.objects.get(pk=attempt_id).answers.exclude(chosen=None).exists()
    assert "django_language" not in response.cookies


def test_the_language_cookie_is_not_sent_with_requests_from_other_sites(client):
    """SameSite=Lax, like the session and CSRF cookies: other sites' embeds and posts go without."""
    response = client.post(reverse("set_language"), {"language": "pl", "next": "/en/"})
    cookie = response.cookies["django_language"]
    assert cookie["samesite"] == "Lax"
    assert "SameSite=Lax" in cookie.output()


def test_a_join_link_carries_no_language_so_each_learner_gets_their_own(teacher_client, classroom):
    page = teacher_client.get(classroom.get_absolute_url()).content.decode()
    assert f"http://testserver/join/{classroom.join_code}/" in page
    polish = Client()
    polish.force_login(UserFactory())
    response = polish.get(f"/join/{classroom.join_code}/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response["Location"] == f"/pl/join/{classroom.join_code}/"


# Every page in both languages ---------------------------------------------------------------


@pytest.fixture
def world():
    """The shipped course, a teacher with a class, and a learner with a finished attempt."""
    call_command("loaddata", str(FIXTURE), verbosity=0)
    # Fixed names: a generated surname can be an English word ("Page", "Young") the check flags.
    teacher = TeacherFactory(username="nauczyciel", first_name="Anna", last_name="Nowak")
    learner = UserFactory(username="ola", first_name="Ola", last_name="Kowalska")
    classroom = Classroom.objects.create(name="3B", teacher=teacher)
    Membership.objects.create(classroom=classroom, learner=learner)
    quiz = Quiz.objects.get(slug="article-4-consultation")
    clients = {}
    for role, user in (("learner", learner), ("teacher", teacher)):
        clients[role] = Client()
        clients[role].force_login(user)
    with translation.override("pl"):
        url, take = quiz.get_absolute_url(), take_url(quiz)
        final_start = reverse("quizzes:quiz-start", args=["final-quiz"])
    clients["learner"].post(url)
    attempt = Attempt.objects.get()
    clients["learner"].post(take, {"attempt": attempt.pk, **answers_for(quiz, all_right=False)})
    clients["learner"].post(final_start)  # the final quiz in progress: its page and summary
    return clients, quiz, attempt, classroom


def pages(quiz, attempt, classroom):
    learner = [
        reverse("quizzes:home"),
        reverse("quizzes:lesson-detail", args=[quiz.lesson.slug]),
        reverse("quizzes:lesson-detail", args=["article-4-through-history"]),
        reverse("quizzes:quiz-start", args=["final-quiz"]),
        reverse("quizzes:quiz-take", args=["final-quiz"]),
        reverse("quizzes:quiz-summary", args=["final-quiz"]),
        reverse("quizzes:quiz-start", args=[quiz.slug]),
        reverse("quizzes:attempt-result", args=[attempt.pk]),
        reverse("quizzes:my-results"),
        reverse("quizzes:progress"),
        reverse("quizzes:my-classes"),
        reverse("quizzes:join-form"),
        reverse("quizzes:join", args=[classroom.join_code]),
        reverse("password_change"),
    ]
    teacher = [
        reverse("quizzes:results"),
        reverse("quizzes:quiz-results", args=[quiz.slug]),
        reverse("quizzes:job-list"),
        reverse("quizzes:class-list"),
        reverse("quizzes:class-detail", args=[classroom.pk]),
        reverse("quizzes:class-roster", args=[classroom.pk]),
        reverse("quizzes:class-rotate", args=[classroom.pk]),
        reverse("quizzes:class-remove", args=[classroom.pk, classroom.learners.get().pk]),
        reverse("quizzes:class-password-reset", args=[classroom.pk, classroom.learners.get().pk]),
        reverse("quizzes:class-gradebook", args=[classroom.pk]),
        reverse("quizzes:teacher-attempt", args=[attempt.pk]),
        reverse("admin:index"),
        reverse("admin:quizzes_quiz_changelist"),
        reverse("admin:quizzes_question_change", args=[quiz.questions.first().pk]),
    ]
    anonymous = [reverse("login"), reverse("signup"), reverse("quizzes:home")]
    return {"learner": learner, "teacher": teacher, "anonymous": anonymous}


@pytest.mark.parametrize("language", ["en", "pl"])
def test_every_page_renders_in_both_languages_with_no_english_left_in_polish(world, language):
    clients, quiz, attempt, classroom = world
    clients["anonymous"] = Client()
    with translation.override(language):
        visits = pages(quiz, attempt, classroom)
    for role, urls in visits.items():
        for url in urls:
            assert url.startswith(f"/{language}/"), url
            response = clients[role].get(url)
            assert response.status_code == 200, (role, url, response.status_code)
            page = response.content.decode()
            assert f'<html lang="{language}"' in page, url
            if language == "pl":
                assert english_words(page) == set(), (role, url)
    missing = clients["learner"].get(f"/{language}/lessons/no-such-lesson/")
    assert missing.status_code == 404
    if language == "pl":
        assert english_words(missing.content.decode()) == set()


# Attempts, reviews and statistics across languages -----------------------------------------------


def test_a_polish_learner_takes_a_quiz_and_sees_the_polish_review(world):
    clients, quiz, attempt, _classroom = world
    assert attempt.language == "pl"
    question = Question.objects.get(pk=attempt.answers.get(position=1).question_id)
    clients["learner"].post(f"/pl/quizzes/{quiz.slug}/")  # Start a new attempt
    quiz_page = clients["learner"].get(f"/pl/quizzes/{quiz.slug}/attempt/")
    assert question.text_pl in quiz_page.content.decode()
    result = clients["learner"].get(f"/pl/attempts/{attempt.pk}/").content.decode()
    assert question.text_pl in result and question.explanation_pl in result
    assert "Wyjaśnienie" in result
    # In English, the attempt's questions are read in English too: its version has their text.
    english = clients["learner"].get(f"/en/attempts/{attempt.pk}/").content.decode()
    assert question.explanation_en in english and "Explanation" in english
    assert question.explanation_pl not in english


def test_statistics_count_english_and_polish_attempts_at_a_quiz_together(teacher_client, classroom):
    quiz = QuizFactory(slug="both")
    question = Question.objects.create(
        quiz=quiz,
        text_en="Who may invoke Article 4?",
        text_pl="Kto może powołać się na art. 4?",
        explanation_en="Any ally.",
        explanation_pl="Każdy sojusznik.",
        source_title="NATO",
        source_url="https://www.nato.int/",
    )
    right = Choice.objects.create(
        question=question, text_en="Any ally", text_pl="Każdy sojusznik", is_correct=True,
        feedback_en="Yes.", feedback_pl="Tak.",
    )  # fmt: skip
    Choice.objects.create(
        question=question, text_en="Only the US", text_pl="Tylko USA", feedback_en="No.",
        feedback_pl="Nie.",
    )  # fmt: skip
    for language, name in (("en", "amy"), ("pl", "ola")):
        learner = UserFactory(username=name)
        enrol(classroom, learner)
        client = Client()
        client.force_login(learner)
        with translation.override(language):
            url, take = quiz.get_absolute_url(), take_url(quiz)
        client.post(url)
        attempt = Attempt.objects.get(learner=learner)
        chosen = values_shown(question, [right.pk], attempt=attempt)
        client.post(take, {"attempt": attempt.pk, f"q{question.pk}": chosen})
    assert sorted(Attempt.objects.values_list("language", flat=True)) == ["en", "pl"]
    with translation.override("pl"):
        dashboard_url = reverse("quizzes:quiz-results", args=[quiz.slug])
        export_url = reverse("quizzes:quiz-export", args=[quiz.slug, "grades"])
    d = teacher_client.get(dashboard_url).context["dashboard"]
    assert d.attempts == 2
    assert [q.text for q in d.questions] == ["Kto może powołać się na art. 4?"]
    assert [(c.text, c.count) for c in d.questions[0].choices] == [
        ("Każdy sojusznik", 2),
        ("Tylko USA", 0),
    ]
    response = teacher_client.get(export_url)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][11:] == ["język", "Pyt. 1 /1: Kto może powołać się na art. 4?"]
    assert sorted((row[2], row[11], row[12]) for row in rows[1:]) == [
        ("amy", "en", "1"),
        ("ola", "pl", "1"),
    ]


# Fallbacks ------------------------------------------------------------------------------------


def test_an_untranslated_lesson_shows_in_english_with_a_notice(learner_client):
    lesson = LessonFactory(title="Only in English", is_published=True)
    page = learner_client.get(f"/pl/lessons/{lesson.slug}/").content.decode()
    assert "Only in English" in page
    assert "A paragraph about Article 4." in page  # the body, never an empty page
    assert "Jeszcze nie przetłumaczono – wyświetlany język: angielski." in page
    assert '<div class="prose" lang="en">' in page
    home = learner_client.get("/pl/").content.decode()
    assert "Jeszcze nie przetłumaczono." in home
    english = learner_client.get(f"/en/lessons/{lesson.slug}/").content.decode()
    assert "Not yet translated" not in english


def test_an_untranslated_question_shows_in_english_with_a_notice(learner_client, quiz):
    learner_client.post(f"/pl/quizzes/{quiz.slug}/")
    page = learner_client.get(f"/pl/quizzes/{quiz.slug}/attempt/").content.decode()
    assert "Who may ask for consultations?" in page
    assert page.count("Jeszcze nie przetłumaczono – wyświetlany język: angielski.") == 2
    assert '<span lang="en">Who may ask for consultations?</span>' in page
    assert Attempt.objects.get().answers.first().snapshot["shown_in"] == "en"


def test_a_question_missing_only_its_polish_explanation_is_not_flagged_before_submitting(
    learner_client, quiz
):
    """The questions' page shows the question and its choices, not the explanation: written in
    Polish, they carry no notice there; the result, which shows the English explanation, does."""
    Question.objects.filter(quiz=quiz).update(text_pl="Kto może zwołać konsultacje?")
    question = Question.objects.get(quiz=quiz, order=1)
    Question.objects.filter(quiz=quiz).exclude(pk=question.pk).delete()
    for choice in Choice.objects.filter(question=question):
        choice.text_pl, choice.feedback_pl = f"PL {choice.text_en}", "Uwaga."
        choice.save()
    notice = "Jeszcze nie przetłumaczono – wyświetlany język: angielski."
    learner_client.post(f"/pl/quizzes/{quiz.slug}/")
    taking = learner_client.get(f"/pl/quizzes/{quiz.slug}/attempt/")
    page = taking.content.decode()
    assert "Kto może zwołać konsultacje?" in page
    assert notice not in page
    assert 'lang="en"' not in page.split("<fieldset", 1)[1].split("</fieldset>", 1)[0]
    attempt = attempt_shown(taking)
    data = {"attempt": attempt, "action": "finish", **answers_for(quiz, attempt=attempt)}
    finished = learner_client.post(f"/pl/quizzes/{quiz.slug}/attempt/", data)
    result = learner_client.get(finished.url).content.decode()
    assert result.count(notice) == 1
    assert "<span>Kto może zwołać konsultacje?</span>" not in result  # no span without a lang
    assert "Kto może zwołać konsultacje?</h2>" in result
    assert '<p lang="en">Why the right answer is right.</p>' in result


def test_an_untranslated_question_keeps_its_notice_on_the_result_pages(
    learner_client, teacher_client, quiz
):
    """The learner's result and the teacher's attempt page say so too, as the quiz page did."""
    learner_client.post(f"/pl/quizzes/{quiz.slug}/")
    attempt = attempt_shown(learner_client.get(f"/pl/quizzes/{quiz.slug}/attempt/"))
    data = {"attempt": attempt, "action": "finish", **answers_for(quiz, attempt=attempt)}
    finished = learner_client.post(f"/pl/quizzes/{quiz.slug}/attempt/", data)
    notice = "Jeszcze nie przetłumaczono – wyświetlany język: angielski."
    result = learner_client.get(finished.url).content.decode()
    assert result.count(notice) == 2
    assert '<span lang="en">Who may ask for consultations?</span>' in result
    assert '<p lang="en">Why the right answer is right.</p>' in result
    teacher_page = teacher_client.get(f"/pl/results/attempts/{attempt}/").content.decode()
    assert teacher_page.count(notice) == 2
    assert '<span lang="en">Who may ask for consultations?</span>' in teacher_page
    english = learner_client.get(finished.url.replace("/pl/", "/en/", 1)).content.decode()
    assert "Not yet translated" not in english
    assert 'lang="en"' not in english.split("<main", 1)[1]


def test_a_question_kept_in_the_attempts_language_is_marked_on_a_page_in_the_other(
    learner_client, quiz
):
    """Taken in English, read in Polish: the English-only question says so there too."""
    Question.objects.filter(quiz=quiz, order=2).update(
        text_pl="Które zdania o art. 5 są prawdziwe?", explanation_pl="Wyjaśnienie."
    )
    for choice in Choice.objects.filter(question__quiz=quiz, question__order=2):
        choice.text_pl, choice.feedback_pl = f"PL {choice.text_en}", "Uwaga."
        choice.save()
    learner_client.post(f"/en/quizzes/{quiz.slug}/")
    attempt = attempt_shown(learner_client.get(f"/en/quizzes/{quiz.slug}/attempt/"))
    data = {"attempt": attempt, "action": "finish", **answers_for(quiz, attempt=attempt)}
    finished = learner_client.post(f"/en/quizzes/{quiz.slug}/attempt/", data)
    polish = learner_client.get(finished.url.replace("/en/", "/pl/", 1)).content.decode()
    assert polish.count("Jeszcze nie przetłumaczono – wyświetlany język: angielski.") == 1
    assert '<span lang="en">Who may ask for consultations?</span>' in polish
    assert "Które zdania o art. 5 są prawdziwe?" in polish  # in Polish of its own: no notice


# Dates and numbers ------------------------------------------------------------------------------


def test_dates_and_numbers_follow_the_language(learner_client, teacher_client, classroom):
    closes = datetime(2030, 3, 15, 12, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
    quiz = QuizFactory(slug="dated", closes_at=closes)
    question = Question.objects.create(
        quiz=quiz, text_en="Q?", explanation_en="E.", source_title="S",
        source_url="https://www.nato.int/", marks=3,
    )  # fmt: skip
    right = Choice.objects.create(question=question, text_en="R", is_correct=True, feedback_en="F")
    wrong = Choice.objects.create(question=question, text_en="W", feedback_en="F")
    assert "15 marca 2030" in learner_client.get("/pl/quizzes/dated/").content.decode()
    assert "15 March 2030" in learner_client.get("/en/quizzes/dated/").content.decode()
    for name, chosen in (("a", right), ("b", right), ("c", wrong)):
        learner = UserFactory(username=name)
        enrol(classroom, learner)
        client = Client()
        client.force_login(learner)
        client.post("/en/quizzes/dated/")
        attempt = Attempt.objects.get(learner=learner)
        value = values_shown(question, [chosen.pk], attempt=attempt)
        client.post("/en/quizzes/dated/attempt/", {"attempt": attempt.pk, f"q{question.pk}": value})
    polish = teacher_client.get("/pl/results/quiz/dated/").content.decode()
    english = teacher_client.get("/en/results/quiz/dated/").content.decode()
    assert "66,7%" in polish and "66.7%" in english  # the mean of 100, 100 and 0
    assert timezone.now() < closes


def test_teachers_edit_both_languages_side_by_side_each_marked_with_its_language(teacher_client):
    page = teacher_client.get(reverse("admin:quizzes_question_add")).content.decode()
    for field in ("text", "explanation"):
        assert re.search(rf'<textarea [^>]*name="{field}_en"[^>]*lang="en"', page) or re.search(
            rf'<textarea [^>]*lang="en"[^>]*name="{field}_en"', page
        ), field
        assert f'name="{field}_pl"' in page
    assert 'name="choices-0-text_pl"' in page and 'name="choices-0-feedback_pl"' in page
