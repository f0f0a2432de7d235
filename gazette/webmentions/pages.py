"""Reading remote pages for webmentions: the links a page holds, the endpoint it
advertises, and what its microformats2 markup says it is (a reply, a like, a
repost or a mention) and who wrote it.

Everything here works on a page already fetched (`gazette.lib.fetch`): nothing
in this module reaches the network, and mf2py is only ever given a document.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html
import mf2py  # type: ignore[import-untyped]
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from gazette.lib.fetch import Response

# The elements whose address counts as a link to the target (the Webmention
# Recommendation, 3.2.2: an <a href>, an image, a video...).
_LINKING = {
    "a": "href",
    "area": "href",
    "img": "src",
    "video": "src",
    "audio": "src",
    "source": "src",
}
# One entry of a Link header: <address>; parameters...
_LINK_ENTRY = re.compile(r"<([^>]*)>((?:\s*;\s*[^,;]+(?:=(?:\"[^\"]*\"|[^,;]*))?)*)")
_REL = re.compile(r";\s*rel\s*=\s*(?:\"([^\"]*)\"|([^\s;,]+))", re.IGNORECASE)


def same_address(a: str, b: str) -> bool:
    """Whether two absolute addresses name the same page: the scheme and host in
    any case, an empty path as "/", the fragment ignored."""
    return _normal(a) == _normal(b)


def _normal(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
        netloc = parts.netloc.lower()
    except ValueError:
        return url
    return urlunsplit(
        (parts.scheme.lower(), netloc, parts.path or "/", parts.query, "")
    )


def _document(html: str, base: str) -> lxml.html.HtmlElement | None:
    try:
        root = cast(lxml.html.HtmlElement, lxml.html.document_fromstring(html))
    except (lxml.etree.ParserError, ValueError):
        return None
    root.make_links_absolute(base, resolve_base_href=True, handle_failures="discard")
    return root


def links(html: str, base: str) -> list[str]:
    """The absolute addresses `html` (found at `base`) links to, in order."""
    root = _document(html, base)
    if root is None:
        return []
    found = []
    for element in root.iter(*_LINKING):
        value = element.get(_LINKING[str(element.tag)])
        if value:
            found.append(value.strip())
    return found


def links_to(page: Response, target: str) -> bool:
    """Whether the fetched `page` links to `target`: in its HTML, an element
    listed in _LINKING; in plain text, the address written out."""
    text = page.text()
    if page.content_type == "text/plain":
        return target in text
    return any(same_address(link, target) for link in links(text, page.url))


def endpoint(page: Response) -> str | None:
    """The webmention endpoint `page` advertises, as an absolute address: the
    first Link header with rel="webmention", else the first <link> or <a>
    element with that rel; relative addresses resolve against the page's own
    (after redirects). None when there is none."""
    for header in page.header_values("Link"):
        for address, parameters in _LINK_ENTRY.findall(header):
            for match in _REL.finditer(parameters):
                rels = (match.group(1) or match.group(2) or "").lower().split()
                if "webmention" in rels:
                    return urljoin(page.url, address.strip())
    if "html" not in page.content_type:
        return None
    try:
        root = lxml.html.document_fromstring(page.text())
    except (lxml.etree.ParserError, ValueError):
        return None
    for element in root.iter("link", "a"):
        rels = (element.get("rel") or "").lower().split()
        href = element.get("href")
        if "webmention" in rels and href is not None:
            base = root.find(".//base[@href]")
            page_base = (
                urljoin(page.url, base.get("href")) if base is not None else page.url
            )
            return urljoin(page_base, href.strip())
    return None


@dataclass
class Found:
    """What a source page says about the target."""

    kind: str  # Received.Kind's values
    author_name: str = ""
    author_url: str = ""
    author_photo: str = ""  # absolute, as found: the caller checks it
    text: str = ""
    published: datetime | None = None


def interpret(html: str, url: str, target: str) -> Found:
    """Read the h-entry of the page at `url` that concerns `target`: a reply
    (in-reply-to), a like (like-of), a repost (repost-of), or else a mention."""
    parsed = mf2py.parse(doc=html, url=url, html_parser="lxml")
    entries = list(_entries(parsed.get("items", [])))
    if not entries:
        return Found(kind="mention")
    entry = next((e for e in entries if _kind(e, target) != "mention"), entries[0])
    properties = entry.get("properties", {})
    name, author_url, photo = _author(properties, parsed)
    return Found(
        kind=_kind(entry, target),
        author_name=name,
        author_url=author_url,
        author_photo=urljoin(url, photo) if photo else "",
        text=_text(properties),
        published=_published(properties),
    )


def _entries(items: list) -> list[dict]:
    """Every h-entry, top-level ones first, then those nested inside items."""
    top = [i for i in items if "h-entry" in i.get("type", [])]
    nested = []
    for item in items:
        nested += _entries(item.get("children", []))
    return top + nested


def _urls(values: list) -> list[str]:
    """The addresses in a property: plain strings, or h-cites with a url."""
    found = []
    for value in values:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            found += [
                u
                for u in value.get("properties", {}).get("url", [])
                if isinstance(u, str)
            ]
            if isinstance(value.get("value"), str):
                found.append(value["value"])
    return found


def _kind(entry: dict, target: str) -> str:
    properties = entry.get("properties", {})
    for name, kind in (
        ("in-reply-to", "reply"),
        ("like-of", "like"),
        ("repost-of", "repost"),
    ):
        if any(same_address(u, target) for u in _urls(properties.get(name, []))):
            return kind
    return "mention"


def _author(properties: dict, parsed: dict) -> tuple[str, str, str]:
    """The entry's author (an h-card, a name or a URL), else the page's first
    h-card: name, address and photo (a string, or {"value", "alt"} from
    mf2py for an <img> with alt text)."""
    for author in properties.get("author", []):
        if isinstance(author, str):
            return (
                (author, "", "") if not author.startswith("http") else ("", author, "")
            )
        return _card(author.get("properties", {}))
    for item in parsed.get("items", []):
        if "h-card" in item.get("type", []):
            return _card(item.get("properties", {}))
    return "", "", ""


def _card(card: dict) -> tuple[str, str, str]:
    return _first(card.get("name")), _first(card.get("url")), _first(card.get("photo"))


def _first(values: list | None) -> str:
    for value in values or []:
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, dict) and isinstance(value.get("value"), str):
            return value["value"].strip()
    return ""


def _text(properties: dict) -> str:
    """The entry's words as plain text: its content, else summary, else name."""
    for name in ("content", "summary", "name"):
        if text := _first(properties.get(name)):
            return text
    return ""


def _published(properties: dict) -> datetime | None:
    """The entry's publication time, when it gives one that has passed."""
    value = _first(properties.get("published"))
    try:
        when = parse_datetime(value.replace(" ", "T")) if value else None
    except ValueError:
        return None
    if when is None:
        return None
    if timezone.is_naive(when):
        when = timezone.make_aware(when, UTC)
    return when if when <= timezone.now() else None
