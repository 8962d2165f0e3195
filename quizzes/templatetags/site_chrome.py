"""Request-dependent parts of `base.html`: `{% site_header %}` and `{% site_messages %}`.

The header (skip link, brand, menu, sign-out and language forms) is the same for every reader
of a page in a language except for three values: the CSRF token, the user's name and the
address to return to after switching language. Each process renders `site_header.html` once
per language, role and current menu entry, with markers for those values (see
quizzes/frames.py), and fills them in per request. Inside a frame being built, both tags leave
their markers for the page to fill.
"""

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from quizzes.frames import fill, header_key, header_values, messages_html, slot, split

register = template.Library()

_compiled: dict = {}


def _compile(key):
    _prefix, authenticated, staff, current = key
    html = render_to_string(
        "site_header.html",
        {
            "LANGUAGE_CODE": get_language(),
            "authenticated": authenticated,
            "staff": staff,
            "current": current,
            "user_name": slot("name"),
            "next": slot("next"),
            "csrf_token": slot("csrf"),
        },
    )
    return split(html.strip())


@register.simple_tag(takes_context=True)
def site_header(context):
    request = context.get("request")
    key = header_key(request)
    parts = _compiled.get((get_language(), key))
    if parts is None:
        parts = _compile(key)
        if not settings.DEBUG:  # while developing, a template edit shows at once
            _compiled[get_language(), key] = parts
    if context.get("framing"):
        values = {name: slot(name) for name in parts[1::2]}
    else:
        token = str(context.get("csrf_token") or "")
        if request is None:  # a template rendered outside a request: a signed-out header
            values = {"csrf": token, "name": "", "next": ""}
        else:
            values = header_values(request, csrf=token)
    return mark_safe(fill(parts, values))  # noqa: S308 - escaped template, escaped values


@register.simple_tag(takes_context=True)
def site_messages(context):
    if context.get("framing"):
        return slot("messages")
    request = context.get("request")
    return mark_safe(messages_html(request)) if request is not None else ""  # noqa: S308


def _forget(**kwargs):
    _compiled.clear()


setting_changed.connect(_forget, dispatch_uid="site-header-forget")
