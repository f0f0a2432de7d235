"""Addresses inside stored, sanitised HTML: made absolute for feeds, and the first
picture of a post for link previews."""

import re
from html import unescape

# A start tag as the sanitiser writes it: attribute values always in double quotes
# (which may hold ">"), so a tag cannot end inside one.
_TAG_RE = re.compile(r'<([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>/"]+(?:="[^"]*")?)*)\s*/?>')
_ATTRIBUTE_RE = re.compile(r'(\s)([^\s=>/"]+)="([^"]*)"')
_URL_ATTRIBUTES = {"src", "href", "srcset"}


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
