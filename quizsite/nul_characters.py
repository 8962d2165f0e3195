"""Refuse any request whose query string or form fields carry a NUL character."""

import logging

from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from quizzes.views import bad_request

NUL = "\x00"


class RefuseNulCharacters:
    """Answer 400 to a NUL in a parameter's name or value, before any view sees it.

    No browser sends one from a page of ours, PostgreSQL cannot store or compare text holding
    one (a search or a filter with `%00` failed there with a 500), and SQLite stores it
    silently. Refusing it here covers every search box, filter, autocomplete and form at once.
    Uploaded files are not parameters: the views that read them check their text themselves.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            has_nul = _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST))
        except (TooManyFieldsSent, RequestDataTooBig) as error:
            # Django's own answer is a 400 too, but its debug page (`make run`) read the same
            # parameters again to show them, failed, and said 500. Logged as Django logs it.
            logging.getLogger(f"django.security.{type(error).__name__}").error(
                str(error), extra={"request": request, "status_code": 400}
            )
            message = _(
                "The address or the form is too large: too many fields or too much data. "
                "Go back, reload the page and try again."
            )
            return bad_request(request, message)
        except BadRequest:
            # A form declared in another charset than UTF-8 (`charset=utf-16`): Django refuses
            # to read it, and its error pages and CSRF check read it again and said 500.
            request._post, request._files = QueryDict(), MultiValueDict()
            message = _(
                "The form was sent in an encoding the site does not read (only UTF-8). "
                "Go back, reload the page and try again."
            )
            return bad_request(request, message)
        if has_nul:
            message = _(
                "The address or the form contains a NUL character, which is not allowed. "
                "Go back, reload the page and try again."
            )
            return bad_request(request, message)
        return self.get_response(request)


def _has_nul(parameters) -> bool:
    return any(
        NUL in key or any(NUL in value for value in values) for key, values in parameters.lists()
    )
