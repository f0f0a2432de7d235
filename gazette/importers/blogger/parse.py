"""Reading a Blogger backup into records: both generations of Blogger's export.

* the older one (an Atom feed): each entry's kind is a category in the
  `schemas.google.com/g/2005#kind` scheme (post, comment, page, settings,
  template); drafts carry `app:control/app:draft`; a comment names its post
  with `thr:in-reply-to` and the comment it answers with a `related` link;
* the 2018 one: `blogger:type` (POST, PAGE, COMMENT), `blogger:status` (LIVE,
  DRAFT, SOFT_TRASHED), `blogger:trashed`, `blogger:parent`, `blogger:inReplyTo`,
  `blogger:filename`, `blogger:metaDescription`, `blogger:location`.

Everything is streamed (`safexml`); bodies are kept as the HTML they were.
"""

import hashlib
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree, html

from gazette.importers import records, safexml
from gazette.importers.fetch import largest_size
from gazette.importers.htmltext import html_to_comment_text
from gazette.importers.records import Backup, ImportFailed

ATOM = "{http://www.w3.org/2005/Atom}"
APP = "{http://purl.org/atom/app#}"
THR = "{http://purl.org/syndication/thread/1.0}"
BLOGGER = "{http://schemas.google.com/blogger/2018}"
KIND_SCHEME = "http://schemas.google.com/g/2005#kind"
KIND_PREFIX = "http://schemas.google.com/blogger/2008/kind#"
LABEL_SCHEMES = ("http://www.blogger.com/atom/ns#",)
_ID_RE = re.compile(r"[.-](?:post|page|comment)-(\d+)$|-(\d+)$")

STATUS_2018 = {"LIVE": "published", "DRAFT": "draft", "SOFT_TRASHED": "trashed"}
COMMENT_STATUS_2018 = {
    "LIVE": "approved",
    "DRAFT": "held",
    "PENDING": "held",
    "SPAM": "spam",
    "SOFT_TRASHED": "trash",
    "DELETED": "trash",
}


def parse(path: Path) -> Backup:
    """The whole backup as records; ImportFailed names what is wrong."""
    backup, repairs = safexml.read(path, lambda recover: _parse(path, recover))
    backup.repaired[:0] = repairs
    _check(backup)
    return backup


def _parse(path: Path, recover: bool) -> Backup:
    backup = Backup(source="blogger")
    tags = (f"{ATOM}entry", f"{ATOM}title", f"{ATOM}subtitle")
    for element in safexml.iter_elements(path, tags, recover=recover):
        parent = element.getparent()
        if element.tag == f"{ATOM}entry":
            _read_entry(element, backup)
        elif parent is not None and parent.tag == f"{ATOM}feed":
            # The feed's own title and subtitle: the blog's, in the 2018 export.
            text = (element.text or "").strip()
            if element.tag == f"{ATOM}title" and not backup.title:
                backup.title = text
            elif element.tag == f"{ATOM}subtitle" and not backup.description:
                backup.description = text
    return backup


def _read_entry(entry, backup: Backup) -> None:
    fields = _fields(entry)
    entry_id = _text(fields, f"{ATOM}id")
    kind = _kind(entry, fields)
    if kind in ("settings", "template", "") or kind is None:
        if kind == "settings":
            _read_setting(fields, entry_id, backup)
        return
    try:
        if kind in ("post", "page"):
            record = _read_post(entry, fields, entry_id, kind)
            backup.entries.append(record)
            backup.images += images_in(record.body, record.ref)
            author = _author(fields)
            if author:
                backup.authors.setdefault(author.ref, author)
        elif kind == "comment":
            backup.comments.append(_read_comment(entry, fields, entry_id))
    except (ValueError, TypeError) as error:
        raise ImportFailed(str(error), entry_id or "an entry without an id") from error


def _kind(entry, fields: dict) -> str | None:
    """ "post", "page", "comment", "settings", "template", or None (unknown)."""
    typed = fields.get(f"{BLOGGER}type")
    if typed is not None:
        return (typed.text or "").strip().lower()
    for category in entry.iter(f"{ATOM}category"):
        if category.get("scheme") == KIND_SCHEME:
            return category.get("term", "").removeprefix(KIND_PREFIX)
    return None


def _read_setting(fields: dict, entry_id: str, backup: Backup) -> None:
    name = entry_id.rpartition(".settings.")[2]
    value = _text(fields, f"{ATOM}content")
    if name == "BLOG_NAME" and value:
        backup.title = value
    elif name == "BLOG_DESCRIPTION":
        backup.description = value


def _read_post(entry, fields: dict, entry_id: str, kind: str) -> records.Entry:
    number = _number(entry_id)
    status = "published"
    draft = entry.find(f"{APP}control/{APP}draft")
    if draft is not None and (draft.text or "").strip() == "yes":
        status = "draft"
    if f"{BLOGGER}status" in fields:
        status = STATUS_2018.get(_text(fields, f"{BLOGGER}status").upper(), "draft")
    if _text(fields, f"{BLOGGER}trashed"):
        status = "trashed"
    path = _text(fields, f"{BLOGGER}filename") or _path(_alternate(entry))
    labels = [
        c.get("term", "").strip()
        for c in entry.iter(f"{ATOM}category")
        if c.get("scheme") != KIND_SCHEME and c.get("term", "").strip()
    ]
    author = _author(fields)
    published = _time(_text(fields, f"{ATOM}published"))
    updated = _time(_text(fields, f"{ATOM}updated"))
    record = records.Entry(
        ref=f"blogger:{kind}-{number}",
        kind=kind,
        title=_text(fields, f"{ATOM}title") or "(untitled)",
        body=_text(fields, f"{ATOM}content"),
        status=status,
        published_at=published,
        updated_at=updated or published,
        author_ref=author.ref if author else "",
        hashtags=list(dict.fromkeys(labels)),
        excerpt=_text(fields, f"{BLOGGER}metaDescription"),
        slug=_slug_from_path(path),
    )
    if path and status == "published":
        record.old_paths.append(path)
    return record


def images_in(body: str, entry_ref: str) -> list[records.Image]:
    """The pictures a Blogger body shows: each <img>, at the largest size
    Blogger offers, with the link around it (usually the bigger copy), its alt
    text and the caption of Blogger's caption table when there is one."""
    if "<img" not in body:
        return []
    try:
        root = html.fragment_fromstring(
            body, create_parent="div", parser=html.HTMLParser(no_network=True)
        )
    except (etree.ParserError, ValueError):
        return []
    found = []
    for img in root.iter("img"):
        src = (img.get("src") or "").strip()
        if not src.startswith(("http://", "https://")):
            continue
        link = img.getparent()
        href = link.get("href", "") if link is not None and link.tag == "a" else ""
        best = largest_size(href if _looks_like_picture(href) else src)
        caption = ""
        cell = next(img.iterancestors("table"), None)
        if cell is not None and "tr-caption-container" in cell.get("class", ""):
            texts = cell.xpath(".//td[contains(@class, 'tr-caption')]//text()")
            caption = " ".join(t.strip() for t in texts if t.strip())
        found.append(
            records.Image(
                ref=f"blogger:image-{hashlib.sha256(best.encode()).hexdigest()[:24]}",
                url=best,
                alt_text=(img.get("alt") or "")[:300],
                caption=caption[:500],
                entry_ref=entry_ref,
                found_as=[u for u in dict.fromkeys((src, href)) if u and u != best],
            )
        )
    return found


def _looks_like_picture(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return url.startswith(("http://", "https://")) and (
        path.endswith((".jpg", ".jpeg", ".png", ".gif", ".webp"))
        or "googleusercontent.com" in url
    )


def _read_comment(entry, fields: dict, entry_id: str) -> records.Comment:
    number = _number(entry_id)
    post_ref = ""
    reply_to = fields.get(f"{THR}in-reply-to")
    if reply_to is not None:
        post_ref = _number(reply_to.get("ref", ""))
    parent_ref = ""
    for link in entry.iter(f"{ATOM}link"):
        if link.get("rel") == "related":
            parent_ref = link.get("href", "").rstrip("/").rpartition("/")[2]
    if (parent := _text(fields, f"{BLOGGER}parent")) and not post_ref:
        post_ref = _number(parent)
    if replied := _text(fields, f"{BLOGGER}inReplyTo"):
        parent_ref = _number(replied)
    if not post_ref:
        raise ValueError("a comment that names no post")
    status = "approved"
    if f"{BLOGGER}status" in fields:
        typed = _text(fields, f"{BLOGGER}status")
        status = COMMENT_STATUS_2018.get(typed.upper(), "held")
    author = fields.get(f"{ATOM}author")
    name = url = ""
    if author is not None:
        about = _fields(author)
        name = _text(about, f"{ATOM}name")
        url = _text(about, f"{ATOM}uri")
    created = _time(_text(fields, f"{ATOM}published"))
    comment = records.Comment(
        ref=f"blogger:comment-{number}",
        entry_ref=f"blogger:post-{post_ref}",
        parent_ref=f"blogger:comment-{parent_ref}" if parent_ref else "",
        name=(name or "Anonymous")[:100],
        # Blogger's placeholder profile links say nothing about the person.
        url=url
        if url.startswith(("http://", "https://")) and "blogger.com" not in url
        else "",
        body=html_to_comment_text(_text(fields, f"{ATOM}content")),
        created_at=created,
        status=status,
    )
    alternate = _alternate(entry)
    if "showComment=" in alternate:
        # "https://host/2019/03/walk.html?showComment=1553...#c9001" -> path?query
        address = alternate.partition("://")[2].partition("#")[0]
        comment.old_paths.append(unquote("/" + address.partition("/")[2]))
    return comment


def _author(fields: dict) -> records.Author | None:
    author = fields.get(f"{ATOM}author")
    if author is None:
        return None
    about = _fields(author)
    name = _text(about, f"{ATOM}name") or "Blogger author"
    uri = _text(about, f"{ATOM}uri")
    profile = uri.rstrip("/").rpartition("/")[2] if "blogger.com/profile" in uri else ""
    ref = f"blogger:profile-{profile}" if profile else f"blogger:name-{name}"
    email = _text(about, f"{ATOM}email")
    if email == "noreply@blogger.com":
        email = ""
    return records.Author(ref=ref[:200], name=name[:150], email=email)


def _alternate(entry) -> str:
    for link in entry.iter(f"{ATOM}link"):
        if link.get("rel") == "alternate":
            return link.get("href", "")
    return ""


def _path(url: str) -> str:
    """The path of a Blogger address, decoded, as requests will carry it."""
    if not url:
        return ""
    return unquote(urlsplit(url).path)


def _slug_from_path(path: str) -> str:
    """Blogger's own slug ("walk-on-ridge" from "/2019/03/walk-on-ridge.html"):
    shortened by Blogger, so the old address is kept as well."""
    name = path.rstrip("/").rpartition("/")[2]
    return name.removesuffix(".html")[:100]


def _number(value: str) -> str:
    """Blogger's id from "tag:blogger.com,1999:blog-1.post-456" -> "456"."""
    match = _ID_RE.search(value.strip())
    if not match:
        raise ValueError(f"not a Blogger id: {value[:80]!r}")
    return match.group(1) or match.group(2)


def _time(value: str) -> datetime | None:
    """An Atom time with its offset ("2019-03-24T09:30:00.000+01:00"), aware."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"a time without a time zone: {value!r}")
    return parsed


def _fields(element) -> dict:
    """An element's children by tag (the first of each), read once: looking each
    one up by path costs more than a backup of 100,000 entries can spare."""
    found: dict = {}
    for child in element:
        found.setdefault(child.tag, child)
    return found


def _text(fields: dict, tag: str) -> str:
    child = fields.get(tag)
    return (child.text or "").strip() if child is not None else ""


def _check(backup: Backup) -> None:
    """Every comment's post and parent are in the backup."""
    entries = {e.ref for e in backup.entries}
    comments = {c.ref for c in backup.comments}
    for comment in backup.comments:
        if comment.entry_ref not in entries:
            raise ImportFailed(
                "a comment on a post the file does not hold", comment.ref
            )
        if comment.parent_ref and comment.parent_ref not in comments:
            backup.repaired.append(
                f"{comment.ref}: replies to a comment not in the file; kept at the top"
            )
            comment.parent_ref = ""
