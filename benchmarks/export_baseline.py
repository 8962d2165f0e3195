"""The floor for the grades export: plain sqlite3 + csv writing the very bytes the site writes.

    python benchmarks/export_baseline.py [--rounds 5] [--profile site|baseline]

`grades_csv(db, quiz_id, out)` writes a quiz's grades CSV as a superuser downloads it from the
site in English (every learner's finished attempts, `quizzes:quiz-export`, kind "grades"):
the same header, columns, order, number and date formats, formula neutralising of the text
cells (`quizzes.core.spreadsheet.neutralise`, standard library only) and CRLF line endings. Standard
library only: small queries for the header and the learners' classes, then the attempts and
their answers as two ordered streams merged as they come, written with csv.writer. One query
joining the two is three times slower in SQLite alone, and one with GROUP_CONCAT no faster.
`timed_grades` writes into memory (a BytesIO) and returns (rows, seconds, sha256): what
`make bench` compares the site's export with.

Run as a script, it times the site's export in this process (through Django's WSGI handler,
signed in as the superuser `bench-teacher`, the body read to its end and kept, as the bench's
client does) against the baseline in interleaved rounds (A B, B A, ...), on the database
`make bench` seeded, and checks that both wrote the same bytes. It counts this process's CPU
time, which other work on the machine barely moves; both read SQLite in this process.
"""

import csv
import hashlib
import io
import json
import sqlite3
import sys
import time
from datetime import datetime, tzinfo
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quizzes.core.spreadsheet import LocalTimes, neutralise

HEADER = [
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
LANGUAGES = ("en", "pl")  # settings.LANGUAGES, in order
WARSAW = ZoneInfo("Europe/Warsaw")  # settings.TIME_ZONE

fromisoformat = datetime.fromisoformat


def number(value) -> str:
    """A mark as the site writes it: no trailing zeros, no exponent, never -0."""
    text = f"{Decimal(str(value)).normalize():f}"
    return "0" if text in ("-0", "0") else text


def questions(connection: sqlite3.Connection, quiz_id: int) -> list[tuple[int, str, str]]:
    """(question id, text in English, maximum) of each column, in the quiz's question order."""
    answered = connection.execute(
        "SELECT v.question_key, v.marks, v.content, q.id, q.text_en, q.text_pl "
        "FROM quizzes_questionversion v LEFT JOIN quizzes_question q ON q.id = v.question_key "
        "WHERE v.id IN (SELECT DISTINCT n.version_id FROM quizzes_answer n WHERE n.attempt_id IN "
        "(SELECT a.id FROM quizzes_attempt a WHERE a.quiz_id = ? AND NOT a.practice "
        "AND a.submitted_at IS NOT NULL)) ORDER BY v.question_key, v.created_at, v.id",
        (quiz_id,),
    )
    firsts = {}
    for key, marks, content, live, text_en, text_pl in answered:
        if key in firsts:
            continue
        if live is None:  # a deleted question: its first version's text
            texts = json.loads(content)
            language = "en" if "en" in texts else next(c for c in LANGUAGES if c in texts)
            text = texts[language]["text"]
        else:
            text = text_en or text_pl or ""
        firsts[key] = (key, text, number(marks))
    pool = connection.execute(
        "SELECT q.id FROM quizzes_question q JOIN quizzes_quiz z ON z.id = q.quiz_id "
        "LEFT JOIN quizzes_lesson l ON l.id = z.lesson_id WHERE q.quiz_id = ? OR q.quiz_id IN "
        "(SELECT to_quiz_id FROM quizzes_quiz_draws_from WHERE from_quiz_id = ?) "
        'ORDER BY l."order", z."order", z.id, q."order", q.id',
        (quiz_id, quiz_id),
    )
    live = [key for (key,) in pool if key in firsts]
    return [firsts[key] for key in live + sorted(set(firsts) - set(live))]


def class_names(connection: sqlite3.Connection) -> dict[int, str]:
    """Each learner's classes (every class: a superuser teaches them all), joined with "; "."""
    names: dict[int, list[str]] = {}
    for learner_id, name in connection.execute(
        "SELECT m.learner_id, c.name FROM quizzes_membership m "
        "JOIN quizzes_classroom c ON c.id = m.classroom_id ORDER BY c.name"
    ):
        names.setdefault(learner_id, []).append(name)
    return {learner_id: "; ".join(values) for learner_id, values in names.items()}


class Lines(list):
    """The lines csv.writer writes, kept until they are encoded and written together."""

    write = list.append


LINES_PER_WRITE = 200  # as the site sends them (a little faster than an io.TextIOWrapper)


class Marks(dict):
    """Each mark as SQLite gives it to the text written, worked out once (a handful exist)."""

    def __missing__(self, value) -> str:
        self[value] = text = number(value)
        return text


def grades_csv(db, quiz_id: int, out, zone: tzinfo = WARSAW) -> int:
    """Write the quiz's grades CSV (UTF-8) to the binary file `out`; return the rows written.

    `db` is the SQLite file's path or an open sqlite3 connection (one opened without
    `detect_types`, so values come as SQLite stores them: dates as UTC text); times are
    written in `zone` (the site's TIME_ZONE).
    """
    if isinstance(db, sqlite3.Connection):
        return _grades_csv(db, quiz_id, out, zone)
    connection = sqlite3.connect(db)
    try:
        return _grades_csv(connection, quiz_id, out, zone)
    finally:
        connection.close()


def _grades_csv(connection: sqlite3.Connection, quiz_id: int, out, zone: tzinfo) -> int:
    columns = questions(connection, quiz_id)
    classes = class_names(connection)
    position = {key: n for n, (key, _text, _maximum) in enumerate(columns)}
    column_of = {
        version_id: position[key]
        for version_id, key in connection.execute(
            "SELECT id, question_key FROM quizzes_questionversion"
        )
        if key in position
    }
    lines = Lines()
    writer = csv.writer(lines)  # the excel dialect: CRLF, quoted only where needed
    header = HEADER + [f"Q{n} /{m}: {t[:60]}" for n, (_k, t, m) in enumerate(columns, start=1)]
    writer.writerow([neutralise(cell) for cell in header])
    # The attempts and their answers as two streams in attempt order, merged as they come.
    heads = connection.execute(
        "SELECT a.id, a.learner_id, u.last_name, u.first_name, u.username, u.email, "
        "a.started_at, a.submitted_at, a.marks, a.percentage, a.language "
        "FROM quizzes_attempt a JOIN auth_user u ON u.id = a.learner_id "
        "WHERE a.quiz_id = ? AND NOT a.practice AND a.submitted_at IS NOT NULL ORDER BY a.id",
        (quiz_id,),
    )
    answers = groupby(
        connection.execute(
            "SELECT n.attempt_id, n.version_id, n.marks FROM quizzes_answer n "
            "WHERE n.attempt_id IN (SELECT a.id FROM quizzes_attempt a WHERE a.quiz_id = ? "
            "AND NOT a.practice AND a.submitted_at IS NOT NULL) "
            "ORDER BY n.attempt_id, n.position",
            (quiz_id,),
        ),
        key=itemgetter(0),
    )
    marks_text, width, rows = Marks(), len(columns), 0
    local = LocalTimes(zone)
    pending = next(answers, None)
    for (
        attempt_id, learner, last, first, username, email, started, submitted, total, grade,
        language,
    ) in heads:  # fmt: skip
        row = [
            neutralise(last),
            neutralise(first),
            neutralise(username),
            neutralise(email),
            neutralise(classes.get(learner, "")),
            "finished",
            local(started),  # stored as UTC text, written in local time
            local(submitted),
            str(int((fromisoformat(submitted) - fromisoformat(started)).total_seconds())),
            marks_text[total],
            f"{grade:.2f}",
            neutralise(language),
        ]
        marks = [""] * width
        while pending is not None and pending[0] < attempt_id:
            pending = next(answers, None)
        if pending is not None and pending[0] == attempt_id:
            for _attempt, version_id, mark in pending[1]:
                n = column_of.get(version_id)
                if n is not None:
                    marks[n] = marks_text[mark]
            pending = next(answers, None)
        writer.writerow(row + marks)
        rows += 1
        if len(lines) == LINES_PER_WRITE:
            out.write("".join(lines).encode())
            lines.clear()
    out.write("".join(lines).encode())
    return rows


def timed_grades(db, quiz_id: int, clock=time.perf_counter) -> tuple[int, float, str]:
    """(rows, seconds by `clock`, sha256 of the bytes) of `grades_csv` written into memory.

    Into a BytesIO, as the site's body is read and kept by the bench's client, so the two are
    comparable; the hash is taken once the clock has stopped.
    """
    out = io.BytesIO()
    started = clock()
    rows = grades_csv(db, quiz_id, out)
    seconds = clock() - started
    return rows, seconds, hashlib.sha256(out.getvalue()).hexdigest()


def main():
    import argparse
    import cProfile
    import pstats
    import statistics

    from benchmarks import run
    from benchmarks.wsgi import request

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", choices=["site", "baseline"])
    args = parser.parse_args()
    run.configure_seeded()

    from django.contrib.auth.models import User
    from django.core.handlers.wsgi import WSGIHandler
    from django.urls import reverse
    from django.utils import translation

    from benchmarks import seed
    from quizzes.models import Quiz

    app = WSGIHandler()
    translation.activate("en")
    quiz = Quiz.objects.get(slug=seed.BENCH_QUIZ)
    cookie = run.session_cookie(User.objects.get(username="bench-teacher"))
    path = reverse("quizzes:quiz-export", args=[quiz.slug, "grades"])
    db = run.VAR / "db.sqlite3"

    def site() -> tuple[int, float, str]:
        """(rows, CPU seconds, sha256) of the site's export, its body read and kept."""
        started = time.process_time()
        status, body, _ = request(app, path, cookie)
        seconds = time.process_time() - started
        if not status.startswith("200") or not body.startswith(b"last name,"):
            sys.exit(f"grades export: {status}, not the grades CSV: not counted.")
        return body.count(b"\n") - 1, seconds, hashlib.sha256(body).hexdigest()

    measured = {
        "site": site,
        "baseline": lambda: timed_grades(db, quiz.pk, clock=time.process_time),
    }
    if args.profile:
        measured[args.profile]()  # warm
        profile = cProfile.Profile()
        profile.runcall(measured[args.profile])
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
        return
    seconds = {name: [] for name in measured}
    hashes = {name: set() for name in measured}
    for n in range(args.rounds + 1):  # A B, B A, ...; the first round warms the caches
        for name in sorted(measured, reverse=n % 2 == 1):
            rows, taken, digest = measured[name]()
            hashes[name].add(digest)
            if n:
                seconds[name].append(taken)
    print(f"Grades export of {rows:,} attempts, CPU seconds of {args.rounds} interleaved rounds:")
    print("| | min s | median s | rows/s (min) | rows/s (median) |")
    print("|---|---|---|---|---|")
    for name, times in seconds.items():
        low, middle = min(times), statistics.median(times)
        print(f"| {name} | {low:.2f} | {middle:.2f} | {rows / low:,.0f} | {rows / middle:,.0f} |")
    site, baseline = seconds["site"], seconds["baseline"]
    print(
        f"site / baseline rows/s: {100 * min(baseline) / min(site):.0f} % (min), "
        f"{100 * statistics.median(baseline) / statistics.median(site):.0f} % (median)"
    )
    same = len(hashes["site"]) == 1 and hashes["site"] == hashes["baseline"]
    site_hash, base_hash = (", ".join(sorted(hashes[name])) for name in measured)
    print(
        f"bytes: identical (sha256 {site_hash})"
        if same
        else f"bytes: DIFFERENT (site sha256 {site_hash}, baseline sha256 {base_hash})"
    )


if __name__ == "__main__":
    main()
