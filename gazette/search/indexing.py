"""Keeping the search index in step with what is published.

`gazette.posts.effects.posts_changed` (sent by the writing functions inside
their transaction) reaches `index_posts` through `receivers.py`, so the index
follows publishing, editing, unpublishing and trashing at once, or not at all
when the save rolls back.
"""

import re
import unicodedata
from html import unescape

from django.db import router, transaction
from django.db.models import prefetch_related_objects
from django.utils.html import strip_tags

from gazette.posts.models import Post
from gazette.search.backends import get_backend, strip_markers
from gazette.search.models import SearchDocument
from gazette.site.models import SiteSettings

_BLOCK_END_RE = re.compile(r"</(p|li|h[1-6]|blockquote|pre|td|th|figcaption)>")
# A picture's credit ("Photo: ...") says nothing about the post.
_CREDIT_RE = re.compile(r'<small class="credit">.*?</small>', re.DOTALL)


def plain_text(html: str) -> str:
    """The words of stored HTML, without tags, entities or match markers."""
    html = _BLOCK_END_RE.sub(r"</\1> ", _CREDIT_RE.sub(" ", html))
    text = unescape(strip_tags(html))
    text = unicodedata.normalize("NFC", strip_markers(text))
    return re.sub(r"\s+", " ", text).strip()


def document_fields(post: Post) -> dict:
    """What is indexed for `post`. Reads post.hashtags."""
    return {
        "title": unicodedata.normalize("NFC", strip_markers(post.title)),
        "tags": " ".join(h.name for h in post.hashtags.all()),
        "body": plain_text(post.body_html),
    }


def index_posts(posts: list[Post]) -> None:
    """Add, refresh or drop each post's row, whichever its state calls for.

    Scheduled posts are indexed ahead of time (`Post.is_public`), because every
    search goes through Post.objects.visible(), which decides whether their time
    has come.
    """
    using = router.db_for_write(SearchDocument)
    documents = SearchDocument.objects.using(using)
    # Rows are written afresh, a thousand posts (an import) in a few queries.
    documents.filter(pk__in=[p.pk for p in posts]).delete()
    kept = [p for p in posts if p.is_public]
    prefetch_related_objects(kept, "hashtags")
    documents.bulk_create(
        [SearchDocument(post=post, **document_fields(post)) for post in kept],
        batch_size=500,
    )
    if kept:
        get_backend(using).write([p.pk for p in kept])


@transaction.atomic
def rebuild(batch_size: int = 500) -> int:
    """Index every post again from scratch; returns how many are indexed."""
    using = router.db_for_write(SearchDocument)
    SearchDocument.objects.using(using).all().delete()
    posts = (
        Post.objects.using(using).public().prefetch_related("hashtags").order_by("pk")
    )
    count = 0
    documents = []
    for post in posts.iterator(chunk_size=batch_size):
        documents.append(SearchDocument(post=post, **document_fields(post)))
        if len(documents) >= batch_size:
            SearchDocument.objects.using(using).bulk_create(documents)
            count += len(documents)
            documents = []
    SearchDocument.objects.using(using).bulk_create(documents)
    count += len(documents)
    get_backend(using).rebuild(SiteSettings.load().language)
    return count
