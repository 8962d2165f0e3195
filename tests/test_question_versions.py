"""Question versions: one stored copy per content, shared by answers; and the move to them.

`data/pre_versions.json` was written by the code before versions (commit 718c6a7, with the
script `tests/data/make_pre_versions.py` of that commit): rows of the quizzes app, every
answer's JSON snapshot, and every finished attempt's result page as its learner saw it.
"""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, formats, timezone, translation

from quizzes.course.versions import versions_for
from quizzes.models import Answer, Attempt, Question, QuestionVersion
from quizzes.teaching.regrading import regrade_apply

from .conftest import answers_for, attempt_shown, choice_ids, started, take_url
from .factories import UserFactory

DATA = json.loads((Path(__file__).parent / "data" / "pre_versions.json").read_text())
BEFORE = [("quizzes", "0014_quiz_statistics")]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def as_read(html: str) -> str:
    """The page without what its reader cannot see: the CSRF token, white space next to tags
    or in runs, and spaces around the names in a class attribute."""
    html = TOKEN.sub("", html)
    html = re.sub(r'class="([^"]*)"', lambda m: 'class="{}"'.format(" ".join(m[1].split())), html)
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", re.sub(r"\s+", " ", html))


# Django's own date-and-time formats, which the pages were recorded with; since issue 19 the
# site writes one format per language (quizsite/formats/).
RECORDED_FORMATS = {"en": "N j, Y, P", "pl": "j E Y H:i"}


def in_todays_date_format(html: str, attempt, language: str) -> str:
    """The recorded page with the attempt's times written as the site writes them now."""
    with translation.override(language):
        for moment in filter(None, (attempt.submitted_at, attempt.regraded_at)):
            local = timezone.localtime(moment)
            html = html.replace(
                dateformat.format(local, RECORDED_FORMATS[language]),
                formats.date_format(local, "DATETIME_FORMAT"),
            )
    return html


def with_one_mark_singular(html: str) -> str:
    """The recorded page as written since "1 of 1 mark" stopped reading "1 of 1 marks", and
    since the Polish "not passed yet" was reworded."""
    html = html.replace("✗ Jeszcze niezaliczony", "✗ Jeszcze nie zaliczono")
    return re.sub(r"\b(of|out of) 1 marks\b", r"\1 1 mark", html)


def without_untranslated_notes(html: str) -> str:
    """The page as read before its result pages said which questions are shown in the other
    language (the notice, and `lang` on their texts), as the quiz page always did."""
    html = re.sub(r'<p class="hint untranslated">[^<]*</p>', "", html)
    html = re.sub(r'<span lang="[a-z]+">(.*?)</span>', r"\1", html)
    return re.sub(r'(<p(?: class="feedback")?) lang="[a-z]+">', r"\1>", html)


def load_into(apps, rows):
    """Insert the serialised rows with the models of an earlier schema."""
    for row in rows:
        model = apps.get_model(row["model"])
        values = {}
        for name, value in row["fields"].items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                continue
            values[field.attname if field.is_relation else name] = value
        model.objects.create(pk=row["pk"], **values)


def reset_sequences():
    from django.core.management.color import no_style

    from quizzes import models

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(
            no_style(),
            [models.Lesson, models.Quiz, models.Question, models.Choice]
            + [models.Attempt, models.Answer, models.Misconception, models.QuestionVersion],
        ):
            cursor.execute(sql)


@pytest.fixture
def migrated_from_snapshots(transactional_db):
    """The recorded database, loaded as the snapshot code left it, then migrated."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("quizzes")
    executor.migrate(BEFORE)
    try:
        load_into(executor.loader.project_state(BEFORE).apps, DATA["rows"])
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
        reset_sequences()
        yield
    finally:
        MigrationExecutor(connection).migrate(latest)


def test_the_migration_keeps_every_answer_mark_and_result_page(migrated_from_snapshots):
    recorded = {int(pk): row for pk, row in DATA["answers"].items()}
    answers = Answer.objects.select_related("attempt").order_by("id")
    assert len(answers) == len(recorded) == 56
    for answer in answers:
        old = recorded[answer.pk]
        # `asked_in` came later (the quiz page's notice): for these versions, the same language.
        snapshot = dict(answer.snapshot)
        assert snapshot.pop("asked_in") == snapshot["shown_in"], answer.pk
        assert snapshot == old["snapshot"], answer.pk
        assert answer.selected == old["selected"], answer.pk
        assert answer.marks == Decimal(old["marks"]), answer.pk
        assert answer.max_marks == Decimal(old["snapshot"]["marks"])
    # The same content is stored once: 56 answers, a handful of versions.
    assert QuestionVersion.objects.count() <= 20
    attempts = {
        row["pk"]: row["fields"] for row in DATA["rows"] if row["model"] == "quizzes.attempt"
    }
    for attempt in Attempt.objects.all():
        old = attempts[attempt.pk]
        assert (str(attempt.marks), str(attempt.percentage), attempt.passed) == (
            str(Decimal(old["marks"])),
            str(Decimal(old["percentage"])),
            old["passed"],
        )
    for pk, page in DATA["pages"].items():
        attempt = Attempt.objects.get(pk=pk)
        client = Client()
        client.force_login(attempt.learner)
        response = client.get(f"/{page['language']}/attempts/{pk}/")
        assert response.status_code == 200
        main = re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)
        recorded = in_todays_date_format(page["main"], attempt, page["language"])
        recorded = with_one_mark_singular(recorded)
        assert as_read(without_untranslated_notes(main)) == as_read(recorded), pk


def test_after_the_migration_learners_take_the_quizzes_and_teachers_regrade(
    migrated_from_snapshots,
):
    quiz = Attempt.objects.get(pk=1).quiz
    for language in ("en", "pl"):
        client = Client()
        client.force_login(UserFactory(username=f"new-{language}"))
        url = f"/{language}{take_url(quiz)[3:]}"
        client.post(f"/{language}{quiz.get_absolute_url()[3:]}")  # Start
        attempt_id = attempt_shown(client.get(url))
        answers = answers_for(quiz, attempt=Attempt.objects.get(pk=attempt_id))
        assert client.post(url, {"attempt": attempt_id, **answers}).status_code == 302
        assert Attempt.objects.get(pk=attempt_id).percentage == 100
    single = quiz.questions.filter(kind=Question.Kind.SINGLE).first()
    wrong = choice_ids(single, correct=False)[0]
    single.choices.update(is_correct=False)
    single.choices.filter(pk=wrong).update(is_correct=True)
    changes = regrade_apply(quiz, among=Attempt.objects.all())
    assert changes and all(c.new_marks != c.old_marks for c in changes)
    for change in changes:
        assert change.attempt.regrades.get().marks_after == change.new_marks


@pytest.mark.django_db
def test_the_same_content_is_one_version_and_an_edit_makes_another(quiz):
    question = quiz.questions.first()
    first = versions_for([question])[question.id]
    assert versions_for([question])[question.id] == first
    question.marks = 3
    question.save()
    second = versions_for([question])[question.id]
    assert second != first and second.marks == 3
    assert QuestionVersion.objects.filter(question_key=question.id).count() == 2
    question.marks = first.marks  # back as it was: the first version again
    question.save()
    assert versions_for([question])[question.id] == first


@pytest.mark.django_db
def test_a_version_holds_both_languages_and_says_which_fell_back(quiz):
    question = quiz.questions.first()
    question.text_pl = "Kto może zażądać konsultacji?"
    question.save()
    version = versions_for([question])[question.id]
    assert version.content["en"]["text"] == "Who may ask for consultations?"
    assert version.content["pl"]["text"] == "Kto może zażądać konsultacji?"
    assert version.content["en"]["shown_in"] is None
    assert version.content["pl"]["shown_in"] == "en"  # the choices have no Polish yet


@pytest.mark.django_db
def test_editing_a_question_leaves_a_dealt_attempt_as_it_was(learner_client, quiz):
    attempt_id = attempt_shown(started(learner_client, quiz))
    question = quiz.questions.first()
    question.text = "A reworded question"
    question.save()
    page = started(learner_client, quiz).content.decode()
    assert "Who may ask for consultations?" in page and "A reworded question" not in page
    learner_client.post(take_url(quiz), {"attempt": attempt_id, **answers_for(quiz)})
    result = learner_client.get(reverse("quizzes:attempt-result", args=[attempt_id]))
    assert "Who may ask for consultations?" in result.content.decode()


@pytest.mark.django_db
def test_an_answer_stores_numbers_not_a_copy_of_the_question(learner_client, quiz):
    attempt_id = attempt_shown(started(learner_client, quiz))
    learner_client.post(take_url(quiz), {"attempt": attempt_id, **answers_for(quiz)})
    stored = list(
        Answer.objects.filter(attempt_id=attempt_id).values_list("version_id", "dealt", "chosen")
    )
    single = quiz.questions.get(kind=Question.Kind.SINGLE)
    multiple = quiz.questions.get(kind=Question.Kind.MULTIPLE)
    assert stored == [
        (versions_for([single])[single.id].pk, "0,1,2", 0b001),
        (versions_for([multiple])[multiple.id].pk, "0,1,2,3", 0b0011),
    ]
