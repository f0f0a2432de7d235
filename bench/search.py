"""Search latency on 100,000 generated posts, on whichever database is configured.

`python -m bench search` uses a temporary SQLite file; under scripts/with-postgres
(DATABASE_URL set) it makes a throwaway PostgreSQL database. The posts are
bench/blog.py's: about 150 words each, with word frequencies falling off as in
real text, so that some words are in most posts and others in a handful. Each query is timed through `gazette.search.views.find`: parsing, the
engine's ranked query, the snippets and loading the posts shown, but not the HTML.
"""

import os
import statistics
import tempfile
import time
from pathlib import Path

from bench import blog

POSTS = 100_000
ROUNDS = 30

QUERIES = [
    ("one common word", "bread", 1),
    ("two common words", "bread oven", 1),
    ("common word, page 3", "walk", 3),
    ("a rarer word", "lantern", 1),
    ("two rarer words", "quarry sextant", 1),
    ("a phrase", '"open crumb"', 1),
    ("a stemmed word", "walking", 1),
    ("accents left out", "creme brulee", 1),
    ("word and hashtag", "river #Walking", 1),
    ("a hashtag alone", "#Hills", 1),
    ("no match", "zeppelin", 1),
    ("operators as words", "NEAR(bread OR * ^crust", 1),
]


def _time_queries() -> list[float]:
    from gazette.search.query import parse
    from gazette.search.views import find

    every = []
    for label, text, page in QUERIES:
        found = find(parse(text), page)  # warm the caches once
        timings = []
        for _ in range(ROUNDS):
            began = time.perf_counter()
            find(parse(text), page)
            timings.append((time.perf_counter() - began) * 1000)
        timings.sort()
        every += timings
        p50 = statistics.median(timings)
        p95 = timings[int(len(timings) * 0.95)]
        shown = f"{label} ({text}{f', page {page}' if page > 1 else ''})"
        print(
            f"  {shown[:52]:52} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
            f"{len(found.results):2} shown"
        )
    return every


def run(count: int = 0) -> None:
    count = count or int(os.environ.get("GAZETTE_BENCH_POSTS", POSTS))
    from django.conf import settings
    from django.db import connection, connections

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    with tempfile.TemporaryDirectory() as tmp:
        if connection.vendor == "sqlite":
            settings.DATABASES["default"]["NAME"] = str(Path(tmp) / "bench.sqlite3")
            connections["default"].close()
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
        else:
            # A database of its own, made and dropped like the test suite's.
            connection.creation.create_test_db(
                verbosity=0, autoclobber=True, serialize=False
            )
        print(f"{connection.vendor}: generating {count:,} posts...")
        began = time.perf_counter()
        blog.add_posts(0, count)
        blog.finish()
        print(f"  generated and indexed in {time.perf_counter() - began:.0f} s")
        timings = sorted(_time_queries())
        p50 = statistics.median(timings)
        p95 = timings[int(len(timings) * 0.95)]
        print(f"  {'all queries':52} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
        if connection.vendor != "sqlite":
            connection.creation.destroy_test_db(
                settings.DATABASES["default"]["NAME"], verbosity=0
            )
