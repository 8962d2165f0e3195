"""Filters for the project's log records (see LOGGING in settings.py)."""

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """Keep django.request's one-line warning for a 403 but drop the traceback it carries.

    A 403 is a permission check doing its job; a traceback for each one buries real errors.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True


class SecurityWithoutTraceback(logging.Filter):
    """Keep the django.security loggers' one line (a bad Host header, a forged admin filter)
    but drop the traceback: each is a refused request answered 400, not an error to debug.

    On the handler, since a logger's own filters never see its children's records
    (`django.security.DisallowedHost`, `django.security.DisallowedModelAdminLookup`, …).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("django.security."):
            record.exc_info = None
            record.exc_text = None
        return True
