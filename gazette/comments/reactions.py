"""Likes and reposts of a post from other sites, one table whatever brought
them (gazette.webmentions, gazette.federation), counted under the post.

They change what the post's page shows, so each change moves the post's
version on once it commits; a reaction recorded twice (the same key) is one.
"""

from django.db import transaction
from django.db.models import Count

from gazette.comments.models import Reaction
from gazette.lib import pagecache

# Names shown beside the counts, at most: the count says how many in all.
NAMES_SHOWN = 12


@transaction.atomic
def record(
    post_id: int, kind: str, key: str, *, source: str, name: str = "", url: str = ""
) -> Reaction:
    reaction, _ = Reaction.objects.update_or_create(
        key=key[:500],
        defaults={
            "post_id": post_id,
            "kind": kind,
            "source": source,
            "author_name": name[:100],
            "author_url": url if len(url) <= 500 else "",
        },
    )
    pagecache.bump_on_commit(pagecache.post_version(post_id))
    return reaction


@transaction.atomic
def withdraw(key: str) -> bool:
    """Remove the reaction recorded under `key`; whether there was one."""
    found = Reaction.objects.filter(key=key[:500]).first()
    if found is None:
        return False
    found.delete()
    pagecache.bump_on_commit(pagecache.post_version(found.post_id))
    return True


def summary(post_id: int) -> dict:
    """{"likes": n, "reposts": n, "people": [the latest few, with names]} for
    the post's page; one query, and one more when there are any."""
    counts = dict(
        Reaction.objects.filter(post_id=post_id)
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    if not counts:
        return {"likes": 0, "reposts": 0, "people": []}
    people = list(
        Reaction.objects.filter(post_id=post_id)
        .exclude(author_name="")
        .order_by("-created_at")[:NAMES_SHOWN]
    )
    return {
        "likes": counts.get(Reaction.Kind.LIKE, 0),
        "reposts": counts.get(Reaction.Kind.REPOST, 0),
        "people": people,
    }
