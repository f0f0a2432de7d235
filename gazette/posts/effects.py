"""What follows a write to a post, a page or an image: read this module to know
what publishing, editing, unpublishing or trashing does beyond the save.

The write functions in `writing.py` call `entry_written` once per write, inside
their transaction, with what readers could see before and after. From that:

1. the page cache: only the versions readers can see change are bumped, once
   the transaction commits (see `versions_to_bump`); a draft's autosave bumps
   nothing;
2. `posts_changed` is sent, for posts that are or were public, and heard by:
   * `gazette.search.receivers`: keeps the full-text index in step, in the same
     transaction;
   * `gazette.webmentions.receivers`: once the transaction commits, queues
     webmentions to the pages the posts link to (never for a bulk write);
   * `gazette.federation.receivers`: likewise queues the posts' delivery to
     fediverse followers.

Inside `bulk_writes()` (an import) both wait for the end of the block and then
happen once, for everything written in it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal

from gazette.lib import pagecache
from gazette.lib.pagecache import LISTINGS, SITE, Version
from gazette.posts.models import Entry, Post

# Sent with `posts` (a list) after posts that are or were public changed, inside
# the writing transaction, and `bulk`: True at the end of `bulk_writes()` (an
# import, the demo). Receivers are listed in this module's docstring.
posts_changed = Signal()


@dataclass(frozen=True)
class Seen:
    """What readers can see of an entry: two equal Seens mean no visible change.

    `placement` is what decides where the entry is listed (the home page and
    archives, hashtag pages, the sidebar); `content` is what its own page and its
    place in a listing show; `name` is how other posts' pages link to a post
    (newer, older and related posts: its title and address).
    """

    is_public: bool
    placement: tuple
    content: tuple
    name: tuple = ()


def seen(entry: Entry) -> Seen:
    """Reads post.hashtags for a post."""
    if isinstance(entry, Post):
        hashtags = tuple(sorted(h.key for h in entry.hashtags.all()))
        placement: tuple = (entry.published_at, hashtags)
        content: tuple = (entry.title, entry.slug, entry.body_html, entry.excerpt)
        content += (entry.comment_policy, entry.author_id)
    else:
        # A page is listed in the sidebar by its title, address and position;
        # its publish time decides when it appears.
        placement = (entry.title, entry.slug, getattr(entry, "position", 0))
        placement += (entry.published_at,)
        content = (entry.body_html,)
        return Seen(entry.is_public, placement, content)
    return Seen(entry.is_public, placement, content, (entry.title, entry.slug))


def own_version(entry: Entry) -> Version:
    if isinstance(entry, Post):
        return pagecache.post_version(entry.pk)
    return pagecache.page_version(entry.pk)


def versions_to_bump(entry: Entry, before: Seen | None, after: Seen) -> set[Version]:
    """The cache versions a change from `before` to `after` makes stale.

    Nothing while the entry stays out of readers' sight (a draft, or its
    autosave); its own version when only its text changed; the site (the
    sidebar) and the listings too when it appears, goes, or moves; the
    listings when a post is renamed (other posts' pages link to it).
    """
    was_public = before is not None and before.is_public
    if not was_public and not after.is_public:
        return set()
    if before is None or was_public != after.is_public:
        return {SITE, LISTINGS, own_version(entry)}
    bumped = set()
    if before.placement != after.placement:
        bumped |= {SITE, LISTINGS} if isinstance(entry, Post) else {SITE}
    if before.name != after.name:  # other posts' pages link to it by name
        bumped.add(LISTINGS)
    if bumped or before.content != after.content:
        bumped.add(own_version(entry))
    return bumped


# The posts written inside `bulk_writes()`, indexed once at its end.
_batch: ContextVar[dict[int, Post] | None] = ContextVar(
    "gazette_posts_batch", default=None
)


def entry_written(entry: Entry, before: Seen | None) -> None:
    """Do what follows a write to `entry`; `before` is `seen(entry)` before it
    (None for a new entry)."""
    if before is None:  # new: it shows everywhere at once, if it shows at all
        versions = {SITE, LISTINGS, own_version(entry)} if entry.is_public else set()
    else:
        versions = versions_to_bump(entry, before, seen(entry))
    if not versions:
        return
    pagecache.bump_on_commit(*versions)
    if isinstance(entry, Post):
        batch = _batch.get()
        if batch is not None:
            batch[entry.pk] = entry
        else:
            posts_changed.send(sender=Post, posts=[entry], bulk=False)


@contextmanager
def bulk_writes() -> Iterator[None]:
    """Write many entries (and their comments) in one transaction with the side
    effects done once, at the end: one index update for all the posts and one
    cache bump."""
    if _batch.get() is not None:  # already in one: the outer block finishes it
        yield
        return
    batch: dict[int, Post] = {}
    token = _batch.set(batch)
    try:
        with transaction.atomic(), pagecache.bumps_collected():
            yield
            if batch:
                posts_changed.send(sender=Post, posts=list(batch.values()), bulk=True)
    finally:
        _batch.reset(token)
