"""Teacher pages at a school's scale, in this process through Django's WSGI handler.

    python benchmarks/teacher_pages.py [--var-dir DIR] [--requests N] [--seed-only]

Seeds (once; reused afterwards) what `make bench` seeds — the course, 1,000 learners in one
class of the superuser `bench-teacher`, 100,000 finished attempts at the 12-question quiz —
plus a class of 30 of those learners whose teacher is a plain member of the Teachers group.
Then times each teacher page: p50/p95 ms over N requests and queries per request. A response
counts only when its status is 200 and it holds a marker of the right page (the quiz title and
the learner count, the class name, ...); the script stops at the first one that does not.

`--parts` also times the dashboard's functions alone (the SQL summary and learner page, the
per-question reports), so the gain in one is not hidden by the other.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import run, wsgi  # noqa: E402

CLASS_OF_30 = "Class of 30"


def seed_data(attempts: int):
    """The data `make bench` seeds, and a teacher with a class of 30 of its learners."""
    from django.core.management import call_command

    from benchmarks import seed

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    seed.ensure_course()
    learners = seed.ensure_learners("learner", 1000)
    seed.ensure_class(seed.ensure_teacher(), learners)
    seed.seed_attempts(attempts, learners)
    ensure_class_of_30(learners)


def ensure_class_of_30(learners):
    """A plain member of the Teachers group with a class of the first 30 learners."""
    from django.contrib.auth.models import User

    from quizzes.core.roles import teachers_group
    from quizzes.models import Classroom, Membership

    teacher, created = User.objects.get_or_create(
        username="bench-class-teacher", defaults={"is_staff": True, "password": "!bench"}
    )
    teacher.groups.add(teachers_group())
    classroom, _ = Classroom.objects.get_or_create(name=CLASS_OF_30, teacher=teacher)
    Membership.objects.bulk_create(
        [Membership(classroom=classroom, learner=learner) for learner in learners[:30]],
        ignore_conflicts=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--var-dir", type=Path, default=run.VAR)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--parts", action="store_true", help="also time the dashboard's parts")
    parser.add_argument("--only", help="time only the pages whose name contains this")
    args = parser.parse_args()
    run.VAR = args.var_dir
    run.configure(postgres=False)
    seed_data(args.attempts)
    if args.seed_only:
        return
    lines = measure(args.requests, only=args.only)
    if args.parts:
        from django.contrib.auth.models import User

        from benchmarks import seed
        from quizzes.models import Quiz

        quiz = Quiz.objects.get(slug=seed.BENCH_QUIZ)
        admin = User.objects.get(username="bench-teacher")
        teacher = User.objects.get(username="bench-class-teacher")
        lines += parts(quiz, admin, teacher, args.requests)
    (run.VAR / "teacher_pages.md").write_text("\n".join(lines) + "\n")


def measure(requests: int, *, only: str | None = None) -> list[str]:
    """Time each teacher page; the table's lines (also printed as they come)."""
    from django.contrib.auth.models import User
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.urls import reverse
    from django.utils import translation

    from benchmarks import seed
    from quizzes.models import Attempt, Classroom, Quiz
    from quizzes.teaching.dashboard import item_statistics

    app = WSGIHandler()
    translation.activate("en")
    quiz = Quiz.objects.get(slug=seed.BENCH_QUIZ)
    admin = User.objects.get(username="bench-teacher")
    teacher = User.objects.get(username="bench-class-teacher")
    big = Classroom.objects.get(name="Bench class")
    small = Classroom.objects.get(name=CLASS_OF_30)
    dashboard = reverse("quizzes:quiz-results", args=[quiz.slug])
    results = reverse("quizzes:results")
    attempt = Attempt.objects.filter(quiz=quiz, learner__memberships__classroom=small).first()
    title = quiz.title.encode()
    grades = reverse("quizzes:quiz-export", args=[quiz.slug, "grades"])
    attempts_admin = reverse("admin:quizzes_attempt_changelist")
    by_quiz = f"{attempts_admin}?quiz__id__exact={quiz.pk}"
    regrade = reverse("admin:quizzes_quiz_regrade", args=[quiz.pk])
    all_attempts = reverse("quizzes:results-export")
    one_attempt = reverse("admin:quizzes_attempt_change", args=[attempt.pk])
    # Its versions, with the answers of the teacher's learners to each.
    question = reverse("admin:quizzes_question_change", args=[quiz.questions.first().pk])
    stored = b"Item statistics computed at"  # the item analysis is shown, not pending
    listed = b'id="result_list"'  # the admin's table of attempts
    finished = Attempt.objects.filter(submitted_at__isnull=False, practice=False)
    who = finished.values("learner").distinct().count()
    everyone = f"{finished.count()} attempts by {who} learner".encode()
    # Counted, not assumed: the in-process benchmarks' learners can join the class's attempts.
    in_class = finished.filter(learner__memberships__classroom=small)
    class_count = in_class.count()
    class_learners = in_class.values("learner").distinct().count()
    of_class = f"{class_count} attempts by {class_learners} learner".encode()
    of_30 = [title, b"<dd>30</dd>", stored]
    # (name, user, path, markers every counted response must contain)
    pages = [
        ("dashboard, class of 30", teacher, dashboard, of_30),
        ("dashboard, sorted by grade", teacher, f"{dashboard}?sort=-grade", of_30),
        ("dashboard, whole quiz", admin, dashboard, [title, b"<dd>1000</dd>", stored]),
        ("dashboard, class of 1000", admin, f"{dashboard}?classroom={big.pk}", [title]),
        ("dashboard, learners page 20", admin, f"{dashboard}?page=20", [title, b"learner00"]),
        ("class results, class of 30", teacher, results, [of_class]),
        ("class results, everyone", admin, results, [everyone]),
        ("results page 1000", admin, f"{results}?page=1000", [b"learner"]),
        ("class page, 30", teacher, small.get_absolute_url(), [CLASS_OF_30.encode()]),
        (
            "gradebook, class of 30",
            teacher,
            reverse("quizzes:class-gradebook", args=[small.pk]),
            [CLASS_OF_30.encode(), title],
        ),
        (
            "gradebook, class of 1000",
            admin,
            reverse("quizzes:class-gradebook", args=[big.pk]),
            [b"Bench class", title],
        ),
        ("class page, 1000", admin, big.get_absolute_url(), [b"Bench class", b"learner00999"]),
        ("admin attempts", admin, attempts_admin, [listed]),
        ("admin attempts, class of 30", teacher, attempts_admin, [listed, b"learner0"]),
        ("admin attempts, by quiz", admin, by_quiz, [listed, b"learner0"]),
        ("admin attempt", admin, one_attempt, [b"learner0"]),
        ("admin question, 100,000 answers", admin, question, [b"field-shown_text"]),
        ("admin question, class of 30", teacher, question, [b"field-shown_text"]),
        ("regrade dry run, class of 30", teacher, regrade, [title]),
        ("grades export, first row", teacher, grades, [b"last name"]),
        ("grades export, first row, all", admin, grades, [b"last name"]),
        ("attempts export, first row, all", admin, all_attempts, [b"learner0"]),
    ]  # fmt: skip
    if only:
        pages = [page for page in pages if any(o in page[0] for o in only.split(","))]
    cookies = {user.pk: run.session_cookie(user) for user in (admin, teacher)}

    def call(path, cookie):
        """(status, body) of a GET; of a streamed body, only up to the end of its first row."""
        status = []
        body = app(wsgi.environ(path, cookie), lambda s, h, *a: status.append(s))
        first = b""
        for chunk in body:  # a streamed export: its header and first row are what count
            first += chunk
            if first.count(b"\n") >= 2:
                break
        if hasattr(body, "close"):
            body.close()
        return status[0], first

    def check(name, status, content, markers):
        if not status.startswith("200") or not all(m in content for m in markers):
            sys.exit(f"{name}: {status}, markers {markers} missing: not counted.")

    lines = [
        f"Data: {Attempt.objects.filter(quiz=quiz).count():,} attempts at the quiz, "
        f"{connection.vendor}.",
        "",
        "| Page | first view ms | p50 ms | p95 ms | queries | requests |",
        "|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    # The background task's work for the whole quiz, timed on its own.
    whole = Attempt.objects.filter(quiz=quiz).submitted()
    started = time.perf_counter()
    computed = item_statistics(quiz, whole)
    seconds = time.perf_counter() - started
    if len(computed["questions"]) != quiz.questions.count():
        sys.exit("item statistics: not every question analysed: not counted.")
    task = "item statistics of the whole quiz (the background task)"
    line = f"| {task} | {seconds * 1000:.0f} | | | | 1 |"
    lines.append(line)
    print(line, flush=True)
    for name, user, path, markers in pages:
        cookie = cookies[user.pk]
        queries = []

        def count(execute, sql, *rest, queries=queries):
            queries.append(sql)
            return execute(sql, *rest)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            # The first view: warms the caches, counts the queries, and on a dashboard
            # computes and stores the item statistics (tasks run at once here).
            status, content = call(path, cookie)
        first = (time.perf_counter() - started) * 1000
        check(name, status, content, markers)

        def served(path=path, cookie=cookie, name=name, markers=markers):
            check(name, *call(path, cookie), markers)

        p50, p95, count = timed(served, requests, budget_ms=120_000)
        line = f"| {name} | {first:.0f} | {p50:.0f} | {p95:.0f} | {len(queries)} | {count} |"
        lines.append(line)
        print(line, flush=True)
    return lines


def timed(work, repeat: int, *, budget_ms: float) -> tuple[float, float, int]:
    """p50 and p95 milliseconds of `work` over `repeat` runs (fewer once past the budget)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
        if sum(times) > budget_ms:  # this slow, a few samples tell enough
            break
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, len(times)


def parts(quiz, admin, teacher, requests) -> list[str]:
    """The dashboard's functions alone, over the whole quiz and over the class of 30."""
    from quizzes.teaching import dashboard
    from quizzes.teaching.classes import attempts_visible_to

    lines = ["", "| Part | attempts | p50 ms | p95 ms |", "|---|---|---|---|"]
    for who, user in (("class of 30", teacher), ("whole quiz", admin)):
        attempts = attempts_visible_to(user).filter(quiz=quiz).submitted()
        for name, work in dashboard_parts(dashboard, quiz, attempts):
            p50, p95, _count = timed(work, requests, budget_ms=60_000)
            line = f"| {name}, {who} | {attempts.count():,} | {p50:.0f} | {p95:.0f} |"
            lines.append(line)
            print(line, flush=True)
    return lines


def dashboard_parts(dashboard, quiz, attempts):
    """(name, function) for each part of the dashboard this version of the code has."""
    if not hasattr(dashboard, "quiz_summary"):  # before the split: one function did it all
        return [("whole dashboard (old)", lambda: dashboard.quiz_dashboard(quiz, attempts))]
    return [
        ("summary and histogram (SQL)", lambda: dashboard.quiz_summary(attempts)),
        (
            "learner page 1 (SQL)",
            lambda: list(dashboard.learner_grades(quiz, attempts, sort="name")[:50]),
        ),
        (
            "learner page 1 by grade (SQL)",
            lambda: list(dashboard.learner_grades(quiz, attempts, sort="-grade")[:50]),
        ),
        ("question reports (unchanged)", lambda: dashboard.question_reports(quiz, attempts)),
    ]


if __name__ == "__main__":
    main()
