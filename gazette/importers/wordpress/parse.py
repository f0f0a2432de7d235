"""Reading a WordPress export (WXR 1.0, 1.1 or 1.2) into records.

A WXR file is an RSS 2.0 channel with WordPress's own elements in the `wp:`
namespace, whose address names the version (`http://wordpress.org/export/1.2/`);
the version is read from the namespace the file's elements actually use.

* the channel: the blog's title and description, its authors (`wp:author`;
  WXR 1.0 has none, so an item's `dc:creator` login makes one);
* items of type post and page become entries; attachments become images (and
  feed `[gallery]`s); every other type (menu items, revisions, reusable
  blocks, a plugin's own types) is left out and counted;
* comments are nested in their item (`wp:comment`), with their parent's id.

Bodies are turned into the HTML WordPress showed (see `bodies.py`). Everything
is streamed (`safexml`); a body is converted once the whole file is read,
since a gallery names attachments that come later.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.utils.html import strip_tags

from gazette.importers import records, safexml
from gazette.importers.htmltext import html_to_comment_text
from gazette.importers.records import Backup, ImportFailed
from gazette.importers.wordpress.bodies import convert_body

NOT_WXR = "not a WordPress export (WXR) file"
WP_NAMESPACE_RE = re.compile(r"^\{(http://wordpress\.org/export/(\d+\.\d+)/)\}")
OTHER_NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
}
EXCERPT_NAMESPACE_RE = re.compile(r"^http://wordpress\.org/export/\d+\.\d+/excerpt/$")
ZERO_TIME = "0000-00-00 00:00:00"
_THUMBNAIL_RE = re.compile(
    r"(https?://[^\s\"'<>]+?)-\d+x\d+(\.(?:jpe?g|png|gif|webp))", re.I
)
_SCALED_RE = re.compile(r"-scaled(?=\.\w+$)", re.I)

STATUSES = {
    "publish": "published",
    "future": "published",  # with its future time: Gazette schedules it
    "draft": "draft",
    "pending": "draft",
    "private": "draft",
    "trash": "trashed",
}
CHANGED_STATUS = {
    "pending": "pending review on WordPress; imported as a draft",
    "private": "private on WordPress; imported as a draft",
}
COMMENT_STATES = {
    "1": "approved",
    "0": "held",
    "spam": "spam",
    "trash": "trash",
    "post-trashed": "trash",
}
TAG_DOMAINS = {"category", "post_tag", "tag"}  # "tag": WXR 1.0's name


@dataclass
class _Body:
    record: records.Entry
    post_id: str
    source: str


@dataclass
class _Reader:
    """One pass over the file; `read(recover)` may be called afresh by safexml."""

    path: Path
    backup: Backup = field(default_factory=lambda: Backup(source="wordpress"))
    version: str = ""
    wp: str = ""  # "{http://wordpress.org/export/1.2/}"
    prefix: str = ""  # the blog's own path, when it lived in a folder
    seen_channel: bool = False
    head_read: bool = False
    bodies: list[_Body] = field(default_factory=list)
    entry_refs: dict[str, str] = field(default_factory=dict)  # post id -> ref
    attachments: dict[str, records.Image] = field(default_factory=dict)
    attachment_parents: dict[str, str] = field(default_factory=dict)
    attachment_order: dict[str, tuple[int, int]] = field(default_factory=dict)
    reusable: dict[str, str] = field(default_factory=dict)  # wp_block id -> body
    left_out: Counter = field(default_factory=Counter)
    comments_left_out: int = 0
    pings: int = 0
    local_times: list[str] = field(default_factory=list)
    uncategorized: bool = False

    def read(self, recover: bool) -> Backup:
        elements = safexml.iter_elements(
            self.path, ("item", "channel"), recover=recover, depth=2
        )
        for element in elements:
            if element.tag == "channel":
                self.seen_channel = self._is_rss_channel(element)
                if not self.head_read:  # a blog with nothing in it
                    self._detect(list(element))
                    self._head(list(element))
            else:
                if not self.head_read:
                    head = list(element.itersiblings(preceding=True))[::-1]
                    self._detect([*head, element])
                    self._head(head)
                if not self.wp:
                    raise ImportFailed(NOT_WXR)
                self._item(element)
        if not self.seen_channel or not self.wp:
            raise ImportFailed(NOT_WXR)
        self._finish()
        return self.backup

    # The channel

    @staticmethod
    def _is_rss_channel(channel) -> bool:
        parent = channel.getparent()
        return parent is not None and parent.tag == "rss" and parent.getparent() is None

    def _head(self, elements: list) -> None:
        """What comes before the first item: the blog and its authors."""
        self.head_read = True
        for element in elements:
            name = self._name(element)
            text = (element.text or "").strip()
            if name == "title":
                self.backup.title = _plain(text)
            elif name == "description":
                self.backup.description = _plain(text)
            elif name == "link":
                self.prefix = unquote(urlsplit(text).path).rstrip("/")
            elif name == "wp:author":
                self._author(self._fields(element))

    def _detect(self, elements: list) -> None:
        """The WXR version: the namespace of the first `wp:` element used."""
        if self.wp:
            return
        for element in elements:
            for inner in element.iter():
                if isinstance(inner.tag, str) and (
                    match := WP_NAMESPACE_RE.match(inner.tag)
                ):
                    self.wp, self.version = f"{{{match[1]}}}", match[2]
                    return

    def _author(self, fields: "_Fields") -> None:
        login = fields.text("wp:author_login")
        if not login:
            return
        first = fields.text("wp:author_first_name")
        last = fields.text("wp:author_last_name")
        name = fields.text("wp:author_display_name") or f"{first} {last}".strip()
        ref = f"wordpress:author-{login}"[:200]
        email = fields.text("wp:author_email")
        self.backup.authors[ref] = records.Author(
            ref=ref,
            name=_plain(name or login)[:150],
            email=email if _is_email(email) else "",
        )

    # Items

    def _name(self, element) -> str:
        """ "title", "wp:post_id", "excerpt:encoded", "content:encoded",
        "dc:creator"; "" for a namespace this reader does not know."""
        tag = element.tag
        if not isinstance(tag, str):
            return ""
        if not tag.startswith("{"):
            return tag  # no namespace, or a prefix the file never declared
        namespace, _, local = tag[1:].partition("}")
        if f"{{{namespace}}}" == self.wp:
            return f"wp:{local}"
        if namespace in OTHER_NAMESPACES:
            return f"{OTHER_NAMESPACES[namespace]}:{local}"
        if EXCERPT_NAMESPACE_RE.match(namespace):
            return f"excerpt:{local}"
        return ""

    def _fields(self, element) -> "_Fields":
        found: dict[str, list] = {}
        for child in element:
            if name := self._name(child):
                found.setdefault(name, []).append(child)
        return _Fields(found)

    def _item(self, item) -> None:
        fields = self._fields(item)
        post_id = fields.text("wp:post_id")
        kind = fields.text("wp:post_type") or "post"
        if not post_id.isdigit():
            title = fields.text("title") or "an item without a title"
            raise ImportFailed("an item without a post id", title[:80])
        try:
            if kind in ("post", "page"):
                self._entry(fields, post_id, kind)
                return
            if kind == "attachment":
                self._attachment(fields, post_id)
            elif kind == "wp_block":
                self.reusable[post_id] = fields.text("content:encoded")
            self.left_out[kind] += 1
            self.comments_left_out += len(fields.all("wp:comment"))
        except ValueError as error:
            raise ImportFailed(str(error), f"wordpress:{kind}-{post_id}") from error

    def _entry(self, fields: "_Fields", post_id: str, kind: str) -> None:
        ref = f"wordpress:{kind}-{post_id}"
        wp_status = fields.text("wp:status")
        status = STATUSES.get(wp_status, "draft")
        if wp_status in CHANGED_STATUS:
            self.backup.repaired.append(f"{ref}: {CHANGED_STATUS[wp_status]}")
        elif wp_status not in STATUSES:
            self.backup.repaired.append(
                f"{ref}: status {wp_status or '(none)'!r} on WordPress; "
                "imported as a draft"
            )
        if fields.text("wp:post_password") and status == "published":
            status = "draft"
            self.backup.repaired.append(
                f"{ref}: password-protected on WordPress; imported as a draft"
            )
        meta = fields.meta()
        published = self._time(fields, "wp:post_date", ref)
        updated = self._time(fields, "wp:post_modified", ref, note=False)
        login = fields.text("dc:creator")
        author_ref = f"wordpress:author-{login}"[:200] if login else ""
        if login and author_ref not in self.backup.authors:
            self.backup.authors[author_ref] = records.Author(
                ref=author_ref, name=_plain(login)[:150]
            )
        slug = unquote(fields.text("wp:post_name"))
        if status == "trashed":
            wanted = meta.get("_wp_desired_post_slug", [])
            slug = wanted[0] if wanted else slug.removesuffix("__trashed")
        record = records.Entry(
            ref=ref,
            kind=kind,
            title=_plain(fields.text("title")) or "(untitled)",
            body="",
            status=status,
            published_at=published,
            updated_at=updated or published,
            author_ref=author_ref,
            hashtags=self._hashtags(fields),
            excerpt=_plain(fields.text("excerpt:encoded")),
            slug=slug[:100],
            comments_closed=fields.text("wp:comment_status") == "closed",
        )
        if status == "published":
            record.old_paths = self._old_paths(fields, post_id, kind, slug, meta)
        self.backup.entries.append(record)
        self.entry_refs[post_id] = ref
        self.bodies.append(_Body(record, post_id, fields.text("content:encoded")))
        self._comments(fields, ref)

    def _hashtags(self, fields: "_Fields") -> list[str]:
        """Categories and tags, by the name they were shown under. The default
        category ("Uncategorized") says nothing about a post and is left out."""
        names: dict[str, str] = {}
        for category in fields.all("category"):
            domain = category.get("domain") or "category"
            name = _plain(category.text or "").lstrip("#").strip()[:64]
            if domain not in TAG_DOMAINS or not name:
                continue
            nicename = category.get("nicename") or name.casefold()
            if domain == "category" and nicename == "uncategorized":
                self.uncategorized = True
                continue
            names.setdefault(name.casefold(), name)
        return list(names.values())

    def _old_paths(
        self, fields: "_Fields", post_id: str, kind: str, slug: str, meta: dict
    ) -> list[str]:
        """Where WordPress showed a published post or page: `/?p=12` (or
        `/?page_id=12`), its permalink, and its permalink under earlier slugs."""
        query = "page_id" if kind == "page" else "p"
        paths = [f"{self.prefix}/?{query}={post_id}"]
        link = urlsplit(fields.text("link"))
        path = unquote(link.path) or "/"
        if link.query:
            paths.append(f"{path}?{unquote(link.query)}")
        elif path.rstrip("/") != self.prefix:  # not the blog's front page
            paths.append(path)
            head, _, last = path.rstrip("/").rpartition("/")
            if slug and last == slug:
                ending = "/" if path.endswith("/") else ""
                for old in meta.get("_wp_old_slug", []):
                    paths.append(f"{head}/{unquote(old)}{ending}")
        return list(dict.fromkeys(paths))

    def _attachment(self, fields: "_Fields", post_id: str) -> None:
        meta = fields.meta()
        alt = meta.get("_wp_attachment_image_alt", [""])[0]
        url = fields.text("wp:attachment_url") or fields.text("guid")
        self.attachments[post_id] = records.Image(
            ref=f"wordpress:attachment-{post_id}",
            url=url,
            caption=_plain(fields.text("excerpt:encoded")),
            alt_text=_plain(alt),
            title=_plain(fields.text("title")),
        )
        parent = fields.text("wp:post_parent")
        if parent and parent != "0":
            self.attachment_parents[post_id] = parent
        order = fields.text("wp:menu_order")
        self.attachment_order[post_id] = (
            int(order) if order.lstrip("-").isdigit() else 0,
            int(post_id),
        )

    def _comments(self, fields: "_Fields", entry_ref: str) -> None:
        found = [self._fields(element) for element in fields.all("wp:comment")]
        ids = {c.text("wp:comment_id") for c in found}
        for comment in found:
            number = comment.text("wp:comment_id")
            if not number.isdigit():
                raise ValueError("a comment without an id")
            ref = f"wordpress:comment-{number}"
            parent = comment.text("wp:comment_parent")
            parent_ref = ""
            if parent and parent != "0":
                if parent in ids:
                    parent_ref = f"wordpress:comment-{parent}"
                else:
                    self.backup.repaired.append(
                        f"{ref}: replies to a comment not on its post; kept at the top"
                    )
            if comment.text("wp:comment_type") in ("pingback", "trackback"):
                self.pings += 1
            url = comment.text("wp:comment_author_url")
            email = comment.text("wp:comment_author_email")
            approved = comment.text("wp:comment_approved")
            name = _plain(comment.text("wp:comment_author")) or "Anonymous"
            self.backup.comments.append(
                records.Comment(
                    ref=ref,
                    entry_ref=entry_ref,
                    parent_ref=parent_ref,
                    name=name[:100],
                    body=html_to_comment_text(comment.text("wp:comment_content")),
                    created_at=self._time(comment, "wp:comment_date", ref),
                    status=COMMENT_STATES.get(approved, "held"),
                    email=email if _is_email(email) else "",
                    url=url if _is_web_address(url) else "",
                    ip=comment.text("wp:comment_author_IP") or None,
                )
            )

    def _time(
        self, fields: "_Fields", name: str, ref: str, *, note: bool = True
    ) -> datetime | None:
        """`name`_gmt as UTC; WordPress leaves that empty ("0000-00-00 ...")
        for drafts, and then the local time is all there is: read as UTC."""
        value = fields.text(f"{name}_gmt")
        if not value or value == ZERO_TIME:
            value = fields.text(name)
            if not value or value == ZERO_TIME:
                return None
            if note:
                self.local_times.append(ref)
        try:
            return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            raise ValueError(f"a time that cannot be read: {value[:40]!r}") from None

    # Once the whole file is read

    def _finish(self) -> None:
        backup = self.backup
        for post_id, image in self.attachments.items():
            image.entry_ref = self.entry_refs.get(
                self.attachment_parents.get(post_id, ""), ""
            )
            backup.images.append(image)
        for body in self.bodies:
            body.record.body = convert_body(
                body.source,
                ref=body.record.ref,
                gallery=partial(self._gallery, post_id=body.post_id),
                reusable=self.reusable,
                notes=backup.skipped,
            )
        self._thumbnails()
        if self.local_times:
            shown = ", ".join(self.local_times[:10])
            more = len(self.local_times) - 10
            backup.repaired.append(
                f"{_count(len(self.local_times), 'item')} without a UTC time on "
                f"WordPress (drafts, usually): local time read as UTC: {shown}"
                + (f" and {more} more" if more > 0 else "")
            )
        if self.pings:
            backup.repaired.append(
                "pingbacks and trackbacks kept as comments in the name of the site "
                f"that linked: {self.pings}"
            )
        if self.uncategorized:
            backup.skipped.append(
                'the default category "Uncategorized", not made a hashtag'
            )
        for kind, count in sorted(self.left_out.items()):
            if kind == "attachment":
                continue  # read as images
            backup.skipped.append(
                f"{_count(count, 'item')} of type {kind} (not posts or pages)"
            )
        if self.comments_left_out:
            backup.skipped.append(
                f"{_count(self.comments_left_out, 'comment')} on attachments and "
                "other items that are not posts or pages"
            )

    def _thumbnails(self) -> None:
        """The smaller copies of attachments that bodies show ("rail-300x200.jpg"
        for "rail.jpg"), so that fetching the picture moves them too."""
        sizes: dict[str, list[str]] = {}
        for body in self.bodies:
            for match in _THUMBNAIL_RE.finditer(body.record.body):
                found = sizes.setdefault(match[1] + match[2], [])
                if match[0] not in found:
                    found.append(match[0])
        for image in self.attachments.values():
            original = _SCALED_RE.sub("", image.url)  # WordPress 5.3's big ones
            image.found_as += [u for u in sizes.get(original, []) if u != image.url]

    def _gallery(self, ids: list[str], post_id: str) -> list[records.Image | str]:
        """The images a `[gallery]` shows: those it names, or the post's own
        attachments in their order; an id not in the file stays an id."""
        if not ids:
            own = [i for i, p in self.attachment_parents.items() if p == post_id]
            ids = sorted(own, key=lambda i: self.attachment_order[i])
        return [self.attachments.get(i, i) for i in ids]


@dataclass
class _Fields:
    """An element's children by short name ("wp:post_id")."""

    found: dict[str, list]

    def all(self, name: str) -> list:
        return self.found.get(name, [])

    def text(self, name: str) -> str:
        elements = self.found.get(name)
        return (elements[0].text or "").strip() if elements else ""

    def meta(self) -> dict[str, list[str]]:
        """`wp:postmeta` as {key: [values]}."""
        values: dict[str, list[str]] = {}
        for element in self.all("wp:postmeta"):
            key = value = ""
            for child in element:
                local = child.tag.rpartition("}")[2].rpartition(":")[2]
                if local == "meta_key":
                    key = (child.text or "").strip()
                elif local == "meta_value":
                    value = (child.text or "").strip()
            if key:
                values.setdefault(key, []).append(value)
        return values


def parse(path: Path) -> Backup:
    """The whole export as records; ImportFailed names what is wrong."""
    backup, repairs = safexml.read(path, lambda recover: _Reader(path).read(recover))
    backup.repaired[:0] = repairs
    return backup


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _plain(value: str) -> str:
    """Text WordPress kept with tags or entities ("Tides &amp; Times")."""
    return re.sub(r"\s+", " ", unescape(strip_tags(value))).strip()


def _is_email(value: str) -> bool:
    return bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value)) and len(value) <= 254


def _is_web_address(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https") and bool(parts.netloc) and len(value) <= 200
    )
