"""The Polish course passes the same content checks as the English one (tests/test_course.py),
reading the Polish columns themselves, so a fallback to English can never pass for Polish."""

import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from quizzes.models import Choice, GradeBand, Lesson, Misconception, Question, Quiz

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "course.yaml"
ARTICLE_4 = (
    "Strony będą się wspólnie konsultowały, ilekroć, zdaniem którejkolwiek z nich, zagrożone "
    "będą integralność terytorialna, niezależność polityczna lub bezpieczeństwo którejkolwiek "
    "ze Stron."
)


@pytest.fixture
def course(db):
    call_command("loaddata", str(FIXTURE), verbosity=0)


def words(text):
    return len(re.findall(r"[\w’'-]+", text))


def test_every_lesson_has_a_polish_version_of_600_to_1200_words_with_headings(course):
    for lesson in Lesson.objects.all():
        assert lesson.title_pl.strip() and lesson.summary_pl.strip(), lesson.slug
        assert 600 <= words(lesson.body_pl) <= 1200, (lesson.slug, words(lesson.body_pl))
        assert lesson.body_pl.count("\n## ") + lesson.body_pl.startswith("## ") >= 3
        assert "## Źródła" not in lesson.body_pl
        assert lesson.title_pl != lesson.title_en


def test_every_question_choice_and_feedback_has_a_polish_version(course):
    texts = []
    for question in Question.objects.prefetch_related("choices"):
        assert question.text_pl.strip() and question.explanation_pl.strip(), question.pk
        choices = [c.text_pl for c in question.choices.all()]
        assert all(text.strip() for text in choices), question.pk
        assert len(set(choices)) == len(choices), question.pk  # no two choices alike
        texts.append(question.text_pl)
    assert len(texts) == len(set(texts)) == 72
    assert not Choice.objects.filter(feedback_pl="").exists()
    assert not Choice.objects.filter(feedback_pl__isnull=True).exists()
    assert not GradeBand.objects.filter(feedback_pl="").exists()
    for quiz in Quiz.objects.all():
        assert quiz.title_pl.strip() and quiz.description_pl.strip(), quiz.slug
    for misconception in Misconception.objects.all():
        assert misconception.name_pl.strip() and misconception.description_pl.strip()
    names = Misconception.objects.values("name_pl")
    assert names.distinct().count() == Misconception.objects.count() >= 11  # each its own name


def test_the_polish_course_uses_the_proper_names_and_the_official_treaty_text(course):
    text = " ".join(
        " ".join([lesson.title_pl, lesson.summary_pl, lesson.body_pl])
        for lesson in Lesson.objects.all()
    )
    for name in (
        "Sojusz Północnoatlantycki",
        "Traktat Północnoatlantycki",
        "Rada Północnoatlantycka",
        "art. 4",
        "art. 5",
    ):
        assert name in text, name
    assert ARTICLE_4 in Lesson.objects.get(slug="article-4-consultation").body_pl
    assert "na Ukrainie" not in text  # one usage throughout: "w Ukrainie"
    assert re.search(r"[ąćęłńóśźż]", text)


def test_the_polish_history_lesson_draws_the_same_timeline(course, client):
    lesson = Lesson.objects.get(slug="article-4-through-history")
    page = client.get(f"/pl/lessons/{lesson.slug}/").content.decode()
    figure = page.split('<figure class="timeline">')[1].split("</figure>")[0]
    assert figure.count("<circle") == 9 and figure.count("<li>") == 9
    assert '<time datetime="2025-09-10">' in figure
    assert "Turcja" in figure and "Polska" in figure


def test_every_polish_page_of_the_course_is_polish(course, learner_client):
    for lesson in Lesson.objects.published():
        page = learner_client.get(f"/pl/lessons/{lesson.slug}/").content.decode()
        assert lesson.title_pl in page and "Jeszcze nie przetłumaczono" not in page
    for quiz in Quiz.objects.published():
        page = learner_client.get(f"/pl/quizzes/{quiz.slug}/").content.decode()
        assert quiz.title_pl in page and "Jeszcze nie przetłumaczono" not in page


def polish_texts():
    """Every Polish text of the fixture, with the model and field it comes from."""
    rows = yaml.safe_load(FIXTURE.read_text())
    return [
        (row["model"], row["pk"], field, value)
        for row in rows
        for field, value in row["fields"].items()
        if field.endswith("_pl") and isinstance(value, str)
    ]


def test_the_polish_course_writes_sojusz_and_awacs_one_way_throughout():
    """„Sojusz” is capitalised when it names NATO (the one generic use is a heading), and an
    AWACS is always „samolot wczesnego ostrzegania”, never a radar or reconnaissance plane."""
    for model, pk, field, text in polish_texts():
        generic = text.replace("## Krótki traktat, wielki sojusz", "")
        assert not re.search(r"\bsojusz(u|em|owi)?\b", generic), (model, pk, field)
        for match in re.finditer(r"AWACS", text):
            assert "wczesnego ostrzegania" in text[max(0, match.start() - 60) : match.end()], (
                model,
                pk,
                field,
            )
        assert not re.search(r"samolot\w* (radarow|rozpoznawcz)", text), (model, pk, field)


def test_article_6_in_polish_is_marked_as_our_own_translation(course):
    """No primary source for the official Polish text of Article 6 could be checked, so the
    lesson gives its own translation and says so, instead of passing it off as the official one."""
    body = Lesson.objects.get(slug="article-4-versus-article-5").body_pl
    quote = next(line for line in body.splitlines() if line.startswith("> „Na potrzeby art. 5"))
    assert quote.endswith("(tłumaczenie własne)")
    assert "**własne tłumaczenie**" in body and "Nie jest to tekst urzędowy" in body
