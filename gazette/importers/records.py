"""What an importer reads from a backup, before anything is written: plain
dataclasses, the same for every source, which `load.py` writes."""

from dataclasses import dataclass, field
from datetime import datetime


class ImportFailed(Exception):
    """The file cannot be imported; nothing was written. Names the entry."""

    def __init__(self, reason: str, entry: str = ""):
        super().__init__(f"{entry}: {reason}" if entry else reason)
        self.reason = reason
        self.entry = entry


@dataclass
class Author:
    ref: str  # "blogger:profile-123", "wordpress:author-2"
    name: str
    email: str = ""
    url: str = ""


@dataclass
class Entry:
    """A post or a page as the old blog had it."""

    ref: str  # "blogger:post-456": the import_ref, which makes imports idempotent
    kind: str  # "post" or "page"
    title: str
    body: str
    body_format: str = "html"
    status: str = "published"  # "published", "draft" or "trashed"
    published_at: datetime | None = None
    updated_at: datetime | None = None
    author_ref: str = ""
    hashtags: list[str] = field(default_factory=list)
    excerpt: str = ""
    slug: str = ""  # wanted; made unique when taken
    # Addresses the entry had (paths with any query: "/2019/03/walk.html").
    old_paths: list[str] = field(default_factory=list)
    comments_closed: bool = False


@dataclass
class Comment:
    ref: str  # "blogger:comment-789"
    entry_ref: str
    name: str
    body: str  # plain text with a little Markdown, as the comment form takes
    created_at: datetime | None = None
    status: str = "approved"  # "approved", "held", "spam" or "trash"
    parent_ref: str = ""
    email: str = ""
    url: str = ""
    ip: str | None = None
    # Old addresses of this comment ("/2019/03/walk.html?showComment=155..."):
    # answered through its post's old address, checked by check_links.
    old_paths: list[str] = field(default_factory=list)


@dataclass
class Image:
    """A picture the old blog had: an attachment (WordPress) or an image in a
    body (Blogger). Stays at its old address unless the import fetches it."""

    ref: str  # "wordpress:attachment-55", "blogger:image-<hash>"
    url: str
    caption: str = ""
    alt_text: str = ""
    title: str = ""
    entry_ref: str = ""  # the post it belongs to, when the source says
    # Other addresses in bodies that show this picture (a thumbnail of it, a
    # link to it); fetching rewrites them too.
    found_as: list[str] = field(default_factory=list)


@dataclass
class Backup:
    source: str  # "blogger", "wordpress" or "gazette"
    title: str = ""
    description: str = ""
    authors: dict[str, Author] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    # Addresses that lead somewhere other than one entry: (old path, new path).
    redirects: list[tuple[str, str]] = field(default_factory=list)
    # What the reader repaired or left out, with the reason, for the report.
    repaired: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
