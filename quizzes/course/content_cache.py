"""What every learner sees alike, built once per app server and content version, then reused.

The lesson list, a lesson with its sources and quizzes, and a quiz's settings change only when a
teacher edits the course, yet every page view used to rebuild them with several queries. Each
app-server process now keeps them in memory, keyed by name and language, and checks one number
per request: `ContentVersion.number`, which any save or delete of course content replaces with a
new random value (a counter could come back to an old value when a transaction rolls back).

Another process sees an edit as soon as the edit's transaction commits, so several app servers
never serve different content for longer than that. Within one request the number is read
once, however many cached values the request uses (and again after an edit it makes).
"""

import secrets
import threading

from django.core.signals import request_finished, request_started
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language

from quizzes.models import (
    Choice,
    ContentVersion,
    Course,
    GlossaryTerm,
    GradeBand,
    Lesson,
    LessonSource,
    Misconception,
    Override,
    Question,
    Quiz,
)

# What learners' cached pages show, and the overrides (taking/overrides.py keeps which quizzes
# have any: a teacher sets them a few times a term). Teachers' notes are not cached, so they
# are not listed.
CONTENT_MODELS = (
    Course,
    GlossaryTerm,
    Lesson,
    LessonSource,
    Misconception,
    Override,
    Quiz,
    GradeBand,
    Question,
    Choice,
)

_entries: dict = {}
_seen_version = None
_request = threading.local()  # .version: read in this thread's current request, or None


def current_version():
    """The content version now."""
    return ContentVersion.objects.current()


def version():
    """The content version, read once per request (outside requests, every time).

    A template fragment cached with it in its key (`{% cache %}`) is rebuilt after any edit.
    """
    if not getattr(_request, "active", False):
        return current_version()
    if _request.version is None:
        _request.version = current_version()
    return _request.version


def _request_started(**kwargs):
    _request.active, _request.version = True, None


def _request_finished(**kwargs):
    _request.active, _request.version = False, None


def content_changed(**kwargs):
    """Give the content a new version, so every process builds its cached copies again."""
    _entries.clear()
    _request.version = None
    token = secrets.randbits(62)
    if not ContentVersion.objects.filter(pk=1).update(number=token):
        ContentVersion.objects.update_or_create(pk=1, defaults={"number": token})


def cached(name, build):
    """`build()`, or its value from earlier in this process if the content is unchanged.

    `name` must say everything the value depends on besides the content and the language.
    None (no such lesson or quiz) is not kept: addresses anyone can make up must not fill the
    memory.
    """
    global _seen_version
    current = version()
    if current != _seen_version:
        _entries.clear()
        _seen_version = current
    key = (name, get_language())
    entry = _entries.get(key)
    if entry is not None and entry[0] == current:
        return entry[1]
    value = build()
    # Tagged with the version it was built from, so a value another thread built from old
    # content while an edit landed is never served as new.
    if value is not None:
        _entries[key] = (current, value)
    return value


def connect_signals():
    request_started.connect(_request_started, dispatch_uid="content-cache-request-started")
    request_finished.connect(_request_finished, dispatch_uid="content-cache-request-finished")
    for model in CONTENT_MODELS:
        uid = f"content-changed-{model.__name__}"
        post_save.connect(content_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(content_changed, sender=model, dispatch_uid=uid)
    m2m_changed.connect(content_changed, sender=Quiz.draws_from.through, dispatch_uid="draws")
