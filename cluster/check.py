"""`make test-cluster`: the scaled-out topology under a classroom spike, with two failures.

    scripts/with-postgres python -m cluster.check

Starts the topology (cluster/topology.py: Redis, two app servers, two RQ workers, HAProxy) on
a throwaway PostgreSQL. A teacher starts a regrade of 6,000 attempts (a background task) and
its worker is SIGKILLed mid-task; through the load balancer 300 learners take a whole attempt
at once (open the quiz, Finish, the result page) while the teacher exports grades, and one app
server is SIGKILLed mid-spike. An edit made through one app server must show at once through
the other. Every response is checked for its status and page; a request that failed because
its server died (a connection error or HAProxy's 502/503/504) is sent once more, as a browser's
user would, and counted as a retry: a repeated Finish only leads to the result again. Then
every attempt must be saved exactly once with the right marks, by the database and by the
teacher's export, the regrade done with every attempt on today's key, and no response a 500.
Prints the figures; exits 1 naming each check that failed.
"""

import asyncio
import csv
import http.client
import io
import os
import re
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from benchmarks.httpload import Connection, Result
from benchmarks.run import (
    FORM_HEADERS,
    START_FORM,
    finish_form,
    result_markers,
    session_cookie,
    take_path,
)
from cluster.topology import HOST, Topology, missing_commands

LEARNERS = 300
REGRADE_ATTEMPTS = 6000
# The app server is killed when this many learners have seen their result.
KILL_AFTER_RESULTS = 100
RETRYABLE = {502, 503, 504}


def request(base, method, path, cookie, body=b"", headers=None):
    """One request, not following redirects: (status, headers, body)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        connection.request(method, path, body, {"Cookie": cookie, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class FormFields(HTMLParser):
    """The fields a browser would submit from the form with id `form_id`."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "name" not in attrs and tag != "option":
            return
        if tag == "input" and attrs.get("type") not in {"submit", "button", "file"}:
            if attrs.get("type") not in {"checkbox", "radio"} or "checked" in attrs:
                self.fields.append([attrs["name"], attrs.get("value", "on")])
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]
            self.first_line = True
            self.fields.append(self.textarea)
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append([self.select, attrs.get("value", "")])

    def handle_data(self, data):
        if self.textarea is not None:
            if self.first_line and data.startswith("\n"):
                data = data[1:]  # as browsers do: the newline after <textarea> is not content
            self.first_line = False
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


class Spike:
    """300 learners through the load balancer, one connection each; figures as they come."""

    def __init__(self, front_port, cookies, names, quiz_url, on_result):
        self.port, self.cookies, self.names, self.quiz_url = front_port, cookies, names, quiz_url
        self.on_result = on_result
        self.statuses = Counter()
        self.retries = Counter()
        self.errors = []
        self.shown = 0

    async def step(self, connection, kind, method, path, body=b"", headers=None):
        """Send a request; once more when its server died under it. (status, headers, body)."""
        for attempt in (1, 2):
            try:
                status, response_headers, content = await connection.request(
                    method, path, body, headers
                )
            except (ConnectionError, OSError, asyncio.IncompleteReadError):
                connection.writer = None
                status, response_headers, content = 0, {}, b""
            self.statuses[status] += 1
            if status not in RETRYABLE and status != 0 or attempt == 2:
                return status, response_headers, content
            self.retries[kind] += 1
        raise AssertionError("unreachable")

    async def learner(self, n):
        connection = Connection(HOST, self.port, self.cookies[n])
        name = self.names[n]
        referer = f"http://{HOST}:{self.port}/"
        try:
            form_headers = {**FORM_HEADERS, "Referer": referer}
            status, _, _ = await self.step(
                connection, "start", "POST", self.quiz_url, START_FORM, form_headers
            )
            if status != 302:
                return self.errors.append(f"learner {n}: Start {status}")
            status, _, page = await self.step(connection, "open", "GET", take_path(self.quiz_url))
            form = finish_form(page) if status == 200 else None
            if form is None:
                return self.errors.append(f"learner {n}: quiz page {status}")
            started = time.perf_counter()
            status, headers, _ = await self.step(
                connection,
                "finish",
                "POST",
                take_path(self.quiz_url),
                form,
                {**FORM_HEADERS, "Referer": referer},
            )
            location = headers.get("location", "")
            if status != 302 or "/attempts/" not in location:
                return self.errors.append(f"learner {n}: Finish {status} {location}")
            status, _, page = await self.step(connection, "result", "GET", location)
            if status != 200 or not all(m in page for m in result_markers(name)):
                return self.errors.append(f"learner {n}: result page {status}")
            self.latencies.append(time.perf_counter() - started)
            self.shown += 1
            self.on_result(self.shown)
        finally:
            await connection.close()

    async def run(self):
        self.latencies = []
        started = time.perf_counter()
        await asyncio.gather(*(self.learner(n) for n in range(len(self.cookies))))
        self.seconds = time.perf_counter() - started
        return Result(latencies=self.latencies, seconds=self.seconds)


def main() -> int:  # noqa: C901 - one scenario, told in order
    if missing := missing_commands():
        print(f"test-cluster: install first: apt-get install -y {' '.join(missing)}")
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="quizsite-cluster-check-"))
    topology = Topology(workdir)
    failures = []
    figures = {}

    def check(ok, what):
        print(f"  {'ok  ' if ok else 'FAIL'} {what}")
        if not ok:
            failures.append(what)

    try:
        started = time.perf_counter()
        topology.start()
        print(
            f"test-cluster: topology up in {time.perf_counter() - started:.1f} s at "
            f"{topology.front} ({topology.app_servers} app servers, "
            f"{topology.task_workers} workers)"
        )
        os.environ.update(topology.env)
        import django

        django.setup()
        figures = scenario(topology, check)
    except Exception:
        traceback.print_exc()
        failures.append("the scenario stopped with an error")
    finally:
        topology.stop()
    print("test-cluster figures: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
    if failures:
        print(f"test-cluster: FAILED ({len(failures)}): " + "; ".join(failures))
        print(f"test-cluster: logs kept in {topology.logs}")
        return 1
    print("test-cluster: passed")
    return 0


def scenario(topology, check) -> dict:  # noqa: C901, PLR0915 - one scenario, told in order
    import django_rq
    from django.db.models import Count, Sum
    from django.urls import reverse
    from rq.job import Job as RQJob

    from benchmarks import seed
    from quizzes.course.versions import version_by_id
    from quizzes.models import Answer, Attempt, Choice, GlossaryTerm, Job, Quiz
    from quizzes.teaching.regrading import regrade_plan

    print("test-cluster: seeding")
    teacher = seed.ensure_teacher()
    learners = seed.ensure_learners("cluster-", LEARNERS)
    seed.ensure_class(teacher, learners)
    seed.seed_attempts(REGRADE_ATTEMPTS, learners)
    teacher_cookie = session_cookie(teacher)
    cookies = [session_cookie(learner) for learner in learners]
    names = [f"({learner.username})".encode() for learner in learners]
    bench_quiz = Quiz.objects.get(slug=seed.BENCH_QUIZ)
    spike_quiz = Quiz.objects.get(slug=seed.SPIKE_QUIZ)

    # Today's key differs from the one the seeded attempts were marked with.
    question = bench_quiz.questions.filter(kind="single").order_by("order", "id").first()
    right = question.choices.get(is_correct=True)
    wrong = question.choices.filter(is_correct=False).order_by("order", "id").first()
    Choice.objects.filter(pk=right.pk).update(is_correct=False)
    Choice.objects.filter(pk=wrong.pk).update(is_correct=True)
    Choice.objects.get(pk=wrong.pk).save()  # a save: a new content version, as an edit makes
    to_change = len(regrade_plan(bench_quiz, among=Attempt.objects.all()))

    # The regrade, started as the teacher starts it, runs as a task; its worker is killed.
    print(f"test-cluster: regrade of {REGRADE_ATTEMPTS} attempts ({to_change} to change)")
    regrade_path = reverse("admin:quizzes_quiz_regrade", args=[bench_quiz.pk])
    form = urlencode({"csrfmiddlewaretoken": "b" * 32}).encode()
    status, headers, _ = request(
        topology.front,
        "POST",
        regrade_path,
        teacher_cookie,
        form,
        {**FORM_HEADERS, "Referer": topology.front + regrade_path},
    )
    check(
        status == 302 and "/jobs/" in headers.get("location", ""),
        f"the regrade runs as a job ({status} {headers.get('location', '')})",
    )
    job = Job.objects.filter(kind=Job.Kind.REGRADE, quiz=bench_quiz).first()
    if job is None:
        return {}
    deadline = time.monotonic() + 60
    while True:
        job.refresh_from_db()
        if job.status != Job.Status.QUEUED and job.done > 0 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    check(
        job.status == Job.Status.RUNNING and 0 < job.done < job.total,
        f"the regrade is under way when its worker is killed ({job.done}/{job.total})",
    )
    rq_job = RQJob.fetch(job.task_id, connection=django_rq.get_connection())
    worker_name = rq_job.worker_name or ""
    killed_worker = next(
        (name for name in topology.processes if worker_name.startswith(f"{name}-")), None
    )
    check(killed_worker is not None, f"the job's worker is known ({worker_name})")
    if killed_worker:
        topology.processes[killed_worker].kill()
    worker_killed_at = time.monotonic()

    # An edit through one app server shows at once through the other.
    term = GlossaryTerm.objects.order_by("pk").first()
    glossary = reverse("quizzes:glossary")
    status, _, before = request(topology.app_url(1), "GET", glossary, "")
    change = reverse("admin:quizzes_glossaryterm_change", args=[term.pk])
    status, _, page = request(topology.app_url(0), "GET", change, teacher_cookie)
    fields = FormFields("glossaryterm_form")
    fields.feed(page.decode())
    edited = f"{term.definition_en} Edited through app1."
    data = [(k, edited if k == "definition_en" else v) for k, v in fields.fields]
    status, _, page = request(
        topology.app_url(0),
        "POST",
        change,
        teacher_cookie,
        urlencode([*data, ("_save", "1")]).encode(),
        {**FORM_HEADERS, "Referer": topology.app_url(0) + change},
    )
    errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page.decode(), re.S)
    check(status == 302, f"a glossary edit through app1 is saved ({status} {errors[:3]})")
    status, _, after = request(topology.app_url(1), "GET", glossary, "")
    check(
        status == 200
        and b"Edited through app1." in after
        and b"Edited through app1." not in before,
        "the edit shows at once through app2",
    )

    # The spike, a teacher's export beside it, and app1 killed part way through.
    failover = {}

    def kill_app1(shown):
        if shown == KILL_AFTER_RESULTS:
            topology.processes["app1"].kill()
            failover["killed"] = time.monotonic()
            threading.Thread(target=watch_app1, daemon=True).start()

    def watch_app1():
        while time.monotonic() - failover["killed"] < 30:
            if topology.server_states().get("app1") == "DOWN":
                failover["down"] = time.monotonic() - failover["killed"]
                return
            time.sleep(0.02)

    export_path = reverse("quizzes:quiz-export", args=[bench_quiz.slug, "grades"])
    exported = {}

    def export_during_spike():
        exported["status"], _, exported["body"] = request(
            topology.front, "GET", export_path, teacher_cookie
        )

    print(
        f"test-cluster: spike of {LEARNERS} learners; app1 killed after "
        f"{KILL_AFTER_RESULTS} results"
    )
    spike = Spike(topology.front_port, cookies, names, spike_quiz.get_absolute_url(), kill_app1)
    exporter = threading.Thread(target=export_during_spike)
    exporter.start()
    result = asyncio.run(spike.run())
    exporter.join()
    for error in spike.errors[:10]:
        print(f"    {error}")
    check(not spike.errors, f"every learner saw their result ({len(spike.errors)} did not)")
    check(spike.statuses[500] == 0, f"no response was a 500 ({spike.statuses[500]})")
    check("down" in failover, "HAProxy marked the killed app server down")
    export_rows = exported["body"].decode("utf-8-sig").count("\n") - 1
    check(
        exported["status"] == 200
        and export_rows
        == Attempt.objects.filter(quiz=bench_quiz, submitted_at__isnull=False).count(),
        f"the teacher's export during the spike is whole ({export_rows} rows)",
    )

    # Every attempt saved once, with the right marks, by the database and the export.
    mine = Attempt.objects.filter(quiz=spike_quiz, learner__in=learners)
    per_learner = Counter(dict(mine.values_list("learner").annotate(n=Count("id"))))
    duplicates = sum(n - 1 for n in per_learner.values() if n > 1)
    check(
        len(per_learner) == LEARNERS and duplicates == 0,
        f"one attempt per learner ({len(per_learner)} learners, {duplicates} duplicates)",
    )
    check(not mine.filter(submitted_at__isnull=True).exists(), "every attempt is finished")
    wrong_marks = 0
    sums = dict(
        Answer.objects.filter(attempt__in=mine).values_list("attempt").annotate(total=Sum("marks"))
    )
    for attempt in mine:
        if attempt.marks != sums.get(attempt.pk):
            wrong_marks += 1
    for answer in Answer.objects.filter(attempt__in=mine):
        if answer.marks != version_by_id(answer.version_id).marks_for(answer.chosen):
            wrong_marks += 1
    check(wrong_marks == 0, f"every attempt's and answer's marks are right ({wrong_marks} not)")
    status, _, body = request(
        topology.front,
        "GET",
        reverse("quizzes:quiz-export", args=[spike_quiz.slug, "grades"]),
        teacher_cookie,
    )
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header, rows = rows[0], [r for r in rows[1:] if len(r) > 2 and r[2].startswith("cluster-")]
    marks_at = header.index("marks")
    saved = {a.learner.username: a.marks for a in mine.select_related("learner")}
    exported_marks = Counter(r[2] for r in rows)
    check(
        status == 200
        and len(rows) == LEARNERS
        and max(exported_marks.values()) == 1
        and all(Decimal(r[marks_at]) == saved[r[2]] for r in rows),
        f"the teacher's export lists each attempt once with its marks ({len(rows)} rows)",
    )

    # The regrade finishes on its task's retry.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in {Job.Status.DONE, Job.Status.FAILED}:
            break
        time.sleep(0.5)
    recovered = time.monotonic() - worker_killed_at
    left = len(regrade_plan(bench_quiz, among=Attempt.objects.all()))
    check(
        job.status == Job.Status.DONE and job.done == job.total,
        f"the regrade job ends done after its worker was killed ({job.status}, "
        f"{recovered:.0f} s after the kill)",
    )
    check(left == 0, f"every attempt is marked by today's key ({left} left of {to_change})")

    p99 = result.percentile(99)
    return {
        "learners": LEARNERS,
        "errors": len(spike.errors),
        "duplicates": duplicates,
        "retries": sum(spike.retries.values()),
        "retried steps": dict(spike.retries) or "none",
        "5xx": sum(n for s, n in spike.statuses.items() if s >= 500),
        "500s": spike.statuses[500],
        "p50 s": round(result.p50, 2),
        "p99 s": round(p99, 2),
        "spike s": round(result.seconds, 1),
        "failover s": round(failover["down"], 2) if "down" in failover else "never",
        "task retried, done s after worker kill": round(recovered, 1),
    }


if __name__ == "__main__":
    sys.exit(main())
