"""Streaming file downloads shared by the results pages and the admin."""

from collections.abc import Iterable

from django.http import StreamingHttpResponse
from django.utils import timezone

from .exports import csv_lines


def csv_download(rows: Iterable[list], name: str) -> StreamingHttpResponse:
    """Stream rows as a CSV attachment named `<name>-<today>.csv`."""
    filename = f"{name}-{timezone.localdate():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
