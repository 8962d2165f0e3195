"""Work that does not fit in a request: stored item statistics, large exports as jobs, and the
Jobs page, on django-tasks (the immediate backend here; the dummy one to see work waiting)."""

import csv
import html
import io
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from quizzes.models import Classroom, Job, QuizStatistics
from quizzes.teaching import quiz_statistics
from quizzes.teaching.jobs import exports_prune
from quizzes.teaching.quiz_statistics import compute_quiz_statistics

from .conftest import enrol
from .factories import QuizFactory, TeacherFactory, UserFactory, question_with_choices
from .test_dashboard import finished

pytestmark = pytest.mark.django_db

WAITING = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def three_attempts(classroom):
    """A three-question quiz with three finished attempts by the teacher's learners."""
    quiz = QuizFactory()
    for n in range(3):
        question_with_choices(quiz, correct=1, wrong=1, order=n)
    for marks in ([1, 0, 1], [1, 1, 1], [0, 0, 1]):
        learner = UserFactory()
        enrol(classroom, learner)
        finished(learner, quiz, marks)
    return quiz


def dashboard(client, quiz, **query):
    return client.get(reverse("quizzes:quiz-results", args=[quiz.slug]), query)


def add_attempt(classroom, quiz, marks=(1, 1, 0)):
    learner = UserFactory()
    enrol(classroom, learner)
    return finished(learner, quiz, list(marks), minutes_ago=1)


# Stored item statistics --------------------------------------------------------------------


def test_item_statistics_are_stored_and_shown_with_when_and_from_how_many(
    teacher_client, three_attempts
):
    page = dashboard(teacher_client, three_attempts).content.decode()
    stored = QuizStatistics.objects.get()
    assert (stored.status, stored.attempts) == ("done", 3)
    assert "Item statistics computed at" in page and "from 3 attempts." in page
    assert 'value="Recompute"' in page or ">Recompute</button>" in page


def test_fresh_statistics_are_not_computed_again(teacher_client, three_attempts, monkeypatch):
    dashboard(teacher_client, three_attempts)
    computed_at = QuizStatistics.objects.get().computed_at

    def not_again(*args):
        raise AssertionError("fresh statistics were computed again")

    monkeypatch.setattr(quiz_statistics, "item_statistics", not_again)
    assert dashboard(teacher_client, three_attempts).status_code == 200
    stored = QuizStatistics.objects.get()
    assert (stored.status, stored.computed_at) == ("done", computed_at)


def test_a_new_attempt_makes_the_statistics_stale(teacher_client, classroom, three_attempts):
    dashboard(teacher_client, three_attempts)
    before = QuizStatistics.objects.get()
    add_attempt(classroom, three_attempts)
    page = dashboard(teacher_client, three_attempts).content.decode()
    after = QuizStatistics.objects.get()
    assert after.attempts == 4 and after.computed_at > before.computed_at
    assert "from 4 attempts." in page


def test_a_learner_leaving_and_another_joining_makes_the_statistics_stale(
    teacher_client, classroom, three_attempts
):
    """The same count and the same newest attempt, but not the same attempts."""
    outsider = UserFactory()
    finished(outsider, three_attempts, [0, 0, 0])  # not in the class yet
    add_attempt(classroom, three_attempts)  # the class's newest
    dashboard(teacher_client, three_attempts)
    before = QuizStatistics.objects.get()
    members = classroom.memberships.filter(learner__attempts__quiz=three_attempts)
    members.order_by("learner__attempts__id").first().delete()  # the first attempt's learner
    enrol(classroom, outsider)
    page = dashboard(teacher_client, three_attempts).content.decode()
    after = QuizStatistics.objects.get()
    assert (after.attempts, after.newest_attempt_id) == (4, before.newest_attempt_id)
    assert after.computed_at > before.computed_at
    assert after.result != before.result  # the learner who joined got everything wrong
    assert "from 4 attempts." in page


def test_a_regrade_makes_the_statistics_stale(teacher_client, three_attempts):
    dashboard(teacher_client, three_attempts)
    three_attempts.attempts.filter(pk=three_attempts.attempts.first().pk).update(
        regraded_at=timezone.now()
    )
    dashboard(teacher_client, three_attempts)
    assert QuizStatistics.objects.get().last_regraded_at is not None


def test_statistics_older_than_the_maximum_age_are_computed_again(
    teacher_client, three_attempts, settings
):
    dashboard(teacher_client, three_attempts)
    old = timezone.now() - settings.STATISTICS_MAX_AGE - timedelta(minutes=1)
    QuizStatistics.objects.update(computed_at=old)
    dashboard(teacher_client, three_attempts)
    assert QuizStatistics.objects.get().computed_at > old + timedelta(minutes=1)


def test_above_the_inline_limit_a_task_computes_them_and_the_page_says_so(
    teacher_client, three_attempts, settings
):
    settings.STATISTICS_INLINE_LIMIT = 2
    settings.TASKS = WAITING
    page = dashboard(teacher_client, three_attempts).content.decode()
    stored = QuizStatistics.objects.get()
    assert (stored.status, stored.result) == ("computing", None)
    assert "The item statistics are being computed." in page
    assert "Facility" not in page  # no figures yet, and none computed in the request

    compute_quiz_statistics.call(stored.pk)  # what the worker does
    page = dashboard(teacher_client, three_attempts).content.decode()
    assert "from 3 attempts." in page and "Facility" in page


def test_stale_figures_are_shown_marked_while_the_task_recomputes_them(
    teacher_client, classroom, three_attempts, settings
):
    dashboard(teacher_client, three_attempts)
    settings.STATISTICS_INLINE_LIMIT = 2
    settings.TASKS = WAITING
    add_attempt(classroom, three_attempts)
    page = dashboard(teacher_client, three_attempts).content.decode()
    assert "from 3 attempts." in page and "Facility" in page  # the previous figures
    assert "Being computed again for the latest attempts" in page
    assert QuizStatistics.objects.get().status == "computing"
    dashboard(teacher_client, three_attempts)  # a second visit queues no second task
    from django_tasks import default_task_backend

    assert len(default_task_backend.results) == 1


def test_the_task_computes_them_when_a_worker_runs_it(teacher_client, three_attempts, settings):
    """With the immediate backend the task runs at once: above the limit, figures all the same."""
    settings.STATISTICS_INLINE_LIMIT = 2
    page = dashboard(teacher_client, three_attempts).content.decode()
    assert "from 3 attempts." in page and QuizStatistics.objects.get().status == "done"


def test_the_recompute_button_needs_the_csrf_token_and_computes_again(teacher, three_attempts):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    page = dashboard(client, three_attempts)
    before = QuizStatistics.objects.get().computed_at
    url = reverse("quizzes:quiz-statistics", args=[three_attempts.slug])
    assert client.post(url).status_code == 403
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else None
    token = token or client.cookies["csrftoken"].value
    response = client.post(url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("quizzes:quiz-results", args=[three_attempts.slug])
    assert QuizStatistics.objects.get().computed_at > before


def test_a_failed_computation_shows_its_error_and_retry_computes_them(
    teacher_client, three_attempts, monkeypatch
):
    def broken(*args):
        raise RuntimeError("out of memory")

    with monkeypatch.context() as patch:
        patch.setattr(quiz_statistics, "item_statistics", broken)
        page = dashboard(teacher_client, three_attempts).content.decode()
        assert "The item statistics could not be computed: out of memory" in page
        assert ">Retry</button>" in page
        dashboard(teacher_client, three_attempts)  # not retried by itself on every visit
    assert QuizStatistics.objects.get().status == "failed"
    url = reverse("quizzes:quiz-statistics", args=[three_attempts.slug])
    teacher_client.post(url)
    stored = QuizStatistics.objects.get()
    assert (stored.status, stored.error, stored.attempts) == ("done", "", 3)


def test_a_failed_task_is_shown_failed(teacher_client, three_attempts, settings, monkeypatch):
    settings.STATISTICS_INLINE_LIMIT = 2
    monkeypatch.setattr(quiz_statistics, "item_statistics", lambda *a: 1 / 0)
    page = dashboard(teacher_client, three_attempts).content.decode()
    assert "could not be computed: division by zero" in page


def test_running_the_task_twice_stores_the_same_figures(teacher_client, three_attempts):
    dashboard(teacher_client, three_attempts)
    stored = QuizStatistics.objects.get()
    compute_quiz_statistics.call(stored.pk)
    again = QuizStatistics.objects.get()
    assert again.result == stored.result and again.attempts == stored.attempts
    assert QuizStatistics.objects.count() == 1


def test_each_teacher_sees_figures_over_their_own_classes_only(teacher_client, three_attempts):
    other = TeacherFactory()
    theirs = Classroom.objects.create(name="4C", teacher=other)
    for _ in range(2):
        add_attempt(theirs, three_attempts)
    other_client = Client()
    other_client.force_login(other)
    assert "from 3 attempts." in dashboard(teacher_client, three_attempts).content.decode()
    assert "from 2 attempts." in dashboard(other_client, three_attempts).content.decode()
    admin = Client()
    admin.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert "from 5 attempts." in dashboard(admin, three_attempts).content.decode()
    assert QuizStatistics.objects.count() == 3
    # One class chosen in the filter is its own scope, shared by whoever may see that class.
    dashboard(teacher_client, three_attempts, classroom=theirs.pk)  # not the teacher's class
    assert QuizStatistics.objects.count() == 3


def test_the_items_export_uses_the_stored_statistics(teacher_client, three_attempts, monkeypatch):
    dashboard(teacher_client, three_attempts)
    monkeypatch.setattr(quiz_statistics, "item_statistics", lambda *a: 1 / 0)
    url = reverse("quizzes:quiz-export", args=[three_attempts.slug, "items"])
    body = b"".join(teacher_client.get(url).streaming_content).decode()
    assert len(list(csv.DictReader(io.StringIO(body)))) == 3


def test_the_dashboard_with_stored_statistics_does_not_grow_in_queries(
    teacher_client, classroom, three_attempts, django_assert_max_num_queries
):
    dashboard(teacher_client, three_attempts)
    with django_assert_max_num_queries(30) as small:
        dashboard(teacher_client, three_attempts)
    count = len(small.captured_queries)  # read now: the next request empties the log
    for _ in range(20):
        add_attempt(classroom, three_attempts)
    dashboard(teacher_client, three_attempts)  # stale: computed again
    with django_assert_max_num_queries(count):
        assert "from 23 attempts." in dashboard(teacher_client, three_attempts).content.decode()


# Large exports as jobs ---------------------------------------------------------------------


@pytest.fixture
def export_in_the_background(settings):
    settings.EXPORT_INLINE_LIMIT = 2


def test_a_large_export_is_written_by_a_task_and_downloaded_by_its_owner_only(
    teacher, teacher_client, three_attempts, export_in_the_background, settings
):
    url = reverse("quizzes:quiz-export", args=[three_attempts.slug, "grades"])
    response = teacher_client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("quizzes:job-list")
    job = Job.objects.get()
    assert (job.kind, job.status, job.owner, job.done, job.total) == (
        "export",
        "done",
        teacher,
        3,
        3,
    )
    page = teacher_client.get(reverse("quizzes:job-list")).content.decode()
    download = reverse("quizzes:job-download", args=[job.pk])
    assert download in page
    written = b"".join(teacher_client.get(download).streaming_content)
    settings.EXPORT_INLINE_LIMIT = 20000
    streamed = b"".join(teacher_client.get(url).streaming_content)
    assert written == streamed and written.count(b"\n") == 4

    other = Client()
    other.force_login(TeacherFactory())
    assert other.get(download).status_code == 404
    assert download not in other.get(reverse("quizzes:job-list")).content.decode()
    admin = Client()
    admin.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert admin.get(download).status_code == 404  # a superuser sees the job, not the file
    # Learners' names and marks on the disk: the site's own account reads them, no one else.
    assert os.stat(job.file.path).st_mode & 0o777 == 0o600


def test_a_large_export_is_written_in_the_language_it_was_asked_in(
    teacher_client, three_attempts, export_in_the_background, settings
):
    """The worker has no language of its own: a Polish teacher's file is Polish as a
    download's would be, and Excel's CSV there has semicolons and decimal commas."""
    with translation.override("pl"):
        url = reverse("quizzes:quiz-export", args=[three_attempts.slug, "grades"])
    teacher_client.get(url, {"bom": "1"})
    job = Job.objects.get()
    assert job.params["language"] == "pl"
    download = reverse("quizzes:job-download", args=[job.pk])
    written = b"".join(teacher_client.get(download).streaming_content).decode("utf-8-sig")
    assert written.startswith("nazwisko;imię;nazwa użytkownika;")
    settings.EXPORT_INLINE_LIMIT = 20000
    streamed = b"".join(teacher_client.get(url, {"bom": "1"}).streaming_content)
    assert written == streamed.decode("utf-8-sig")


def test_the_jobs_page_says_which_file_each_export_is_and_for_whom(
    teacher_client, classroom, three_attempts, export_in_the_background
):
    url = reverse("quizzes:quiz-export", args=[three_attempts.slug, "grades"])
    teacher_client.get(url)
    teacher_client.get(url, {"bom": "1", "classroom": classroom.pk, "date_from": "2026-01-05"})
    xlsx = reverse("quizzes:quiz-export-xlsx", args=[three_attempts.slug, "responses"])
    teacher_client.get(xlsx)
    page = html.unescape(teacher_client.get(reverse("quizzes:job-list")).content.decode())
    title = three_attempts.title
    assert f"Grades, CSV: {title}" in page
    assert f"Grades, CSV for Excel (UTF-8 with BOM): {title}" in page
    assert f"class {classroom.name}, from 5 January 2026" in page
    assert f"Responses, Excel workbook (.xlsx): {title}" in page
    assert page.count("all your learners") == 2
    # A superuser sees every teacher's jobs, with their classes' names.
    admin = Client()
    admin.force_login(UserFactory(is_superuser=True, is_staff=True))
    seen = html.unescape(admin.get(reverse("quizzes:job-list")).content.decode())
    assert f"class {classroom.name}, from 5 January 2026" in seen


def test_a_double_click_starts_one_export(
    teacher_client, three_attempts, export_in_the_background, settings
):
    settings.TASKS = WAITING
    url = reverse("quizzes:quiz-export", args=[three_attempts.slug, "responses"])
    teacher_client.get(url)
    teacher_client.get(url)
    assert Job.objects.get().status == "queued"
    page = teacher_client.get(reverse("quizzes:job-list")).content.decode()
    assert '<meta http-equiv="refresh"' in page  # the page follows the job by itself


def test_an_export_is_removed_after_the_retention_period(
    teacher_client, three_attempts, export_in_the_background, settings
):
    teacher_client.get(reverse("quizzes:quiz-export", args=[three_attempts.slug, "grades"]))
    job = Job.objects.get()
    storage_name = job.file.name
    assert job.file.storage.exists(storage_name)
    Job.objects.update(finished_at=timezone.now() - settings.EXPORT_RETENTION - timedelta(hours=1))
    download = reverse("quizzes:job-download", args=[job.pk])
    assert teacher_client.get(download).status_code == 404
    assert exports_prune() == 1
    assert not job.file.storage.exists(storage_name)
    assert Job.objects.get().file.name == ""


def test_a_failed_export_shows_its_error_and_only_its_owner_may_retry(
    teacher_client, three_attempts, export_in_the_background, monkeypatch
):
    from quizzes.teaching import jobs

    with monkeypatch.context() as patch:
        patch.setattr(jobs, "quiz_csv_rows", lambda *a: 1 / 0)
        teacher_client.get(reverse("quizzes:quiz-export", args=[three_attempts.slug, "grades"]))
    job = Job.objects.get()
    assert (job.status, job.error) == ("failed", "division by zero")
    retry = reverse("quizzes:job-retry", args=[job.pk])
    other = Client()
    other.force_login(TeacherFactory())
    assert other.post(retry).status_code == 404
    assert teacher_client.post(retry).status_code == 302
    assert Job.objects.get().status == "done"
    assert teacher_client.post(retry).status_code == 302  # done: nothing to retry
    assert Job.objects.get().status == "done"


def test_serve_with_worker_starts_a_failed_or_stopped_worker_again(tmp_path):
    """A worker ended by a locked SQLite database (or anything else), or stopped by hand with
    a clean exit, is started again, and the site keeps serving; the web server ending stops
    both."""
    runs = tmp_path / "runs"
    python = tmp_path / "python"
    python.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {runs}\n'
        f"n=$(wc -l < {runs})\n"
        '[ "$n" -ge 3 ] && exec sleep 60\n'
        '[ "$n" -eq 2 ] && exit 0\n'  # the second stopped cleanly, by a SIGTERM say
        "exit 1\n"  # the first fails
    )
    python.chmod(0o755)
    web = f"until [ $(wc -l < {runs} 2>/dev/null || echo 0) -ge 3 ]; do sleep 0.1; done"
    script = Path(__file__).resolve().parent.parent / "scripts" / "serve-with-worker"
    done = subprocess.run(
        [script, python, "sh", "-c", web], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0
    assert runs.read_text().splitlines() == ["manage.py db_worker --no-reload"] * 3
    assert "the task worker stopped (exit 1); starting it again in 3 s" in done.stderr
    assert "the task worker stopped (exit 0); starting it again in 3 s" in done.stderr
