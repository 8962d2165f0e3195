"""Who is signed in: Django's ModelBackend, reading the user of each request with one plain
SELECT.

Every page a signed-in person opens reads their user row (AuthenticationMiddleware, through the
backend's `get_user`). Built through the ORM, that read cost 0.47 ms of CPU against 0.11
(benchmarks/pieces.py, 2026-12-02): with four requests in a whole attempt, some 1.4 ms of it. The
row read and the checks after it (an inactive user is nobody) are the ModelBackend's own;
signing in, permissions and everything else stay Django's.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from quizzes.core import plain_sql


class ModelBackendWithPlainRead(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        user = plain_sql.fetch_first(model, f"WHERE {model._meta.pk.column} = %s", [user_id])
        return user if user is not None and self.user_can_authenticate(user) else None


# The path sessions record for people this backend signed in (settings.AUTHENTICATION_BACKENDS
# names it; `login()` and the scripts that make sessions directly use it).
BACKEND = f"{__name__}.{ModelBackendWithPlainRead.__name__}"
