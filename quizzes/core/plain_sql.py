"""Reads and writes of model rows with one plain SQL statement, skipping the ORM's query building.

Used only by the model managers in quizzes/models.py (`AttemptManager.answerable`, `of_learner`,
`open_for`, `best_by_quiz`, `lock_open` and `finish`, `AnswerManager.of`, `deal` and `write`,
`ContentVersion.objects.current`) and by core/sign_in.py's read of the signed-in user
(tests/test_layers.py keeps it so), for the reads and writes every request, a quiz page, a Start, a
save and a Finish make, where building the query cost the ORM several times what running it does
(figures in those places, from benchmarks/pieces.py). These functions take the WHERE clause as SQL
and still deal in model instances: the columns and the converters (dates, decimals, JSON) are
worked out once per model by the ORM's own compiler, and values are prepared for the database by
each field, so what comes back or goes in is exactly what a queryset would read or write.
"""

from collections.abc import Sequence

from django.db import connections, router

_plans: dict = {}


def _plan(model, alias):
    """(SELECT columns FROM table, the fields' attnames, converters, compiler), built once."""
    key = (model, alias)
    plan = _plans.get(key)
    if plan is None:
        compiler = model._base_manager.all().query.get_compiler(alias)
        compiler.setup_query()
        columns = [column for column, _sql, _alias in compiler.select]
        table = connections[alias].ops.quote_name(model._meta.db_table)
        names = ", ".join(compiler.compile(column)[0] for column in columns)
        plan = _plans[key] = (
            f"SELECT {names} FROM {table}",  # noqa: S608 - names from the model
            [column.target.attname for column in columns],
            compiler.get_converters(columns),
            compiler,
        )
    return plan


def fetch(model, clause: str, params: Sequence = ()) -> list:
    """Instances of `model` for the rows `SELECT ... FROM its table {clause}` finds.

    `clause` is the SQL after FROM (WHERE, ORDER BY, LIMIT), with %s placeholders for `params`
    and columns named without a table.
    """
    alias = router.db_for_read(model)
    select, attnames, converters, compiler = _plan(model, alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(f"{select} {clause}", params)
        rows = cursor.fetchall()
    if converters:
        rows = compiler.apply_converters(rows, converters)
    return [model.from_db(alias, attnames, list(row)) for row in rows]


def fetch_first(model, clause: str, params: Sequence = ()):
    """The first instance `fetch()` finds, or None."""
    found = fetch(model, f"{clause} LIMIT 1", params)
    return found[0] if found else None


def rows(model, select: str, clause: str, params: Sequence = ()) -> list[tuple]:
    """The raw rows of `SELECT {select} FROM its table {clause}`: for aggregates."""
    connection = connections[router.db_for_read(model)]
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM {table} {clause}", params)  # noqa: S608
        return cursor.fetchall()


def locked_ids(model, clause: str, params: Sequence = ()) -> list:
    """The ids of the rows `clause` finds, locked until the transaction ends (FOR UPDATE where
    the database has row locks; SQLite's IMMEDIATE transactions hold the write lock already)."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk} FROM {table} {clause}{lock}", params)  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def update_where(model, values: dict, clause: str, params: Sequence = ()) -> int:
    """`UPDATE its table SET values {clause}`, each value prepared by its field as a save
    would; how many rows it changed."""
    connection = connections[router.db_for_write(model)]
    fields, assignments = _assignments(model, list(values), connection)
    prepared = [field.get_db_prep_save(values[field.name], connection) for field in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {assignments} {clause}", [*prepared, *params])  # noqa: S608
        return cursor.rowcount


def _assignments(model, names, connection):
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    return fields, ", ".join(f"{quote(field.column)} = %s" for field in fields)


def update_each(objects: Sequence, names: Sequence[str]) -> None:
    """Write the fields `names` of each saved instance back: one prepared UPDATE per instance.

    `bulk_update` builds a CASE expression per field and instance, which cost half of a Finish
    request's time for a 20-question quiz; the database runs this in a fraction of that.
    """
    if not objects:
        return
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    fields, assignments = _assignments(model, names, connection)
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields]
        + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", rows)  # noqa: S608


def insert_each(objects: Sequence) -> None:
    """Insert each unsaved instance as a row: one prepared INSERT run per instance.

    For rows whose ids nobody reads back (`bulk_create` builds the statement, its placeholders
    and, where the database can, returns the ids). Each field prepares its value as a save
    would, its default included; the instances stay unsaved (no pk is set).
    """
    if not objects:
        return
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    rows = [
        [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
        for obj in objects
    ]
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
            rows,
        )
