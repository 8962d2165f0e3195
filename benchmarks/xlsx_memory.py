"""Memory of the grades export as an Excel workbook, 10,000 rows against 100,000.

    python benchmarks/xlsx_memory.py [--var-dir DIR] [--sizes 10000 100000] [--trace]

On the seeded benchmark database (`make bench` seeds it: 100,000 finished attempts at the
bench quiz), each size runs in a fresh process that writes the grades workbook exactly as the
download does (`exports.grade_rows` through `workbooks.xlsx_write`, openpyxl's write-only mode)
to a temporary file, and reports the peak resident memory it grew by, the time, and the file's
size; with `--trace`, also the peak of Python's own allocations (tracemalloc, which makes the
run several times slower, so its times are not comparable). The same is done for the CSV of the
same rows, as the flat reference. Flat memory = the 100,000-row peaks close to the 10,000-row
ones. A run counts only when the workbook read back has the expected number of rows.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import run  # noqa: E402


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(rows: int, kind: str, trace: bool) -> dict:
    """Write `rows` attempts' grades as `kind` ("xlsx" or "csv") in this process."""
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from openpyxl import load_workbook

    from benchmarks.seed import BENCH_QUIZ
    from quizzes.models import Attempt, Quiz
    from quizzes.teaching import exports
    from quizzes.teaching.downloads import csv_text, quiz_csv_rows
    from quizzes.teaching.workbooks import xlsx_write

    call_command("migrate", verbosity=0)
    quiz = Quiz.objects.get(slug=BENCH_QUIZ)
    finished = Attempt.objects.graded().submitted().filter(quiz=quiz)
    last = finished.order_by("id").values_list("id", flat=True)[rows - 1]
    attempts = finished.filter(id__lte=last)
    user = User.objects.filter(is_superuser=True).first()
    before = _peak_rss_mib()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        lines = quiz_csv_rows(user, quiz, attempts, "grades")
        if kind == "xlsx":
            written = xlsx_write(lines, out, columns=exports.GRADE_TYPES, title="grades")
        else:
            written = 0
            for line in csv_text(lines):
                out.write(line.encode())
                written += 1
        seconds = time.perf_counter() - started
        python_peak = tracemalloc.get_traced_memory()[1] if trace else None
        tracemalloc.stop()
        grown = _peak_rss_mib() - before
        size = out.tell()
        if kind == "xlsx":
            out.seek(0)
            read = sum(1 for _ in load_workbook(out, read_only=True).active.iter_rows())
            assert read == rows + 1, (read, rows)
    assert written == rows + 1, (written, rows)
    return {
        "kind": kind,
        "rows": rows,
        "seconds": round(seconds, 1),
        "rss_growth_mib": round(grown, 1),
        "python_peak_mib": "–" if python_peak is None else round(python_peak / 2**20, 1),
        "file_mib": round(size / 2**20, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--var-dir", type=Path, default=run.VAR)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--trace", action="store_true", help="also trace Python's allocations")
    parser.add_argument("--kinds", nargs="+", default=["xlsx", "csv"])
    parser.add_argument("--one", nargs=2, metavar=("KIND", "ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run.VAR = args.var_dir
        run.configure(postgres=False)
        print(json.dumps(measure(int(args.one[1]), args.one[0], args.trace)))
        return
    print(
        "| Export | rows | seconds | peak RSS growth (MiB) | peak Python allocations (MiB) "
        "| file (MiB) |"
    )
    print("|---|---|---|---|---|---|")
    for kind in args.kinds:
        for rows in args.sizes:
            out = (
                subprocess.run(  # noqa: S603 - this script, fixed arguments
                    [
                        sys.executable,
                        __file__,
                        "--var-dir",
                        str(args.var_dir),
                        "--one",
                        kind,
                        str(rows),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            r = json.loads(out)
            print(
                f"| grades, {r['kind']} | {r['rows']:,} | {r['seconds']} | {r['rss_growth_mib']} "
                f"| {r['python_peak_mib']} | {r['file_mib']} |"
            )


if __name__ == "__main__":
    main()
