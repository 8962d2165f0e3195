"""Pages rendered once per kind with markers where per-request values go, then filled in.

Most of a page is the same for every learner who reads it in a language: the header, the
lesson list, a quiz's introduction and buttons. Only a few values are theirs: the CSRF token,
their name, their scores, their attempt's questions. Django's template engine spent more time
on the shared part than the rest of the request took, so `render_page` renders a template once
per process, language, content version and `key`, with a marker (`slot(name)`) in place of
each per-request value, splits it at the markers, and for each request joins the pieces with
that request's values.

The rules that keep a frame true:
- `key` must say everything the shared part depends on besides the language, the content
  (frames are cached by `content_cache`, so an edit drops them) and the header's own key;
- a slot's value is HTML, already escaped, and the template only prints it: never tests it,
  filters it or counts with it.
Under DEBUG, pages are rendered the usual way, so a template edit shows at once; the tests
compare both ways byte for byte.
"""

import re
import secrets

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.safestring import mark_safe

from quizzes.course.content_cache import cached

# Markers carry a random token made at start-up and never sent to anyone, so no text an author
# or a learner writes can pass for one.
_TOKEN = secrets.token_hex(8)
_MARKER = re.compile(f"\x00{_TOKEN}:([a-z0-9_]+)\x00")

# Menu entries in the header that mark themselves as the current page.
MENU = frozenset({"home", "glossary", "my-results", "progress", "my-classes", "results"})


def slot(name: str) -> str:
    """The marker that stands for the value `name` in a frame (the engine never escapes it)."""
    return mark_safe(f"\x00{_TOKEN}:{name}\x00")  # noqa: S308 - a marker, no outside text


def split(html: str) -> list[str]:
    """[text, slot name, text, slot name, ..., text]."""
    return _MARKER.split(html)


def fill(parts: list[str], values: dict) -> str:
    return "".join(values[part] if i % 2 else part for i, part in enumerate(parts))


def header_key(request) -> tuple:
    """What the site header depends on besides the language."""
    user = getattr(request, "user", None)
    authenticated = bool(user is not None and user.is_authenticated)
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match is not None and match.url_name in MENU else None
    return (get_script_prefix(), authenticated, authenticated and user.is_staff, current)


def header_values(request, csrf=None) -> dict:
    """The header's per-request values: CSRF token, the user's name, the address to return to.

    `csrf` is a token already made for this response, if any (each one costs a random mask).
    """
    user = getattr(request, "user", None)
    return {
        "csrf": csrf or get_token(request),
        "name": escape(user.get_username()) if user is not None and user.is_authenticated else "",
        "next": escape(request.get_full_path()),
    }


def messages_html(request) -> str:
    """The messages waiting for this request's reader, as HTML ("" when there are none)."""
    waiting = messages.get_messages(request)
    if not waiting:
        return ""
    return render_to_string("messages.html", {"messages": waiting})


def render_page(request, template_name, context_for, *, key, values, status=200) -> HttpResponse:
    """`render(request, template_name, context_for(values))`, from a cached frame.

    `values` maps slot names to this request's values (escaped HTML), and `context_for` builds
    the template's context from them (or from their markers, to build the frame). The template
    prints each as it is. See the module's docstring for what `key` must cover.
    """
    if settings.DEBUG:
        return render(request, template_name, context_for(values), status=status)

    def build():
        frame_context = {
            **context_for({name: slot(name) for name in values}),
            "request": request,
            "user": request.user,
            "csrf_token": slot("csrf"),
            "framing": True,  # tells the site_header and site_messages tags to leave markers
        }
        return split(get_template(template_name).render(frame_context))

    parts = cached(("frame", template_name, header_key(request), *key), build)
    values = {**header_values(request), "messages": messages_html(request), **values}
    return HttpResponse(fill(parts, values), status=status)
