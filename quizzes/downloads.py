"""Streaming file downloads shared by the results pages and the admin."""

import itertools
from collections.abc import Iterable

from django.http import StreamingHttpResponse
from django.utils import timezone

from . import exports
from .classes import class_names_by_learner
from .dashboard import question_order, question_reports
from .exports import csv_lines
from .models import Answer, Misconception

QUIZ_EXPORTS = ("grades", "responses", "items")


def csv_download(rows: Iterable[list], name: str, *, bom: bool = False) -> StreamingHttpResponse:
    """Stream rows as a CSV attachment named `<name>-<today>.csv`.

    With `bom`, the file starts with a UTF-8 byte-order mark, which Excel needs to read
    accented letters (ą, ł, ó) correctly.
    """
    filename = f"{name}-{timezone.localdate():%Y-%m-%d}.csv"
    lines = csv_lines(rows)
    if bom:
        lines = itertools.chain(["\ufeff"], lines)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def quiz_csv_download(user, quiz, attempts, kind: str, *, bom: bool = False):
    """One quiz's grades, responses or item statistics for `attempts`, as a streamed CSV.

    Shared by the dashboard's links and the admin's actions; `user` decides which of the
    learner's classes the grades name.
    """
    if kind == "grades":
        columns = {
            c[0]: c for c in exports.question_columns(Answer.objects.filter(attempt__in=attempts))
        }
        ordered = [columns[key] for key in question_order(quiz, set(columns))]
        rows = exports.grade_rows(attempts, ordered, class_names_by_learner(user))
    elif kind == "responses":
        names = dict(Misconception.objects.values_list("slug", "name"))
        rows = exports.response_rows(attempts, names)
    elif kind == "items":
        rows = exports.item_rows(question_reports(quiz, attempts).questions)
    else:
        raise ValueError(f"unknown export {kind!r}")
    return csv_download(rows, f"{kind}-{quiz.slug}", bom=bom)
