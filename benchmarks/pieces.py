"""CPU per call of each read and write the hot path makes, the framework's way and the way used.

    python benchmarks/pieces.py [--calls N]

The figures behind the few places that leave the ORM's query building (quizzes/models.py:
`AttemptManager`, `AnswerManager`, `ContentVersionManager`) and behind the sessions' cache
(quizsite/settings.py): each row times the same read or write both ways on the data `make bench`
seeded, as the median over 5 rounds of N calls of process CPU time (time.process_time), so other
load on the machine barely moves it. Writes run in a transaction that is rolled back. Prints a
table and writes it to var/bench/pieces.md.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import run  # noqa: E402


def cpu_microseconds(call, calls: int) -> float:
    rounds = []
    for _ in range(5):
        started = time.process_time()
        for _ in range(calls):
            call()
        rounds.append((time.process_time() - started) / calls * 1e6)
    return statistics.median(rounds)


def rolled_back(write):
    from django.db import transaction

    def call():
        with transaction.atomic():
            write()
            transaction.set_rollback(True)

    return call


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=400)
    args = parser.parse_args()
    run.configure_seeded()

    from django.contrib.auth.backends import ModelBackend
    from django.contrib.sessions.backends.cached_db import SessionStore as CachedStore
    from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
    from django.db.models import Max

    from quizzes.core.sign_in import ModelBackendWithPlainRead
    from quizzes.models import Answer, Attempt, ContentVersion

    attempt = Attempt.objects.filter(quiz__isnull=False, answers__isnull=False).latest("pk")
    learner, quiz = attempt.learner, attempt.quiz
    answers = Answer.objects.of(attempt)
    session = CachedStore()
    session["_auth_user_id"] = str(learner.pk)
    session.create()
    CachedStore(session.session_key).load()  # now in the sessions cache
    key = session.session_key

    finished = {
        "submitted_at": attempt.started_at,
        "marks": attempt.marks,
        "max_marks": attempt.max_marks,
        "percentage": attempt.percentage,
        "passed": False,
        "pass_mark": 60,
    }
    spare = Attempt.objects.get(pk=attempt.pk)  # a finished copy, with no answers
    spare.pk, spare.submitted_at = None, spare.submitted_at or spare.started_at
    spare.save()

    def dealt():
        """Unsaved copies of the attempt's answers for the spare, as Start makes them."""
        return [
            Answer(
                attempt=spare,
                question_id=a.question_id,
                version_id=a.version_id,
                position=a.position,
                dealt=a.dealt,
            )
            for a in answers
        ]

    rows = [
        (
            "session: database, read by the ORM / through the sessions cache",
            lambda: DatabaseStore(key).load(),
            lambda: CachedStore(key).load(),
        ),
        (
            "the signed-in user (every request)",
            lambda: ModelBackend().get_user(learner.pk),
            lambda: ModelBackendWithPlainRead().get_user(learner.pk),
        ),
        (
            "the content version (every request)",
            lambda: next(iter(ContentVersion.objects.filter(pk=1).values_list("number")), 0),
            ContentVersion.objects.current,
        ),
        (
            "a learner's best percentage per quiz (home page)",
            lambda: list(
                Attempt.objects.submitted()
                .graded()
                .filter(learner=learner, quiz__isnull=False, percentage__isnull=False)
                .order_by()
                .values_list("quiz_id")
                .annotate(Max("percentage"))
            ),
            lambda: Attempt.objects.best_by_quiz(learner.pk),
        ),
        (
            "the attempt a form answers (id, learner, quiz)",
            lambda: Attempt.objects.filter(pk=attempt.pk, learner=learner, quiz=quiz).first(),
            lambda: Attempt.objects.answerable(attempt.pk, learner=learner, quiz=quiz),
        ),
        (
            "the learner's attempt in progress",
            lambda: Attempt.objects.in_progress().filter(learner=learner, quiz=quiz).first(),
            lambda: Attempt.objects.open_for(learner, quiz),
        ),
        (
            f"an attempt's {len(answers)} answers in order",
            lambda: list(attempt.answers.order_by("position")),
            lambda: Answer.objects.of(attempt),
        ),
        (
            f"write back {len(answers)} answers' choices and marks",
            rolled_back(lambda: Answer.objects.bulk_update(answers, ["chosen", "marks"])),
            rolled_back(lambda: Answer.objects.write(answers, ["chosen", "marks"])),
        ),
        (
            "lock the attempt a Finish finishes",
            rolled_back(
                lambda: list(
                    Attempt.objects.in_progress()
                    .filter(pk=attempt.pk)
                    .select_for_update()
                    .values_list("pk")
                )
            ),
            rolled_back(lambda: Attempt.objects.lock_open(attempt.pk)),
        ),
        (
            "write a finished attempt's marks, if still open",
            rolled_back(
                lambda: Attempt.objects.in_progress().filter(pk=attempt.pk).update(**finished)
            ),
            rolled_back(lambda: Attempt.objects.finish(attempt.pk, **finished)),
        ),
        (
            f"insert {len(answers)} dealt answers",
            rolled_back(lambda: Answer.objects.bulk_create(dealt())),
            rolled_back(lambda: Answer.objects.deal(dealt())),
        ),
    ]
    lines = [
        f"CPU µs per call, median of 5 rounds of {args.calls} (process time), on var/bench",
        "",
        "| Read or write | the ORM's way µs | the way used µs | saved µs |",
        "|---|---|---|---|",
    ]
    for name, framework, used in rows:
        writes = name.startswith(("write", "insert", "lock"))
        calls = max(20, args.calls // 4) if writes else args.calls
        slow, fast = cpu_microseconds(framework, calls), cpu_microseconds(used, calls)
        lines.append(f"| {name} | {slow:.0f} | {fast:.0f} | {slow - fast:.0f} |")
    spare.delete()
    table = "\n".join(lines)
    print(table)
    (run.VAR / "pieces.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
