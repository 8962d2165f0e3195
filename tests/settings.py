"""The project's settings as the test suite runs them: production-like, but over plain HTTP."""

import os
import tempfile

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-suite-only-not-a-secret")
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("QUIZSITE_VAR_DIR", tempfile.mkdtemp(prefix="quizsite-test-var-"))

from quizsite.settings import *  # noqa: E402, F403

# Hashing passwords with Argon2 on every test login would dominate the suite's run time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303

# A file, not SQLite's shared in-memory database: live-server tests then run each request on its
# own connection, with WAL and IMMEDIATE transactions, as the embedded default runs in production.
_default = DATABASES["default"]  # noqa: F405
if _default["ENGINE"] == "django.db.backends.sqlite3":
    _default["TEST"] = {"NAME": os.path.join(os.environ["QUIZSITE_VAR_DIR"], "test.sqlite3")}

# Tests render pages without running collectstatic first.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise looks for collected files at start-up; the tests serve none.
WHITENOISE_AUTOREFRESH = True
# Each live-server request closes its connection, so the test database can be dropped after.
_default["CONN_MAX_AGE"] = 0

# Tasks run at once, inside the request or call that enqueues them.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
