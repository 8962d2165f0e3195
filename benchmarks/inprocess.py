"""Milliseconds per request in this process, through Django's WSGI handler: no server, no network.

    python benchmarks/inprocess.py [--profile home|lesson|quiz|finish|ceiling] [--requests N]

The before/after figure for one optimisation: the gunicorn runs in run.py differ by about ±10 %,
this by a few per cent. Uses the database `make bench` seeded (var/bench/db.sqlite3), signs in
one benchmark learner, and times the home, lesson, quiz and minimal (ceiling) pages, then a
Finish of the 20-question final quiz by fresh learners. Prints a table and writes it to
var/bench/inprocess.md; with --profile, also prints cProfile's top functions for that page.
"""

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import run, wsgi  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", choices=["home", "lesson", "quiz", "finish", "ceiling"])
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    if not (run.VAR / "db.sqlite3").exists():
        sys.exit("No benchmark data yet: run `make bench` once first.")
    run.configure(postgres=False)

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
        "quiz": quiz.get_absolute_url(),
        "ceiling": "/bench/ceiling",
    }

    def call(path, cookie, method="GET", body=b""):
        status = []
        content = b"".join(
            app(wsgi.environ(path, cookie, method, body), lambda s, h, *a: status.append(s))
        )
        return status[0], content

    def finishes(count):
        """(cookie, finish form) for `count` fresh learners who have opened the final quiz."""
        fresh = seed.ensure_learners("inprocess-", count)
        Attempt.objects.filter(learner__in=fresh).delete()
        ready = []
        for user in fresh:
            cookie = run.session_cookie(user)
            _, page = call(final.get_absolute_url(), cookie)
            ready.append((cookie, run.finish_form(page)))
        return ready

    cookie = run.session_cookie(learner)
    rows = []
    for name, path in pages.items():
        for _ in range(30):  # warm caches and connections
            call(path, cookie)
        started = time.perf_counter()
        for _ in range(args.requests):
            status, _ = call(path, cookie)
        assert status.startswith("200"), (name, status)
        rows.append((name, (time.perf_counter() - started) / args.requests * 1000))
    count = max(20, args.requests // 10)
    ready = finishes(count)
    started = time.perf_counter()
    for user_cookie, body in ready:
        status, _ = call(final.get_absolute_url(), user_cookie, "POST", body)
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
                call(final.get_absolute_url(), user_cookie, "POST", body)
        else:
            profiler.enable()
            for _ in range(500):
                call(pages[args.profile], cookie)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
