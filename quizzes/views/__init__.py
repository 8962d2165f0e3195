"""Pages, one module per audience: everyone, quiz-takers, learners reviewing, teachers."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from quizzes.course.fallbacks import LANGUAGE_NAMES


def bad_request(request, message):
    """A 400 in the site's own page, saying what was wrong with a forged or stale form or
    address, and how to go on (a bare line of text left the reader with no way back)."""
    return render(request, "400.html", {"message": message}, status=400)


def language_refused(request, code):
    """The 400 for a language the site does not offer, asked by a language switch (the
    header's, or the quiz form's own); None for one it offers."""
    if code in LANGUAGE_NAMES:
        return None
    return bad_request(
        request, _("The site has no such language: choose one with the language switch.")
    )
