"""Small text helpers: slugs and excerpts."""

import re
from html.parser import HTMLParser

from django.utils.text import Truncator, slugify


def unique_slug(title: str, taken, max_length: int = 100) -> str:
    """A slug from `title` that `taken(slug)` says is free: "my-post", "my-post-2"..."""
    base = slugify(title, allow_unicode=True)[:max_length].strip("-") or "post"
    slug, n = base, 1
    while taken(slug):
        n += 1
        suffix = f"-{n}"
        slug = base[: max_length - len(suffix)] + suffix
    return slug


def excerpt_from_html(html: str, words: int = 40) -> str:
    """Plain-text opening of rendered HTML, for listings and descriptions.

    Figures are left out: a caption read out of context makes no sense. Where a
    paragraph, heading, list item or line ends without punctuation of its own,
    a full stop is put in, so that a list reads "…in daylight. Check the
    tripod…" rather than running its items together into one sentence.
    """
    reader = _ExcerptReader()
    # Only the opening is wanted: a long post is read a piece at a time, and
    # reading stops once there are more words than the excerpt keeps.
    for start in range(0, len(html), _PIECE):
        reader.feed(html[start : start + _PIECE])
        if reader.words > words:
            break
    else:
        reader.close()
    text = re.sub(r"\s+", " ", "".join(reader.parts)).strip()
    # "…in daylight.…" reads as a typo: a cut after a stop shows the ellipsis only.
    return re.sub(r"[.,;:]…$", "…", Truncator(text).words(words, truncate="…"))


# Elements whose end also ends a sentence, and elements whose end is only a gap
# between words (table cells are more like words than sentences).
_SENTENCE_ENDS = frozenset(
    "p li h1 h2 h3 h4 h5 h6 blockquote pre figcaption caption dt dd div br hr"
    " section article aside header footer address".split()
)
_WORD_GAPS = frozenset("td th tr table ul ol dl".split())
_PIECE = 2048
_LEFT_OUT = frozenset({"figure", "script", "style", "template"})
_CLOSING_MARKS = "\"')]}»”’"
_SENTENCE_PUNCTUATION = ".!?…:;,"


class _ExcerptReader(HTMLParser):
    """Collects the text of HTML, with a break wherever a block ends.

    A break is only written when more words follow it, so the excerpt never
    gains a stop at its very end that the author did not write.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.left_out_depth = 0
        self.pending: str | None = None  # None, "gap" or "sentence"
        self.words = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _LEFT_OUT:
            self.left_out_depth += 1
        else:
            # An opening block starts a new sentence too ("<p>One<ul><li>Two").
            self._mark_break(tag)

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag not in _LEFT_OUT:
            self._mark_break(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _LEFT_OUT:
            self.left_out_depth = max(0, self.left_out_depth - 1)
        else:
            self._mark_break(tag)

    def handle_data(self, data: str) -> None:
        if self.left_out_depth or not data:
            return
        if not data.strip():
            if self.pending is None:
                self.parts.append(data)  # a space between inline words counts
            return
        if self.pending and self.parts:
            while self.parts and not self.parts[-1].strip():
                self.parts.pop()
            last = self.parts[-1].rstrip() if self.parts else ""
            ended = last.rstrip(_CLOSING_MARKS)[-1:] in _SENTENCE_PUNCTUATION
            self.parts[-1:] = [last]
            if self.pending == "sentence" and not ended:
                self.parts.append(".")
            self.parts.append(" ")
        self.pending = None
        self.parts.append(data)
        self.words += len(data.split())

    def _mark_break(self, tag: str) -> None:
        if self.left_out_depth:
            return
        if tag in _SENTENCE_ENDS:
            self.pending = "sentence"
        elif tag in _WORD_GAPS and self.pending is None:
            self.pending = "gap"
