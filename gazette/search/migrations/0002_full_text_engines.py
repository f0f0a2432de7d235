"""The full-text machinery of each database; other databases get none.

SQLite: an FTS5 table over search_searchdocument, fed by triggers. SQLite rebuilds
a table to alter it and drops its triggers then, so a later migration that alters
search_searchdocument must make these triggers again.

PostgreSQL: a GIN index on search_searchterms' vector, and for each built-in text search
configuration a copy named "gazette_<name>" that also strips accents when the
`unaccent` extension can be created (it needs a superuser or a trusted extension).
"""

from django.db import DatabaseError, migrations, transaction

TABLE = "search_searchdocument"
FTS_COLUMNS = "title, body, tags"
SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tags, "
    f"content='{TABLE}', content_rowid='post_id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER search_fts_after_insert AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO search_fts(rowid, {FTS_COLUMNS}) "
    "VALUES (new.post_id, new.title, new.body, new.tags); END",
    f"CREATE TRIGGER search_fts_after_delete AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS}) "
    "VALUES ('delete', old.post_id, old.title, old.body, old.tags); END",
    f"CREATE TRIGGER search_fts_after_update AFTER UPDATE ON {TABLE} BEGIN "
    f"INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS}) "
    "VALUES ('delete', old.post_id, old.title, old.body, old.tags); "
    f"INSERT INTO search_fts(rowid, {FTS_COLUMNS}) "
    "VALUES (new.post_id, new.title, new.body, new.tags); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_fts_after_insert",
    "DROP TRIGGER IF EXISTS search_fts_after_delete",
    "DROP TRIGGER IF EXISTS search_fts_after_update",
    "DROP TABLE IF EXISTS search_fts",
]
BUILT_IN_CONFIGS = (
    "SELECT c.cfgname FROM pg_ts_config c "
    "JOIN pg_namespace n ON n.oid = c.cfgnamespace WHERE n.nspname = 'pg_catalog'"
)
WORD_DICTIONARIES = (
    "SELECT d.dictname FROM pg_ts_config_map m "
    "JOIN pg_ts_config c ON c.oid = m.mapcfg "
    "JOIN pg_namespace n ON n.oid = c.cfgnamespace "
    "JOIN pg_ts_dict d ON d.oid = m.mapdict "
    "WHERE n.nspname = 'pg_catalog' AND c.cfgname = %s AND m.maptokentype = "
    "(SELECT tokid FROM ts_token_type('default') WHERE alias = 'word') "
    "ORDER BY m.mapseqno"
)


def _create_unaccent(schema_editor) -> bool:
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    except DatabaseError:
        return False
    return True


def create_engines(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)
    elif connection.vendor == "postgresql":
        has_unaccent = _create_unaccent(schema_editor)
        with connection.cursor() as cursor:
            cursor.execute(BUILT_IN_CONFIGS)
            names = sorted(row[0] for row in cursor.fetchall())
            for name in names:
                schema_editor.execute(
                    f"CREATE TEXT SEARCH CONFIGURATION gazette_{name} "
                    f"(COPY = pg_catalog.{name})"
                )
                if not has_unaccent:
                    continue
                cursor.execute(WORD_DICTIONARIES, [name])
                dictionaries = ", ".join(["unaccent"] + [r[0] for r in cursor])
                schema_editor.execute(
                    f"ALTER TEXT SEARCH CONFIGURATION gazette_{name} ALTER MAPPING "
                    f"FOR hword, hword_part, word WITH {dictionaries}"
                )
        schema_editor.execute(
            "CREATE INDEX search_terms_vector ON search_searchterms USING gin (vector)"
        )


def drop_engines(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)
    elif connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_terms_vector")
        with connection.cursor() as cursor:
            cursor.execute(BUILT_IN_CONFIGS)
            names = sorted(row[0] for row in cursor.fetchall())
        for name in names:
            schema_editor.execute(
                f"DROP TEXT SEARCH CONFIGURATION IF EXISTS gazette_{name}"
            )


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(create_engines, drop_engines)]
