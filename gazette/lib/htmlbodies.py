"""Bodies written as HTML (imported from Blogger or WordPress): kept as HTML and
made safe with the same allow-list as Markdown bodies, plus what such bodies
need and nothing more.

What is handled deliberately, before the allow-list:

* inline styles are dropped, and the few that matter to layout become classes
  the theme knows (`text-align` -> `align-*`, `float` -> `float-*`, `clear`);
  pages keep a strict Content Security Policy, so no style attribute survives;
* `<iframe>`s stay only for the video hosts in `VIDEO_HOSTS` (https, no
  scripts beyond the player's own frame); any other becomes a plain link;
* `<div>`s, which Blogger uses for paragraphs, stay as blocks; `<br>`s stay as
  the author put them; headings are demoted like Markdown's (`<h1>` -> `<h2>`);
* `<font>`, `<center>` and other presentational wrappers keep their text only.
"""

import re
from html import escape
from urllib.parse import urlsplit

import nh3
from lxml import etree, html

from gazette.lib.markup import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CLASSES,
    ALLOWED_TAGS,
    URL_SCHEMES,
)

VIDEO_HOSTS = {
    "www.youtube.com",
    "youtube.com",
    "www.youtube-nocookie.com",
    "player.vimeo.com",
    "www.dailymotion.com",
}
LAYOUT_CLASSES = {
    ("text-align", "center"): "align-center",
    ("text-align", "right"): "align-right",
    ("text-align", "justify"): "align-justify",
    ("float", "left"): "float-left",
    ("float", "right"): "float-right",
    ("clear", "both"): "clear",
    ("clear", "left"): "clear",
    ("clear", "right"): "clear",
}
_LAYOUT = set(LAYOUT_CLASSES.values())
_LAYOUT_TAGS = ("p", "div", "span", "a", "img", "figure", "table", "td", "th", "h2")
HTML_TAGS = ALLOWED_TAGS | {"div", "iframe", "caption", "tfoot", "colgroup", "col"}
HTML_ATTRIBUTES = ALLOWED_ATTRIBUTES | {
    "iframe": {"src", "width", "height", "title", "allowfullscreen", "loading"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
}
# The Markdown classes (a.hashtag, figure.figure...) plus the layout ones.
HTML_CLASSES = {
    tag: ALLOWED_CLASSES.get(tag, set()) | (_LAYOUT if tag in _LAYOUT_TAGS else set())
    for tag in {*ALLOWED_CLASSES, *_LAYOUT_TAGS}
}


_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def is_video_embed(src: str) -> bool:
    try:
        parts = urlsplit(src.strip())
    except ValueError:
        return False
    return parts.scheme == "https" and parts.hostname in VIDEO_HOSTS


def sanitise_html_body(source: str) -> str:
    """An HTML body, safe to store and show: see the module's docstring."""
    if not source.strip():
        return ""
    # lxml's HTML parser keeps control characters that no element it makes
    # may hold (ValueError on replacing an iframe); HTML has no use for them.
    source = _CONTROL_CHARACTERS.sub("", source)
    return nh3.clean(
        _prepare(source),
        tags=HTML_TAGS,
        attributes=HTML_ATTRIBUTES,
        allowed_classes=HTML_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _prepare(source: str) -> str:
    """Styles to classes, iframes checked, headings demoted (lxml, no network)."""
    try:
        parser = html.HTMLParser(no_network=True, remove_comments=True)
        root = html.fragment_fromstring(source, create_parent="div", parser=parser)
    except (etree.ParserError, ValueError):
        return source  # nh3 alone still makes it safe
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if style := element.attrib.pop("style", None):
            _style_to_classes(element, style)
        if element.tag == "iframe":
            _check_iframe(element)
        elif element.tag == "h1":
            element.tag = "h2"
    inner = [html.tostring(child, encoding="unicode") for child in root]
    # The text before the first element is the parser's decoded text: written
    # out again as HTML, "&lt;b&gt;" would become a real <b>.
    return escape(root.text or "", quote=False) + "".join(inner)


def _style_to_classes(element, style: str) -> None:
    # Split, not a regex: r"\s*([a-z-]+)\s*:" tried from every letter of a
    # long run of them was quadratic.
    declarations = (part.partition(":") for part in style.lower().split(";"))
    found = [
        LAYOUT_CLASSES.get((name.strip(), value.strip()))
        for name, colon, value in declarations
        if colon
    ]
    wanted = [c for c in found if c]
    if wanted:
        classes = element.get("class", "").split() + wanted
        element.set("class", " ".join(dict.fromkeys(classes)))


def _check_iframe(element) -> None:
    src = element.get("src", "")
    if is_video_embed(src):
        element.set("loading", "lazy")
        element.set("title", element.get("title") or "Embedded video")
        return
    # Anything else is shown as a link to where it pointed.
    link = html.Element("a", href=src)
    link.text = src or "Embedded content"
    link.tail = element.tail
    element.getparent().replace(element, link)
