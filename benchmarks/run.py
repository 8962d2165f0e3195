"""`make bench`: seed realistic data, serve it with gunicorn on 127.0.0.1, measure, report.

    python benchmarks/run.py [--attempts 100000] [--quick] [--postgres]

Prints a table and writes it to docs/BENCHMARKS.md with the machine and the date. SQLite by
default (a file in var/bench/); with --postgres, the DATABASE_URL in the environment
(`make bench-postgres` starts a throwaway server for it).
"""

import argparse
import asyncio
import csv
import io
import os
import platform
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
sys.path.insert(0, str(ROOT))

from benchmarks.httpload import Connection, Result, hammer  # noqa: E402


def configure(postgres: bool) -> dict:
    VAR.mkdir(parents=True, exist_ok=True)
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-not-a-secret",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "QUIZSITE_VAR_DIR": str(VAR),
        "STATIC_ROOT": str(VAR / "static"),
        "BENCHMARK_VIEWS": "1",
        # Exports stream however large, to compare with the baseline (the site writes one over
        # 20,000 attempts in the background), and tasks run at once, with no worker to wait for.
        "EXPORT_INLINE_LIMIT": "10000000",
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "quizsite.settings",
    }
    if not postgres:
        env["DATABASE_URL"] = f"sqlite:///{VAR / 'db.sqlite3'}"
    elif "DATABASE_URL" not in os.environ:
        sys.exit("--postgres needs DATABASE_URL (run `make bench-postgres`).")
    os.environ.update(env)
    import django

    django.setup()
    return {**os.environ}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "quizzes.auth_backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    csrf = "b" * 32
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"


class Server:
    """gunicorn as `make serve` runs it (gunicorn.conf.py), with two workers per core plus one."""

    def __init__(self, env: dict, workers: int):
        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "quizsite.wsgi",
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--backlog",
                "2048",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(server, cookies, paths, *, requests, seconds, concurrency, expect) -> Result:
    """Load `paths`; a response counts only with status 200 and `expect(user, path)`'s markers."""
    return asyncio.run(
        hammer(
            "127.0.0.1",
            server.port,
            cookies,
            paths,
            requests=requests,
            seconds=seconds,
            concurrency=concurrency,
            expect=expect,
        )
    )


def finish_form(page: bytes) -> bytes | None:
    """The urlencoded Finish of the quiz page `page`, the first choice shown ticked for each
    question; None when the page carries no attempt."""
    match = re.search(rb'name="attempt" value="(\d+)"', page)
    if not match:
        return None
    data = [("csrfmiddlewaretoken", "b" * 32), ("attempt", match.group(1).decode())]
    data.append(("action", "finish"))
    answered = set()
    for name, value in re.findall(rb'name="(q[0-9]+)" value="([0-9]+)"', page):
        if name not in answered:
            answered.add(name)
            data.append((name.decode(), value.decode()))
    return urlencode(data).encode()


async def spike(server, cookies, quiz_url) -> dict:
    """Every learner opens the quiz, then all press Finish together, each with an answer ticked
    for every question dealt to them (the first choice shown)."""
    connections = [Connection("127.0.0.1", server.port, cookie) for cookie in cookies]
    forms, errors = [], 0
    started = time.perf_counter()

    async def start(connection):
        status, _, page = await connection.request("GET", quiz_url)
        return finish_form(page) if status == 200 else None

    forms = await asyncio.gather(*(start(c) for c in connections))
    errors += sum(1 for f in forms if f is None)
    latencies = []

    async def finish(connection, form):
        nonlocal errors
        if form is None:
            return
        t = time.perf_counter()
        try:
            status, headers, _ = await connection.request(
                "POST",
                quiz_url,
                form,
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": f"http://127.0.0.1:{server.port}/",
                },
            )
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            errors += 1
            return
        latencies.append(time.perf_counter() - t)
        if status != 302 or "/attempts/" not in headers.get("location", ""):
            errors += 1

    finish_started = time.perf_counter()
    await asyncio.gather(*(finish(c, f) for c, f in zip(connections, forms, strict=True)))
    finish_seconds = time.perf_counter() - finish_started
    await asyncio.gather(*(c.close() for c in connections))
    result = Result(latencies=latencies, seconds=finish_seconds)
    return {
        "learners": len(cookies),
        "errors": errors,
        "finished_per_s": len(latencies) / finish_seconds if finish_seconds else 0,
        "p99": result.percentile(99),
        "total_s": time.perf_counter() - started,
    }


def export(server, cookie, path) -> dict:
    """Download a CSV while sampling the workers' memory; rows, seconds, peak growth (MiB)."""
    pids = server.pids()
    before = {pid: rss_kib(pid) for pid in pids}
    peak = dict(before)
    done = threading.Event()

    def sample():
        while not done.is_set():
            for pid in pids:
                peak[pid] = max(peak[pid], rss_kib(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()

    async def fetch():
        connection = Connection("127.0.0.1", server.port, cookie)
        try:
            return await connection.request("GET", path)
        finally:
            await connection.close()

    status, _, body = asyncio.run(fetch())
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    rows = body.count(b"\n") - 1
    growth = max((peak[pid] - before[pid]) for pid in pids) / 1024 if pids else 0
    return {"status": status, "rows": rows, "seconds": seconds, "growth_mib": growth}


def baseline_export(db_path: Path, quiz_id: int) -> dict:
    """The same grades rows with plain sqlite3 and csv: the floor to compare the export with."""
    started = time.perf_counter()
    connection = sqlite3.connect(db_path)
    out = io.StringIO()
    writer = csv.writer(out)
    rows = 0
    query = (
        "SELECT a.id, u.last_name, u.first_name, u.username, u.email, a.started_at, "
        "a.submitted_at, a.marks, a.percentage, v.question_key, n.marks "
        "FROM quizzes_answer n JOIN quizzes_attempt a ON a.id = n.attempt_id "
        "JOIN quizzes_questionversion v ON v.id = n.version_id "
        "JOIN auth_user u ON u.id = a.learner_id WHERE a.quiz_id = ? "
        "AND a.submitted_at IS NOT NULL ORDER BY a.submitted_at, a.id, n.position"
    )
    current, row = None, None
    for values in connection.execute(query, (quiz_id,)):
        if values[0] != current:
            if row is not None:
                writer.writerow(row)
                rows += 1
                out.seek(0)
                out.truncate()
            current, row = values[0], list(values[1:9])
        row.append(values[10])
    if row is not None:
        writer.writerow(row)
        rows += 1
    connection.close()
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds}


def storage() -> list[tuple[str, int]]:
    """The database's size, and what an answer costs in it (its table and indexes)."""
    from django.db import connection

    from quizzes.models import Answer, QuestionVersion

    table = Answer._meta.db_table
    answers = Answer.objects.count() or 1
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE tbl_name = %s", [table])
            names = [row[0] for row in cursor.fetchall()]
            marks = ", ".join(["%s"] * len(names))
            cursor.execute(f"SELECT SUM(pgsize) FROM dbstat WHERE name IN ({marks})", names)  # noqa: S608
            answer_bytes = cursor.fetchone()[0]
            cursor.execute(
                "SELECT SUM(pgsize) FROM dbstat WHERE name = %s",
                [QuestionVersion._meta.db_table],
            )
            version_bytes = cursor.fetchone()[0]
            total = sum(f.stat().st_size for f in VAR.glob("db.sqlite3*"))
        else:
            cursor.execute(
                "SELECT pg_database_size(current_database()), pg_total_relation_size(%s), "
                "pg_total_relation_size(%s)",
                [table, QuestionVersion._meta.db_table],
            )
            total, answer_bytes, version_bytes = cursor.fetchone()
    return [
        ("database", total),
        (f"answers ({answers:,} rows, with their indexes)", answer_bytes),
        ("per answer", answer_bytes // answers),
        (f"question versions ({QuestionVersion.objects.count():,} rows)", version_bytes),
    ]


def query_counts(urls_for, user) -> dict:
    """Queries each page costs, through the test client (in this process)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    counts = {}
    for name, url in urls_for.items():
        client.get(url)  # warm: the first visit may start an attempt
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = (len(context.captured_queries), response.status_code)
    return counts


def machine() -> str:
    import django

    memory = ""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) // 1024 // 1024} GiB"
    return (
        f"{os.cpu_count()} cores, {memory} RAM, {platform.platform()}, "
        f"Python {platform.python_version()}, Django {django.get_version()}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="smaller loads, for a smoke run")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="measure only the ceiling and the read path (for before/after comparisons); "
        "prints the table without writing docs/BENCHMARKS.md",
    )
    args = parser.parse_args()
    env = configure(args.postgres)

    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse
    from django.utils.html import escape

    from benchmarks import seed
    from quizzes.models import Attempt, Quiz

    lines = []

    def say(text=""):
        print(text, flush=True)
        lines.append(text)

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    seed.ensure_course()
    learners = seed.ensure_learners("learner", args.learners)
    teacher = seed.ensure_teacher()
    seed.ensure_class(teacher, learners)
    quiz = Quiz.objects.get(slug=seed.BENCH_QUIZ)
    small = min(1000, args.attempts)
    seed.seed_attempts(small, learners)
    attempt = Attempt.objects.submitted().filter(quiz=quiz, learner=learners[0]).first()
    pages = {
        "home": reverse("quizzes:home"),
        "lesson": quiz.lesson.get_absolute_url(),
        "quiz": quiz.get_absolute_url(),
        "result": attempt.get_absolute_url(),
        "my results": reverse("quizzes:my-results"),
        "progress": reverse("quizzes:progress"),
    }
    teacher_urls = {
        "dashboard": reverse("quizzes:quiz-results", args=[quiz.slug]),
        "class results": reverse("quizzes:results"),
    }
    counts_small = query_counts(pages, learners[0]) | query_counts(teacher_urls, teacher)
    seed.seed_attempts(args.attempts, learners)
    counts_large = query_counts(pages, learners[0]) | query_counts(teacher_urls, teacher)
    seeded = time.perf_counter() - t
    attempts = Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False).count()

    cores = os.cpu_count() or 1
    workers = cores * 2 + 1
    # Teacher pages in this process, before the server takes the cores.
    from benchmarks import teacher_pages

    teacher_pages.ensure_class_of_30(learners)
    teacher_lines = [] if args.read_only else teacher_pages.measure(5 if args.quick else 20)
    stored = storage()
    server = Server(env, workers)
    requests = 3000 if args.quick else 20000
    seconds = 10 if args.quick else 30
    try:
        cookies = [session_cookie(u) for u in learners[:64]]
        say(f"# Benchmarks ({date.today().isoformat()})")
        say()
        say(f"Machine: {machine()}.")
        say(f"Database: {connection.vendor}. Server: gunicorn, {workers} threaded workers.")
        say(
            f"Data: {len(learners)} learners, {attempts:,} finished attempts at the 12-question "
            f"quiz (seeded in {seeded:.0f} s). Load: `benchmarks/httpload.py`, keep-alive, "
            "32 users; a response counts as served only with status 200 and the signed-in "
            "learner's name and the page's title in it, and any other is an error."
        )
        say()
        say("## Requests per second")
        say()
        say("| Page | req/s | p50 ms | p95 ms | p99 ms | errors | of ceiling |")
        say("|---|---|---|---|---|---|---|")
        ceiling = measure(
            server,
            [],
            ["/bench/ceiling"],
            requests=requests,
            seconds=seconds,
            concurrency=32,
            expect=lambda user, path: (b"ok\n",),
        )
        rows = [("ceiling (minimal view)", ceiling)]
        # What each page must show to count as served: the signed-in learner's name and the
        # page's own title (a sign-in page or an error page has neither).
        names = [f"({u.username})".encode() for u in learners[:64]]
        titles = {
            pages["home"]: escape(quiz.lesson.title).encode(),
            pages["lesson"]: escape(quiz.lesson.title).encode(),
            pages["quiz"]: escape(quiz.title).encode(),
        }
        for name in ("home", "lesson", "quiz"):
            rows.append(
                (
                    name,
                    measure(
                        server,
                        cookies,
                        [pages[name]],
                        requests=requests // 2,
                        seconds=seconds,
                        concurrency=32,
                        expect=lambda user, path: (names[user], titles[path]),
                    ),
                )
            )
        for name, r in rows:
            share = 100 * r.rate / ceiling.rate
            say(
                f"| {name} | {r.rate:.0f} | {r.p50 * 1000:.1f} | {r.percentile(95) * 1000:.1f} | "
                f"{r.percentile(99) * 1000:.1f} | {r.errors} | {share:.0f} % |"
            )
        say()
        if args.read_only:
            return
        spike_quiz = Quiz.objects.get(slug=seed.SPIKE_QUIZ)
        say("## Classroom spike: N learners open the quiz, then all press Finish together")
        say()
        say(
            f"The quiz: “{spike_quiz.title}”, {spike_quiz.questions_per_attempt} questions drawn "
            "for each learner from the whole course, choices shuffled. Each learner opens it "
            "(an attempt is dealt), then every learner presses Finish at the same moment, a "
            "harsher test than arrivals spread over the minute."
        )
        say()
        say("| Learners | finished/s | p99 of Finish (s) | errors | whole spike (s) |")
        say("|---|---|---|---|---|")
        spike_sizes = (100, 300) if args.quick else (100, 300, 1000)
        for size in spike_sizes:
            fresh = seed.ensure_learners(f"spike{size}-", size)
            Attempt.objects.filter(learner__in=fresh).delete()
            spike_cookies = [session_cookie(u) for u in fresh]
            s = asyncio.run(spike(server, spike_cookies, spike_quiz.get_absolute_url()))
            say(
                f"| {s['learners']} | {s['finished_per_s']:.0f} | {s['p99']:.2f} | {s['errors']} | "
                f"{s['total_s']:.1f} |"
            )
        say()
        say(f"## Export of {attempts:,} attempts")
        say()
        say("| Export | rows | seconds | rows/s | server memory growth (MiB) |")
        say("|---|---|---|---|---|")
        teacher_cookie = session_cookie(teacher)
        for kind in ("grades", "responses"):
            e = export(
                server, teacher_cookie, reverse("quizzes:quiz-export", args=[quiz.slug, kind])
            )
            say(
                f"| {kind} | {e['rows']:,} | {e['seconds']:.1f} | {e['rows'] / e['seconds']:.0f} | "
                f"{e['growth_mib']:.0f} |"
            )
        if connection.vendor == "sqlite":
            b = baseline_export(VAR / "db.sqlite3", quiz.pk)
            say(
                f"| baseline: sqlite3 + csv, grades rows | {b['rows']:,} | {b['seconds']:.1f} | "
                f"{b['rows'] / b['seconds']:.0f} | – |"
            )
        say()
        say(f"## Queries per page at {small:,} and {attempts:,} attempts")
        say()
        say("| Page | queries (small) | queries (large) |")
        say("|---|---|---|")
        for name in counts_small:
            say(f"| {name} | {counts_small[name][0]} | {counts_large[name][0]} |")
        say()
        say(f"## Teacher pages at {attempts:,} attempts (in process)")
        say()
        say(
            "Each page as a teacher opens it, through Django's WSGI handler in this process: the "
            "first view (on a dashboard it computes and stores the item statistics; the site "
            "runs that as a background task), then p50/p95 over repeated views. A response "
            "counts only with status 200 and the page's markers (the quiz title, the number of "
            "learners, “Item statistics computed at”). `bench-class-teacher` is a plain teacher "
            "whose class has 30 of the learners; `bench-teacher` is a superuser and sees all."
        )
        say()
        for line in teacher_lines[2:]:
            say(line)
        say()
        say("## Storage")
        say()
        say("| What | bytes |")
        say("|---|---|")
        for name, value in stored:
            say(f"| {name} | {value:,} |")
    finally:
        server.stop()
    if args.read_only:
        return
    report = "\n".join(lines) + "\n"
    (ROOT / "docs" / "BENCHMARKS.md").write_text(report)
    print("\nWritten to docs/BENCHMARKS.md")


if __name__ == "__main__":
    main()
