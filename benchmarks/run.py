"""`make bench`: seed realistic data, serve it with gunicorn on 127.0.0.1, measure, report.

    python benchmarks/run.py [--attempts 100000] [--quick] [--postgres]

Prints a table and writes it to docs/BENCHMARKS.md with the machine and the date. SQLite by
default (a file in var/bench/); with --postgres, the DATABASE_URL in the environment
(`make bench-postgres` starts a throwaway server for it).
"""

import argparse
import asyncio
import hashlib
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
sys.path.insert(0, str(ROOT))

from benchmarks import wrk  # noqa: E402
from benchmarks.export_baseline import timed_grades  # noqa: E402
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


# What `make bench` measures, each a section of docs/BENCHMARKS.md; `--only` picks some.
PARTS = ("requests", "attempt", "spike", "export", "xlsx", "queries", "teacher", "storage")
# Keep-alive connections each load generator holds open.
CONCURRENCY = 32


def commit() -> str:
    """The commit measured, and whether the tree had changes on top of it."""
    head = subprocess.run(  # noqa: S603 - fixed arguments
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    dirty = subprocess.run(  # noqa: S603 - fixed arguments
        # The report a previous run wrote is not a change to the code measured.
        ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs/BENCHMARKS.md"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{head or 'unknown'}{' with local changes' if dirty else ''}"


def wrk_version() -> str:
    if not wrk.available():
        return "not installed"
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [shutil.which("wrk"), "--version"], capture_output=True, text=True
    )
    return (done.stdout or done.stderr).split("[")[0].strip() or "wrk"


def variant_quizzes(quiz) -> list:
    """The benchmark quiz again as one question per page, and with a time limit."""
    from benchmarks import seed

    return [
        ("quiz, one question per page", seed.ensure_paged_quiz()),
        ("quiz, timed", seed.ensure_timed_quiz()),
    ]


def configure_seeded() -> dict:
    """`configure` for the in-process scripts, which measure the data `make bench` seeded."""
    if not (VAR / "db.sqlite3").exists():
        sys.exit("No benchmark data yet: run `make bench` once first.")
    return configure(postgres=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(user) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from quizzes.core import sign_in

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = sign_in.BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    csrf = "b" * 32
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"


class Server:
    """gunicorn as `make serve` runs it (gunicorn.conf.py), with two workers per core plus one.

    `app` and `settings` default to the site's; the bench also serves a bare Django this way.
    """

    def __init__(self, env: dict, workers: int, app="quizsite.wsgi", settings=None):
        self.port = free_port()
        if settings:
            env = {**env, "DJANGO_SETTINGS_MODULE": settings}
        self.process = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                app,
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

    def cpu_seconds(self) -> float:
        """User and system CPU the master and its workers have used so far (/proc/<pid>/stat).

        Read from the server's own processes, so the load generator and anything else on the
        machine do not count. A worker that restarted between two readings would be missed;
        gunicorn restarts none here (no max_requests).
        """
        total = 0
        for pid in [self.process.pid, *self.pids()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15
        return total / os.sysconf("SC_CLK_TCK")

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


@dataclass
class Target:
    """One page to load: where, as whom, and what its body must hold to count as served."""

    name: str
    server: "Server"
    path: str
    cookies: list[str]  # the project's generator spreads its users over these
    markers: object  # markers(user index, path) -> tuple of bytes


@dataclass
class Runs:
    """Each round's figures for one target, by each load generator."""

    rates: dict = field(default_factory=lambda: {"wrk": [], "own": []})
    p99: dict = field(default_factory=lambda: {"wrk": [], "own": []})
    cpu_ms: list = field(default_factory=list)
    errors: int = 0
    requests: int = 0


def spread(values: list[float], scale: float = 1, digits: int = 0) -> str:
    """The median and, with more than one value, the range: "1008 (980–1020)"."""
    if not values:
        return "–"
    shown = [round(value * scale, digits) for value in values]
    text = f"{statistics.median(shown):.{digits}f}"
    if len(shown) > 1:
        text += f" ({min(shown):.{digits}f}–{max(shown):.{digits}f})"
    return text


def throughput(targets: list[Target], *, rounds: int, seconds: int, concurrency: int) -> dict:
    """Load every target in turn, A B C … A B C …, for `rounds` rounds, with wrk (when installed)
    and the project's own generator, reading the server's CPU around each run."""
    runs = {target.name: Runs() for target in targets}
    for _ in range(rounds):
        for target in targets:
            run = runs[target.name]
            tools = ["wrk", "own"] if wrk.available() else ["own"]
            for tool in tools:
                cpu = target.server.cpu_seconds()
                if tool == "wrk":
                    result = wrk.run(
                        f"http://127.0.0.1:{target.server.port}{target.path}",
                        cookie=target.cookies[0] if target.cookies else "",
                        markers=target.markers(0, target.path),
                        seconds=seconds,
                        connections=concurrency,
                    )
                    served, p99 = result.requests, result.p99
                else:
                    result = measure(
                        target.server,
                        target.cookies,
                        [target.path],
                        requests=10_000_000,
                        seconds=seconds,
                        concurrency=concurrency,
                        expect=target.markers,
                    )
                    served, p99 = result.requests, result.percentile(99)
                used = target.server.cpu_seconds() - cpu
                run.rates[tool].append(result.rate)
                run.p99[tool].append(p99)
                run.errors += result.errors
                run.requests += served
                if served:
                    run.cpu_ms.append(used / served * 1000)
    return runs


def share(runs: dict, name: str, of: str, tool: str) -> list[float]:
    """Per round, `name`'s rate as a share of `of`'s (adjacent runs, so drift cancels)."""
    return [
        page / ceiling
        for page, ceiling in zip(runs[name].rates[tool], runs[of].rates[tool], strict=True)
        if ceiling
    ]


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


def signed_in(users) -> tuple[list[str], list[bytes]]:
    """Each user's session cookie, and their name as the site's header shows it."""
    return [session_cookie(user) for user in users], [f"({u.username})".encode() for u in users]


FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
# Start on a quiz's start page: a form with the CSRF token only (session_cookie's).
START_FORM = urlencode([("csrfmiddlewaretoken", "b" * 32)]).encode()


UNRENDERED = "quiz, its reads only (floor)"


def unrendered_path(quiz) -> str:
    """The address of the quiz page's floor for `quiz` (`benchmarks/floor.py`)."""
    return f"/bench/unrendered/{quiz.slug}/"


def take_path(quiz_url: str) -> str:
    """The address of a learner's attempt in progress at the quiz whose start page is
    `quiz_url`: where Start leads, and where its form is sent."""
    return f"{quiz_url}attempt/"


def start_attempts(quizzes, users) -> None:
    """Give each user a fresh attempt in progress at each quiz (in this process), so the quiz
    page can be loaded over and over, as a learner reloads it (a timed one's clock restarts)."""
    from quizzes.models import Attempt
    from quizzes.taking.attempts import attempt_start

    Attempt.objects.in_progress().filter(learner__in=users, quiz__in=quizzes).delete()
    for quiz in quizzes:
        for user in users:
            attempt_start(learner=user, quiz=quiz)


def result_markers(name: bytes) -> tuple:
    """What a result page must show to count: the learner's name and their score line."""
    return (name, b" out of ", b" marks (")


async def _start(connection, quiz_url, referer) -> bool:
    """Press Start on the quiz's start page (the site deals an attempt); whether it did."""
    try:
        status, headers, _ = await connection.request(
            "POST", quiz_url, START_FORM, {**FORM_HEADERS, "Referer": referer}
        )
    except (ConnectionError, OSError, asyncio.IncompleteReadError):
        return False
    return status == 302 and headers.get("location", "").endswith(take_path(quiz_url))


async def _open(connection, quiz_url, started=True):
    """Open the attempt's questions (after Start); the Finish form, or None when refused."""
    if not started:
        return None
    try:
        status, _, page = await connection.request("GET", take_path(quiz_url))
    except (ConnectionError, OSError, asyncio.IncompleteReadError):
        return None
    return finish_form(page) if status == 200 else None


async def _start_and_open(connection, quiz_url, referer):
    """Start, then open the questions; the Finish form, or None when a step failed."""
    return await _open(connection, quiz_url, await _start(connection, quiz_url, referer))


async def _finish(connection, quiz_url, form, referer):
    """Press Finish; the result page's address it redirects to, or None when it did not."""
    if form is None:
        return None
    try:
        status, headers, _ = await connection.request(
            "POST", take_path(quiz_url), form, {**FORM_HEADERS, "Referer": referer}
        )
    except (ConnectionError, OSError, asyncio.IncompleteReadError):
        return None
    location = headers.get("location", "")
    return location if status == 302 and "/attempts/" in location else None


async def _see(connection, location, name) -> bool:
    """Load the result page at `location`; whether it shows the learner's name and score."""
    if location is None:
        return False
    try:
        status, _, page = await connection.request("GET", location)
    except (ConnectionError, OSError, asyncio.IncompleteReadError):
        return False
    return status == 200 and all(marker in page for marker in result_markers(name))


async def _finish_and_see(connection, quiz_url, form, name, referer):
    """Press Finish and load the result page it leads to; seconds until it is shown, or None
    when any step gave the wrong answer."""
    started = time.perf_counter()
    location = await _finish(connection, quiz_url, form, referer)
    if not await _see(connection, location, name):
        return None
    return time.perf_counter() - started


async def spike(server, cookies, names, quiz_url) -> dict:
    """The whole attempt, all at once: every learner presses Start (an attempt is dealt) and
    opens its questions, then all press Finish at the same moment, each with an answer ticked
    for every question (the first choice shown), and loads the result page. Timed from Finish
    until the result shows."""
    referer = f"http://127.0.0.1:{server.port}/"
    connections = [Connection("127.0.0.1", server.port, cookie) for cookie in cookies]
    cpu = server.cpu_seconds()
    started = time.perf_counter()
    forms = await asyncio.gather(*(_start_and_open(c, quiz_url, referer) for c in connections))
    waits = await asyncio.gather(
        *(
            _finish_and_see(c, quiz_url, form, name, referer)
            for c, form, name in zip(connections, forms, names, strict=True)
            if form is not None
        )
    )
    seconds = time.perf_counter() - started
    cpu = server.cpu_seconds() - cpu
    await asyncio.gather(*(c.close() for c in connections))
    shown = [wait for wait in waits if wait is not None]
    result = Result(latencies=shown, seconds=seconds)
    return {
        "learners": len(cookies),
        "errors": len(cookies) - len(shown),
        "attempts_per_s": len(shown) / seconds if seconds else 0,
        "p50": result.p50,
        "p99": result.percentile(99),
        "cpu_ms": cpu / len(cookies) * 1000,
        "total_s": seconds,
    }


async def whole_attempt_cpu(server, cookies, names, quiz_url, concurrency=4) -> dict:
    """Server CPU per request of each step of a whole attempt, with a few learners at a time
    (no queueing): every learner presses Start, then every one opens the questions, then every
    one presses Finish, then every one loads the result, each step read from the workers' CPU
    on its own."""
    referer = f"http://127.0.0.1:{server.port}/"
    connections = [Connection("127.0.0.1", server.port, cookie) for cookie in cookies]
    gate = asyncio.Semaphore(concurrency)

    async def limited(step):
        async with gate:
            return await step

    steps = {}
    mark = server.cpu_seconds()

    def lap(step):
        nonlocal mark
        now = server.cpu_seconds()
        steps[step], mark = now - mark, now

    dealt = await asyncio.gather(*(limited(_start(c, quiz_url, referer)) for c in connections))
    lap("Start (deal)")
    forms = await asyncio.gather(
        *(limited(_open(c, quiz_url, ok)) for c, ok in zip(connections, dealt, strict=True))
    )
    lap("open the questions")
    locations = await asyncio.gather(
        *(
            limited(_finish(c, quiz_url, f, referer))
            for c, f in zip(connections, forms, strict=True)
        )
    )
    lap("Finish")
    seen = await asyncio.gather(
        *(
            limited(_see(c, where, name))
            for c, where, name in zip(connections, locations, names, strict=True)
        )
    )
    lap("result page")
    await asyncio.gather(*(c.close() for c in connections))
    per_request = {step: used / len(cookies) * 1000 for step, used in steps.items()}
    per_request["whole attempt"] = sum(per_request.values())
    return {"ms": per_request, "errors": len(cookies) - sum(seen), "learners": len(cookies)}


def export(server, cookie, path, header=b"last name,") -> dict:
    """Download a CSV while sampling the workers' memory; rows, seconds, the server's CPU
    seconds, peak growth (MiB) and the body's sha256. Only a 200 whose body starts with the
    export's `header` counts: anything else stops the run."""
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
    cpu = server.cpu_seconds()
    started = time.perf_counter()

    async def fetch():
        connection = Connection("127.0.0.1", server.port, cookie)
        try:
            return await connection.request("GET", path)
        finally:
            await connection.close()

    status, _, body = asyncio.run(fetch())
    seconds = time.perf_counter() - started
    if status != 200 or not body.startswith(header):
        # Not the export (a sign-in page, an error): no figure is made of it.
        sys.exit(f"{path}: status {status}, not the CSV export; nothing counted.")
    cpu = server.cpu_seconds() - cpu
    done.set()
    sampler.join()
    rows = body.count(b"\n") - 1
    growth = max((peak[pid] - before[pid]) for pid in pids) / 1024 if pids else 0
    sha256 = hashlib.sha256(body).hexdigest()
    return {
        "status": status,
        "rows": rows,
        "seconds": seconds,
        "cpu_s": cpu,
        "growth_mib": growth,
        "sha256": sha256,
    }


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
        client.get(url)  # warm
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
        "--only",
        help=f"measure only these parts (comma-separated, of {','.join(PARTS)}), for "
        "before/after comparisons; prints the tables without writing docs/BENCHMARKS.md",
    )
    parser.add_argument("--read-only", action="store_true", help="the same as --only requests")
    args = parser.parse_args()
    if args.read_only:
        args.only = "requests"
    chosen = set(args.only.split(",")) if args.only else set(PARTS)
    if chosen - set(PARTS):
        parser.error(f"--only takes {', '.join(PARTS)}")

    def wanted(part: str) -> bool:
        return part in chosen

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
    # The quiz page is the attempt's questions, reloaded: each learner has one in progress.
    start_attempts([quiz, *(other for _label, other in variant_quizzes(quiz))], learners[:64])
    pages = {
        "home": reverse("quizzes:home"),
        "lesson": quiz.lesson.get_absolute_url(),
        "quiz start": quiz.get_absolute_url(),
        "quiz": take_path(quiz.get_absolute_url()),
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
    teacher_lines = [] if not wanted("teacher") else teacher_pages.measure(5 if args.quick else 20)
    stored = storage()
    server = Server(env, workers)
    bare = Server(
        env,
        workers,
        app="django.core.wsgi:get_wsgi_application()",
        settings="benchmarks.bare_settings",
    )
    rounds = 2 if args.quick else 3
    seconds = 3 if args.quick else 5
    try:
        cookies = [session_cookie(u) for u in learners[:64]]
        say(f"# Benchmarks ({date.today().isoformat()})")
        say()
        say(f"Machine: {machine()}.")
        say(f"Commit: {commit()}.")
        say(f"Database: {connection.vendor}. Server: gunicorn, {workers} threaded workers.")
        say(
            f"Data: {len(learners)} learners, {attempts:,} finished attempts at the 12-question "
            f"quiz (seeded in {seeded:.0f} s)."
        )
        say()
        if wanted("requests"):
            say("## Requests per second")
            say()
            say(
                f"Two load generators, each with {CONCURRENCY} keep-alive connections: "
                f"wrk ({wrk_version()}; C, one thread, a Lua script checks each response) and "
                "the project's own `benchmarks/httpload.py` (Python asyncio; it shares the two "
                "cores with the server, so it reads lower). A response counts as served only with "
                "status 200 and the page's markers in its body: the signed-in learner's name and "
                "the page's title (the result page: “out of … marks”); any other answer is an "
                "error and is counted. Two ceilings: the same minimal view (no template, no "
                "database) served by a bare Django with no middleware and no apps, and through "
                "the project's settings and middleware with a learner's session cookie. "
                f"“{UNRENDERED}” is the quiz page's floor (`benchmarks/floor.py`): every read "
                "the quiz page makes (session, user, quiz, attempt, answers, form, CSRF token, "
                "messages, through the same functions), then the bytes that page rendered for "
                "the learner, sent from memory instead of rendered: no way of rendering the "
                "page can be faster on Django's sessions, auth and the project's middleware. The "
                f"pages are loaded in turn, A B C … A B C …, {rounds} rounds of {seconds} s per "
                "generator; each figure is the median with the range over the rounds in brackets. "
                "Server CPU per request is read from the gunicorn processes' /proc/<pid>/stat "
                "around each run, so the load generator's own CPU does not count."
            )
            say()
            names = [f"({u.username})".encode() for u in learners[:64]]
            result_attempt = attempt
            titles = {
                pages["home"]: escape(quiz.lesson.title).encode(),
                pages["lesson"]: escape(quiz.lesson.title).encode(),
                pages["quiz start"]: escape(quiz.title).encode(),
                pages["quiz"]: escape(quiz.title).encode(),
                unrendered_path(quiz): escape(quiz.title).encode(),
            }
            extra_quiz_targets = []
            for label, other in variant_quizzes(quiz):
                titles[take_path(other.get_absolute_url())] = escape(other.title).encode()
                extra_quiz_targets.append((label, take_path(other.get_absolute_url())))

            def page_markers(user, path):
                return (names[user], titles[path])

            def ok(user, path):
                return (b"ok\n",)

            result_path = result_attempt.get_absolute_url()
            start_attempts(
                [quiz, *(other for _label, other in variant_quizzes(quiz))], learners[:64]
            )
            targets = [
                Target("bare Django (no middleware)", bare, "/bench/ceiling", [], ok),
                Target("ceiling (project middleware)", server, "/bench/ceiling", cookies[:1], ok),
                Target("home", server, pages["home"], cookies, page_markers),
                Target("lesson", server, pages["lesson"], cookies, page_markers),
                Target("quiz start", server, pages["quiz start"], cookies, page_markers),
                Target("quiz", server, pages["quiz"], cookies, page_markers),
                Target(UNRENDERED, server, unrendered_path(quiz), cookies, page_markers),
                *(
                    Target(label, server, path, cookies, page_markers)
                    for label, path in extra_quiz_targets
                ),
                Target(
                    "result (12 questions)",
                    server,
                    result_path,
                    cookies[:1],
                    lambda user, path: result_markers(names[0]),
                ),
            ]
            runs = throughput(targets, rounds=rounds, seconds=seconds, concurrency=CONCURRENCY)
            say(
                "| Page | wrk req/s | own req/s | wrk p99 ms | errors / requests | "
                "server CPU ms per request | of project ceiling (wrk) | of bare Django (wrk) |"
            )
            say("|---|---|---|---|---|---|---|---|")
            for target in targets:
                r = runs[target.name]
                say(
                    f"| {target.name} | {spread(r.rates['wrk'])} | {spread(r.rates['own'])} | "
                    f"{spread(r.p99['wrk'], 1000, 1)} | {r.errors} / {r.requests:,} | "
                    f"{spread(r.cpu_ms, digits=2)} | "
                    f"{spread(share(runs, target.name, targets[1].name, 'wrk'), 100)} % | "
                    f"{spread(share(runs, target.name, targets[0].name, 'wrk'), 100)} % |"
                )
            say()
        spike_quiz = Quiz.objects.get(slug=seed.SPIKE_QUIZ)
        spike_url = spike_quiz.get_absolute_url()
        questions = spike_quiz.questions_per_attempt
        if wanted("attempt"):
            say(f"## A whole attempt: Start, open, Finish, result ({questions} questions)")
            say()
            say(
                f"The quiz: “{spike_quiz.title}”, {questions} questions drawn for each learner "
                "from the whole course, choices shuffled. A whole attempt is four requests: "
                "Start on the quiz's start page (the site deals the attempt, a redirect), the "
                "attempt's questions, Finish (answers saved and marked, a redirect), and the "
                "result page the browser then loads. Server CPU per "
                "request of each step, four learners at a time (no queueing), from the "
                "workers' /proc/<pid>/stat:"
            )
            say()
            calm = seed.ensure_learners("calm-", 50 if args.quick else 200)
            warm = seed.ensure_learners("warm-", 40)
            Attempt.objects.filter(learner__in=calm + warm).delete()
            # First, every worker deals, marks and shows a few attempts: it loads the templates,
            # the question pool and the versions once, as a server does in its first minute.
            asyncio.run(whole_attempt_cpu(server, *signed_in(warm), spike_url))
            c = asyncio.run(whole_attempt_cpu(server, *signed_in(calm), spike_url))
            say("| Step | server CPU ms per request |")
            say("|---|---|")
            for step, ms in c["ms"].items():
                say(f"| {step} | {ms:.1f} |")
            say(f"| errors | {c['errors']} of {c['learners']} attempts |")
            say()
        if wanted("spike"):
            say("## Classroom spike: N learners take the whole attempt at once")
            say()
            say(
                "Every learner opens the quiz at the same moment (an attempt is dealt), then every "
                "learner presses Finish at the same moment and loads the result page, a harsher "
                "test than arrivals spread over a lesson. “Until the result” runs from pressing "
                "Finish until the result page has arrived and shows the learner's name and score; "
                "an attempt counts only when all three requests gave the right page."
            )
            say()
            say(
                "| Learners | whole attempts/s | p50 until the result (s) "
                "| p99 until the result (s) | errors | server CPU ms per attempt "
                "| whole spike (s) |"
            )
            say("|---|---|---|---|---|---|---|")
            spike_sizes = (100, 300) if args.quick else (100, 300, 1000)
            for size in spike_sizes:
                fresh = seed.ensure_learners(f"spike{size}-", size)
                Attempt.objects.filter(learner__in=fresh).delete()
                s = asyncio.run(spike(server, *signed_in(fresh), spike_url))
                say(
                    f"| {s['learners']} | {s['attempts_per_s']:.0f} | {s['p50']:.2f} | "
                    f"{s['p99']:.2f} | {s['errors']} | {s['cpu_ms']:.1f} | {s['total_s']:.1f} |"
                )
            say()
        if wanted("export"):
            say(f"## Export of {attempts:,} attempts")
            say()
            teacher_cookie = session_cookie(teacher)
            grades = reverse("quizzes:quiz-export", args=[quiz.slug, "grades"])
            # Not counted: a first download lets workers still booting finish (with --only
            # export they would count in the server's CPU) and warms the one that serves it.
            export(server, teacher_cookie, grades)
            sqlite = connection.vendor == "sqlite"
            site_runs, base_runs = [], []
            # The grades export and its baseline in turn, A B, B A, A B: one download alone
            # moved by a fifth between runs on this kind of machine.
            for n in range(rounds if sqlite else 1):
                order = ("site", "baseline") if n % 2 == 0 else ("baseline", "site")
                for which in order:
                    if which == "site":
                        site_runs.append(export(server, teacher_cookie, grades))
                    elif sqlite:
                        started = time.perf_counter()
                        b_rows, b_cpu, b_sha256 = timed_grades(
                            VAR / "db.sqlite3", quiz.pk, clock=time.process_time
                        )
                        base_runs.append((b_rows, time.perf_counter() - started, b_cpu, b_sha256))
            responses = export(
                server,
                teacher_cookie,
                reverse("quizzes:quiz-export", args=[quiz.slug, "responses"]),
                header=b"username,",
            )
            if sqlite:
                say(
                    f"The grades export and its baseline in turn, {rounds} rounds (A B, B A, …): "
                    "each figure the median, with the range in brackets; the responses once."
                )
                say()
            say("| Export | rows | seconds | rows/s | CPU s | server memory growth (MiB) |")
            say("|---|---|---|---|---|---|")
            for kind, runs in (("grades", site_runs), ("responses", [responses])):
                seconds_taken = spread([e["seconds"] for e in runs], digits=1)
                say(
                    f"| {kind} | {runs[0]['rows']:,} | {seconds_taken} | "
                    f"{spread([e['rows'] / e['seconds'] for e in runs])} | "
                    f"{spread([e['cpu_s'] for e in runs], digits=1)} | "
                    f"{max(e['growth_mib'] for e in runs):.0f} |"
                )
            if sqlite:
                b_rows = base_runs[0][0]
                say(
                    f"| baseline: sqlite3 + csv, the same bytes | {b_rows:,} | "
                    f"{spread([b[1] for b in base_runs], digits=1)} | "
                    f"{spread([b_rows / b[1] for b in base_runs])} | "
                    f"{spread([b[2] for b in base_runs], digits=1)} | – |"
                )
                hashes = {e["sha256"] for e in site_runs} | {b[3] for b in base_runs}
                same = (
                    "identical in every round"
                    if len(hashes) == 1
                    else f"DIFFERENT (sha256 {', '.join(sorted(hashes))})"
                )
                by_clock = [
                    100 * (e["rows"] / e["seconds"]) / (b[0] / b[1])
                    for e, b in zip(site_runs, base_runs, strict=True)
                ]
                by_cpu = [
                    100 * b[2] / e["cpu_s"] for e, b in zip(site_runs, base_runs, strict=True)
                ]
                say()
                say(
                    f"The grades file, the site's and the baseline's: {same}. The site streams "
                    f"{spread(by_clock)} % of the baseline's rows/s by the clock, "
                    f"{spread(by_cpu)} % by CPU (the server's for the download, the baseline's "
                    "own), each round's pair compared; `benchmarks/export_baseline.py` times "
                    "both in one process."
                )
            say()
        if wanted("xlsx") and not args.postgres:  # it reads the SQLite data it seeded
            say("## Grades as an Excel workbook: memory at 10,000 and 100,000 rows")
            say()
            say(
                "`benchmarks/xlsx_memory.py`: each size in a fresh process that writes the grades "
                "export as the download does (openpyxl's write-only mode) to a temporary file, "
                "beside the CSV of the same rows as the flat reference; a run counts only when "
                "the file read back has every row. Flat memory: the 100,000-row peak close to "
                "the 10,000-row one."
            )
            say()
            workbook = subprocess.run(  # noqa: S603 - the project's script, fixed arguments
                [sys.executable, str(ROOT / "benchmarks" / "xlsx_memory.py"), "--var-dir", VAR],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            for line in workbook.strip().splitlines():
                say(line)
            say()
        if wanted("queries"):
            say(f"## Queries per page at {small:,} and {attempts:,} attempts")
            say()
            say("| Page | queries (small) | queries (large) |")
            say("|---|---|---|")
            for name in counts_small:
                say(f"| {name} | {counts_small[name][0]} | {counts_large[name][0]} |")
            say()
        if wanted("teacher"):
            say(f"## Teacher pages at {attempts:,} attempts (in process)")
            say()
            say(
                "Each page as a teacher opens it, through Django's WSGI handler in this process: "
                "the first view (on a dashboard it computes and stores the item statistics; the "
                "site runs that as a background task), then p50/p95 over repeated views. A "
                "response counts only with status 200 and the page's markers (the quiz title, "
                "the number of learners, “Item statistics computed at”). `bench-class-teacher` "
                "is a plain teacher whose class has 30 of the learners; `bench-teacher` is a "
                "superuser and sees all."
            )
            say()
            for line in teacher_lines[2:]:
                say(line)
            say()
        if wanted("storage"):
            say("## Storage")
            say()
            say("| What | bytes |")
            say("|---|---|")
            for name, value in stored:
                say(f"| {name} | {value:,} |")
    finally:
        server.stop()
        bare.stop()
    if args.only:
        return
    report = "\n".join(lines) + "\n"
    (ROOT / "docs" / "BENCHMARKS.md").write_text(report)
    print("\nWritten to docs/BENCHMARKS.md")


if __name__ == "__main__":
    main()
