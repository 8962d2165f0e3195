"""A class's gradebook: learners × quizzes of the grade that counts, averages, sorting,
scoping, and the CSV and workbook a school's gradebook imports."""

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from quizzes.models import Classroom, MarkOverride

from .conftest import enrol, signed_in
from .factories import QuizFactory, TeacherFactory, UserFactory, question_with_choices
from .test_dashboard import finished

pytestmark = pytest.mark.django_db


def four_question_quiz(**kwargs):
    quiz = QuizFactory(**kwargs)
    for n in range(4):
        question_with_choices(quiz, correct=1, wrong=1, order=n)
    return quiz


MARKS = {25: [1, 0, 0, 0], 50: [1, 1, 0, 0], 75: [1, 1, 1, 0], 100: [1, 1, 1, 1]}


@pytest.fixture
def grades(classroom, learner):
    """A quiz per grading method, each attempted by Ana at 25 %, 100 %, 50 % in that order,
    and by Bo once at 75 %; Cy, also in the class, attempted nothing."""
    learner.first_name, learner.last_name, learner.username = "Ana", "Adams", "ana"
    learner.save()
    bo = UserFactory(first_name="Bo", last_name="Brown", username="bo")
    cy = UserFactory(first_name="Cy", last_name="Clark", username="cy")
    enrol(classroom, bo, cy)
    quizzes = {}
    for order, method in enumerate(["highest", "average", "first", "last"]):
        quiz = four_question_quiz(
            grading_method=method, slug=method, title=method.title(), order=order
        )
        for minutes, percent in ((30, 25), (20, 100), (10, 50)):
            finished(learner, quiz, MARKS[percent], minutes_ago=minutes)
        finished(bo, quiz, MARKS[75], minutes_ago=5)
        quizzes[method] = quiz
    return quizzes


def book(client, classroom, **query):
    response = client.get(reverse("quizzes:class-gradebook", args=[classroom.pk]), query)
    assert response.status_code == 200
    return response.context["book"]


def grid(gradebook):
    return {
        row.learner.username: [None if c.grade is None else float(c.grade) for c in row.cells]
        for row in gradebook.rows
    }


def test_each_cell_is_the_grade_that_counts_by_the_quizs_method(teacher_client, classroom, grades):
    gradebook = book(teacher_client, classroom)
    assert [quiz.slug for quiz in gradebook.quizzes] == ["highest", "average", "first", "last"]
    assert grid(gradebook) == {
        "ana": [100.0, 58.33, 25.0, 50.0],
        "bo": [75.0, 75.0, 75.0, 75.0],
        "cy": [None, None, None, None],
    }
    ana = gradebook.rows[0]
    assert [c.attempts for c in ana.cells] == [3, 3, 3, 3]
    # The grade links to the attempt it comes from: the 100 %, the latest, the first, the last.
    ids = [c.attempt_id for c in ana.cells]
    assert [grades[m].attempts.get(pk=i).percentage for m, i in zip(grades, ids, strict=True)] == [
        100,
        50,
        25,
        50,
    ]


def test_column_averages_count_only_learners_with_a_grade(teacher_client, classroom, grades):
    averages = book(teacher_client, classroom).averages
    assert [float(a) for a in averages] == [87.5, 66.67, 50.0, 62.5]
    page = teacher_client.get(reverse("quizzes:class-gradebook", args=[classroom.pk]))
    assert "Class average" in page.content.decode()


def test_the_gradebook_sorts_by_any_quiz_with_the_ungraded_last(teacher_client, classroom, grades):
    order = [r.learner.username for r in book(teacher_client, classroom, sort="first").rows]
    assert order == ["ana", "bo", "cy"]
    order = [r.learner.username for r in book(teacher_client, classroom, sort="-first").rows]
    assert order == ["bo", "ana", "cy"]
    order = [r.learner.username for r in book(teacher_client, classroom, sort="-name").rows]
    assert order == ["cy", "bo", "ana"]
    page = teacher_client.get(
        reverse("quizzes:class-gradebook", args=[classroom.pk]), {"sort": "-first"}
    ).content.decode()
    assert 'aria-sort="descending"' in page and 'href="?sort=first"' in page


def test_by_name_the_gradebook_lists_surnames_in_the_readers_alphabet(
    teacher_client, classroom, grades
):
    """As the class page does: Łucja Łącka after Lech Lis in Polish, and Zoe Adams first."""
    enrol(classroom, UserFactory(first_name="Zoe", last_name="Adams", username="zoe"))
    enrol(classroom, UserFactory(first_name="Łucja", last_name="Łącka", username="lucja"))
    enrol(classroom, UserFactory(first_name="Lech", last_name="Lis", username="lech"))
    with translation.override("pl"):
        order = [r.learner.username for r in book(teacher_client, classroom).rows]
    assert order == ["ana", "zoe", "bo", "cy", "lech", "lucja"]
    with translation.override("pl"):
        url = reverse("quizzes:class-gradebook-csv", args=[classroom.pk])
    body = b"".join(teacher_client.get(url).streaming_content).decode()
    assert [row[2] for row in list(csv.reader(io.StringIO(body)))[1:]] == order


@pytest.mark.parametrize("sort", ["grade; DROP TABLE x", "nope", "--name", "learner__password"])
def test_an_unknown_sort_is_a_clear_400(teacher_client, classroom, grades, sort):
    response = teacher_client.get(
        reverse("quizzes:class-gradebook", args=[classroom.pk]), {"sort": sort}
    )
    assert response.status_code == 400
    assert "cannot be sorted that way" in response.content.decode()


def test_another_teacher_cannot_see_the_gradebook_or_its_files(classroom, grades):
    other = TeacherFactory()
    Classroom.objects.create(name="Theirs", teacher=other)
    client = signed_in(other)
    for name in ("class-gradebook", "class-gradebook-csv", "class-gradebook-xlsx"):
        assert client.get(reverse(f"quizzes:{name}", args=[classroom.pk])).status_code == 404


def test_a_learner_cannot_see_a_gradebook(learner_client, classroom):
    url = reverse("quizzes:class-gradebook", args=[classroom.pk])
    assert learner_client.get(url).status_code == 403


def test_a_grade_with_marks_changed_by_hand_is_marked(teacher_client, classroom, grades, teacher):
    attempt = grades["last"].attempts.filter(learner__username="bo").get()
    url = reverse("quizzes:attempt-override", args=[attempt.pk, 4])
    teacher_client.post(url, {"a4-marks": "1", "a4-reason": "Fair", "a4-comment": ""})
    assert MarkOverride.objects.count() == 1
    gradebook = book(teacher_client, classroom)
    bo = next(r for r in gradebook.rows if r.learner.username == "bo")
    assert [c.overridden for c in bo.cells] == [False, False, False, True]
    assert float(bo.cells[3].grade) == 100.0
    page = teacher_client.get(reverse("quizzes:class-gradebook", args=[classroom.pk]))
    assert "A mark was changed by hand" in page.content.decode()


def test_teachers_see_grades_the_quiz_hides_from_learners(teacher_client, classroom, grades):
    quiz = grades["highest"]
    quiz.review_marks = False
    quiz.save()
    assert grid(book(teacher_client, classroom))["ana"][0] == 100.0


def test_the_files_name_keeps_polish_letters_as_plain_ones(teacher_client, classroom, grades):
    classroom.name = "7B Zażółć gęślą"
    classroom.save()
    response = teacher_client.get(reverse("quizzes:class-gradebook-csv", args=[classroom.pk]))
    assert response["Content-Disposition"].startswith(
        'attachment; filename="gradebook-7b-zazolc-gesla-'
    )


def test_the_csv_has_one_row_per_learner_names_first(teacher_client, classroom, grades):
    response = teacher_client.get(reverse("quizzes:class-gradebook-csv", args=[classroom.pk]))
    assert response["Content-Disposition"].startswith('attachment; filename="gradebook-class-3b-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "last name",
        "first name",
        "username",
        "email",
        "Highest (%)",
        "Average (%)",
        "First (%)",
        "Last (%)",
    ]
    assert rows[1][:3] == ["Adams", "Ana", "ana"] and rows[1][4:] == [
        "100.00",
        "58.33",
        "25.00",
        "50.00",
    ]
    assert rows[3][:3] == ["Clark", "Cy", "cy"] and rows[3][4:] == ["", "", "", ""]
    assert len(rows) == 4  # no averages row: importers read every row as a learner


def test_the_workbook_holds_numbers_and_safe_names(teacher_client, classroom, grades):
    User.objects.filter(username="cy").update(last_name="=2+3")
    response = teacher_client.get(reverse("quizzes:class-gradebook-xlsx", args=[classroom.pk]))
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][:3] == ["Adams", "Ana", "ana"] and rows[1][4:] == [100, 58.33, 25, 50]
    assert sheet["E2"].data_type == "n"
    assert rows[3][0] == "'=2+3" and rows[3][4:] == [None, None, None, None]


def test_the_gradebook_reads_the_same_queries_for_more_learners(
    teacher_client, classroom, grades, django_assert_max_num_queries
):
    url = reverse("quizzes:class-gradebook", args=[classroom.pk])
    with django_assert_max_num_queries(8):
        teacher_client.get(url)
    for _ in range(10):
        learner = UserFactory()
        enrol(classroom, learner)
        finished(learner, grades["average"], MARKS[50])
    with django_assert_max_num_queries(8):
        assert teacher_client.get(url).status_code == 200


def test_the_class_page_links_its_gradebook(teacher_client, classroom):
    page = teacher_client.get(classroom.get_absolute_url()).content.decode()
    assert reverse("quizzes:class-gradebook", args=[classroom.pk]) in page
