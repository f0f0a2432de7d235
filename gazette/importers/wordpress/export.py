"""Writing the blog as a WordPress export (WXR 1.2), so that it can move to
WordPress (Tools → Import → WordPress) or anything else that reads WXR.

What the file holds:

* the channel: the blog's title, description, address and language, and a
  `wp:author` for everyone who wrote a post or a page, and a `wp:tag` for every
  hashtag;
* an `item` for every post and page, in any state: published (`publish`),
  scheduled (`future`), draft, or in the trash (`trash`, with the state it had
  before in `_wp_trash_meta_status`, as WordPress keeps it). Posts and pages
  share WordPress's id space, so a page's `wp:post_id` comes after every post's;
* its hashtags as tags (`<category domain="post_tag">`), and its comments
  (`wp:comment`) with their state and the comment they answer.

Bodies are the stored, sanitised HTML (`body_html`), with root-relative
addresses made absolute against the blog's address, so that pictures and links
keep working from another host. Plain text (titles, excerpts, names) is written
HTML-escaped, as WordPress stores it. Every text is CDATA, a `]]>` in it split
across two sections, as WordPress writes it; characters XML cannot carry are
left out.

Rows are streamed (`iterator()`), each post's comments read alongside the posts
in one query, so a big blog needs no more memory than a small one.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.text import slugify
from lxml import etree

from gazette.comments.models import Comment
from gazette.importers.gazette.export import CHUNK, ExportFailed, _one_snapshot
from gazette.lib.links import absolute_urls
from gazette.posts.feeds import tag_uri, xml_text
from gazette.posts.models import Entry, Hashtag, Page, Post, Revision
from gazette.site.models import CommentPolicy, SiteSettings
from gazette.site.policy import effective_policy

WXR_VERSION = "1.2"
WP = "http://wordpress.org/export/1.2/"
NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": WP,
}
ZERO_TIME = "0000-00-00 00:00:00"  # WordPress's "no time set"
COMMENT_APPROVED: dict[str, str] = {
    Comment.Status.APPROVED: "1",
    Comment.Status.HELD: "0",
    Comment.Status.SPAM: "spam",
    Comment.Status.TRASH: "trash",
}


@dataclass
class WxrExported:
    """What the file holds, by kind."""

    counts: dict[str, int] = field(default_factory=dict)


def default_site_url() -> str:
    """The blog's address as settings know it: the first of ALLOWED_HOSTS that
    names one host, over https when GAZETTE_HTTPS is on."""
    scheme = "https" if getattr(settings, "HTTPS", False) else "http"
    for host in settings.ALLOWED_HOSTS:
        host = host.lstrip(".")
        if host and host != "*":
            return f"{scheme}://{host}"
    return f"{scheme}://localhost"


def export_wxr(out: Path | IO[bytes], *, site_url: str = "") -> WxrExported:
    """Write the blog as WXR 1.2 to `out`: a new file (written under another
    name and renamed once whole), or an open binary stream.

    `site_url` is the blog's address ("https://blog.example.org"); links, ids
    and the addresses in bodies are made absolute with it.
    """
    origin = _origin(site_url or default_site_url())
    if isinstance(out, Path):
        if out.exists():
            raise ExportFailed(f"{out} already exists; choose a new file name.")
        if not out.parent.is_dir():
            raise ExportFailed(f"{out.parent} is not a folder.")
        partial = out.with_name(f"{out.name}.partial")
        try:
            with partial.open("wb") as stream:
                exported = _write(stream, origin)
            os.replace(partial, out)
        finally:
            partial.unlink(missing_ok=True)
        return exported
    return _write(out, origin)


def _origin(site_url: str) -> str:
    parts = urlsplit(site_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ExportFailed(
            f"{site_url!r} is not the blog's address (such as https://blog.example.org)."
        )
    return f"{parts.scheme}://{parts.netloc}"


def _write(stream: IO[bytes], origin: str) -> WxrExported:
    site = SiteSettings.load()
    exported = WxrExported()
    with _one_snapshot(), timezone.override(site.tzinfo):
        # Ids read first: rows added while the export runs are left out, and a
        # page's id (after every post's) can never meet a post's.
        last_post = Post.objects.aggregate(last=Max("pk"))["last"] or 0
        last_page = Page.objects.aggregate(last=Max("pk"))["last"] or 0
        stream.write(b'<?xml version="1.0" encoding="UTF-8" ?>\n')
        with etree.xmlfile(stream, encoding="utf-8") as xf:
            out = _Out(xf)
            with xf.element("rss", {"version": "2.0"}, nsmap=NAMESPACES):
                out.newline(0)
                with xf.element("channel"):
                    authors = _channel(out, site, origin, last_post, exported)
                    writer = _Items(out, site, origin, authors, exported)
                    writer.posts(last_post)
                    writer.pages(last_post, last_page)
                    out.newline(0)
                out.newline(0)
    return exported


class _Out:
    """Elements written as they come, each on its own line, WordPress's way."""

    def __init__(self, xf):
        self.xf = xf

    def newline(self, depth: int) -> None:
        self.xf.write("\n" + "\t" * depth)

    def field(
        self,
        depth: int,
        tag: str,
        value: Any,
        attributes: dict[str, str] | None = None,
        *,
        cdata: bool = True,
    ) -> None:
        """`<tag>value</tag>`; text as CDATA unless `cdata` is off (numbers)."""
        self.newline(depth)
        text = xml_text("" if value is None else str(value))
        with self.xf.element(_tag(tag), attributes or {}):
            if cdata:
                self.xf.write(*_cdata(text))
            elif text:
                self.xf.write(text)

    def element(self, depth: int, tag: str):
        self.newline(depth)
        return self.xf.element(_tag(tag))


def _tag(name: str) -> str:
    """A short name ("wp:post_id") as lxml names it ("{http://...}post_id")."""
    prefix, _, local = name.rpartition(":")
    return f"{{{NAMESPACES[prefix]}}}{local}" if prefix else name


def _cdata(text: str) -> list[etree.CDATA]:
    """`text` as CDATA sections: each `]]>` ends one and starts the next
    (`]]]]><![CDATA[>`), as WordPress's `wxr_cdata` writes it."""
    parts = text.split("]]>")
    last = len(parts) - 1
    return [
        etree.CDATA((">" if i else "") + part + ("]]" if i < last else ""))
        for i, part in enumerate(parts)
    ]


def _plain(text: str) -> str:
    """Plain text as WordPress stores titles and names: HTML-escaped."""
    return escape(text or "", quote=False)


def _local(when: datetime | None, zone: tzinfo) -> str:
    return when.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if when else ZERO_TIME


def _gmt(when: datetime | None) -> str:
    return _local(when, UTC) if when else ZERO_TIME


def _nicename(name: str) -> str:
    """A term's slug as WordPress makes one: "C++ & knots" → "c-knots"."""
    return slugify(name) or quote(slugify(name, allow_unicode=True)).lower()


def _channel(
    out: _Out, site: SiteSettings, origin: str, last_post: int, exported: WxrExported
) -> dict[int, str]:
    """The blog, its authors and its tags; returns the authors' ids and logins."""
    out.field(1, "title", _plain(site.title), cdata=False)
    out.field(1, "link", origin, cdata=False)
    out.field(1, "description", _plain(site.description), cdata=False)
    out.field(1, "pubDate", format_datetime(timezone.now()), cdata=False)
    out.field(1, "language", site.html_lang, cdata=False)
    out.field(1, "wp:wxr_version", WXR_VERSION, cdata=False)
    out.field(1, "wp:base_site_url", origin, cdata=False)
    out.field(1, "wp:base_blog_url", origin, cdata=False)
    authors: dict[int, str] = {}
    creators = Page.objects.annotate(creator=_page_creator("author")).values("creator")
    User = get_user_model()
    users = (
        User.objects.filter(Q(posts__pk__lte=last_post) | Q(pk__in=creators))
        .distinct()
        .order_by("pk")
    )
    for user in users.iterator(chunk_size=CHUNK):
        authors[user.pk] = user.get_username()
        with out.element(1, "wp:author"):
            out.field(2, "wp:author_id", user.pk, cdata=False)
            out.field(2, "wp:author_login", user.get_username())
            out.field(2, "wp:author_email", user.email)
            name = user.get_full_name() or user.get_username()
            out.field(2, "wp:author_display_name", _plain(name))
            out.field(2, "wp:author_first_name", _plain(user.first_name))
            out.field(2, "wp:author_last_name", _plain(user.last_name))
            out.newline(1)
    exported.counts["authors"] = len(authors)
    count = 0
    for hashtag in Hashtag.objects.order_by("pk").iterator(chunk_size=CHUNK):
        with out.element(1, "wp:tag"):
            out.field(2, "wp:term_id", hashtag.pk, cdata=False)
            out.field(2, "wp:tag_slug", _nicename(hashtag.name))
            out.field(2, "wp:tag_name", _plain(hashtag.name))
            out.newline(1)
        count += 1
    exported.counts["hashtags"] = count
    out.field(1, "generator", "Gazette", cdata=False)
    return authors


def _page_creator(field_name: str) -> Subquery:
    """Who wrote a page's first revision: WordPress wants an author for a page,
    and Gazette keeps none but the revisions'."""
    first = Revision.objects.filter(page=OuterRef("pk"), author__isnull=False)
    return Subquery(first.order_by("created_at", "pk").values(field_name)[:1])


class _Items:
    def __init__(
        self,
        out: _Out,
        site: SiteSettings,
        origin: str,
        authors: dict[int, str],
        exported: WxrExported,
    ):
        self.out, self.site, self.origin = out, site, origin
        self.authors, self.exported = authors, exported
        self.host = urlsplit(origin).hostname or "localhost"
        self.now = timezone.now()
        exported.counts |= {"posts": 0, "pages": 0, "comments": 0}

    def posts(self, last_post: int) -> None:
        rows = (
            Post.objects.filter(pk__lte=last_post)
            .select_related("author")
            .prefetch_related("hashtags")
            .order_by("pk")
        )
        comments = _Peekable(
            Comment.objects.filter(post_id__lte=last_post)
            .order_by("post_id", "pk")
            .iterator(chunk_size=CHUNK)
        )
        for post in rows.iterator(chunk_size=CHUNK):
            own = []
            while (head := comments.peek()) is not None and head.post_id <= post.pk:
                next(comments)
                if head.post_id == post.pk:
                    own.append(head)
            policy = effective_policy(post, self.site)
            self._item(
                post,
                wp_id=post.pk,
                kind="post",
                creator=post.author.get_username(),
                excerpt=post.excerpt,
                comments_open=policy != CommentPolicy.CLOSED,
                hashtags=[h.name for h in post.hashtags.all()],
                comments=own,
            )
            self.exported.counts["posts"] += 1

    def pages(self, last_post: int, last_page: int) -> None:
        rows = (
            Page.objects.filter(pk__lte=last_page)
            .annotate(creator_login=_page_creator("author__username"))
            .order_by("pk")
        )
        for page in rows.iterator(chunk_size=CHUNK):
            self._item(
                page,
                wp_id=last_post + page.pk,
                kind="page",
                creator=getattr(page, "creator_login", None) or "",
                menu_order=page.position,
            )
            self.exported.counts["pages"] += 1

    def _item(
        self,
        entry: Entry,
        *,
        wp_id: int,
        kind: str,
        creator: str,
        excerpt: str = "",
        comments_open: bool = False,
        hashtags: list[str] | None = None,
        comments: list[Comment] | None = None,
        menu_order: int = 0,
    ) -> None:
        out, zone = self.out, self.site.tzinfo
        with out.element(1, "item"):
            out.field(2, "title", _plain(entry.title))
            out.field(2, "link", self.origin + entry.get_absolute_url(), cdata=False)
            if entry.published_at:
                out.field(
                    2, "pubDate", format_datetime(entry.published_at), cdata=False
                )
            out.field(2, "dc:creator", creator)
            out.field(
                2,
                "guid",
                tag_uri(self.host, entry.created_at, f"{kind}/{entry.pk}"),
                {"isPermaLink": "false"},
                cdata=False,
            )
            out.field(2, "description", "", cdata=False)
            body = absolute_urls(entry.body_html, self.origin)
            out.field(2, "content:encoded", body)
            out.field(2, "excerpt:encoded", _plain(excerpt))
            out.field(2, "wp:post_id", wp_id, cdata=False)
            out.field(2, "wp:post_date", _local(entry.published_at, zone))
            out.field(2, "wp:post_date_gmt", _gmt(entry.published_at))
            out.field(2, "wp:post_modified", _local(entry.updated_at, zone))
            out.field(2, "wp:post_modified_gmt", _gmt(entry.updated_at))
            out.field(2, "wp:comment_status", "open" if comments_open else "closed")
            out.field(2, "wp:ping_status", "closed")
            out.field(2, "wp:post_name", quote(entry.slug).lower())
            status = self._status(entry)
            out.field(2, "wp:status", "trash" if entry.trashed_at else status)
            out.field(2, "wp:post_parent", 0, cdata=False)
            out.field(2, "wp:menu_order", menu_order, cdata=False)
            out.field(2, "wp:post_type", kind)
            out.field(2, "wp:post_password", "")
            out.field(2, "wp:is_sticky", 0, cdata=False)
            for name in hashtags or []:
                attributes = {"domain": "post_tag", "nicename": _nicename(name)}
                out.field(2, "category", _plain(name), attributes)
            if entry.trashed_at:
                # What WordPress keeps to take an entry out of the trash again.
                self._meta("_wp_trash_meta_status", status)
                self._meta("_wp_trash_meta_time", int(entry.trashed_at.timestamp()))
            for comment in comments or []:
                self._comment(comment)
            out.newline(1)

    def _status(self, entry: Entry) -> str:
        """publish, future or draft: what the entry is, trash aside."""
        if entry.status == Entry.Status.DRAFT or entry.published_at is None:
            return "draft"
        return "future" if entry.published_at > self.now else "publish"

    def _meta(self, key: str, value: Any) -> None:
        with self.out.element(2, "wp:postmeta"):
            self.out.field(3, "wp:meta_key", key)
            self.out.field(3, "wp:meta_value", value)
            self.out.newline(2)

    def _comment(self, comment: Comment) -> None:
        out, zone = self.out, self.site.tzinfo
        with out.element(2, "wp:comment"):
            out.field(3, "wp:comment_id", comment.pk, cdata=False)
            out.field(3, "wp:comment_author", _plain(comment.author_name))
            out.field(3, "wp:comment_author_email", comment.author_email)
            out.field(3, "wp:comment_author_url", comment.author_url)
            out.field(3, "wp:comment_author_IP", comment.ip_address or "")
            out.field(3, "wp:comment_date", _local(comment.created_at, zone))
            out.field(3, "wp:comment_date_gmt", _gmt(comment.created_at))
            out.field(3, "wp:comment_content", comment.body_html)
            approved = COMMENT_APPROVED.get(comment.status, "0")
            out.field(3, "wp:comment_approved", approved)
            out.field(3, "wp:comment_type", "comment")
            out.field(3, "wp:comment_parent", comment.parent_id or 0, cdata=False)
            user = comment.user_id if comment.user_id in self.authors else 0
            out.field(3, "wp:comment_user_id", user, cdata=False)
            out.newline(2)
        self.exported.counts["comments"] += 1


class _Peekable:
    """An iterator whose next row can be looked at first."""

    _END: Any = object()

    def __init__(self, rows: Iterator[Comment]):
        self.rows = rows
        self.head: Any = self._END

    def peek(self) -> Comment | None:
        if self.head is self._END:
            self.head = next(self.rows, None)
        return self.head

    def __iter__(self) -> "_Peekable":
        return self

    def __next__(self) -> Comment:
        found = self.peek()
        if found is None:
            raise StopIteration
        self.head = self._END
        return found
