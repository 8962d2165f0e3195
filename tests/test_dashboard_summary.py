"""The dashboard's attempt-level figures from SQL: the same numbers the Python loops gave.

`python_figures` is the code the dashboard had before its summary, histogram and learner
grades became aggregate queries; every test compares the queries with it on known data.
"""

import statistics
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from quizzes.models import Attempt, Classroom
from quizzes.taking.scoring import overall_grade
from quizzes.teaching.classes import attempts_visible_to
from quizzes.teaching.dashboard import learner_grades, learner_rows, quiz_summary

from .conftest import enrol
from .factories import QuizFactory, TeacherFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def finish(learner, quiz, percent, *, minutes_ago=60, practice=False):
    """A finished attempt with this percentage (out of 100 marks), `minutes_ago` minutes ago."""
    percent = Decimal(percent)
    submitted = NOW - timedelta(minutes=minutes_ago)
    return Attempt.objects.create(
        learner=learner,
        quiz=quiz,
        quiz_title=quiz.title,
        started_at=submitted - timedelta(minutes=5),
        submitted_at=submitted,
        marks=percent,
        max_marks=100,
        percentage=percent,
        pass_mark=quiz.pass_mark,
        passed=percent >= quiz.pass_mark,
    )


def old_histogram(percentages, bins=10):
    """The dashboard's histogram before it was counted in SQL."""
    width = 100 // bins
    counts = [0] * bins
    for percent in percentages:
        counts[min(int(percent // width), bins - 1)] += 1
    return counts


def python_figures(quiz, attempts):
    """Summary, histogram and per-learner grades as the dashboard computed them in Python."""
    rows = list(
        attempts.submitted()
        .order_by("submitted_at", "id")
        .values_list("learner_id", "percentage", "passed")
    )
    percentages = [float(row[1]) for row in rows]
    by_learner = {}
    for learner_id, percent, _passed in rows:
        by_learner.setdefault(learner_id, []).append(percent)
    return {
        "attempts": len(rows),
        "learners": len(by_learner),
        "mean": statistics.fmean(percentages) if rows else None,
        "median": statistics.median(percentages) if rows else None,
        "pass_rate": 100 * sum(1 for row in rows if row[2]) / len(rows) if rows else None,
        "histogram": old_histogram(percentages),
        "grades": {
            learner_id: overall_grade(quiz.grading_method, grades)
            for learner_id, grades in by_learner.items()
        },
    }


def sql_figures(quiz, attempts):
    finished = attempts.submitted()
    summary = quiz_summary(finished)
    return {
        "attempts": summary.attempts,
        "learners": summary.learners,
        "mean": summary.mean,
        "median": summary.median,
        "pass_rate": summary.pass_rate,
        "histogram": [b.count for b in summary.histogram],
        "grades": {
            row.learner_id: row.grade for row in learner_rows(quiz, learner_grades(quiz, finished))
        },
    }


def assert_same_figures(quiz, attempts):
    want, got = python_figures(quiz, attempts), sql_figures(quiz, attempts)
    # fmean adds the floats the percentages become; the query adds exact hundredths.
    assert got.pop("mean") == pytest.approx(want.pop("mean"), rel=1e-12)
    assert got == want
    return got


# Grades chosen for the edges: ties, 100 % (the top band), 0 %, band edges, odd and even
# counts, and averages whose exact value ends in a 5 at the third decimal place.
CASES = {
    "one attempt": [["55.55"]],
    "odd count with ties": [["40.00", "40.00"], ["90.00"], ["40.00", "100.00"]],
    "even count": [["10.01", "10.02"], ["99.99", "0.00"]],
    "band edges": [["0.00", "9.99", "10.00"], ["19.99", "20.00", "89.99"], ["90.00", "100.00"]],
    "all full marks": [["100.00"], ["100.00", "100.00"]],
    "exact halves": [["33.33", "33.34"], ["66.67", "66.67", "66.66"], ["12.34", "12.35"]],
}


@pytest.mark.parametrize("method", ["highest", "average", "first", "last"])
@pytest.mark.parametrize("case", CASES)
def test_summary_histogram_and_grades_match_the_python_figures(classroom, method, case):
    quiz = QuizFactory(grading_method=method, pass_mark=50)
    for grades in CASES[case]:
        learner = UserFactory()
        enrol(classroom, learner)
        # Oldest first; the last two of a learner share a submission time (ordered by id).
        times = [200 - 10 * n for n in range(len(grades))]
        if len(times) > 1:
            times[-1] = times[-2]
        for percent, minutes_ago in zip(grades, times, strict=True):
            finish(learner, quiz, percent, minutes_ago=minutes_ago)
    assert_same_figures(quiz, attempts_visible_to(classroom.teacher).filter(quiz=quiz))


def test_exact_numbers_of_a_small_known_case(classroom):
    """By hand: seven grades, averages of 62.5, 75 and 10.015 (which rounds half up)."""
    quiz = QuizFactory(grading_method="average", pass_mark=60)
    ann, ben, cat = UserFactory(), UserFactory(), UserFactory()
    enrol(classroom, ann, ben, cat)
    for percent in ("25.00", "100.00"):
        finish(ann, quiz, percent)
    for percent in ("50.00", "75.00", "100.00"):
        finish(ben, quiz, percent)
    for percent in ("10.01", "10.02"):
        finish(cat, quiz, percent)
    summary = quiz_summary(attempts_visible_to(classroom.teacher).filter(quiz=quiz).submitted())
    assert (summary.attempts, summary.learners) == (7, 3)
    assert summary.median == 50.0
    assert summary.pass_rate == 100 * 3 / 7
    assert summary.mean == pytest.approx(370.03 / 7)
    assert [b.count for b in summary.histogram] == [0, 2, 1, 0, 0, 1, 0, 1, 0, 2]
    rows = learner_rows(
        quiz, learner_grades(quiz, attempts_visible_to(classroom.teacher).submitted())
    )
    grades = {row.learner_id: row.grade for row in rows}
    assert grades == {ann.pk: Decimal("62.50"), ben.pk: Decimal("75.00"), cat.pk: Decimal("10.02")}


def test_no_attempts_gives_empty_figures(classroom, quiz):
    summary = quiz_summary(attempts_visible_to(classroom.teacher).filter(quiz=quiz))
    assert (summary.attempts, summary.learners, summary.mean, summary.median) == (0, 0, None, None)
    assert summary.pass_rate is None
    assert [b.count for b in summary.histogram] == [0] * 10


def test_another_teachers_learners_practice_and_unfinished_attempts_are_never_counted(
    classroom, learner
):
    quiz = QuizFactory(grading_method="highest")
    finish(learner, quiz, "80.00")
    stranger = UserFactory()
    other = Classroom.objects.create(name="Other class", teacher=TeacherFactory())
    enrol(other, stranger)
    finish(stranger, quiz, "10.00")
    Attempt.objects.create(
        learner=learner, practice=True, started_at=NOW, submitted_at=NOW, percentage=5
    )
    Attempt.objects.create(learner=learner, quiz=quiz, percentage=0)  # still in progress
    attempts = attempts_visible_to(classroom.teacher).filter(quiz=quiz)
    got = assert_same_figures(quiz, attempts)
    assert (got["attempts"], got["learners"], got["grades"]) == (1, 1, {learner.pk: 80})


def test_grading_methods_pick_the_grade_that_counts(classroom, learner):
    """First and last by submission time, not by id; a tie in time goes by id."""
    expected = {"highest": "90.00", "average": "63.33", "first": "70.00", "last": "90.00"}
    for method, grade in expected.items():
        quiz = QuizFactory(grading_method=method)
        finish(learner, quiz, "30.00", minutes_ago=10)
        finish(learner, quiz, "70.00", minutes_ago=50)  # made second, submitted first
        finish(learner, quiz, "90.00", minutes_ago=10)  # submitted with the 30 %, made later
        rows = learner_rows(
            quiz, learner_grades(quiz, Attempt.objects.filter(quiz=quiz).submitted())
        )
        assert [row.grade for row in rows] == [Decimal(grade)], method


# The dashboard page: the learner table in pages, sorted, scoped ------------------------------


@pytest.fixture
def big_class(classroom):
    """A quiz at which 120 learners of the class made one or two attempts."""
    quiz = QuizFactory(title="Big class quiz", grading_method="highest", pass_mark=50)
    for n in range(120):
        learner = UserFactory(username=f"pupil{n:03d}", first_name="Pupil", last_name=f"{n:03d}")
        enrol(classroom, learner)
        finish(learner, quiz, f"{n % 100}.00", minutes_ago=300 - n)
        if n % 3 == 0:
            finish(learner, quiz, "100.00", minutes_ago=10)
    return quiz


def usernames(response):
    return [row.username for row in response.context["learner_rows"]]


def test_the_learner_table_comes_in_pages_of_fifty(teacher_client, big_class):
    url = reverse("quizzes:quiz-results", args=[big_class.slug])
    first = teacher_client.get(url)
    assert first.status_code == 200
    assert first.context["dashboard"].learners == 120
    assert usernames(first) == [f"pupil{n:03d}" for n in range(50)]
    page = first.content.decode()
    assert "Learners 1–50 of 120" in page
    assert 'href="?page=2#learners-heading"' in page
    last = teacher_client.get(url, {"page": 3})
    assert usernames(last) == [f"pupil{n:03d}" for n in range(100, 120)]


@pytest.mark.parametrize(
    ("sort", "first_three"),
    [
        ("name", ["pupil000", "pupil001", "pupil002"]),
        ("-name", ["pupil119", "pupil118", "pupil117"]),
        # 100 % (and two attempts, the latest) for every third learner; ties go by name.
        ("-grade", ["pupil000", "pupil003", "pupil006"]),
        ("grade", ["pupil100", "pupil001", "pupil101"]),  # 0 %, then the two with 1 %
        ("-attempts", ["pupil000", "pupil003", "pupil006"]),
        ("last", ["pupil001", "pupil002", "pupil004"]),
        ("-last", ["pupil000", "pupil003", "pupil006"]),
    ],
)
def test_the_learner_table_sorts_by_each_column(teacher_client, big_class, sort, first_three):
    response = teacher_client.get(
        reverse("quizzes:quiz-results", args=[big_class.slug]), {"sort": sort}
    )
    assert response.status_code == 200
    names = usernames(response)
    assert names[:3] == first_three
    assert len(names) == 50


def test_by_name_the_learner_table_goes_by_surname_as_the_class_page_does(
    teacher_client, classroom
):
    quiz = QuizFactory(title="Surnames")
    for username, first, last in [("ann", "Ann", "Zed"), ("zoe", "Zoe", "Abb"), ("x1", "", "")]:
        learner = UserFactory(username=username, first_name=first, last_name=last)
        enrol(classroom, learner)
        finish(learner, quiz, "50.00", minutes_ago=5)
    url = reverse("quizzes:quiz-results", args=[quiz.slug])
    assert usernames(teacher_client.get(url, {"sort": "name"})) == ["zoe", "x1", "ann"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("pl", ["Abb", "Bąk", "Cal", "Ćwik", "Lis", "Łata", "Łódź", "Zieliński", "Źrebięcki",
                "Żak"]),
        ("en", ["Abb", "Bąk", "Cal", "Ćwik", "Łata", "Lis", "Łódź", "Żak", "Zieliński",
                "Źrebięcki"]),
    ],
)  # fmt: skip
def test_the_learner_table_sorts_surnames_by_the_readers_alphabet_as_the_class_page_does(
    teacher_client, classroom, language, expected
):
    """Polish files Ł after L and Ć after C; English files them under L and C."""
    quiz = QuizFactory(title="Alphabet")
    for n, surname in enumerate(reversed(expected)):
        learner = UserFactory(username=f"u{n}", first_name="Ala", last_name=surname)
        enrol(classroom, learner)
        finish(learner, quiz, "50.00", minutes_ago=5)
    with translation.override(language):
        dashboard = reverse("quizzes:quiz-results", args=[quiz.slug])
        class_page = reverse("quizzes:class-detail", args=[classroom.pk])
    rows = teacher_client.get(dashboard, {"sort": "name"}).context["learner_rows"]
    assert [row.name.split()[1] for row in rows] == expected
    page = teacher_client.get(class_page).content.decode()
    listed = [f"Ala {surname} (" for surname in expected]  # as the class page names them
    assert all(name in page for name in listed)
    assert sorted(listed, key=page.index) == listed


def test_the_learner_table_gives_a_grade_as_the_gradebook_does(teacher_client, classroom):
    quiz = QuizFactory(title="Two places")
    learner = UserFactory(username="ola")
    enrol(classroom, learner)
    finish(learner, quiz, "39.29", minutes_ago=5)
    page = teacher_client.get(reverse("quizzes:quiz-results", args=[quiz.slug])).content.decode()
    assert "<td>39.29%</td>" in page


def test_every_page_of_a_sorted_table_is_a_slice_of_one_order(teacher_client, big_class):
    url = reverse("quizzes:quiz-results", args=[big_class.slug])
    pages = [usernames(teacher_client.get(url, {"sort": "-grade", "page": n})) for n in (1, 2, 3)]
    seen = [name for page in pages for name in page]
    assert len(seen) == len(set(seen)) == 120


def test_sort_links_keep_the_filter_and_flip_the_sorted_column(teacher_client, big_class):
    classroom = big_class.attempts.first().learner.memberships.get().classroom
    url = reverse("quizzes:quiz-results", args=[big_class.slug])
    page = teacher_client.get(url, {"classroom": classroom.pk, "sort": "-grade"}).content.decode()
    assert f'href="?classroom={classroom.pk}&amp;sort=grade#learners-heading"' in page
    assert f'href="?classroom={classroom.pk}&amp;sort=name#learners-heading"' in page
    assert f'href="?classroom={classroom.pk}&amp;sort=-grade&amp;page=2#learners-heading"' in page
    assert 'aria-sort="descending"' in page
    downloads = page.split('<ul class="downloads">')[1].split("</ul>")[0]
    assert f"?classroom={classroom.pk}&amp;bom=1" in downloads
    assert f"?classroom={classroom.pk}&amp;sort" not in downloads


@pytest.mark.parametrize(
    "sort", ["grade; DROP TABLE quizzes_attempt", "learner__password", "--grade", "?", "GRADE"]
)
def test_an_unknown_sort_is_a_clear_400(teacher_client, big_class, sort):
    response = teacher_client.get(
        reverse("quizzes:quiz-results", args=[big_class.slug]), {"sort": sort}
    )
    assert response.status_code == 400
    assert "The learners cannot be sorted that way." in response.content.decode()


@pytest.mark.parametrize("page", ["0", "-1", "99999999999999999999", "abc", "1e3", "2.5", ""])
def test_a_hostile_page_number_shows_a_page_never_a_500(teacher_client, big_class, page):
    response = teacher_client.get(
        reverse("quizzes:quiz-results", args=[big_class.slug]), {"page": page}
    )
    assert response.status_code == 200
    assert len(usernames(response)) in (20, 50)


def test_another_teachers_learners_are_not_in_the_table(client, big_class):
    other = Classroom.objects.create(name="Elsewhere", teacher=TeacherFactory())
    outsider = UserFactory(username="outsider")
    enrol(other, outsider)
    finish(outsider, big_class, "100.00")
    client.force_login(other.teacher)
    response = client.get(reverse("quizzes:quiz-results", args=[big_class.slug]))
    assert usernames(response) == ["outsider"]
    assert response.context["dashboard"].attempts == 1


def test_the_dashboard_queries_do_not_grow_with_attempts(
    teacher_client, classroom, django_assert_max_num_queries
):
    quiz = QuizFactory(grading_method="first")
    url = reverse("quizzes:quiz-results", args=[quiz.slug])

    def add(count):
        for _ in range(count):
            learner = UserFactory()
            enrol(classroom, learner)
            finish(learner, quiz, "40.00")
            finish(learner, quiz, "80.00", minutes_ago=30)

    add(3)
    with django_assert_max_num_queries(30) as small:
        assert teacher_client.get(url, {"sort": "-grade"}).status_code == 200
    add(80)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = teacher_client.get(url, {"sort": "-grade"})
    assert len(usernames(response)) == 50
