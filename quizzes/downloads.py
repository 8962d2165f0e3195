"""Streaming file downloads shared by the results pages and the admin."""

import itertools
from collections.abc import Iterable

from django.http import StreamingHttpResponse
from django.utils import timezone

from .exports import csv_lines


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
