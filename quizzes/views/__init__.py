"""Pages, one module per audience: everyone, quiz-takers, learners reviewing, teachers."""

from django.shortcuts import render


def bad_request(request, message):
    """A 400 in the site's own page, saying what was wrong with a forged or stale form or
    address, and how to go on (a bare line of text left the reader with no way back)."""
    return render(request, "400.html", {"message": message}, status=400)
