"""Give a 405 (a visit to an address that takes only a form, or a form sent to a page) the
site's own page, where Django's answer is an empty body: a blank tab after reloading "Sign out"
or opening a button's address from the history."""

from django.shortcuts import render


class MethodNotAllowedPage:
    """Put the site's 405 page in an empty 405 response, keeping its status and Allow header.

    Django's `require_POST` and the class-based views' `http_method_not_allowed` (the sign-out
    view, the admin's) answer with `HttpResponseNotAllowed`, which has no body. One place
    covers all of them, and a view that writes a 405 of its own keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content:
            return response
        allowed = response.get("Allow", "")
        methods = {method.strip() for method in allowed.split(",")}
        context = {"form_only": "GET" not in methods, "takes_forms": "POST" in methods}
        page = render(request, "405.html", context, status=405)
        page["Allow"] = allowed
        return page
