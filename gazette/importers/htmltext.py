"""Comments arrive from other blogs as HTML; Gazette's comments are plain text
with a little Markdown, rendered and sanitised by the comment renderer. This
turns the one into the other, keeping paragraphs, line breaks, links,
emphasis and quotations, and nothing that could run."""

import re
from html import unescape

from lxml import etree, html

_BLOCKS = {"p", "div", "blockquote", "li", "pre"}


# Most comments hold text and line breaks only: no need to build a tree.
_TEXT_AND_BREAKS_RE = re.compile(r"(?:[^<]|<br\s*/?>)*", re.IGNORECASE)
_BREAK_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)


def html_to_comment_text(source: str) -> str:
    if not source.strip():
        return ""
    if _TEXT_AND_BREAKS_RE.fullmatch(source):
        return _tidy(_escape(unescape(_BREAK_RE.sub("\n", source))))
    try:
        parser = html.HTMLParser(no_network=True, remove_comments=True)
        root = html.fragment_fromstring(source, create_parent="div", parser=parser)
    except (etree.ParserError, ValueError):
        # "<[^<>]*>": a tag never holds "<", and each try stops at the next one
        # ("<[^>]*>" scanned to the end from every "<" of "<<<...": quadratic).
        return re.sub(r"<[^<>]*>", "", source).strip()
    return _tidy(_walk(root))


def _tidy(text: str) -> str:
    # Line by line: re.sub(r"[ \t]+\n") tried from every blank of a long run.
    text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()[:5000]


def _walk(element) -> str:
    parts = [_escape(element.text or "")]
    for child in element:
        if not isinstance(child.tag, str):
            parts.append(_escape(child.tail or ""))
            continue
        inner = _walk(child)
        tag = child.tag.lower()
        if tag == "br":
            parts.append("\n")
        elif tag == "a" and (href := child.get("href", "")).startswith(
            ("http://", "https://")
        ):
            parts.append(f"[{inner or href}]({href})")
        elif tag in ("em", "i"):
            parts.append(f"*{inner}*" if inner.strip() else inner)
        elif tag in ("strong", "b"):
            parts.append(f"**{inner}**" if inner.strip() else inner)
        elif tag == "blockquote":
            quoted = "\n".join(f"> {line}" for line in inner.strip().splitlines())
            parts.append(f"\n\n{quoted}\n\n")
        elif tag in _BLOCKS:
            parts.append(f"\n\n{inner}\n\n")
        else:
            parts.append(inner)
        parts.append(_escape(child.tail or ""))
    return "".join(parts)


def _escape(text: str) -> str:
    """Text that Markdown would read as markup stays text."""
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)
