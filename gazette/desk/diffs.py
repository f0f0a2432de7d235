"""Line differences between two revisions, as plain text for the template to
escape: nothing here is ever marked safe."""

import difflib

from gazette.posts.models import Revision

FIELDS = (
    ("Title", "title"),
    ("Address", "slug"),
    ("Hashtags", "hashtags"),
    ("Excerpt", "excerpt"),
    ("Text", "body"),
)
KINDS = {"@": "hunk", "+": "added", "-": "removed"}


def diff_revisions(old: Revision, new: Revision) -> list[dict]:
    """For each field that changed: its label and (kind, line) pairs, where kind
    is "added", "removed", "same" or "hunk" (a "@@ -1,3 +1,4 @@" header)."""
    changes = []
    for label, name in FIELDS:
        before = getattr(old, name).splitlines()
        after = getattr(new, name).splitlines()
        if before == after:
            continue
        lines = [
            (KINDS.get(line[:1], "same"), line)
            for line in difflib.unified_diff(before, after, lineterm="", n=2)
            if not line.startswith(("---", "+++"))
        ]
        changes.append({"label": label, "lines": lines})
    return changes
