"""When the database is busy: a write that waited too long for a lock, and the health check.

SQLite has one write lock for the whole database (IMMEDIATE transactions take it at BEGIN);
PostgreSQL locks rows. A write that cannot get its lock within `DATABASE_LOCK_TIMEOUT` fails
before it has written anything (the lock is taken first, inside the write's transaction), so
the learner can simply try again: a 503 with `Retry-After`, not a 500.
"""

import sqlite3
import threading
from contextlib import contextmanager

from django.conf import settings
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import DatabaseError, OperationalError, connection, transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from quizzes.core.background_save import is_background_save
from quizzes.models import Attempt

RETRY_AFTER_SECONDS = 5
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout runs out


def is_lock_timeout(error: BaseException) -> bool:
    """Whether `error` is the database giving up waiting for a lock another connection holds."""
    cause = error.__cause__
    if isinstance(cause, sqlite3.OperationalError):
        code = getattr(cause, "sqlite_errorcode", sqlite3.SQLITE_BUSY) & 0xFF
        return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return getattr(cause, "sqlstate", None) == LOCK_NOT_AVAILABLE


# SQLite takes one writer at a time. Threads of one worker that wait on SQLite's own lock poll
# it with sleeps of up to 100 ms, so with 4 threads a worker a 300-learner Finish spike ran at
# 120 finishes/s instead of 180 (p99 2.4 s against 1.6 s; benchmarks/run.py's spike). Requests
# that write (POST and the like) wait on this lock in the process instead, which hands over at
# once; pages that only read never take it, so they are still served while writers wait.
_sqlite_writers = threading.Lock()
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class DatabaseBusyMiddleware:
    """Answer "busy, try again" (503) when a view's write gave up waiting for a lock."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if connection.vendor != "sqlite" or request.method not in UNSAFE_METHODS:
            return self.get_response(request)
        if not _sqlite_writers.acquire(timeout=settings.DATABASE_LOCK_TIMEOUT):
            return busy(request)
        try:
            return self.get_response(request)
        finally:
            _sqlite_writers.release()

    def process_exception(self, request, exception):
        """A friendly 503 for a lock timeout; any other error goes on to Django's handling."""
        if not (isinstance(exception, OperationalError) and is_lock_timeout(exception)):
            return None
        return busy(request)


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, but a session write that gave up waiting for a lock is "busy" (503).

    The session is written once the view has answered (signing in sets its keys there), above
    DatabaseBusyMiddleware, whose handling covers the view only: Django's own answer was a 400
    that said the session had been deleted meanwhile (an update), or a 500 (a new session).
    No cookie is set, so the visitor is not signed in; but the view's own writes are made (a
    new account, a new password), so the page says that, not that nothing changed.
    """

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except (OperationalError, SessionInterrupted) as error:
            if not _caused_by_lock_timeout(error):
                raise
            return busy(request, session=True)


def _caused_by_lock_timeout(error: BaseException | None) -> bool:
    """Whether a lock timeout is `error` or lies behind it (Django raises others from it)."""
    while error is not None:
        if isinstance(error, OperationalError) and is_lock_timeout(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def busy(request, *, session=False) -> HttpResponse:
    """The "busy, try again" answer: a page, or a short text for the autosave script.

    With `session`, the view's work was done and only the session could not be written: the
    visitor is not signed in (or no longer), and the page says so.
    """
    if is_background_save(request) or not request.accepts("text/html"):
        message = _("The site is busy, so nothing was saved. Try again in a few seconds.")
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    else:
        response = render(request, "503.html", {"session": session}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


@contextmanager
def _sqlite_busy_timeout(seconds: float):
    """This connection waits at most `seconds` for SQLite's write lock until the block ends."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {round(seconds * 1000)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(before)}")


def write_problem(*, within: float) -> str | None:
    """Why the database could not take a write within `within` seconds, or None if it could.

    Writes nothing. SQLite: takes the write lock (BEGIN IMMEDIATE) and gives it back.
    PostgreSQL (the other database quizsite runs on): refuses a read-only server (a standby),
    then takes the lock an UPDATE of attempts takes, which waits for anything that locks the
    table against learners' writes.
    """
    try:
        if connection.vendor == "sqlite":
            with _sqlite_busy_timeout(within), transaction.atomic():
                pass
            return None
        table = connection.ops.quote_name(Attempt._meta.db_table)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true), "
                "current_setting('transaction_read_only')",
                [f"{round(within * 1000)}ms"],
            )
            if cursor.fetchone()[1] == "on":
                return "read-only"
            cursor.execute(f"LOCK TABLE {table} IN ROW EXCLUSIVE MODE")
    except DatabaseError as error:
        return "busy" if is_lock_timeout(error) else "unavailable"
    return None
