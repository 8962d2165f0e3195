"""When the database is busy: a write that waited too long for a lock.

SQLite has one write lock for the whole database (IMMEDIATE transactions take it at BEGIN);
PostgreSQL locks rows. A write that cannot get its lock within `DATABASE_LOCK_TIMEOUT` fails
before it has written anything (the lock is taken first, inside the write's transaction), so
the learner can simply try again: a 503 with `Retry-After`, not a 500.
"""

import logging
import sqlite3

from django.db import OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout runs out


def is_lock_timeout(error: BaseException) -> bool:
    """Whether `error` is the database giving up waiting for a lock another connection holds."""
    cause = error.__cause__
    if isinstance(cause, sqlite3.OperationalError):
        code = getattr(cause, "sqlite_errorcode", sqlite3.SQLITE_BUSY) & 0xFF
        return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return getattr(cause, "sqlstate", None) == LOCK_NOT_AVAILABLE


class DatabaseBusyMiddleware:
    """Answer "busy, try again" (503) when a view's write gave up waiting for a lock."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        """A friendly 503 for a lock timeout; any other error goes on to Django's handling."""
        if not (isinstance(exception, OperationalError) and is_lock_timeout(exception)):
            return None
        logger.warning("Database busy, answered 503: %s %s", request.method, request.path)
        if request.headers.get("X-Quizsite-Autosave") or not request.accepts("text/html"):
            message = _("The site is busy, so nothing was saved. Try again in a few seconds.")
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        else:
            response = render(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        add_never_cache_headers(response)
        return response
