"""Every export as an Excel workbook: the same cells as its CSV, typed, and formula-safe."""

import csv
import io
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from quizzes.models import Job
from quizzes.teaching.workbooks import CONTENT_TYPE, Columns, xlsx_write

from .conftest import enrol
from .factories import QuizFactory, UserFactory, question_with_choices
from .test_dashboard import finished

pytestmark = pytest.mark.django_db


def sheet(response):
    """The first sheet of a downloaded workbook, as rows of cells."""
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE
    assert response["Content-Disposition"].endswith('.xlsx"')
    body = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(body), read_only=True).active.iter_rows())


@pytest.fixture
def two_questions(classroom):
    """A two-question quiz; a learner whose name tries a formula finished it with 1.5 of 2."""
    quiz = QuizFactory(slug="article-4")
    question_with_choices(quiz, correct=1, wrong=1, order=1, text="=1+1 is what?")
    question_with_choices(quiz, correct=1, wrong=1, order=2, text="Second question")
    learner = UserFactory(
        username="ola", first_name='=HYPERLINK("x")', last_name="Nowak\x01", email="\x01=1+1"
    )
    enrol(classroom, learner)
    finished(learner, quiz, [1, 0.5])
    return quiz


def test_the_grades_workbook_has_numbers_dates_and_safe_text(teacher_client, two_questions):
    url = reverse("quizzes:quiz-export-xlsx", args=[two_questions.slug, "grades"])
    header, row = sheet(teacher_client.get(url))
    assert [c.value for c in header[:3]] == ["last name", "first name", "username"]
    assert header[12].value == "Q1 /1: =1+1 is what?"  # starts with Q: no formula
    values = {h.value: c for h, c in zip(header, row, strict=True)}
    assert values["last name"].value == "Nowak"  # a control character cannot be stored
    assert (
        values["first name"].value == '\'=HYPERLINK("x")' and values["first name"].data_type == "s"
    )
    assert values["username"].value == "ola"
    # A control character a workbook cannot hold hid a formula start: taken out, then guarded.
    assert values["email"].value == "'=1+1" and values["email"].data_type == "s"
    assert isinstance(values["started"].value, datetime)
    assert values["duration (s)"].value == 600
    assert values["marks"].value == 1.5 and values["marks"].data_type == "n"
    assert values["grade (%)"].value == 75
    assert [c.value for c in row[12:]] == [1, 0.5]


def test_the_workbook_holds_the_same_rows_as_the_csv(teacher_client, two_questions):
    for kind in ("grades", "responses", "items"):
        csv_url = reverse("quizzes:quiz-export", args=[two_questions.slug, kind])
        lines = b"".join(teacher_client.get(csv_url).streaming_content).decode().splitlines()
        xlsx_url = reverse("quizzes:quiz-export-xlsx", args=[two_questions.slug, kind])
        rows = sheet(teacher_client.get(xlsx_url))
        assert len(rows) == len(lines), kind
        assert len(rows[0]) == len(lines[0].split(",")), kind


def test_the_responses_and_items_workbooks_type_their_columns(teacher_client, two_questions):
    url = reverse("quizzes:quiz-export-xlsx", args=[two_questions.slug, "responses"])
    header, first, _second = sheet(teacher_client.get(url))
    cells = {h.value: c.value for h, c in zip(header, first, strict=True)}
    assert cells["question number"] == 1 and cells["marks"] == 1 and cells["maximum"] == 1
    assert cells["question"] == "'=1+1 is what?"
    url = reverse("quizzes:quiz-export-xlsx", args=[two_questions.slug, "items"])
    header, *rows = sheet(teacher_client.get(url))
    cells = {h.value: c.value for h, c in zip(header, rows[1], strict=True)}
    assert cells["answered"] == 1 and cells["facility index (%)"] == 50
    assert cells["flagged (efficiency under 15 %)"] in ("yes", "no")


def test_the_class_results_download_as_a_workbook(teacher_client, two_questions):
    header, row = sheet(teacher_client.get(reverse("quizzes:results-export-xlsx")))
    cells = {h.value: c.value for h, c in zip(header, row, strict=True)}
    assert cells["username"] == "ola" and cells["percentage"] == 75 and cells["maximum"] == 2
    assert isinstance(cells["submitted"], datetime)


def test_the_dashboard_offers_csv_csv_for_excel_and_a_workbook(teacher_client, two_questions):
    page = teacher_client.get(reverse("quizzes:quiz-results", args=[two_questions.slug]))
    text = page.content.decode()
    grades = reverse("quizzes:quiz-export", args=[two_questions.slug, "grades"])
    assert f'href="{grades}?bom=1"' in text
    assert "CSV for Excel (UTF-8 with BOM)" in text and "add ?bom=1" not in text
    assert reverse("quizzes:quiz-export-xlsx", args=[two_questions.slug, "grades"]) in text
    bom = teacher_client.get(grades, {"bom": "1"})
    assert b"".join(bom.streaming_content).startswith("\ufeff".encode())


def test_a_large_workbook_export_is_written_by_a_task(teacher_client, two_questions, settings):
    settings.EXPORT_INLINE_LIMIT = 0
    url = reverse("quizzes:quiz-export-xlsx", args=[two_questions.slug, "grades"])
    assert teacher_client.get(url).status_code == 302
    job = Job.objects.get()
    assert job.status == "done" and job.result["filename"].endswith(".xlsx")
    header, row = sheet(teacher_client.get(reverse("quizzes:job-download", args=[job.pk])))
    assert row[2].value == "ola"


def test_an_admin_action_downloads_the_selected_attempts_as_a_workbook(
    teacher_client, two_questions
):
    attempt = two_questions.attempts.get()
    url = reverse("admin:quizzes_attempt_changelist")
    for action in ("export_xlsx", "export_grades_xlsx"):
        response = teacher_client.post(url, {"action": action, "_selected_action": [attempt.pk]})
        header, row = sheet(response)
        assert "ola" in [c.value for c in row]


def test_a_workbook_types_its_cells_and_names_its_sheet_as_excel_allows(tmp_path):
    rows = [["name", "mark", "when"], ["a", "1.5", "2025-09-10T12:00:00+00:00"], ["b", "", ""]]
    path = tmp_path / "out.xlsx"
    with path.open("wb") as out:
        written = xlsx_write(rows, out, columns=Columns("tnd"), title="grades: [all]/*?")
    assert written == 3
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["grades- -all----"]
    values = [[c.value for c in row] for row in workbook.active.iter_rows()]
    assert values[1][:2] == ["a", 1.5]
    assert isinstance(values[1][2], datetime) and values[2] == ["b", None, None]


def test_a_workbook_too_large_to_wait_for_is_refused_with_a_way_out(
    teacher_client, two_questions, settings
):
    settings.EXPORT_INLINE_LIMIT = 0
    response = teacher_client.get(reverse("quizzes:results-export-xlsx"), {"bom": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("quizzes:results")
    page = teacher_client.get(response["Location"]).content.decode()
    assert "too large to write while you wait" in page
    csv_url = reverse("quizzes:results-export")
    assert teacher_client.get(csv_url).status_code == 200  # the CSV still streams
    attempt = two_questions.attempts.get()
    url = reverse("admin:quizzes_attempt_changelist")
    for action in ("export_xlsx", "export_grades_xlsx"):
        response = teacher_client.post(
            url, {"action": action, "_selected_action": [attempt.pk]}, follow=True
        )
        assert "too large to write while you wait" in response.content.decode()


def test_csv_for_excel_in_polish_has_semicolons_and_decimal_commas(teacher_client, two_questions):
    """As Excel set to Polish reads a CSV file: a comma-separated one lands in one column, and
    3.5 is text there. The plain CSV stays the same in both languages, for scripts."""
    with translation.override("pl"):
        url = reverse("quizzes:quiz-export", args=[two_questions.slug, "grades"])
    excel = b"".join(teacher_client.get(url, {"bom": "1"}).streaming_content).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(excel), delimiter=";"))
    assert header[:3] == ["nazwisko", "imię", "nazwa użytkownika"]
    values = dict(zip(header, row, strict=True))
    assert (values["punkty"], values["wynik (%)"]) == ("1,5", "75,00")
    assert row[12:] == ["1", "0,5"]
    assert values["imię"] == '\'=HYPERLINK("x")'  # still guarded
    assert values["stan"] == "zakończone"  # the words people read, in their language too
    plain = b"".join(teacher_client.get(url).streaming_content).decode()
    assert ",1.5,75.00," in plain and ";" not in plain.splitlines()[1]
    assert ",finished," in plain  # for scripts: the same in both languages
    with translation.override("pl"):
        xlsx = reverse("quizzes:quiz-export-xlsx", args=[two_questions.slug, "grades"])
    header, first = ([cell.value for cell in row] for row in sheet(teacher_client.get(xlsx)))
    assert first[header.index("stan")] == "zakończone"
    with translation.override("en"):
        english = reverse("quizzes:quiz-export", args=[two_questions.slug, "grades"])
    english_excel = b"".join(teacher_client.get(english, {"bom": "1"}).streaming_content)
    assert b",1.5,75.00," in english_excel
