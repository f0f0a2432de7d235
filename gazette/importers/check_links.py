"""Replaying a backup's old addresses against the running site: each must end,
through permanent redirects, on the page (and comment) it used to show."""

import http.client
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from gazette.comments.models import Comment
from gazette.importers.records import Backup
from gazette.posts.models import Page, Post

MAX_HOPS = 5
TIMEOUT = 10


@dataclass
class Outcome:
    old: str
    expected: str
    landed: str
    status: int

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.landed == self.expected


def expected_addresses(backup: Backup) -> Iterator[tuple[str, str]]:
    """(old address, where it should end) for everything the blog shows now."""
    shown: dict[str, str] = {}
    for record in backup.entries:
        model = Post if record.kind == "post" else Page
        entry = model.objects.filter(import_ref=record.ref).first()
        if entry is None or not entry.is_visible or not record.old_paths:
            continue
        shown[record.ref] = entry.get_absolute_url()
        for path in record.old_paths:
            yield path, shown[record.ref]
            if "?" not in path:
                yield f"{path}?m=1", shown[record.ref]
    for old in backup.comments:
        if old.entry_ref not in shown or not old.old_paths:
            continue
        comment = Comment.objects.filter(import_ref=old.ref).first()
        if comment is not None and comment.status == Comment.Status.APPROVED:
            for path in old.old_paths:
                yield path, f"{shown[old.entry_ref]}#comment-{comment.pk}"


def follow(base: str, old: str) -> tuple[str, int]:
    """Where a GET of `old` ends (path and fragment), and its last status."""
    url = urljoin(base, quote(old, safe="/?=&%#+:"))
    fragment = ""
    for _ in range(MAX_HOPS):
        parts = urlsplit(url)
        connection_class = (
            http.client.HTTPSConnection
            if parts.scheme == "https"
            else http.client.HTTPConnection
        )
        connection = connection_class(parts.netloc, timeout=TIMEOUT)
        try:
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            connection.request("GET", target or "/")
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        if response.status in (301, 302, 303, 307, 308):
            location = response.getheader("Location", "")
            url = urljoin(url, location)
            fragment = urlsplit(url).fragment or fragment
            continue
        landed = urlsplit(url)
        path = landed.path + (f"?{landed.query}" if landed.query else "")
        return path + (f"#{fragment}" if fragment else ""), response.status
    return url, 310  # too many redirects


def check(backup: Backup, base: str) -> list[Outcome]:
    outcomes = []
    for old, expected in expected_addresses(backup):
        try:
            landed, status = follow(base, old)
        except OSError as error:
            landed, status = f"no answer: {error}", 0
        outcomes.append(Outcome(old, quote(expected, safe="/#?=&"), landed, status))
    return outcomes
