"""Milliseconds per request in this process, through Django's WSGI handler: no server, no network.

    python benchmarks/inprocess.py [--profile home|lesson|quiz|finish|ceiling] [--requests N]
    python benchmarks/inprocess.py --whole [--requests N] [--rounds R]
        [--profile start|open|finish|result|whole] [--sort cumulative|tottime]

The before/after figure for one optimisation: the gunicorn runs in run.py differ by about ±10 %,
this by a few per cent. Uses the database `make bench` seeded (var/bench/db.sqlite3), signs in
one benchmark learner, and times the home, lesson, quiz and minimal (ceiling) pages, then a
Finish of the 20-question final quiz by fresh learners. Prints a table and writes it to
var/bench/inprocess.md; with --profile, also prints cProfile's top functions for that page.

--whole measures what issue 17's target counts: the CPU time (time.process_time) of a whole
attempt at the 20-question final quiz by a learner who has none: Start on the quiz's start
page (the POST that deals it, a 302), open the attempt's questions (a GET), Finish (the POST,
a 302), then the result page it redirects to. Opening the start page itself, which a learner
reads before pressing Start, is left out, as the lesson page before it is. Each round takes
N fresh learners through it; the table gives the minimum and the median over the rounds of the
mean per request, and, from a separate pass (counting costs time), the queries per request.
It is written to var/bench/inprocess-whole.md.
"""

import argparse
import cProfile
import functools
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import run, wsgi  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--profile",
        choices=[
            "home",
            "lesson",
            "quiz start",
            "quiz",
            "finish",
            "ceiling",
            "start",
            "open",
            "result",
            "whole",
        ],
    )
    parser.add_argument("--requests", type=int, default=None)
    parser.add_argument("--whole", action="store_true", help="time whole attempts (issue 17)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of --whole")
    parser.add_argument("--sort", choices=["cumulative", "tottime"], default="cumulative")
    parser.add_argument(
        "--sql", action="store_true", help="with --whole, print each step's queries of one attempt"
    )
    args = parser.parse_args()
    if args.whole and args.profile not in (None, "start", "open", "finish", "result", "whole"):
        parser.error("with --whole, --profile is one of start, open, finish, result, whole")
    if not args.whole and args.profile in ("start", "open", "result", "whole"):
        parser.error(f"--profile {args.profile} needs --whole")
    run.configure_seeded()

    from django.contrib.auth.models import User
    from django.core.handlers.wsgi import WSGIHandler
    from django.urls import reverse
    from django.utils import translation

    from benchmarks import seed
    from quizzes.models import Attempt, Quiz

    app = WSGIHandler()
    translation.activate("en")
    quiz = Quiz.objects.get(slug=seed.BENCH_QUIZ)
    final = Quiz.objects.get(slug=seed.SPIKE_QUIZ)
    learner = User.objects.get(username="learner00000")
    pages = {
        "home": reverse("quizzes:home"),
        "lesson": quiz.lesson.get_absolute_url(),
        "quiz start": quiz.get_absolute_url(),
        "quiz": run.take_path(quiz.get_absolute_url()),
        "ceiling": "/bench/ceiling",
    }
    run.start_attempts([quiz], [learner])

    call = functools.partial(wsgi.request, app)

    if args.whole:
        return whole(args, call, final)

    def finishes(count):
        """(cookie, finish form) for `count` fresh learners who have opened the final quiz."""
        fresh = seed.ensure_learners("inprocess-", count)
        Attempt.objects.filter(learner__in=fresh).delete()
        ready = []
        for user in fresh:
            cookie = run.session_cookie(user)
            call(final.get_absolute_url(), cookie, "POST", run.START_FORM)
            _, page, _ = call(run.take_path(final.get_absolute_url()), cookie)
            ready.append((cookie, run.finish_form(page)))
        return ready

    args.requests = args.requests or 1000
    cookie = run.session_cookie(learner)
    rows = []
    for name, path in pages.items():
        for _ in range(30):  # warm caches and connections
            call(path, cookie)
        started = time.perf_counter()
        for _ in range(args.requests):
            status, _, _ = call(path, cookie)
        assert status.startswith("200"), (name, status)
        rows.append((name, (time.perf_counter() - started) / args.requests * 1000))
    count = max(20, args.requests // 10)
    ready = finishes(count)
    started = time.perf_counter()
    for user_cookie, body in ready:
        status, _, _ = call(run.take_path(final.get_absolute_url()), user_cookie, "POST", body)
        assert status.startswith("302"), status
    rows.append(("finish (20 questions)", (time.perf_counter() - started) / count * 1000))

    lines = ["| Request | ms in process |", "|---|---|"]
    lines += [f"| {name} | {ms:.3f} |" for name, ms in rows]
    report = "\n".join(lines)
    print(report)
    (run.VAR / "inprocess.md").write_text(report + "\n")

    if args.profile:
        profiler = cProfile.Profile()
        if args.profile == "finish":
            ready = finishes(100)
            profiler.enable()
            for user_cookie, body in ready:
                call(run.take_path(final.get_absolute_url()), user_cookie, "POST", body)
        else:
            profiler.enable()
            for _ in range(500):
                call(pages[args.profile], cookie)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(40)


STEPS = ("start", "open", "finish", "result")


def whole(args, call, final):
    """Time whole attempts at `final` (see the module's docstring); print and record the table."""
    import statistics

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from benchmarks import seed
    from quizzes.models import Attempt

    count = args.requests or 100
    learners = seed.ensure_learners("inprocess-whole-", count)
    cookies = [run.session_cookie(user) for user in learners]
    start_url = final.get_absolute_url()
    url = run.take_path(start_url)
    profiler = cProfile.Profile() if args.profile else None

    def attempt(cookie, clock, profiled=()):
        """One whole attempt; clock(step) is a context manager around each request."""
        with clock("start"):
            status, _, headers = call(start_url, cookie, "POST", run.START_FORM)
        assert status.startswith("302") and headers["Location"].endswith(url), ("start", status)
        with clock("open"):
            status, page, _ = call(url, cookie)
        assert status.startswith("200"), ("open", status)
        body = run.finish_form(page)
        assert body is not None, "the quiz page carries no attempt"
        with clock("finish"):
            status, _, headers = call(url, cookie, "POST", body)
        assert status.startswith("302"), ("finish", status)
        with clock("result"):
            status, page, _ = call(headers["Location"], cookie)
        assert status.startswith("200") and b"out of" in page, ("result", status)

    def fresh():
        Attempt.objects.filter(learner__in=learners).delete()

    class Timer:
        def __init__(self):
            self.spent = dict.fromkeys(STEPS, 0.0)

        def __call__(self, step):
            self.step = step
            return self

        def __enter__(self):
            if profiler is not None and args.profile in (self.step, "whole"):
                profiler.enable()
            self.started = time.process_time()

        def __exit__(self, *exc):
            self.spent[self.step] += time.process_time() - self.started
            if profiler is not None:
                profiler.disable()

    class Counter:
        def __init__(self):
            self.queries = dict.fromkeys(STEPS, 0)

        def __call__(self, step):
            self.step = step
            self.context = CaptureQueriesContext(connection)
            return self

        def __enter__(self):
            self.context.__enter__()

        def __exit__(self, *exc):
            self.context.__exit__(*exc)
            self.queries[self.step] += len(self.context)
            if hasattr(self, "logged"):
                self.logged[self.step] += [q["sql"][:300] for q in self.context.captured_queries]

    fresh()
    for cookie in cookies[:10]:  # warm caches, connections and the versions in memory
        attempt(cookie, Counter())
    fresh()
    counter = Counter()
    for cookie in cookies[:10]:
        attempt(cookie, counter)
    queries = {step: counter.queries[step] / 10 for step in STEPS}
    if args.sql:
        fresh()
        counter = Counter()
        counter.logged = {step: [] for step in STEPS}
        attempt(cookies[0], counter)
        for step in STEPS:
            print(f"-- {step}: {len(counter.logged[step])} queries")
            for sql in counter.logged[step]:
                print(f"   {sql}")
    means = {step: [] for step in (*STEPS, "whole")}
    for _ in range(args.rounds):
        fresh()
        timer = Timer()
        for cookie in cookies:
            attempt(cookie, timer)
        for step in STEPS:
            means[step].append(timer.spent[step] / count * 1000)
        means["whole"].append(sum(timer.spent.values()) / count * 1000)
    fresh()

    lines = [
        f"Whole attempts at {final.slug!r} ({final.questions_per_attempt or len(final.pool())} "
        f"questions each): {count} learners "
        f"× {args.rounds} rounds, CPU ms per request (time.process_time) in process",
        "",
        "| Request | min ms | median ms | queries |",
        "|---|---|---|---|",
    ]
    for step, spent in means.items():
        number = sum(queries.values()) if step == "whole" else queries[step]
        lines.append(f"| {step} | {min(spent):.2f} | {statistics.median(spent):.2f} | {number:g} |")
    report = "\n".join(lines)
    print(report)
    (run.VAR / "inprocess-whole.md").write_text(report + "\n")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(50)


if __name__ == "__main__":
    main()
