"""Search latency on 100,000 generated posts, on whichever database is configured.

`python -m bench search` uses a temporary SQLite file; under scripts/with-postgres
(DATABASE_URL set) it makes a throwaway PostgreSQL database. Posts are written with
bulk_create from the word lists below, about 150 words each, with word frequencies
falling off as in real text, so that some words are in most posts and others in
a handful. Each query is timed through `gazette.search.views.find`: parsing, the
engine's ranked query, the snippets and loading the posts shown, but not the HTML.
"""

import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

POSTS = 100_000
ROUNDS = 30
BATCH = 2_000

# The little words of English come first, as in real text, where they take a
# large share of every page; then everyday words, then made-up names (TAIL). A
# sentence draws from all of them with weights 1/rank, as real text roughly does.
LITTLE = """
the of and a to in was it that for on with as at by from this had not but or
we our there were then so
""".split()
COMMON = """
day time way walk light water bread morning night road hill path house window
garden tree river wind rain stone field friend table kitchen evening week year
hour town village coat cup tea door dog oven loaf flour dough sky star cloud
moon winter summer spring autumn weather bridge wall gate lane valley ridge
slope cliff shore harbour boat sail rope map book letter page pen lamp candle
fire smoke chimney roof hedge meadow orchard apple pear plum cherry berry honey
butter cheese salt sugar yeast crust crumb knife board jar shelf basket bicycle
train station platform ticket bench square market stall baker miller farmer
shepherd sheep cow horse hen egg nest feather owl crow sparrow robin heron fox
badger hare deer moss fern heather gorse bracken pine oak beech birch willow
alder ash holly ivy thistle nettle daisy clover poppy bluebell primrose frost
snow ice fog mist dew storm thunder lightning rainbow sunrise sunset dusk dawn
shadow glow spark ember ash granite slate chalk clay sand pebble shell tide wave
current pool stream spring well pump mill wheel cart barrel crate sack bucket
ladder hammer nail saw plank beam rafter attic cellar porch yard shed barn
stable fence post stile gatepost signpost milestone footpath track trail summit
cairn tarn lake loch fell moor heath marsh bog reed rush willow kingfisher otter
walking baked walked climbed rested waited noticed remembered wrote drew cooked
kneaded proved shaped scored cooled sliced shared carried followed crossed
""".split()
# Rarer words: each appears in a small share of the posts.
RARE = """
lantern quarry sextant astrolabe barometer theodolite compass spyglass almanac
ledger inkwell quill parchment vellum sealing wax tinder flint bellows anvil
forge kiln loom spindle distaff shuttle bobbin thimble spinney coppice hollow
combe clough gill beck burn force linn sike mere carr holm ness wyke garth croft
toft bothy shieling byre midden haystack rick stook sheaf flail winnow quern
crème brûlée café naïve façade jalapeño piñata smörgåsbord fjord øresund
""".split()
HASHTAGS = [
    "Baking",
    "Walking",
    "Hills",
    "NightSkyPhotography",
    "Notebook",
    "Sourdough",
    "Birds",
    "Weather",
    "Garden",
    "Trains",
    "Maps",
    "Rivers",
    "Winter",
    "Kitchen",
    "Books",
    "Coast",
]

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


SYLLABLES = (
    "bar cal den fin gor hal ken lom mar nor pel quin ros sel tor vin wen yar".split()
)
TAIL = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in ("", "by", "ton")]
VOCABULARY = LITTLE + COMMON + TAIL


def _weights(n: int) -> list[float]:
    return [1 / (rank + 1) for rank in range(n)]


def _generate(count: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from gazette.posts.models import Hashtag, Post
    from gazette.search.backends import get_backend
    from gazette.search.indexing import plain_text
    from gazette.search.models import SearchDocument

    rng = random.Random(20240324)
    author = get_user_model().objects.create_user("bench", "bench@example.org")
    hashtags = [Hashtag.objects.create(name=name) for name in HASHTAGS]
    weights = _weights(len(VOCABULARY))
    start = datetime(2010, 1, 1, tzinfo=UTC)
    span = 15 * 365 * 24 * 3600
    Through = Post.hashtags.through
    backend = get_backend()
    # Small phrases that occur inside sentences now and then.
    phrases = ["open crumb", "dark sky", "long walk", "warm loaf", "first light"]

    def sentence() -> str:
        words = rng.choices(VOCABULARY, weights, k=rng.randint(6, 14))
        if rng.random() < 0.15:
            words.insert(rng.randrange(len(words)), rng.choice(RARE))
        if rng.random() < 0.05:
            words.insert(rng.randrange(len(words)), rng.choice(phrases))
        return " ".join(words).capitalize() + "."

    for first in range(0, count, BATCH):
        posts, bodies = [], []
        for n in range(first, min(first + BATCH, count)):
            title = " ".join(rng.choices(COMMON, k=rng.randint(3, 7)))
            if rng.random() < 0.2:
                title += " " + rng.choice(RARE)
            paragraphs = [
                " ".join(sentence() for _ in range(rng.randint(3, 5)))
                for _ in range(rng.randint(2, 3))
            ]
            body_html = "".join(f"<p>{p}</p>\n" for p in paragraphs)
            when = start + timedelta(seconds=rng.randrange(span))
            posts.append(
                Post(
                    title=title.capitalize(),
                    slug=f"post-{n}",
                    body="\n\n".join(paragraphs),
                    body_html=body_html,
                    status=Post.Status.PUBLISHED,
                    published_at=when,
                    updated_at=when,
                    created_at=when,
                    author=author,
                )
            )
            bodies.append(body_html)
        Post.objects.bulk_create(posts)
        links, documents = [], []
        for post, body_html in zip(posts, bodies, strict=True):
            tags = rng.sample(hashtags, rng.randint(1, 3))
            links += [Through(post_id=post.pk, hashtag_id=h.pk) for h in tags]
            documents.append(
                SearchDocument(
                    post_id=post.pk,
                    title=post.title,
                    tags=" ".join(h.name for h in tags),
                    body=plain_text(body_html),
                )
            )
        Through.objects.bulk_create(links)
        SearchDocument.objects.bulk_create(documents)
        backend.write([post.pk for post in posts])

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("VACUUM ANALYZE")


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
        _generate(count)
        print(f"  generated and indexed in {time.perf_counter() - began:.0f} s")
        timings = sorted(_time_queries())
        p50 = statistics.median(timings)
        p95 = timings[int(len(timings) * 0.95)]
        print(f"  {'all queries':52} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
        if connection.vendor != "sqlite":
            connection.creation.destroy_test_db(
                settings.DATABASES["default"]["NAME"], verbosity=0
            )
