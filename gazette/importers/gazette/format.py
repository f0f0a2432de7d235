"""What the writer and the reader of Gazette's own export format agree on: its
name, its version, its files and how a time is written. The format itself is
described in docs/export-format.md."""

from datetime import UTC, datetime

FORMAT = "gazette-export"
# The major version. Adding a field or a file keeps it (readers ignore what they
# do not know); removing one or changing what one means raises it, and a reader
# refuses a version it does not know.
VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"

# Each kind of row and its file, in the order a reader loads them: everything a
# row refers to comes before it.
FILES = {
    "settings": "settings.jsonl",
    "authors": "authors.jsonl",
    "hashtags": "hashtags.jsonl",
    "images": "images.jsonl",
    "pages": "pages.jsonl",
    "posts": "posts.jsonl",
    "revisions": "revisions.jsonl",
    "comments": "comments.jsonl",
    "old_addresses": "old_addresses.jsonl",
}


def iso(when: datetime | None) -> str | None:
    """A time as ISO 8601 in UTC, to the microsecond: "2026-03-01T09:30:00.250000Z"."""
    if when is None:
        return None
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """The time `iso` wrote (any ISO 8601 time with an offset); ValueError if it
    is not one or has no offset."""
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone offset")
    return when.astimezone(UTC)
