"""Full-text search in the database Gazette already has: no search server.

SQLite: an FTS5 table, `search_fts`, over SearchDocument (external content, kept
in step by triggers), ranked with bm25() and cut into snippets by snippet().
PostgreSQL: a weighted tsvector in SearchTerms under a GIN index, ranked with
ts_rank() and cut by ts_headline(), in a text search configuration
for the blog's language that also strips accents when `unaccent` is installed.

Both engines mark matches with two private-use characters; `marked()` escapes
the text and only then turns them into <mark> elements.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchRank,
)
from django.contrib.postgres.search import (
    SearchQuery as PgQuery,
)
from django.db import connections
from django.db.models import Exists, F, OuterRef
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from gazette.posts.models import Post
from gazette.search.models import SearchDocument, SearchTerms
from gazette.search.query import SearchQuery
from gazette.site.models import SiteSettings

MARK_START = "\ue000"
MARK_END = "\ue001"
_MARKED_RE = re.compile(f"{MARK_START}(.*?){MARK_END}", re.DOTALL)

FTS_TABLE = "search_fts"
# Column weights: a word in the title counts most, then hashtags, then the body.
FTS_WEIGHTS = "10.0, 1.0, 4.0"  # title, body, tags: the FTS table's column order


@dataclass(frozen=True)
class Hit:
    post_id: int
    title: str  # with match markers
    snippet: str  # with match markers


def marked(text: str) -> SafeString:
    """`text` escaped, with the engine's match markers turned into <mark>."""
    html = _MARKED_RE.sub(r"<mark>\1</mark>", escape(text))
    return mark_safe(html.replace(MARK_START, "").replace(MARK_END, ""))


def strip_markers(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "")


# PostgreSQL's built-in configurations, by the language codes the blog may use.
# Migrations copy each into "gazette_<name>", adding `unaccent` where it exists.
PG_CONFIGS = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ga": "irish",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nb": "norwegian",
    "nn": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "es": "spanish",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}


def fts_tokenizer(language: str) -> str:
    """FTS5's tokenizer for the blog's language: Porter stemming is English only."""
    base = "unicode61 remove_diacritics 2"
    return f"porter {base}" if language.lower().startswith("en") else base


# FTS5 has no stop words; for English these are left out of a search that has
# other words, as PostgreSQL's English configuration does. They match nearly every
# post, so ranking them costs much and tells little.
ENGLISH_STOP_WORDS = set(
    """a an and are as at be been but by for from had has have he her his i if in
    into is it its me my no not of on or our she so than that the their them then
    there these they this to was we were what when which who will with you your
    """.split()
)


def visible_in_rank_order(ranked, offset: int, limit: int) -> list[int]:
    """Ids of visible posts, best first, from an engine's ranking of its index.

    `ranked(count)` gives the ids of the best `count` matches. The index also holds
    scheduled posts, so a few more are ranked than needed and the visibility rule
    (Post.objects.visible()) decides; if too many were not out yet, more are asked
    for. Checking visibility after ranking keeps the join off every match.
    """
    wanted = offset + limit
    count = wanted + 10
    while True:
        candidates = ranked(count)
        shown = Post.objects.visible().filter(pk__in=candidates)
        visible = set(shown.values_list("pk", flat=True))
        ids = [pk for pk in candidates if pk in visible]
        if len(ids) >= wanted or len(candidates) < count:
            return ids[offset:wanted]
        count *= 4


class SQLiteBackend:
    vendor = "sqlite"

    def __init__(self, using: str = "default"):
        self.using = using

    def write(self, post_ids: list[int]) -> None:
        """Nothing to do: the triggers already copied the rows into search_fts."""

    def match_expression(self, query: SearchQuery, language: str = "en") -> str:
        # Every word and phrase is a quoted FTS5 string, so nothing the reader
        # typed can act as an operator; the words hold no quotes (see query.py).
        words = list(query.words)
        if language.lower().startswith("en"):
            content = [w for w in words if w.casefold() not in ENGLISH_STOP_WORDS]
            if content or query.phrases:
                words = content
        parts = [f'"{word}"' for word in words]
        parts += [f'"{" ".join(phrase)}"' for phrase in query.phrases]
        return " AND ".join(parts)

    def _ranked(self, match: str, hashtag_ids: list[int], count: int) -> list[int]:
        through = Post.hashtags.through._meta
        post_column = through.get_field("post").column
        hashtag_column = through.get_field("hashtag").column
        hashtags_sql = "".join(
            f" AND EXISTS (SELECT 1 FROM {through.db_table} WHERE "
            f"{post_column} = {FTS_TABLE}.rowid AND {hashtag_column} = %s)"
            for _ in hashtag_ids
        )
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH %s{hashtags_sql} "
                f"ORDER BY bm25({FTS_TABLE}, {FTS_WEIGHTS}), rowid DESC LIMIT %s",
                [match, *hashtag_ids, count],
            )
            return [row[0] for row in cursor.fetchall()]

    def search(
        self, query: SearchQuery, hashtag_ids: list[int], offset: int, limit: int
    ) -> list[Hit]:
        match = self.match_expression(query, SiteSettings.load().language)
        ids = visible_in_rank_order(
            lambda count: self._ranked(match, hashtag_ids, count), offset, limit
        )
        if not ids:
            return []
        # Snippets only for the rows shown: snippet() reads and tokenises the text
        # again, which would be wasted on every other match.
        marks = [MARK_START, MARK_END]
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, highlight({FTS_TABLE}, 0, %s, %s), "
                f"snippet({FTS_TABLE}, 1, %s, %s, '…', 32) "
                f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
                f"AND rowid IN ({', '.join(['%s'] * len(ids))})",
                [*marks, *marks, match, *ids],
            )
            found = {row[0]: Hit(row[0], row[1] or "", row[2] or "") for row in cursor}
        return [found[i] for i in ids if i in found]

    def rebuild(self, language: str) -> None:
        """Make search_fts again with the tokenizer for `language`, and refill it."""
        with connections[self.using].cursor() as cursor:
            for statement in sqlite_schema(fts_tokenizer(language), drop=True):
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def sqlite_schema(tokenizer: str, drop: bool = False) -> list[str]:
    """The FTS5 table over search_searchdocument and the triggers that feed it."""
    table = SearchDocument._meta.db_table
    columns = "title, body, tags"
    new = "new.title, new.body, new.tags"
    old = "old.title, old.body, old.tags"
    delete = (
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {columns}) "
        f"VALUES ('delete', old.post_id, {old});"
    )
    insert = f"INSERT INTO {FTS_TABLE}(rowid, {columns}) VALUES (new.post_id, {new});"
    statements = []
    if drop:
        statements += [
            f"DROP TRIGGER IF EXISTS {FTS_TABLE}_after_insert",
            f"DROP TRIGGER IF EXISTS {FTS_TABLE}_after_delete",
            f"DROP TRIGGER IF EXISTS {FTS_TABLE}_after_update",
            f"DROP TABLE IF EXISTS {FTS_TABLE}",
        ]
    return statements + [
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({columns}, "
        f"content='{table}', content_rowid='post_id', tokenize='{tokenizer}')",
        f"CREATE TRIGGER {FTS_TABLE}_after_insert AFTER INSERT ON {table} "
        f"BEGIN {insert} END",
        f"CREATE TRIGGER {FTS_TABLE}_after_delete AFTER DELETE ON {table} "
        f"BEGIN {delete} END",
        f"CREATE TRIGGER {FTS_TABLE}_after_update AFTER UPDATE ON {table} "
        f"BEGIN {delete} {insert} END",
    ]


class PostgresBackend:
    vendor = "postgresql"

    def __init__(self, using: str = "default"):
        self.using = using
        self._config: str | None = None

    def config(self) -> str:
        """The text search configuration for the blog's language."""
        if self._config is None:
            self._config = pg_config_name(
                SiteSettings.load().language, self._available_configs()
            )
        return self._config

    def _available_configs(self) -> set[str]:
        # The catalogue changes only with migrations, so each process asks once.
        key = (self.using, connections[self.using].settings_dict["NAME"])
        if key not in _PG_CONFIGS_SEEN:
            with connections[self.using].cursor() as cursor:
                cursor.execute("SELECT cfgname FROM pg_ts_config")
                _PG_CONFIGS_SEEN[key] = {row[0] for row in cursor.fetchall()}
        return _PG_CONFIGS_SEEN[key]

    def write(self, post_ids: list[int]) -> None:
        """Compute the vectors of these documents, weighting title over body."""
        config = self.config()
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {SearchTerms._meta.db_table} (document_id, vector) "
                "SELECT post_id, "
                "setweight(to_tsvector(%s::regconfig, title), 'A') || "
                "setweight(to_tsvector(%s::regconfig, tags), 'B') || "
                "setweight(to_tsvector(%s::regconfig, body), 'D') "
                f"FROM {SearchDocument._meta.db_table} WHERE post_id = ANY(%s) "
                "ON CONFLICT (document_id) DO UPDATE SET vector = EXCLUDED.vector",
                [config, config, config, list(post_ids)],
            )

    def ts_query(self, query: SearchQuery, any_part: bool = False) -> PgQuery:
        """Every word and phrase (or, with `any_part`, any one of them).

        plainto_tsquery and phraseto_tsquery read any text as plain words.
        """
        config = self.config()
        parts = [PgQuery(word, config=config) for word in query.words]
        parts += [
            PgQuery(" ".join(phrase), config=config, search_type="phrase")
            for phrase in query.phrases
        ]
        combined = parts[0]
        for part in parts[1:]:
            combined = (combined | part) if any_part else (combined & part)
        return combined

    def _ranked(self, ts_query, hashtag_ids: list[int], count: int) -> list[int]:
        terms = SearchTerms.objects.using(self.using).filter(vector=ts_query)
        tagged = Post.hashtags.through.objects.filter(post=OuterRef("pk"))
        for hashtag_id in hashtag_ids:
            terms = terms.filter(Exists(tagged.filter(hashtag=hashtag_id)))
        ranked = (
            terms.annotate(rank=SearchRank(F("vector"), ts_query))
            .order_by("-rank", "-pk")
            .values_list("pk", flat=True)
        )
        return list(ranked[:count])

    def search(
        self, query: SearchQuery, hashtag_ids: list[int], offset: int, limit: int
    ) -> list[Hit]:
        ts_query = self.ts_query(query)
        ids = visible_in_rank_order(
            lambda count: self._ranked(ts_query, hashtag_ids, count), offset, limit
        )
        if not ids:
            return []
        # A post may match one word in its title and another in its body, so the
        # highlighting marks any of them, where the search needed all.
        marks = self.ts_query(query, any_part=True)
        options: dict[str, Any] = {
            "config": self.config(),
            "start_sel": MARK_START,
            "stop_sel": MARK_END,
        }
        rows = (
            SearchDocument.objects.using(self.using)
            .filter(pk__in=ids)
            .annotate(
                title_marked=SearchHeadline(
                    "title", marks, highlight_all=True, **options
                ),
                snippet=SearchHeadline(
                    "body",
                    marks,
                    max_words=35,
                    min_words=15,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                    **options,
                ),
            )
            .values_list("pk", "title_marked", "snippet")
        )
        found = {pk: Hit(pk, title, snippet) for pk, title, snippet in rows}
        return [found[i] for i in ids if i in found]

    def rebuild(self, language: str) -> None:
        self._config = None
        documents = SearchDocument.objects.using(self.using)
        ids = list(documents.values_list("pk", flat=True))
        for start in range(0, len(ids), 2000):
            self.write(ids[start : start + 2000])


_PG_CONFIGS_SEEN: dict[tuple, set[str]] = {}


def pg_config_name(language: str, available: set[str]) -> str:
    """ "gazette_english" for "en-gb" when the migration made it, else the closest."""
    base = PG_CONFIGS.get(language.lower().split("-")[0].split("_")[0], "simple")
    for name in (f"gazette_{base}", base, "gazette_simple"):
        if name in available:
            return name
    return "simple"


def get_backend(using: str = "default") -> SQLiteBackend | PostgresBackend:
    vendor = connections[using].vendor
    if vendor == "postgresql":
        return PostgresBackend(using)
    if vendor == "sqlite":
        return SQLiteBackend(using)
    raise NotImplementedError(f"Gazette's search does not support {vendor}.")
