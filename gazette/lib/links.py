"""Addresses: whether a stranger's value is a web address at all, and addresses
inside stored, sanitised HTML, made absolute for feeds, and the first picture of
a post for link previews."""

import re
from html import unescape
from urllib.parse import urlsplit

# A start tag as the sanitiser writes it: attribute values always in double quotes
# (which may hold ">"), so a tag cannot end inside one.
_TAG_RE = re.compile(r'<([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>/"]+(?:="[^"]*")?)*)\s*/?>')
_ATTRIBUTE_RE = re.compile(r'(\s)([^\s=>/"]+)="([^"]*)"')
_URL_ATTRIBUTES = {"src", "href", "srcset"}


def web_address(value, *, max_length: int = 500) -> str:
    """`value` without surrounding spaces when it is an http or https address
    with a host and at most `max_length` characters long (500: the models'
    URLFields), else "". Whatever a stranger sent, however malformed (an
    unclosed "[" makes urlsplit raise), is only ever "not an address"."""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if len(value) > max_length:
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    return value


def _absolute(url: str, origin: str) -> str:
    return origin + url if url.startswith("/") and not url.startswith("//") else url


def absolute_urls(html: str, origin: str) -> str:
    """`html` with its root-relative src, href and srcset addresses made absolute.

    `origin` is the scheme and host, such as "https://blog.example.org".
    """

    def fix_attribute(match: re.Match) -> str:
        space, name, value = match.groups()
        if name.lower() not in _URL_ATTRIBUTES:
            return match.group(0)
        if name.lower() == "srcset":
            candidates = [c.strip() for c in value.split(",") if c.strip()]
            value = ", ".join(_absolute(c, origin) for c in candidates)
        else:
            value = _absolute(value, origin)
        return f'{space}{name}="{value}"'

    def fix_tag(match: re.Match) -> str:
        return _ATTRIBUTE_RE.sub(fix_attribute, match.group(0))

    return _TAG_RE.sub(fix_tag, html)


def first_image(html: str) -> dict[str, str] | None:
    """The first <img> in `html` as {"src", "srcset", "alt", "width", "height"},
    unescaped; srcset is "" when the picture has no smaller copies."""
    for match in _TAG_RE.finditer(html):
        if match.group(1).lower() != "img":
            continue
        attributes = {
            name.lower(): unescape(value)
            for _, name, value in _ATTRIBUTE_RE.findall(match.group(2))
        }
        if attributes.get("src"):
            return {
                key: attributes.get(key, "")
                for key in ("src", "srcset", "alt", "width", "height")
            }
    return None
