"""`{% site_header %}`: the header on every page, rendered once per kind of page, then filled in.

The header (brand, menu, sign-out and language forms) is the same for every learner who reads
a page in a language, except for three values: the CSRF token, the user's name and the address
to come back to after switching language. Rendering it through the template engine cost more
than the rest of a lesson page, so each process renders `site_header.html` once per language,
role and current menu entry, with markers where those values go, and then fills in the markers
for each request.
"""

import re

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# Menu entries that mark themselves as the current page.
MENU = frozenset({"home", "my-results", "progress", "my-classes", "results"})

# Markers the template engine leaves alone (autoescaping only touches <>&'").
SLOTS = {"csrf": "\x00csrf\x00", "name": "\x00name\x00", "next": "\x00next\x00"}
_SLOT = re.compile("\x00(csrf|name|next)\x00")

_compiled: dict = {}


def _compile(language, authenticated, staff, current):
    """The header as [text, slot, text, slot, ..., text], slots named as in SLOTS."""
    html = render_to_string(
        "site_header.html",
        {
            "LANGUAGE_CODE": language,
            "authenticated": authenticated,
            "staff": staff,
            "current": current,
            "user_name": SLOTS["name"],
            "next": SLOTS["next"],
            "csrf_token": SLOTS["csrf"],
        },
    )
    return _SLOT.split(html.strip())


@register.simple_tag(takes_context=True)
def site_header(context):
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    authenticated = bool(user is not None and user.is_authenticated)
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match is not None and match.url_name in MENU else None
    key = (
        get_language(),
        get_script_prefix(),
        authenticated,
        authenticated and user.is_staff,
        current,
    )
    parts = _compiled.get(key)
    if parts is None:
        parts = _compile(*key[:1], *key[2:])
        if not settings.DEBUG:  # while developing, a template edit shows at once
            _compiled[key] = parts
    values = {
        "csrf": get_token(request) if request is not None else str(context.get("csrf_token", "")),
        "name": escape(user.get_username()) if authenticated else "",
        "next": escape(request.get_full_path()) if request is not None else "",
    }
    return mark_safe(  # noqa: S308 - the template is escaped, and so is each value put in it
        "".join(values[part] if i % 2 else part for i, part in enumerate(parts))
    )


def _forget(**kwargs):
    _compiled.clear()


setting_changed.connect(_forget, dispatch_uid="site-header-forget")
