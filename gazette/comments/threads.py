"""Arranging approved comments into threads for the post page."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gazette.comments.models import Comment

MAX_DEPTH = 3  # replies deeper than this are shown flat at the last level


@dataclass
class Thread:
    comment: "Comment"
    replies: list["Thread"] = field(default_factory=list)


def comment_tree(comments, max_depth: int = MAX_DEPTH) -> list[Thread]:
    """Nest `comments` (one query) under their parents, oldest first.

    A reply whose parent is not among `comments` (held, spam) is shown at the top
    level, so an approved reply is never lost with its parent.
    """
    comments = list(comments)
    nodes = {c.pk: Thread(c) for c in comments}
    depth: dict[int, int] = {}
    roots: list[Thread] = []
    for comment in comments:
        parent_id = comment.parent_id
        # Walk up past the depth limit so deep replies join their level-3 ancestor.
        while parent_id in nodes and depth.get(parent_id, 0) >= max_depth - 1:
            parent_id = nodes[parent_id].comment.parent_id
        if parent_id in nodes:
            depth[comment.pk] = depth.get(parent_id, 0) + 1
            nodes[parent_id].replies.append(nodes[comment.pk])
        else:
            depth[comment.pk] = 0
            roots.append(nodes[comment.pk])
    return roots
