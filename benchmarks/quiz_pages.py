"""CPU per request of a quiz's pages: all on one page, one question per page, and timed.

    python benchmarks/quiz_pages.py [--requests N] [--rounds R] [--profile NAME]

In this process, through Django's WSGI handler, on the database `make bench` seeded
(var/bench/db.sqlite3). Adds (once) a copy of the 12-question benchmark quiz and of the
20-question final quiz shown one question per page, and one with a 30-minute time limit, then
times, for a signed-in learner: the quiz on one page (served from a frame), the first and a
middle page of the paged copy, the timed copy, and Next on the paged copy (save the page's
answer, redirect to page 2).

Figures: CPU time of this process (time.process_time), which other work on the machine moves
far less than wall time, in blocks of requests to one page: in each of R rounds, each page's
block right after a block of its one-page quiz. Min and median of the blocks, and the median
of each page's ratio to the one-page block just before it. For one request, the Python
function calls, a count no other work on the machine moves (a steadier before/after figure
than CPU time on a busy machine, though a call in the template engine costs less than most),
and the queries. A response counts only with the right status and the page's markers (the
quiz title, the learner's name, "Question 6 of 12", the countdown); the script stops at the
first that does not. Prints a table and writes it to var/bench/quiz_pages.md; with --profile,
also prints cProfile's top functions for that page. `measure()` returns the table's lines, for
run.py.
"""

import argparse
import cProfile
import pstats
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import run, wsgi  # noqa: E402

LEARNER_PREFIX = "quiz-pages-"


class Page:
    """One request to time: what to send, and what a right answer holds."""

    def __init__(self, name, quiz, path, markers, *, body=None, location=None):
        self.name, self.quiz, self.path = name, quiz, path
        self.group = None  # the quiz whose copy this is, and whose one-page quiz it compares to
        self.markers, self.body, self.location = markers, body, location

    def check(self, status, headers, content):
        if self.body is not None:  # Next: the answer saved, and on to the next page
            right = status.startswith("302") and headers.get("Location") == self.location
        else:
            right = status.startswith("200") and all(m in content for m in self.markers)
        if not right:
            wanted = self.location or self.markers
            sys.exit(f"{self.name}: {status} {headers.get('Location', '')}, {wanted}: not counted.")


def measure(requests: int, *, rounds: int = 10, profile: str | None = None) -> list[str]:
    """Time each page; the table's lines (also printed). `requests` per page in all."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.utils import translation
    from django.utils.html import escape

    from benchmarks import seed
    from quizzes.models import Attempt, Quiz

    app = WSGIHandler()
    translation.activate("en")
    learner = seed.ensure_learners(LEARNER_PREFIX, 1)[0]
    Attempt.objects.filter(learner=learner).delete()  # a fresh clock for the timed quizzes
    cookie = run.session_cookie(learner)
    name = f"({learner.username})".encode()

    def call(path, body=None):
        if body is None:
            status, content, headers = wsgi.request(app, path, cookie)
        else:
            status, content, headers = wsgi.request(app, path, cookie, "POST", body())
        return status, headers, content

    pages = []
    for slug in (seed.BENCH_QUIZ, seed.SPIKE_QUIZ):
        whole = Quiz.objects.get(slug=slug)
        paged = seed.ensure_paged_quiz(slug)
        timed = seed.ensure_timed_quiz(slug)
        run.start_attempts([whole, paged, timed], [learner])  # Start at each
        url = run.take_path(paged.get_absolute_url())
        _, _, first = call(url)
        count = first.count(b'class="page-button')
        middle = count // 2
        pages += [
            Page("one page", whole, run.take_path(whole.get_absolute_url()), [b'name="attempt"']),
            Page("paged, page 1", paged, url, [f"Question 1 of {count}<".encode()]),
            Page(
                f"paged, page {middle}",
                paged,
                f"{url}?page={middle}",
                [f"Question {middle} of {count}<".encode()],
            ),
            Page(
                "timed, 30 minutes",
                timed,
                run.take_path(timed.get_absolute_url()),
                [b"data-seconds-left="],
            ),
            Page(
                "paged, Next (save, redirect)",
                paged,
                url,
                [],
                body=next_form(first),
                location=f"{url}?page=2",
            ),
        ]
        for page in pages[-5:]:
            page.group = slug
    for page in pages:
        page.markers = [*page.markers, escape(page.quiz.title).encode(), name]

    def served(page):
        page.check(*call(page.path, page.body))

    try:
        queries, calls = {}, {}
        for page in pages:
            for _ in range(20):  # warm caches, fragments and connections
                served(page)
            executed = []

            def counted(execute, sql, *rest, executed=executed):
                executed.append(sql)
                return execute(sql, *rest)

            with connection.execute_wrapper(counted):
                served(page)
            queries[page] = len(executed)
            calls[page] = python_calls(lambda page=page: served(page))

        per_round = max(1, requests // rounds)

        def timed(page):
            started = time.process_time()
            for _ in range(per_round):
                served(page)
            return (time.process_time() - started) / per_round * 1000

        # In each round, each page right after its one-page quiz (A B A C ...): a busy stretch
        # of the machine then weighs on both sides of a ratio alike.
        samples = {page: [] for page in pages}
        ratios = {page: [] for page in pages}
        for _ in range(rounds):
            for page in pages:
                base = next(p for p in pages if p.group == page.group)  # the one-page quiz
                if page is not base:
                    before = timed(base)
                    samples[base].append(before)
                    samples[page].append(timed(page))
                    ratios[page].append(samples[page][-1] / before)

        lines = [
            f"CPU ms per request in process ({per_round} requests a block, {rounds} rounds of "
            "each page after its one-page quiz, "
            f"{connection.vendor}).",
            "",
            "| Quiz | Request | ms CPU (min) | ms CPU (median) | × one page | Python calls "
            "| × one page | queries |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for slug in (seed.BENCH_QUIZ, seed.SPIKE_QUIZ):
            group = [page for page in pages if page.group == slug]  # the one-page quiz first
            for page in group:
                ratio = statistics.median(ratios[page]) if ratios[page] else 1
                lines.append(
                    f"| {slug} | {page.name} | {min(samples[page]):.2f} | "
                    f"{statistics.median(samples[page]):.2f} | {ratio:.2f} | "
                    f"{calls[page]} | {calls[page] / calls[group[0]]:.2f} | {queries[page]} |"
                )
        print("\n".join(lines), flush=True)

        if profile:
            chosen = [page for page in pages if profile in f"{page.quiz.slug} {page.name}"][:1]
            if not chosen:
                sys.exit(f"No page named like {profile!r}.")
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(300):
                served(chosen[0])
            profiler.disable()
            print(f"\nProfile of {chosen[0].quiz.slug}, {chosen[0].name}:")
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(25)
    finally:  # leave the learner no attempt
        Attempt.objects.filter(learner=learner).delete()
    return lines


def python_calls(work) -> int:
    """How many Python and C functions `work()` calls: the same on every run, however busy the
    machine, where its CPU time is not."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return count


def next_form(page: bytes):
    """The body of Next on a paged quiz's first page, answered differently each time (each
    press then changes a saved answer, as a learner's does)."""
    attempt = re.search(rb'name="attempt" value="(\d+)"', page).group(1).decode()
    question = re.search(rb'name="(q[0-9]+)" value="', page).group(1).decode()
    values = [v.decode() for v in re.findall(rf'name="{question}" value="([0-9]+)"'.encode(), page)]
    presses = iter(range(sys.maxsize))

    def body():
        value = values[next(presses) % 2]
        data = {"csrfmiddlewaretoken": "b" * 32, "attempt": attempt, "page": "1", "goto": "2"}
        return urlencode({**data, question: value}).encode()

    return body


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000, help="per page, in all rounds")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--profile", help="also profile the page whose name has this")
    args = parser.parse_args()
    run.configure_seeded()
    lines = measure(args.requests, rounds=args.rounds, profile=args.profile)
    (run.VAR / "quiz_pages.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
