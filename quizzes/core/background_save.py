"""How the server knows the quiz page's background save (static/js/autosave.js) from a form.

The script sends its saves with this header; each answer to one is short text or a status
and headers the script reads (204, 409 with the address to go to, 403 or 503 with a sentence),
never a page, since no reader sees it.
"""

HEADER = "X-Quizsite-Autosave"  # as autosave.js sends it


def is_background_save(request) -> bool:
    return bool(request.headers.get(HEADER))
