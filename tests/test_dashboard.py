"""The results dashboard and its exports, on Moodle's golden data and on small known cases."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from quizzes.course.versions import versions_for
from quizzes.models import Answer, Attempt, Misconception, Question

from .conftest import enrol, started
from .factories import QuizFactory, UserFactory, question_with_choices

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).resolve().parents[2] / "shared" / "golden" / "moodle_quiz_stats"


def read_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def version(question):
    return versions_for([question])[question.id]


def finished(learner, quiz, marks, *, minutes_ago=60, selected=None):
    """A finished attempt whose answers earned `marks` (one per question, in quiz order)."""
    now = timezone.now() - timedelta(minutes=minutes_ago)
    questions = list(quiz.questions.all())
    total = sum(Decimal(str(m)) for m in marks)
    maximum = sum(q.marks for q in questions)
    attempt = Attempt.objects.create(
        learner=learner,
        quiz=quiz,
        quiz_title=quiz.title,
        started_at=now - timedelta(minutes=10),
        submitted_at=now,
        marks=total,
        max_marks=maximum,
        percentage=(total / maximum * 100).quantize(Decimal("0.01")),
        pass_mark=quiz.pass_mark,
        passed=total / maximum * 100 >= quiz.pass_mark,
    )
    for position, (question, mark) in enumerate(zip(questions, marks, strict=True), start=1):
        chosen = (selected or {}).get(position)
        answer = Answer(
            attempt=attempt,
            question=question,
            version=version(question),
            position=position,
            dealt=",".join(str(n) for n in range(question.choices.count())),
            marks=Decimal(str(mark)),
        )
        answer.selected = chosen if chosen is not None else [question.choices.all()[0].id]
        answer.save()
    return attempt


@pytest.fixture
def golden_quiz(classroom):
    """Moodle's test data: 25 attempts at a 7-question quiz, marks from marks.csv."""
    quiz = QuizFactory(title="Golden")
    for n in range(7):
        question_with_choices(quiz, correct=1, wrong=1, order=n, text=f"Golden question {n + 1}")
    with (GOLDEN / "marks.csv").open() as f:
        for row in csv.DictReader(f):
            learner = UserFactory()
            enrol(classroom, learner)
            finished(learner, quiz, [float(row[f"slots.{n}.mark"]) for n in range(1, 8)])
    return quiz


def test_the_item_statistics_export_matches_moodle_to_four_places(teacher_client, golden_quiz):
    url = reverse("quizzes:quiz-export", args=[golden_quiz.slug, "items"])
    got = read_rows(teacher_client.get(url))
    with (GOLDEN / "expected_questions.csv").open() as f:
        expected = list(csv.DictReader(f))
    columns = {
        "facility_index": "facility index (%)",
        "standard_deviation": "standard deviation (%)",
        "effective_weight": "effective weight (%)",
        "discrimination_index": "discrimination index (%)",
        "discriminative_efficiency": "discriminative efficiency (%)",
    }
    assert len(got) == 7
    for want, row in zip(expected, got, strict=True):
        assert row["question number"] == want["question"]
        for name, column in columns.items():
            assert round(float(row[column]), 4) == round(float(want[name]), 4), (name, row)
        assert row["flagged (efficiency under 15 %)"] == "yes"  # all negative in this data


def test_the_dashboard_shows_moodles_figures(teacher_client, golden_quiz):
    response = teacher_client.get(reverse("quizzes:quiz-results", args=[golden_quiz.slug]))
    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    with (GOLDEN / "expected_quiz.csv").open() as f:
        expected = {row["statistic"]: float(row["value"]) for row in csv.DictReader(f)}
    assert dashboard.attempts == expected["attempts"] == 25
    whole = dashboard.quiz
    for name in ("mean", "median", "standard_deviation", "skewness", "kurtosis"):
        assert round(getattr(whole, name), 4) == round(expected[name], 4), name
    for name in ("coefficient_of_internal_consistency", "error_ratio", "standard_error"):
        assert round(getattr(whole, name), 4) == round(expected[name], 4), name
    page = response.content.decode()
    assert "-87.22%" in page  # CIC as shown
    assert "136.83%" in page  # error ratio
    assert "70.40" in page and "-9.46" in page  # question 1: facility, efficiency
    assert page.count("⚠ Check this question") == 7


def test_summary_histogram_and_learners(teacher_client, classroom):
    quiz = QuizFactory(grading_method="average", pass_mark=50)
    for n in range(4):
        question_with_choices(quiz, correct=1, wrong=2, order=n)
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    enrol(classroom, alice, bob)
    finished(alice, quiz, [1, 1, 1, 1], minutes_ago=30)  # 100 %
    finished(alice, quiz, [1, 0, 0, 0], minutes_ago=20)  # 25 %
    finished(bob, quiz, [1, 1, 0, 0], minutes_ago=10)  # 50 %
    response = teacher_client.get(reverse("quizzes:quiz-results", args=[quiz.slug]))
    d = response.context["dashboard"]
    assert (d.attempts, d.learners) == (3, 2)
    assert round(d.mean, 2) == 58.33 and d.median == 50
    assert round(d.pass_rate, 2) == 66.67
    assert [b.count for b in d.histogram] == [0, 0, 1, 0, 0, 1, 0, 0, 0, 1]
    rows = {row.username: row for row in response.context["learner_rows"]}
    assert rows["alice"].grade == Decimal("62.50") and rows["alice"].attempts == 2
    assert rows["bob"].grade == Decimal("50.00")
    page = response.content.decode()
    assert "<svg" in page and "histogram-bar" in page
    assert '<th scope="row">20–30</th><td>1</td>' in page  # the table behind the picture


def test_choice_counts_and_the_misconceptions_a_class_holds(teacher_client, classroom):
    quiz = QuizFactory()
    question = question_with_choices(quiz, correct=1, wrong=2)
    confusion = Misconception.objects.create(slug="c45", name="Confuses Article 4 with Article 5")
    right, wrong, other = question.choices.all()
    wrong.misconception = confusion
    wrong.save()
    learners = [UserFactory() for _ in range(3)]
    enrol(classroom, *learners)
    finished(learners[0], quiz, [0], selected={1: [wrong.id]})
    finished(learners[1], quiz, [0], selected={1: [wrong.id]})
    finished(learners[2], quiz, [1], selected={1: [right.id]})
    d = teacher_client.get(reverse("quizzes:quiz-results", args=[quiz.slug])).context["dashboard"]
    counts = {c.text: (c.count, round(c.percent)) for c in d.questions[0].choices}
    assert counts == {right.text: (1, 33), wrong.text: (2, 67), other.text: (0, 0)}
    assert [(m.name, m.picks, m.learners) for m in d.misconceptions] == [
        ("Confuses Article 4 with Article 5", 2, 2)
    ]


def test_the_grades_export_has_moodle_like_columns_and_question_marks(
    teacher_client, classroom, learner
):
    quiz = QuizFactory(slug="q-article-4")
    for n in range(2):
        question_with_choices(quiz, correct=1, wrong=1, order=n, text=f"=Formula {n}")
    learner.first_name, learner.last_name = "Ola", "=cmd|' /C calc'!A0"
    learner.save()
    attempt = finished(learner, quiz, [1, 0])
    response = teacher_client.get(
        reverse("quizzes:quiz-export", args=[quiz.slug, "grades"]), {"bom": "1"}
    )
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="grades-q-article-4-{today:%Y-%m-%d}.csv"'
    )
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:12] == [
        "last name",
        "first name",
        "username",
        "email",
        "class",
        "state",
        "started",
        "completed",
        "duration (s)",
        "marks",
        "grade (%)",
        "language",
    ]
    assert rows[0][12:] == ["Q1 /1: =Formula 0", "Q2 /1: =Formula 1"]  # starts with Q: safe
    assert rows[1] == [
        "'=cmd|' /C calc'!A0",
        "Ola",
        learner.username,
        learner.email,
        "Class 3B",
        "finished",
        timezone.localtime(attempt.started_at).isoformat(timespec="seconds"),
        timezone.localtime(attempt.submitted_at).isoformat(timespec="seconds"),
        "600",
        "1",
        "50.00",
        "en",
        "1",
        "0",
    ]


def test_the_grades_export_writes_local_times_to_the_second_and_whole_seconds_taken(
    teacher_client, classroom, learner
):
    """Local time with its offset, as the pages show it (Warsaw: +01:00 in winter, +02:00 in
    summer), whatever zone the time came in."""
    quiz = QuizFactory()
    question_with_choices(quiz, correct=1, wrong=1)
    winter = finished(learner, quiz, [1])
    summer = finished(learner, quiz, [1])
    plus_two = timezone.get_fixed_timezone(120)  # stored in UTC whatever zone it came in
    Attempt.objects.filter(pk=winter.pk).update(
        started_at=datetime(2030, 3, 15, 11, 30, 5, 900000, tzinfo=plus_two),
        submitted_at=datetime(2030, 3, 15, 11, 33, 5, tzinfo=plus_two),  # no microseconds
    )
    Attempt.objects.filter(pk=summer.pk).update(
        started_at=datetime(2030, 7, 1, 23, 59, 0, tzinfo=UTC),  # 2 July in Warsaw
        submitted_at=datetime(2030, 7, 2, 0, 1, 0, tzinfo=UTC),
    )
    rows = read_rows(teacher_client.get(reverse("quizzes:quiz-export", args=[quiz.slug, "grades"])))
    assert [(row["started"], row["completed"], row["duration (s)"]) for row in rows] == [
        ("2030-03-15T10:30:05+01:00", "2030-03-15T10:33:05+01:00", "179"),  # 179.1 seconds
        ("2030-07-02T01:59:00+02:00", "2030-07-02T02:01:00+02:00", "120"),
    ]


def test_the_responses_export_has_a_row_per_answer(teacher_client, classroom, learner):
    quiz = QuizFactory()
    question = question_with_choices(quiz, correct=2, wrong=1, kind=Question.Kind.MULTIPLE)
    tag = Misconception.objects.create(slug="count", name="Miscounts invocations")
    right1, right2, wrong = question.choices.all()
    wrong.misconception = tag
    wrong.save()
    finished(learner, quiz, [0], selected={1: [right1.id, wrong.id]})
    rows = read_rows(
        teacher_client.get(reverse("quizzes:quiz-export", args=[quiz.slug, "responses"]))
    )
    assert len(rows) == 1
    row = rows[0]
    assert row["username"] == learner.username
    # The name too, as in the grades: a teacher reads names, not usernames.
    assert row["name"] == f"{learner.first_name} {learner.last_name}".strip() != ""
    assert row["attempt id"] == str(Attempt.objects.get(learner=learner).pk)
    assert row["chosen"] == f"{right1.text} | {wrong.text}"
    assert row["correct answer"] == f"{right1.text} | {right2.text}"
    assert (row["marks"], row["maximum"]) == ("0", "1")
    assert row["misconceptions"] == "Miscounts invocations"


def test_a_misconception_two_chosen_choices_share_is_named_once(teacher_client, learner, classroom):
    quiz = QuizFactory()
    question = question_with_choices(quiz, correct=1, wrong=2, kind=Question.Kind.MULTIPLE)
    tag = Misconception.objects.create(slug="overstates", name="Overstates Article 4")
    _right, *wrong = question.choices.all()
    for choice in wrong:
        choice.misconception = tag
        choice.save()
    finished(learner, quiz, [0], selected={1: [choice.id for choice in wrong]})
    (row,) = read_rows(
        teacher_client.get(reverse("quizzes:quiz-export", args=[quiz.slug, "responses"]))
    )
    assert row["misconceptions"] == "Overstates Article 4"


def test_exports_do_not_grow_in_queries_with_attempts(
    teacher_client, classroom, django_assert_max_num_queries
):
    quiz = QuizFactory()
    for n in range(3):
        question_with_choices(quiz, correct=1, wrong=1, order=n)

    def add(count):
        for _ in range(count):
            learner = UserFactory()
            enrol(classroom, learner)
            finished(learner, quiz, [1, 0, 1])

    add(2)
    counts = {}
    for kind in ("grades", "responses", "items"):
        url = reverse("quizzes:quiz-export", args=[quiz.slug, kind])
        with django_assert_max_num_queries(20) as small:
            b"".join(teacher_client.get(url).streaming_content)
        counts[kind] = len(small.captured_queries)
    add(20)
    for kind, count in counts.items():
        url = reverse("quizzes:quiz-export", args=[quiz.slug, kind])
        with django_assert_max_num_queries(count):
            rows = b"".join(teacher_client.get(url).streaming_content)
        assert rows.count(b"\n") > 1


def test_filters_by_date_range(teacher_client, classroom, learner):
    quiz = QuizFactory()
    question_with_choices(quiz, correct=1, wrong=1)
    old = finished(learner, quiz, [1], minutes_ago=60 * 24 * 10)
    finished(learner, quiz, [0], minutes_ago=5)
    url = reverse("quizzes:quiz-results", args=[quiz.slug])
    since = (timezone.localdate() - timedelta(days=2)).isoformat()
    assert teacher_client.get(url, {"date_from": since}).context["dashboard"].attempts == 1
    until = timezone.localtime(old.submitted_at).date().isoformat()
    assert teacher_client.get(url, {"date_to": until}).context["dashboard"].attempts == 1
    bad = teacher_client.get(url, {"date_from": since, "date_to": until})
    assert bad.status_code == 400
    assert "The end date is before the start date." in bad.content.decode()


def test_an_unknown_export_is_400_and_an_unknown_quiz_404(teacher_client, quiz):
    assert teacher_client.get(f"/en/results/quiz/{quiz.slug}/secrets.csv").status_code == 400
    assert teacher_client.get("/en/results/quiz/no-such-quiz/").status_code == 404


def test_admin_actions_export_the_selected_attempts_of_one_quiz(teacher_client, classroom, learner):
    quiz, other = QuizFactory(slug="first-quiz"), QuizFactory()
    for q in (quiz, other):
        question_with_choices(q, correct=1, wrong=1)
    one = finished(learner, quiz, [1])
    two = finished(learner, other, [0])
    url = reverse("admin:quizzes_attempt_changelist")
    for kind in ("grades", "responses", "items"):
        response = teacher_client.post(
            url, {"action": f"export_{kind}", "_selected_action": [one.pk]}
        )
        assert response["Content-Disposition"].startswith(
            f'attachment; filename="{kind}-first-quiz'
        )
        assert len(read_rows(response)) == 1
    mixed = teacher_client.post(
        url, {"action": "export_grades", "_selected_action": [one.pk, two.pk]}, follow=True
    )
    assert "Select the finished attempts of one quiz" in mixed.content.decode()


def test_a_date_filter_still_counts_an_attempt_whose_time_ran_out(
    teacher_client, learner_client, classroom
):
    quiz = QuizFactory(time_limit=5)
    question_with_choices(quiz, correct=1, wrong=1)
    started(learner_client, quiz)
    Attempt.objects.update(
        started_at=timezone.now() - timedelta(hours=2),
        deadline=timezone.now() - timedelta(hours=2) + timedelta(minutes=5),
    )
    url = reverse("quizzes:quiz-results", args=[quiz.slug])
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert teacher_client.get(url, {"date_from": since}).context["dashboard"].attempts == 1
    assert Attempt.objects.get().is_submitted


def test_choice_counts_cover_every_version_of_an_edited_question(teacher_client, classroom):
    quiz = QuizFactory()
    question = question_with_choices(quiz, correct=1, wrong=2)
    right, gone, _kept = question.choices.all()
    first, second = UserFactory(), UserFactory()
    enrol(classroom, first, second)
    finished(first, quiz, [0], selected={1: [gone.id]}, minutes_ago=20)
    gone.delete()
    question.marks = 2
    question.save()
    finished(second, quiz, [2], selected={1: [right.id]}, minutes_ago=10)
    d = teacher_client.get(reverse("quizzes:quiz-results", args=[quiz.slug])).context["dashboard"]
    counts = {c.text: c.count for c in d.questions[0].choices}
    assert counts[gone.text] == 1 and counts[right.text] == 1
    assert sum(c.percent for c in d.questions[0].choices) == 100
    assert d.questions[0].stats.facility_index == 50  # 0/1 and 2/2, scaled to the latest maximum


def test_the_grades_export_keeps_deleted_questions_and_lists_attempts_as_started(
    teacher_client, classroom
):
    """Each attempt's marks land in its own row, in start order, whatever was deleted since."""
    quiz = QuizFactory()
    question_with_choices(quiz, correct=1, wrong=1, order=1, text="Kept")
    gone = question_with_choices(quiz, correct=1, wrong=1, order=2, text="Deleted later")
    gone.marks = 2
    gone.save()
    ann, ben, cat = (UserFactory(username=name) for name in ("ann", "ben", "cat"))
    enrol(classroom, ann, ben, cat)
    finished(ann, quiz, [1, 0])
    finished(ben, quiz, [0, 2], minutes_ago=90)  # started second, finished first
    finished(cat, quiz, [0.5, 1])
    gone.delete()
    response = teacher_client.get(reverse("quizzes:quiz-export", args=[quiz.slug, "grades"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][12:] == ["Q1 /1: Kept", "Q2 /2: Deleted later"]
    assert [(row[2], row[9], row[12:]) for row in rows[1:]] == [
        ("ann", "1", ["1", "0"]),
        ("ben", "2", ["0", "2"]),
        ("cat", "1.5", ["0.5", "1"]),
    ]


def test_right_now_shows_who_is_taking_the_quiz_and_who_has_not_started(
    teacher, teacher_client, classroom, learner
):
    """During the lesson: open attempts, finished learners and those with none, of the
    teacher's classes only; the teacher's own preview is nobody's attempt."""
    from django.test import Client

    from quizzes.models import Classroom

    quiz = QuizFactory(slug="exit-ticket", time_limit=10)
    question_with_choices(quiz, correct=1, wrong=1)
    taking, waiting = UserFactory(first_name="Zofia", last_name="Wójcik"), UserFactory()
    enrol(classroom, taking, waiting)
    finished(learner, quiz, [1])
    for user in (taking, teacher):
        client = Client()
        client.force_login(user)
        started(client, quiz)
    stranger = UserFactory(first_name="Not", last_name="Mine")
    other = Classroom.objects.create(name="Other", teacher=UserFactory(username="other-teacher"))
    enrol(other, stranger)
    client = Client()
    client.force_login(stranger)
    started(client, quiz)

    page = teacher_client.get(reverse("quizzes:quiz-results", args=[quiz.slug])).content.decode()
    now = page.split('id="now-heading"')[1].split("</section>")[0]
    assert "<dt>In progress</dt><dd>1</dd>" in now
    assert "<dt>Finished</dt><dd>1</dd>" in now
    assert "<dt>Not started</dt><dd>1</dd>" in now
    attempt = Attempt.objects.get(learner=taking)
    started_at = timezone.localtime(attempt.started_at).strftime("%H:%M")
    ends_at = timezone.localtime(attempt.deadline).strftime("%H:%M")
    row = f'Zofia Wójcik <span class="muted">({taking.username})</span> — started {started_at}'
    assert f"{row}, time ends {ends_at}" in now
    assert "1 learner has not started" in now and f"({waiting.username})" in now
    assert "Mine" not in now and teacher.username not in now
    # One class chosen: its learners only.
    other_class = Classroom.objects.create(name="Empty", teacher=teacher)
    chosen = teacher_client.get(
        reverse("quizzes:quiz-results", args=[quiz.slug]), {"classroom": other_class.pk}
    ).content.decode()
    assert "<dt>In progress</dt><dd>0</dd>" in chosen and "<dt>Not started</dt><dd>0</dd>" in chosen


def test_right_now_dates_an_attempt_left_open_since_another_day(teacher_client, learner_client):
    """An untimed attempt abandoned days ago is not read as started today."""
    quiz = QuizFactory(slug="left-open")
    question_with_choices(quiz, correct=1, wrong=1)
    started(learner_client, quiz)
    days_ago = timezone.now() - timedelta(days=9)
    Attempt.objects.update(started_at=days_ago)
    with translation.override("en"):
        expected = formats.date_format(timezone.localtime(days_ago), "DATETIME_FORMAT")
    page = teacher_client.get(reverse("quizzes:quiz-results", args=[quiz.slug])).content.decode()
    assert f"— started {expected}" in page
