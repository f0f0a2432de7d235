"""Counters and one-use tokens in the database: one atomic statement each.

Django's ORM has no single statement that inserts a row or adds one to it and
returns the result: `update_or_create` reads before it writes (two requests both
read "4" and both write "5"), and `bulk_create(update_conflicts=True)` can only
copy the new row's values, not add to the old ones. Two statements (an UPDATE,
then a read) would let a racing request's hit change the total read back. So
the upsert is written in SQL, against the model's own table and column names:
`INSERT ... ON CONFLICT (key) DO UPDATE ... RETURNING`, which SQLite (3.35 and
later) and PostgreSQL run atomically: PostgreSQL locks the conflicting row until
the statement's transaction ends, SQLite lets one writer in at a time. The
statement never fails on the unique key, so it needs no savepoint inside an
outer transaction; there, though, the count commits or rolls back with it.
"""

from datetime import datetime

from django.db import connections, models, router

from gazette.limits.models import Tally


def bump(key: str, *, expires_at: datetime, now: datetime) -> int:
    """Add one to the tally `key` and return its new total. A tally found
    expired (not yet deleted by the clean-up) starts again at 1 and expires at
    `expires_at`; a live one keeps its expiry."""
    connection = connections[router.db_for_write(Tally)]
    quote = connection.ops.quote_name
    table = quote(Tally._meta.db_table)
    key_column, hits, expires = (
        quote(_column(name)) for name in ("key", "hit_count", "expires_at")
    )
    expires_field = Tally._meta.get_field("expires_at")
    expires_value, now_value = (
        expires_field.get_db_prep_value(when, connection) for when in (expires_at, now)
    )
    # Both SET expressions see the row as it was before this statement.
    sql = (
        f"INSERT INTO {table} ({key_column}, {hits}, {expires}) VALUES (%s, 1, %s) "
        f"ON CONFLICT ({key_column}) DO UPDATE SET "
        f"{hits} = CASE WHEN {table}.{expires} <= %s THEN 1 "
        f"ELSE {table}.{hits} + 1 END, "
        f"{expires} = CASE WHEN {table}.{expires} <= %s "
        f"THEN excluded.{expires} ELSE {table}.{expires} END "
        f"RETURNING {hits}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, expires_value, now_value, now_value])
        row = cursor.fetchone()
    return int(row[0])


def _column(name: str) -> str:
    field = Tally._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column
