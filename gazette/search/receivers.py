"""What the search app does when posts change: keep the index in step.

Connected in `SearchConfig.ready()`; `gazette.posts.effects` lists it among what
follows a write.
"""

from gazette.posts.effects import posts_changed
from gazette.search.indexing import index_posts


def reindex(sender, posts, **kwargs) -> None:
    index_posts(posts)


def connect() -> None:
    posts_changed.connect(reindex, dispatch_uid="gazette.search.reindex")
