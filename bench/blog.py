"""A generated blog for the benchmarks: posts of about 150 words drawn from the
word lists below, with hashtags, search documents and, when asked, approved
comments, all written with bulk_create so that 100,000 posts take minutes, not
hours.

Word frequencies fall off as in real text, so that some words are in most posts
and others in a handful (bench/search.py depends on that). Posts are numbered,
and post n is the same whichever call writes it, so a blog can be grown in
steps (bench/speed.py measures it at 1,000, then 10,000 posts).
"""

import random
from datetime import UTC, datetime, timedelta
from html import escape

BATCH = 2_000
FIRST_DAY = datetime(2010, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 15 * 365 * 24 * 3600  # 2010 to 2024: the generated posts' dates

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

SYLLABLES = (
    "bar cal den fin gor hal ken lom mar nor pel quin ros sel tor vin wen yar".split()
)
TAIL = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in ("", "by", "ton")]
VOCABULARY = LITTLE + COMMON + TAIL


# Small phrases that occur inside sentences now and then.
PHRASES = ["open crumb", "dark sky", "long walk", "warm loaf", "first light"]
WEIGHTS = [1 / (rank + 1) for rank in range(len(VOCABULARY))]


def _sentence(rng: random.Random) -> str:
    words = rng.choices(VOCABULARY, WEIGHTS, k=rng.randint(6, 14))
    if rng.random() < 0.15:
        words.insert(rng.randrange(len(words)), rng.choice(RARE))
    if rng.random() < 0.05:
        words.insert(rng.randrange(len(words)), rng.choice(PHRASES))
    return " ".join(words).capitalize() + "."


def add_posts(first: int, count: int, *, comments_per_post: int = 0) -> None:
    """Write generated posts number `first` to `first + count - 1`, published,
    each with one to three hashtags, its search document and
    `comments_per_post` approved comments."""
    from django.contrib.auth import get_user_model

    from gazette.comments.models import Comment
    from gazette.posts.models import Hashtag, Post
    from gazette.search.backends import get_backend
    from gazette.search.indexing import plain_text
    from gazette.search.models import SearchDocument

    author, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"email": "bench@example.org"}
    )
    hashtags = []
    for name in HASHTAGS:  # the demo blog may have some of them already
        found = Hashtag.objects.filter(key=Hashtag.make_key(name)).first()
        hashtags.append(found or Hashtag.objects.create(name=name))
    Through = Post.hashtags.through
    backend = get_backend()

    for batch in range(first, first + count, BATCH):
        posts, bodies, rngs, dates = [], [], [], []
        for n in range(batch, min(batch + BATCH, first + count)):
            # A generator per post: post n is the same in every run.
            rng = random.Random(20240324 + n)
            title = " ".join(rng.choices(COMMON, k=rng.randint(3, 7)))
            if rng.random() < 0.2:
                title += " " + rng.choice(RARE)
            paragraphs = [
                " ".join(_sentence(rng) for _ in range(rng.randint(3, 5)))
                for _ in range(rng.randint(2, 3))
            ]
            body_html = "".join(f"<p>{p}</p>\n" for p in paragraphs)
            when = FIRST_DAY + timedelta(seconds=rng.randrange(SPAN_SECONDS))
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
            rngs.append(rng)
            dates.append(when)
        Post.objects.bulk_create(posts)
        links, documents, comments = [], [], []
        for post, body_html, rng, when in zip(posts, bodies, rngs, dates, strict=True):
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
            for k in range(comments_per_post):
                text = " ".join(_sentence(rng) for _ in range(rng.randint(1, 3)))
                comments.append(
                    Comment(
                        post_id=post.pk,
                        author_name=f"Reader {rng.randrange(5000)}",
                        author_email=f"reader{k}@example.net",
                        body=text,
                        body_html=f"<p>{escape(text)}</p>",
                        status=Comment.Status.APPROVED,
                        created_at=when + timedelta(hours=k + 1),
                    )
                )
        Through.objects.bulk_create(links)
        SearchDocument.objects.bulk_create(documents)
        Comment.objects.bulk_create(comments, batch_size=BATCH)
        backend.write([post.pk for post in posts])


def finish() -> None:
    """Tidy the search index and give the query planner fresh statistics, as a
    long-running blog's database would have."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("VACUUM ANALYZE")
