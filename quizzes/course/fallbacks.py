"""When course content lacks the reader's language, which language it is shown in instead.

django-modeltranslation already falls back (quizsite/settings.py), so a page is never empty;
this module tells the templates when that happened, so the page can say "not yet translated"
and mark the text with its real language for screen readers and hyphenation.
"""

from django.conf import settings
from django.db.models import TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

LANGUAGE_NAMES = dict(settings.LANGUAGES)


def current_language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def shown_in(obj, fields, language: str | None = None) -> str | None:
    """The language `obj`'s `fields` are shown in instead of `language`, or None if they are
    all written in `language` (fields empty in every language do not count)."""
    language = language or current_language()
    for field in fields:
        if getattr(obj, build_localized_fieldname(field, language)):
            continue
        for fallback in settings.MODELTRANSLATION_FALLBACK_LANGUAGES:
            if fallback != language and getattr(obj, build_localized_fieldname(field, fallback)):
                return fallback
    return None


def shown_in_each(obj, fields) -> dict[str, str | None]:
    """`shown_in` for each field on its own, for a `lang` attribute on each."""
    return {field: shown_in(obj, (field,)) for field in fields}


def translated(lookup: str) -> Coalesce:
    """A translated field reached across a relation (`"quiz__title"`), as a query expression:
    the current language's text, else the fallback's, like the model's own attribute.

    django-modeltranslation rewrites lookups on the translated models' own querysets only;
    `Attempt.objects.values("quiz__title")` would read the untranslated column.
    """
    language = current_language()
    order = [language, *(x for x in settings.MODELTRANSLATION_FALLBACK_LANGUAGES if x != language)]
    return Coalesce(
        *(NullIf(f"{lookup}_{code}", Value("")) for code in order), output_field=TextField()
    )


def untranslated_notice(shown_in: str) -> str:
    """ "Not yet translated", naming the language the text is shown in instead."""
    return _("Not yet translated: shown in %(language)s.") % {
        "language": str(LANGUAGE_NAMES.get(shown_in, shown_in))
    }
