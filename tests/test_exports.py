"""The teachers' CSV export: columns, values, formula neutralising, filters and streaming."""

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from quizzes.core.spreadsheet import LocalTimes
from quizzes.models import Attempt, Classroom
from quizzes.teaching.exports import neutralise

from .conftest import answers_for, attempt_shown, enrol, started, take_url
from .factories import QuestionFactory, QuizFactory, UserFactory, question_with_choices

pytestmark = pytest.mark.django_db

HEADER = [
    "username",
    "name",
    "email",
    "quiz",
    "started",
    "submitted",
    "marks",
    "maximum",
    "percentage",
    "passed",
]


def take(user, quiz, *, all_right=True):
    """Finish an attempt as `user`, a learner in the teacher's class (every class there is)."""
    enrol_everywhere(user)
    client = Client()
    client.force_login(user)
    attempt_id = attempt_shown(started(client, quiz))
    client.post(take_url(quiz), {"attempt": attempt_id, **answers_for(quiz, all_right=all_right)})
    return Attempt.objects.get(pk=attempt_id)


def enrol_everywhere(user):
    for classroom in Classroom.objects.all():
        enrol(classroom, user)


def main_of(response):
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+48 600", "'+48 600"),
        ("-2", "-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("Ola", "Ola"),
        ("a=b", "a=b"),
        ("", ""),
        (" =1+1", "' =1+1"),
        ("\u00a0=1+1", "'\u00a0=1+1"),
        ("\u200b=1+1", "'\u200b=1+1"),
        ("\ufeff@x", "'\ufeff@x"),
        (" \t\u3000+x", "' \t\u3000+x"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("\uff0bx", "'\uff0bx"),
        ("\uff0dx", "'\uff0dx"),
        ("\uff20x", "'\uff20x"),
        ("\u2212x", "'\u2212x"),
        ('"=1+1"', '\'"=1+1"'),
        ("  Ola", "  Ola"),
        ("\u200b", "\u200b"),
        ("-0.25", "-0.25"),
        ("-1+1", "'-1+1"),
        ("-", "'-"),
        ("100.00", "100.00"),
        ("\x01=1+1", "'\x01=1+1"),
        ("\x1b\x08+x", "'\x1b\x08+x"),
        ("\x7f@x", "'\x7f@x"),
        ("\x01Ola", "\x01Ola"),
        ("\u3164=1+1", "'\u3164=1+1"),
        ("\ufe0f+cmd", "'\ufe0f+cmd"),
        ("\u034f-2+3", "'\u034f-2+3"),
        ("-26,6164", "-26,6164"),  # a number in the Polish CSV for Excel
        ("-1,5+A1", "'-1,5+A1"),
    ],
)
def test_neutralise_prefixes_formula_triggers(text, expected):
    assert neutralise(text) == expected


def test_export_has_one_row_per_submitted_attempt_with_the_expected_values(teacher_client, quiz):
    ola = UserFactory(username="ola", first_name="Ola", last_name="Nowak", email="ola@example.org")
    attempt = take(ola, quiz)
    Attempt.objects.create(learner=UserFactory(username="idle"), quiz=quiz)  # not finished

    response = teacher_client.get(reverse("quizzes:results-export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="attempts-all-' in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header == HEADER
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["username"] == "ola"
    assert row["name"] == "Ola Nowak"
    assert row["email"] == "ola@example.org"
    assert row["quiz"] == quiz.title
    assert datetime.fromisoformat(row["started"]) == attempt.started_at.replace(microsecond=0)
    assert datetime.fromisoformat(row["submitted"]) == attempt.submitted_at.replace(microsecond=0)
    assert (row["marks"], row["maximum"], row["percentage"], row["passed"]) == (
        "2",
        "2",
        "100.00",
        "yes",
    )


def test_the_export_names_a_quiz_one_way_whatever_language_its_attempts_were_in(
    teacher_client, quiz
):
    quiz.title_pl = "Quiz po polsku"
    quiz.save()
    take(UserFactory(username="en_learner"), quiz)
    polish = take(UserFactory(username="pl_learner"), quiz)
    Attempt.objects.filter(pk=polish.pk).update(language="pl", quiz_title="Quiz po polsku")
    english_rows = read_csv(teacher_client.get(reverse("quizzes:results-export")))[1:]
    assert [row[3] for row in english_rows] == [quiz.title, quiz.title]
    with translation.override("pl"):
        polish_rows = read_csv(teacher_client.get(reverse("quizzes:results-export")))[1:]
    assert [row[3] for row in polish_rows] == ["Quiz po polsku", "Quiz po polsku"]


def test_formula_looking_names_are_neutralised_in_the_export(teacher_client, quiz):
    quiz.title = "@quiz"
    quiz.save()
    evil = UserFactory(username="=cmd", first_name="+SUM(1)", last_name="x", email="-1@example.org")
    take(evil, quiz, all_right=False)
    header, row = read_csv(teacher_client.get(reverse("quizzes:results-export")))
    row = dict(zip(header, row, strict=True))
    assert row["username"] == "'=cmd"
    assert row["name"] == "'+SUM(1) x"
    assert row["email"] == "'-1@example.org"
    assert row["quiz"] == "'@quiz"
    assert (row["marks"], row["percentage"], row["passed"]) == ("0", "0.00", "no")


def test_no_export_has_a_cell_that_a_spreadsheet_would_run(teacher_client, classroom, quiz):
    """Names, usernames, class names and texts with hidden formula starts, in every export."""
    classroom.name = "\u00a0=CLASS()"
    classroom.save()
    question = quiz.questions.first()
    question.text = "\u200b=QUESTION()"
    question.save()
    choice = question.choices.first()
    choice.text = "\uff20CHOICE"
    choice.save()
    evil = UserFactory(
        username="\uff0b48", first_name='"=2+2"', last_name="\x01\u00a0+1", email=" =1+1"
    )
    enrol(classroom, evil)
    take(evil, quiz)
    downloads = [
        teacher_client.get(reverse("quizzes:results-export")),
        *(
            teacher_client.get(reverse("quizzes:quiz-export", args=[quiz.slug, kind]))
            for kind in ("grades", "responses", "items")
        ),
        teacher_client.post(
            reverse("admin:quizzes_attempt_changelist"),
            {
                "action": "export_csv",
                "_selected_action": list(Attempt.objects.values_list("pk", flat=True)),
            },
        ),
    ]
    cells = [cell for response in downloads for row in read_csv(response) for cell in row]
    assert len(cells) > 50
    for cell in cells:
        visible = cell.lstrip(" \t\x01\u00a0\u200b\ufeff")
        assert visible[:1] not in set('=+@"\uff1d\uff0b\uff0d\uff20'), repr(cell)
        if visible.startswith("-"):
            assert re.fullmatch(r"-[0-9.]+", cell), repr(cell)
    for hidden in ("\u00a0=CLASS()", "\u200b=QUESTION()", "\uff20CHOICE", "\uff0b48"):
        assert "'" + hidden in cells


def test_export_filters_by_quiz(teacher_client, quiz):
    other = QuizFactory(slug="other-quiz")
    question_with_choices(other, correct=1, wrong=1)
    take(UserFactory(username="in-quiz"), quiz)
    take(UserFactory(username="in-other"), other)
    response = teacher_client.get(reverse("quizzes:results-export"), {"quiz": "other-quiz"})
    assert 'filename="attempts-other-quiz-' in response["Content-Disposition"]
    _, *rows = read_csv(response)
    assert [row[0] for row in rows] == ["in-other"]


def test_export_with_an_unknown_quiz_is_a_400(teacher_client):
    response = teacher_client.get(reverse("quizzes:results-export"), {"quiz": "no-such-quiz"})
    assert response.status_code == 400


def test_export_queries_do_not_grow_with_the_number_of_attempts(
    teacher_client, quiz, django_assert_max_num_queries
):
    take(UserFactory(), quiz)
    with django_assert_max_num_queries(6) as few:
        read_csv(teacher_client.get(reverse("quizzes:results-export")))
    # Count now: Django clears its query log when the next request starts.
    small = len(few.captured_queries)
    for _ in range(15):
        take(UserFactory(), quiz)
    with django_assert_max_num_queries(small):
        header, *rows = read_csv(teacher_client.get(reverse("quizzes:results-export")))
    assert len(rows) == 16


def test_results_page_filters_by_quiz_and_summarises(teacher_client, quiz):
    other = QuizFactory(slug="other-quiz")
    question_with_choices(other, correct=1, wrong=1)
    take(UserFactory(username="passes"), quiz, all_right=True)
    take(UserFactory(username="fails"), quiz, all_right=False)
    take(UserFactory(username="elsewhere"), other)
    page = teacher_client.get(reverse("quizzes:results"), {"quiz": quiz.slug}).content.decode()
    assert "passes" in page and "fails" in page and "elsewhere" not in page
    assert "2 attempts by 2 learners." in page
    assert "Mean score 50.0%; 1 passed." in page
    polish = teacher_client.get("/pl/results/", {"quiz": quiz.slug}).content.decode()
    assert "2 podejścia, 2 uczniów." in polish
    one = teacher_client.get("/en/results/", {"quiz": other.slug}).content.decode()
    assert "1 attempt by 1 learner." in one
    assert f"{reverse('quizzes:results-export')}?quiz={quiz.slug}" in page


def test_results_page_with_an_unknown_quiz_says_so_with_400(teacher_client):
    response = teacher_client.get(reverse("quizzes:results"), {"quiz": "nope"})
    assert response.status_code == 400
    assert "There is no quiz with that name." in response.content.decode()


def test_admin_action_exports_the_selected_attempts(teacher_client, quiz):
    chosen = take(UserFactory(username="chosen"), quiz)
    take(UserFactory(username="not-chosen"), quiz)
    response = teacher_client.post(
        reverse("admin:quizzes_attempt_changelist"),
        {"action": "export_csv", "_selected_action": [chosen.pk]},
    )
    assert response.status_code == 200
    header, *rows = read_csv(response)
    assert header == HEADER
    assert [row[0] for row in rows] == ["chosen"]


def test_the_admin_labels_previews_and_practice_and_exports_neither(teacher_client, quiz):
    counted = take(UserFactory(username="counted"), quiz)
    preview = take(UserFactory(username="previewer"), quiz)
    practice = take(UserFactory(username="practiser"), quiz)
    Attempt.objects.filter(pk=preview.pk).update(preview=True)
    Attempt.objects.filter(pk=practice.pk).update(practice=True)
    listing = teacher_client.get(reverse("admin:quizzes_attempt_changelist"))
    kinds = dict(
        re.findall(
            r'class="field-learner nowrap"><a [^>]*>([^<]+)</a></th>.*?'
            r'<td class="field-kind">([^<]+)</td>',
            listing.content.decode(),
        )
    )
    assert kinds == {
        "counted": "quiz attempt",
        "previewer": "teacher&#x27;s preview",
        "practiser": "practice round",
    }
    Attempt.objects.filter(pk=counted.pk).update(submitted_at=None)  # in progress: no score yet
    listing = teacher_client.get(reverse("admin:quizzes_attempt_changelist")).content.decode()
    unfinished = listing[listing.index(">counted</a>") :].split("</tr>")[0]
    assert '<td class="field-score">–</td>' in unfinished
    assert '<td class="field-grade">–</td>' in unfinished
    Attempt.objects.filter(pk=counted.pk).update(submitted_at=preview.submitted_at)
    changelist = reverse("admin:quizzes_attempt_changelist")
    for action in ("export_csv", "export_xlsx"):
        every = [counted.pk, preview.pk, practice.pk]
        response = teacher_client.post(changelist, {"action": action, "_selected_action": every})
        assert response.status_code == 200
        if action == "export_csv":
            assert [row[0] for row in read_csv(response)[1:]] == ["counted"]
        response = teacher_client.post(
            changelist, {"action": action, "_selected_action": [preview.pk, practice.pk]}
        )
        assert response.status_code == 302
        page = teacher_client.get(response["Location"]).content.decode()
        assert "previews or practice rounds, which count nowhere" in page


def test_edited_and_deleted_questions_leave_past_results_unchanged(learner_client, quiz, learner):
    """An attempt's record is a snapshot: later edits to the quiz do not rewrite it."""
    attempt = take(learner, quiz)
    before = main_of(learner_client.get(attempt.get_absolute_url()))
    single, multiple = quiz.questions.all()
    single.text = "A rewritten question"
    single.save()
    single.choices.update(is_correct=False)
    multiple.delete()
    QuestionFactory(quiz=quiz)
    after = main_of(learner_client.get(attempt.get_absolute_url()))
    assert after == before
    attempt.refresh_from_db()
    assert (attempt.marks, attempt.percentage) == (2, 100)
    assert attempt.answers.count() == 2


def test_local_times_are_worked_out_per_hour_with_the_offset_of_each():
    warsaw = LocalTimes(ZoneInfo("Europe/Warsaw"))
    assert warsaw("2025-09-10 12:34:56.123456") == "2025-09-10T14:34:56+02:00"
    assert warsaw("2025-09-10 12:59:59") == "2025-09-10T14:59:59+02:00"
    assert warsaw("2025-12-31 23:30:00") == "2026-01-01T00:30:00+01:00"  # a new year there
    # The night summer time ends: 00:59 UTC is 02:59 summer time, 01:00 UTC 02:00 winter time.
    assert warsaw("2025-10-26 00:59:00") == "2025-10-26T02:59:00+02:00"
    assert warsaw("2025-10-26 01:00:00") == "2025-10-26T02:00:00+01:00"
    kolkata = LocalTimes(ZoneInfo("Asia/Kolkata"))  # +05:30: each time on its own
    assert kolkata("2025-09-10 12:34:56") == "2025-09-10T18:04:56+05:30"
