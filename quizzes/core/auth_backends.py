"""Django's ModelBackend, with the signed-in user loaded by one plain query on every request.

`get_user` runs on every request of a signed-in person; through the ORM it spends most of its
time compiling the same SELECT. `plain_sql.fetch_first` builds the same `User` (converters
included) at under a tenth of the cost. Everything else, including who may sign in
(`is_active`), is ModelBackend's.
"""

from django.contrib.auth import backends, get_user_model
from django.db import connections, router

from quizzes.core.plain_sql import fetch_first


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        pk = connections[router.db_for_read(model)].ops.quote_name(model._meta.pk.column)
        user = fetch_first(model, f"WHERE {pk} = %s", [user_id])
        return user if user is not None and self.user_can_authenticate(user) else None
