"""Regrading from the admin after a teacher fixes an answer key: dry run first, then apply."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from quizzes.models import Attempt, Question
from quizzes.taking.scoring import answer_marks
from quizzes.teaching.regrading import regrade_plan

from .conftest import choice_ids, enrol, started, take_url, values_shown
from .factories import SuperuserFactory, TeacherFactory, UserFactory

pytestmark = pytest.mark.django_db


def take(client, quiz, choose):
    """Finish an attempt choosing `choose(question)` for every question."""
    started(client, quiz)
    attempt = Attempt.objects.in_progress().get(learner__username=client.username)
    data = {f"q{q.id}": values_shown(q, choose(q), attempt=attempt) for q in quiz.questions.all()}
    client.post(take_url(quiz), {"attempt": attempt.pk, **data})
    attempt.refresh_from_db()
    return attempt


@pytest.fixture
def two_learners(quiz, classroom):
    """Alice chose the first wrong choice of the one-answer question, Bob chose the right one.

    Both got the several-answer question fully right. Both are in the teacher's class.
    """
    from django.test import Client

    single = quiz.questions.get(kind=Question.Kind.SINGLE)
    wrong = choice_ids(single, correct=False)[0]
    attempts = {}
    for name, pick in (("alice", wrong), ("bob", choice_ids(single, correct=True)[0])):
        user = UserFactory(username=name)
        c = Client()
        c.force_login(user)
        c.username = name

        def choose(question, pick=pick):
            if question.kind == Question.Kind.SINGLE:
                return [pick]
            return choice_ids(question, correct=True)

        attempts[name] = take(c, quiz, choose)
        enrol(classroom, user)
    assert attempts["alice"].marks == 1 and attempts["bob"].marks == 2
    return single, wrong, attempts


def fix_the_key(single, wrong):
    """The teacher decides the choice Alice picked is the right one after all."""
    single.choices.update(is_correct=False)
    single.choices.filter(pk=wrong).update(is_correct=True, feedback="Right after all.")


def test_editing_the_key_alone_changes_no_past_attempt(quiz, two_learners):
    single, wrong, attempts = two_learners
    fix_the_key(single, wrong)
    for attempt in attempts.values():
        before = attempt.marks
        attempt.refresh_from_db()
        assert attempt.marks == before
        assert attempt.regraded_at is None


def test_the_dry_run_lists_whose_marks_change_and_by_how_much(quiz, teacher_client, two_learners):
    single, wrong, attempts = two_learners
    fix_the_key(single, wrong)
    changes = {
        c.attempt.learner.username: c for c in regrade_plan(quiz, among=Attempt.objects.all())
    }
    assert set(changes) == {"alice", "bob"}
    assert (changes["alice"].old_marks, changes["alice"].new_marks) == (1, 2)
    assert changes["alice"].difference == 1
    assert changes["bob"].difference == -1
    assert (changes["bob"].old_passed, changes["bob"].new_passed) == (True, False)

    url = reverse("admin:quizzes_quiz_regrade", args=[quiz.pk])
    page = teacher_client.get(url).content.decode()
    assert "2 of 2 finished attempts would change" in page
    assert "alice" in page and "+1" in page and "-1" in page
    assert "50% → 100%" in page
    for attempt in Attempt.objects.all():  # the dry run changed nothing
        assert attempt.regraded_at is None
    assert Attempt.objects.get(learner__username="alice").marks == 1


def test_the_regrade_headings_word_leaves_the_admins_change_links_alone(
    quiz, teacher_client, two_learners
):
    """Its "Change" (a difference in marks) has a context of its own: without one, the Polish
    noun "Zmiana" replaced Django's verb "Zmień" on every admin link."""
    single, wrong, _attempts = two_learners
    fix_the_key(single, wrong)
    with translation.override("pl"):
        regrade = reverse("admin:quizzes_quiz_regrade", args=[quiz.pk])
        index = reverse("admin:index")
    assert '<th scope="col">Zmiana</th>' in teacher_client.get(regrade).content.decode()
    page = teacher_client.get(index).content.decode()
    assert '">Zmień</a>' in page
    assert ">Zmiana</a>" not in page


def test_applying_the_regrade_remarks_the_attempts_and_the_learner_sees_it(
    quiz, teacher_client, two_learners
):
    single, wrong, attempts = two_learners
    fix_the_key(single, wrong)
    url = reverse("admin:quizzes_quiz_regrade", args=[quiz.pk])
    response = teacher_client.post(url)
    assert response.status_code == 302
    alice = Attempt.objects.get(learner__username="alice")
    bob = Attempt.objects.get(learner__username="bob")
    assert (alice.marks, alice.percentage, alice.passed) == (2, 100, True)
    assert (bob.marks, bob.percentage, bob.passed) == (1, 50, False)
    assert alice.regraded_at is not None
    answer = alice.answers.get(question=single)
    assert answer.marks == 1
    picked = next(c for c in answer.snapshot["choices"] if c["id"] == wrong)
    assert picked["is_correct"] and picked["feedback"] == "Right after all."
    # A second run finds nothing left to change.
    assert regrade_plan(quiz, among=Attempt.objects.all()) == []
    page = teacher_client.get(url).content.decode()
    assert "No finished attempt" in page


def test_the_regrade_keeps_what_the_learner_saw(quiz, two_learners):
    single, wrong, attempts = two_learners
    single.text = "A reworded question"
    single.save()
    single.choices.filter(pk=wrong).update(text="A reworded choice")
    from quizzes.teaching.regrading import regrade_apply

    regrade_apply(quiz, among=Attempt.objects.all())
    answer = Attempt.objects.get(learner__username="alice").answers.get(question=single)
    assert answer.snapshot["text"] != "A reworded question"
    assert "A reworded choice" not in [c["text"] for c in answer.snapshot["choices"]]


def test_a_teacher_regrades_only_their_own_classes_learners(quiz, two_learners):
    """Teacher Y sees and re-marks only Carol (Y's class), never teacher X's Alice and Bob."""
    from django.test import Client

    from quizzes.models import Classroom

    single, wrong, attempts = two_learners
    carol = UserFactory(username="carol", first_name="Carol", last_name="Nowak")
    carol_client = Client()
    carol_client.force_login(carol)
    carol_client.username = "carol"
    right = choice_ids(quiz.questions.get(kind=Question.Kind.MULTIPLE), correct=True)
    carol_attempt = take(
        carol_client, quiz, lambda q: [wrong] if q.kind == Question.Kind.SINGLE else right
    )
    other = TeacherFactory(username="teacher_y")
    enrol(Classroom.objects.create(name="Class 4C", teacher=other), carol)
    fix_the_key(single, wrong)
    y = Client()
    y.force_login(other)
    url = reverse("admin:quizzes_quiz_regrade", args=[quiz.pk])

    page = y.get(url).content.decode()
    assert "1 of 1 finished attempts would change" in page
    assert "carol" in page and "Carol Nowak" in page
    assert "alice" not in page and "bob" not in page
    assert attempts["alice"].learner.get_full_name() not in page

    assert y.post(url).status_code == 302
    carol_attempt.refresh_from_db()
    assert (carol_attempt.marks, carol_attempt.regraded_at is not None) == (2, True)
    for name in ("alice", "bob"):  # X's learners keep their marks and their old key
        attempt = Attempt.objects.get(pk=attempts[name].pk)
        assert (attempt.marks, attempt.regraded_at) == (attempts[name].marks, None)
    alice_answer = attempts["alice"].answers.get(question=single)
    assert not next(c for c in alice_answer.snapshot["choices"] if c["id"] == wrong)["is_correct"]

    admin = Client()
    admin.force_login(SuperuserFactory())
    page = admin.get(url).content.decode()  # a superuser sees every class's learners
    assert "2 of 3 finished attempts would change" in page
    assert "alice" in page and "bob" in page


def test_students_cannot_open_the_regrade_page(quiz, learner_client):
    url = reverse("admin:quizzes_quiz_regrade", args=[quiz.pk])
    assert learner_client.get(url).status_code == 302  # to the admin sign-in
    assert learner_client.post(url).status_code == 302
    assert not Attempt.objects.filter(regraded_at__isnull=False).exists()


def test_the_regrade_link_is_on_the_quiz_page(quiz, teacher_client):
    page = teacher_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content
    assert reverse("admin:quizzes_quiz_regrade", args=[quiz.pk]).encode() in page


def test_a_deleted_question_keeps_its_key_and_marks(quiz, two_learners):
    single, wrong, attempts = two_learners
    before = attempts["alice"].answers.get(question=single).version
    single.delete()
    from quizzes.teaching.regrading import regrade_apply

    assert regrade_apply(quiz, among=Attempt.objects.all()) == []
    answer = Attempt.objects.get(pk=attempts["alice"].pk).answers.get(position=1)
    assert answer.question is None and answer.version == before
    assert answer.marks == 0 and answer.snapshot["id"] == before.question_key


def test_marks_follow_the_key_kept_with_the_question():
    snapshot = {
        "kind": "single",
        "marks": "2.00",
        "choices": [{"id": 1, "is_correct": True}, {"id": 2, "is_correct": False}],
    }
    assert answer_marks(snapshot, [1]) == Decimal("2.0000")
    assert answer_marks(snapshot, None) == Decimal("0.0000")


# A regrade of many attempts runs as a background task ---------------------------------------


@pytest.fixture
def regrade_in_the_background(settings):
    """Any regrade of more than one attempt is a job (the limit is 500 outside this test)."""
    settings.REGRADE_INLINE_LIMIT = 1


def test_a_large_regrade_runs_as_a_job_with_its_progress_on_the_jobs_page(
    quiz, teacher_client, two_learners, regrade_in_the_background
):
    from quizzes.models import Job

    single, wrong, attempts = two_learners
    fix_the_key(single, wrong)
    response = teacher_client.post(reverse("admin:quizzes_quiz_regrade", args=[quiz.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("quizzes:job-list")
    job = Job.objects.get()
    assert (job.kind, job.status, job.done, job.total) == ("regrade", "done", 2, 2)
    assert job.result == {"changed": 2}  # Alice up, Bob down
    alice = Attempt.objects.get(pk=attempts["alice"].pk)
    assert (alice.marks, alice.regraded_at is not None) == (2, True)
    page = teacher_client.get(reverse("quizzes:job-list")).content.decode()
    assert "2 attempts' marks changed." in page
    assert 'value="2"' in page and "2 of 2" in page


def test_a_regrade_job_re_marks_only_its_owners_learners(
    quiz, two_learners, regrade_in_the_background
):
    """The task gets the job's id and works out whose attempts from the owner, not a queryset."""
    from django.test import Client

    from quizzes.models import Classroom

    single, wrong, attempts = two_learners
    other = TeacherFactory()
    carol = UserFactory()
    enrol(Classroom.objects.create(name="4C", teacher=other), carol)
    fix_the_key(single, wrong)
    y = Client()
    y.force_login(other)
    y.post(reverse("admin:quizzes_quiz_regrade", args=[quiz.pk]))
    for name in ("alice", "bob"):
        attempt = Attempt.objects.get(pk=attempts[name].pk)
        assert (attempt.marks, attempt.regraded_at) == (attempts[name].marks, None)


def test_running_a_regrade_job_twice_changes_nothing(
    quiz, teacher_client, two_learners, regrade_in_the_background
):
    from quizzes.models import Job
    from quizzes.teaching.jobs import regrade_quiz

    single, wrong, attempts = two_learners
    fix_the_key(single, wrong)
    teacher_client.post(reverse("admin:quizzes_quiz_regrade", args=[quiz.pk]))
    job = Job.objects.get()
    marked = dict(Attempt.objects.values_list("pk", "regraded_at"))
    regrade_quiz.enqueue(job.pk)  # delivered again: the job is done, so nothing runs
    Job.objects.filter(pk=job.pk).update(status="queued")
    regrade_quiz.enqueue(job.pk)  # even run again from the start, the marks stay as they are
    assert dict(Attempt.objects.values_list("pk", "regraded_at")) == marked
    assert Attempt.objects.get(pk=attempts["alice"].pk).marks == 2
    assert Job.objects.get().result == {"changed": 0}


def test_a_regrade_job_whose_worker_was_lost_is_finished_by_its_task_run_again(
    quiz, teacher_client, two_learners, regrade_in_the_background
):
    """RQ runs a task again under the same id when its worker died: that run takes the job over;
    another task finds the job running and leaves it alone."""
    from types import SimpleNamespace

    from quizzes.models import Job
    from quizzes.teaching.jobs import regrade_quiz

    single, wrong, attempts = two_learners
    teacher_client.post(reverse("admin:quizzes_quiz_regrade", args=[quiz.pk]))
    fix_the_key(single, wrong)
    Job.objects.update(status="running", task_id="lost-run", done=0, result=None)

    def run_as(task_id):  # the task as a backend runs it, with its context
        context = SimpleNamespace(task_result=SimpleNamespace(id=task_id))
        regrade_quiz.func(context, Job.objects.get().pk)

    run_as("another-task")
    assert Job.objects.get().status == "running"
    assert Attempt.objects.get(pk=attempts["alice"].pk).marks != 2
    run_as("lost-run")
    job = Job.objects.get()
    assert (job.status, job.result) == ("done", {"changed": 2})
    assert Attempt.objects.get(pk=attempts["alice"].pk).marks == 2


def test_a_failed_regrade_job_shows_its_error_and_retry_finishes_it(
    quiz, teacher_client, two_learners, regrade_in_the_background, monkeypatch
):
    from quizzes.models import Job
    from quizzes.teaching import jobs

    single, wrong, attempts = two_learners
    fix_the_key(single, wrong)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patch:
        patch.setattr(jobs, "regrade_apply", broken)
        teacher_client.post(reverse("admin:quizzes_quiz_regrade", args=[quiz.pk]))
    job = Job.objects.get()
    assert (job.status, job.error) == ("failed", "the database went away")
    page = teacher_client.get(reverse("quizzes:job-list")).content.decode()
    assert "Failed: the database went away" in page
    assert reverse("quizzes:job-retry", args=[job.pk]) in page
    response = teacher_client.post(reverse("quizzes:job-retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.error, job.result) == ("done", "", {"changed": 2})
    assert Attempt.objects.get(pk=attempts["alice"].pk).marks == 2


def test_the_dry_run_shows_the_first_attempts_and_counts_the_rest(
    quiz, teacher_client, two_learners, monkeypatch
):
    from quizzes import admin

    monkeypatch.setattr(admin, "REGRADE_ROWS_SHOWN", 1)
    single, wrong, attempts = two_learners
    fix_the_key(single, wrong)
    page = teacher_client.get(reverse("admin:quizzes_quiz_regrade", args=[quiz.pk])).content
    page = page.decode()
    assert "2 of 2 finished attempts would change" in page
    assert "alice" in page and "(bob)" not in page
    assert "… and 1 more attempt." in page
