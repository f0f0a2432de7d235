"""The editor's accessibility helper: plain-language notes on a body's HTML.

`check(html)` reads the rendered, sanitised body (what the preview shows and the
blog serves) and lists what could make it harder to read for someone using a
screen reader, finding their way by headings, or reading on a small screen:

- pictures without a description, or whose description is a file name;
- headings that skip a level (the post's title is the page's only level 1);
- links whose words say nothing about where they go ("click here"), or no words;
- very long paragraphs.

The notes are advice, never a gate: the editor shows them beside the preview and
once more when publishing, and nothing refuses to save or publish because of them.
The rules read HTML rather than Markdown so that imported HTML bodies and Markdown
ones are judged alike, by what readers actually get.
"""

import posixpath
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

LONG_PARAGRAPH_WORDS = 250

# Link words that only make sense to someone who can see what surrounds them.
VAGUE_LINK_TEXTS = frozenset(
    {"click here", "here", "read more", "this link", "link", "more", "click"}
)
# Trailing marks that do not change what a link says ("Read more…", "here!").
_LINK_PUNCTUATION = " \t\n.,:;!?…→»›>-–—"

# A description that is really a file name: "IMG_2041.jpg", "DSC01234", "photo-3".
_FILE_NAME_RE = re.compile(
    r"""^(
        [^\s/]+\.(jpe?g|png|gif|webp|avif|svg|heic|heif|tiff?|bmp)
        | (img|dsc[nf]?|pxl|dcim|screenshot|image|photo|picture)[\s_-]?\d[\d_-]*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_QUOTE_CHARS = 60


@dataclass(frozen=True)
class AccessibilityWarning:
    """One note for the author: what was found, where, and why it matters."""

    rule: str  # "image-description", "heading-level", "link-text", "long-paragraph"
    what: str  # a sentence naming the problem: "A picture has no description."
    where: str  # a short quote to find it by: a file name, a link's words
    why: str  # why it matters to readers, and how to fix it


def check(html: str, *, markdown: bool = False) -> list[AccessibilityWarning]:
    """The notes for a rendered body, in the order they appear in it.

    In HTML an empty description (alt="") marks a picture as decoration. A
    Markdown body has no other way to write a picture without one, and `![](…)`
    is far more often forgotten than meant, so for `markdown` bodies it is
    noted too, saying that decoration may stay as it is."""
    reader = _BodyReader(markdown=markdown)
    reader.feed(html)
    reader.close()
    return reader.warnings


def summary(warnings: list[AccessibilityWarning]) -> str:
    """One sentence naming every note, for the message shown after publishing:
    "2 things could be easier for every reader: a picture ...; a link ...".
    Empty when there is nothing to say."""
    if not warnings:
        return ""
    count = len(warnings)
    things = "1 thing" if count == 1 else f"{count} things"
    listed = "; ".join(_lower_first(w.what.rstrip(".")) for w in warnings)
    return (
        f"{things} could be easier for every reader: {listed}. "
        "The notes beside the preview say why and how to change "
        f"{'it' if count == 1 else 'them'}."
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _quote(text: str) -> str:
    """Text short enough to quote in a note, cut at a word."""
    text = " ".join(text.split())
    if len(text) <= _QUOTE_CHARS:
        return text
    return text[:_QUOTE_CHARS].rsplit(" ", 1)[0] + "…"


def _file_name(src: str) -> str:
    """The last part of an image's address, which its author knows it by."""
    path = unquote(urlsplit(src).path)
    return posixpath.basename(path.rstrip("/")) or src or "(no address)"


class _BodyReader(HTMLParser):
    """Walks the body once, collecting the text of the element each rule needs
    (the open link, paragraph or heading) and judging it when it closes."""

    def __init__(self, *, markdown: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.markdown = markdown
        self.warnings: list[AccessibilityWarning] = []
        # The post's title is the page's level 1 heading.
        self._heading_level = 1
        self._heading: tuple[int, list[str]] | None = None
        self._link: tuple[str, list[str]] | None = None
        self._paragraph: list[str] | None = None

    def _collecting(self) -> list[list[str]]:
        parts = [self._paragraph]
        parts.append(self._heading[1] if self._heading else None)
        parts.append(self._link[1] if self._link else None)
        return [part for part in parts if part is not None]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self._image(dict(attrs))
        elif tag == "a":
            self._end_link()
            self._link = (dict(attrs).get("href") or "", [])
        elif tag == "p":
            self._end_paragraph()
            self._paragraph = []
        elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self._heading = (int(tag[1]), [])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <img/> and <br/> never hold text: handled like their start tag alone.
        if tag == "img":
            self._image(dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._end_link()
        elif tag == "p":
            self._end_paragraph()
        elif self._heading and tag == f"h{self._heading[0]}":
            self._end_heading()

    def handle_data(self, data: str) -> None:
        for part in self._collecting():
            part.append(data)

    def close(self) -> None:
        super().close()
        self._end_link()
        self._end_paragraph()
        if self._heading:
            self._end_heading()

    def _warn(self, rule: str, what: str, where: str, why: str) -> None:
        self.warnings.append(AccessibilityWarning(rule, what, where, why))

    def _image(self, attrs: dict[str, str | None]) -> None:
        alt = attrs.get("alt")
        name = _file_name(attrs.get("src") or "")
        # A linked picture speaks for its link: its description is the link's text.
        if self._link and alt:
            self._link[1].append(f" {alt} ")
        if alt is None:
            self._warn(
                "image-description",
                "A picture has no description.",
                name,
                "Someone listening to the page hears nothing, or the file name, "
                "where the picture is. Describe what it shows in its alt text; "
                'if it is only decoration, give it an empty one (alt="").',
            )
        elif _FILE_NAME_RE.match(alt.strip()):
            self._warn(
                "image-description",
                "A picture's description is its file name.",
                alt.strip(),
                f"A screen reader reads out “{_quote(alt)}”, which says nothing "
                "about the picture. Write what it shows instead (in Markdown, "
                "between the square brackets).",
            )
        elif not alt.strip() and self.markdown:
            self._warn(
                "image-description",
                "A picture has no description.",
                name,
                "Someone listening to the page hears nothing where the picture "
                "is. Write what it shows between the square brackets: "
                "![what it shows](…). If it is only decoration, leave it as it is.",
            )
        # Otherwise an empty description marks a picture as decoration.

    def _end_link(self) -> None:
        if self._link is None:
            return
        href, parts = self._link
        self._link = None
        text = " ".join("".join(parts).split())
        if not text:
            self._warn(
                "link-text",
                "A link has no text.",
                _quote(href) or "(no address)",
                "It is announced as just “link”, or its address is spelled out. "
                "Put words inside it that say where it goes, or remove it.",
            )
        elif text.lower().strip(_LINK_PUNCTUATION) in VAGUE_LINK_TEXTS:
            self._warn(
                "link-text",
                f"A link says only “{_quote(text)}”.",
                f"{_quote(text)} → {_quote(href)}",
                "Screen reader users often jump from link to link and hear only "
                "their words, and everyone skims for links. Let the linked words "
                "say where it goes: “the ferry timetable” rather than “click here”.",
            )

    def _end_paragraph(self) -> None:
        if self._paragraph is None:
            return
        text = "".join(self._paragraph)
        self._paragraph = None
        words = text.split()
        if len(words) > LONG_PARAGRAPH_WORDS:
            self._warn(
                "long-paragraph",
                f"A paragraph is {len(words)} words long.",
                _quote(" ".join(words[:12])),
                "Long blocks of text are hard to keep one's place in, especially "
                "with dyslexia, with a magnifier or on a phone. Consider splitting "
                f"it where the thought turns (about {LONG_PARAGRAPH_WORDS} words "
                "at most).",
            )

    def _end_heading(self) -> None:
        assert self._heading is not None
        level, parts = self._heading
        self._heading = None
        above = self._heading_level
        self._heading_level = level
        if level <= above + 1:
            return
        text = _quote("".join(parts)) or "(empty heading)"
        if above == 1:
            self._warn(
                "heading-level",
                f"The first heading is level {level}, not 2.",
                text,
                "The title is the page's level 1 heading, so the text's headings "
                "start at level 2 (# in Markdown). People who move through a page "
                "by its headings take a missing level for a missing part.",
            )
        else:
            self._warn(
                "heading-level",
                f"A heading jumps from level {above} to level {level}.",
                text,
                "People who move through a page by its headings take a missing "
                f"level for a missing part. Use level {above + 1} here "
                f"({'#' * above} in Markdown).",
            )
