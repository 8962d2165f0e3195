"""What the site writes to its log."""

import logging
import sys

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_refused_request_is_logged_in_one_line_without_a_traceback(learner_client, caplog):
    """A learner opening the teachers' results page: a 403 warning, not a stack of frames."""
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = learner_client.get(reverse("quizzes:results"))
    assert response.status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert (record.levelname, record.status_code) == ("WARNING", 403)
    assert record.getMessage() == "Forbidden (Permission denied): /en/results/"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback():
    try:
        raise ValueError("broken")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error", None, exc_info
    )
    record.status_code = 500
    assert logging.getLogger("django.request").filter(record)  # the filters LOGGING gives it
    assert record.exc_info is exc_info


def test_a_refused_host_or_admin_lookup_is_written_in_one_line_without_a_traceback():
    """The django.security loggers (a bad Host header, a forged admin filter: 400s) wrote a
    whole traceback to the production log each time."""
    [console] = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    for name, message in [
        ("django.security.DisallowedHost", "Invalid HTTP_HOST header: 'evil.com'."),
        ("django.security.DisallowedModelAdminLookup", "Filtering by learner__password"),
    ]:
        try:
            raise ValueError(message)
        except ValueError:
            exc_info = sys.exc_info()
        record = logging.LogRecord(name, logging.ERROR, __file__, 1, message, None, exc_info)
        assert console.filter(record)
        assert console.format(record) == message
    error = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", None, exc_info)
    assert console.filter(error) and "Traceback" in console.format(error)  # errors keep theirs
